"""How to make one object of each tenant model that belongs to a given world unit.

The scoping contract test needs, for every route that takes an object id, an object inside
and outside each role's scope. A new tenant model used in a URL needs a maker here; the
contract test fails with a clear message until it has one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.analytics.models import WorkAggregate
from apps.applications.models import Application
from apps.campaigns.models import Campaign, ReserveDayRequest, SchoolWorkDate, Work
from apps.classes.models import ClassWork, SchoolClass
from apps.core.models import ImportBatch, Job
from apps.core.xlsx import table_workbook
from apps.families.models import FamiliesInformed
from apps.materials.models import Kit, MaterialFile
from apps.notices.models import AuthorLevel, Notice, NoticeFile
from apps.objectivity.models import (
    Booklet,
    FederalSample,
    MarkTask,
    Review,
    ReviewCase,
    ScanBatch,
    ScanPage,
)
from apps.registration.models import (
    CredentialsFile,
    Municipality,
    Region,
    School,
    SchoolProfile,
    User,
)
from apps.registration.tests.factories import grant, make_user
from apps.results.models import ContextUpload, ResultSheet, ResultVersion
from apps.schoolday.models import DayRecord, ExpertAssignment, Packet, Person, Room, Sitting
from conftest import World, expert_person, token

# The makers put objects on fixed calendar dates (the global 2026 work released on 06.06.2026,
# a 2025 kit whose day is past): the contract runs pinned to this instant, after all of them, so
# every release gate is open whatever today's date is (test_contract's autouse clock fixture).
CONTRACT_NOW = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)


class MarkerAccount:
    """A commission marker's account (a ``User`` holding a marker grant of the unit ``key``):
    the key of ``marker_user_id`` routes, whose users are not the coordinators of ``_user``."""


# A URL kwarg name → the model whose id it carries (``pk`` means the view's scoped_model).
KWARG_MODELS: dict[str, type[Any]] = {
    "region_id": Region,
    "municipality_id": Municipality,
    "school_id": School,
    "batch_id": ImportBatch,
    "job_id": Job,
    "user_id": User,
    "application_id": Application,
    "work_id": Work,
    "campaign_id": Campaign,
    "person_id": Person,
    "sitting_id": Sitting,
    "assignment_id": ExpertAssignment,
    "record_id": DayRecord,
    # objectivity control: scans (apps/objectivity/scans)
    "scan_batch_id": ScanBatch,
    "booklet_id": Booklet,
    "scan_page_id": ScanPage,
    # objectivity control (apps/objectivity)
    "review_id": Review,
    "case_id": ReviewCase,
    # marking on screen (apps/objectivity/marking)
    "mark_task_id": MarkTask,
    # the federal sample and the commissions' markers (apps/objectivity/sample, commission/)
    "sample_id": FederalSample,
    "marker_user_id": MarkerAccount,
}


def _ids(world: World, key: str) -> dict[str, int | None]:
    return {
        "region_id": world.regions[key[:1]].pk,
        "municipality_id": world.municipalities[key[:2]].pk if len(key) >= 2 else None,
        "school_id": world.schools[key[:3]].pk if len(key) >= 3 else None,
    }


def _job(world: World, key: str) -> Job:
    owner = world.users["federal"]
    content = table_workbook(sheet_title="Список", headers=["Единица"], rows=[[token(key)]])
    path = default_storage.save(f"tests/jobs/{key}.xlsx", ContentFile(content))
    return Job.objects.create(
        kind="school_list_export",
        key=f"contract:{key}:{path}",
        actor=owner,
        status=Job.Status.DONE,
        output=path,
        output_sha256=hashlib.sha256(content).hexdigest(),
        params={"title": token(key)},
        **_ids(world, key),
    )


def _batch(world: World, key: str) -> ImportBatch:
    return ImportBatch.objects.create(
        kind="contract",
        actor=world.users["federal"],
        original_name=f"{token(key)}.xlsx",
        preview={"rows": []},
        **_ids(world, key),
    )


def _profile(world: World, key: str) -> SchoolProfile:
    school = world.schools[key]
    return SchoolProfile.objects.get_or_create(
        school=school,
        defaults={
            "school_type": school.school_type,
            "settlement_type": "city",
            "address": f"Адрес {token(key)}",
            "director_name": "Директор Тестовый",
            "phone": "+7 000 000-00-00",
            "email": "school@example.org",
        },
    )[0]


def _user(world: World, key: str) -> User:
    role = {1: "regional", 2: "municipal", 3: "school_organizer"}[len(key)]
    user = make_user(f"contract_{key.lower()}_{User.objects.count()}", "x-Password-123")
    grant(user, role, world.unit(key))
    return user


def _credentials(world: World, key: str) -> CredentialsFile:
    return _credentials_issued_by(world, key, "federal")


def _credentials_issued_by(world: World, key: str, role: str) -> CredentialsFile:
    import json
    from datetime import timedelta

    from django.utils import timezone

    from apps.core import crypto

    rows = [{"unit": token(key), "full_name": "Тестов", "login": f"c_{key}", "password": "x"}]
    return CredentialsFile.objects.create(
        issued_by=world.users[role],
        title=f"Пароли {token(key)}",
        logins=[f"c_{key}"],
        payload=crypto.encrypt(json.dumps(rows).encode()),
        expires_at=timezone.now() + timedelta(days=1),
        **_ids(world, key),
    )


def _application(world: World, key: str) -> Application:
    """A submitted application of the school, with one line, in a campaign still open."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.applications.models import ApplicationLine, Status
    from apps.campaigns.models import Campaign, Work
    from apps.campaigns.tests.factories import CampaignFactory, WorkFactory

    campaign = CampaignFactory(year=2026)
    deadline = timezone.localdate() + timedelta(days=365)
    Campaign.objects.filter(pk=campaign.pk).update(application_deadline=deadline, is_active=True)
    campaign.refresh_from_db()
    work = Work.objects.filter(campaign=campaign).order_by("pk").first()
    if work is None:
        work = WorkFactory(campaign=campaign)
    school = world.schools[key]
    app, created = Application.objects.get_or_create(
        campaign=campaign,
        school=school,
        defaults={
            "status": Status.SUBMITTED,
            "region_id": school.region_id,
            "municipality_id": school.municipality_id,
        },
    )
    if created:
        ApplicationLine.objects.create(
            application=app, work=work, takes_part=True, participants=20, classes=1
        )
    return app


def _work(world: World, key: str) -> Work:
    """The one global work (campaigns are reference data: the same object for every key)."""
    from apps.campaigns.tests.factories import WorkFactory

    found = Work.objects.filter(
        campaign__year=2026, campaign__session="spring", subject__code="russian", grade=4
    ).first()
    return found or WorkFactory()


def _material_file(world: World, key: str) -> MaterialFile:
    """An accompanying file of the global work's bank (federal data: no unit owns it)."""
    return MaterialFile.objects.get_or_create(
        work=_work(world, key),
        kind=MaterialFile.Kind.ATTACHMENT,
        name=f"{token(key)}.pdf",
        defaults={"path": f"tests/bank/{key}.pdf", "sha256": "0" * 64, "size": 1},
    )[0]


def _school_date(world: World, key: str) -> SchoolWorkDate:
    school, work = world.schools[key], _work(world, key)
    return SchoolWorkDate.objects.get_or_create(
        school=school,
        work=work,
        defaults={"date": work.period_start, **_ids(world, key)},
    )[0]


def _reserve_day(world: World, key: str) -> ReserveDayRequest:
    import datetime as dt

    work = _work(world, key)
    return ReserveDayRequest.objects.get_or_create(
        school=world.schools[key],
        work=work,
        status=ReserveDayRequest.Status.PENDING,
        defaults={
            "requested_date": work.period_end + dt.timedelta(days=3),
            "reason": f"Причина {token(key)}",
            "requested_by": world.users["school_organizer"],
            **_ids(world, key),
        },
    )[0]


def _class_work(world: World, key: str) -> ClassWork:
    """The global work (compulsory, grade 4) of the school's class «4А» (classes timetable)."""
    from apps.classes.models import SchoolClass

    school, work = world.schools[key], _work(world, key)
    school_class, _ = SchoolClass.objects.get_or_create(
        campaign=work.campaign,
        school=school,
        grade=work.grade,
        letter="А",
        is_active=True,
        defaults={"number": 1, "pupils": 25, **_ids(world, key)},
    )
    return ClassWork.objects.get_or_create(
        school_class=school_class,
        work=work,
        defaults={"source": ClassWork.Source.COMPULSORY, **_ids(world, key)},
    )[0]


def _kit(world: World, key: str) -> Kit:
    """A released, built grade-8 kit of the school (materials): its archive and
    criteria hold the unit's token; its day is past, so every gate is open."""
    import io
    import zipfile

    from apps.campaigns.tests.factories import CampaignFactory, WorkFactory
    from apps.core import crypto

    campaign = CampaignFactory(year=2025)
    work = Work.objects.filter(campaign=campaign, grade=8).first() or WorkFactory(
        campaign=campaign, grade=8, encrypted_archive=True
    )
    school = world.schools[key]
    SchoolWorkDate.objects.get_or_create(
        school=school,
        work=work,
        defaults={
            "date": work.period_start,
            "municipality_id": school.municipality_id,
            "region_id": school.region_id,
        },
    )
    kit = Kit.objects.filter(school=school, work=work).first()
    if kit is not None:
        return kit
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("unit.xml", f"<unit>{token(key)}</unit>")
    directory = f"tests/materials/{key}"
    archive_path = default_storage.save(f"{directory}/kit.zip", ContentFile(buffer.getvalue()))
    criteria = default_storage.save(f"{directory}/criteria.pdf", ContentFile(token(key).encode()))
    return Kit.objects.create(
        school=school,
        work=work,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
        seed=1,
        bank_revision=1,
        participants=10,
        status=Kit.Status.READY,
        archive_path=archive_path,
        archive_name=f"kit-{key}.zip",
        archive_size=len(buffer.getvalue()),
        criteria_path=criteria,
        password_token=crypto.encrypt(b"Contract-Pass-2345"),
    )


def _result_version(world: World, key: str) -> Any:
    """An accepted results version of the school for the global work (results); its
    stored file and name hold the unit's token."""
    from apps.results.models import ResultSheet, ResultVersion

    school, work = world.schools[key], _work(world, key)
    sheet, _ = ResultSheet.objects.get_or_create(
        school=school,
        work=work,
        defaults={"municipality_id": school.municipality_id, "region_id": school.region_id},
    )
    found = ResultVersion.objects.filter(sheet=sheet).first()
    if found is not None:
        return found
    content = table_workbook(sheet_title="Протокол", headers=["Код участника"], rows=[[token(key)]])
    path = default_storage.save(f"tests/results/{key}.xlsx", ContentFile(content))
    version = ResultVersion.objects.create(
        sheet=sheet,
        school_id=school.pk,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
        number=1,
        source="api",
        original_name=f"{token(key)}.xlsx",
        file=path,
        file_sha256=hashlib.sha256(content).hexdigest(),
        participants=1,
        absent=0,
        snapshot={"headers": ["Вариант"], "rows": {"40001": ["1"]}},
    )
    sheet.current_version = version
    sheet.version_count = 1
    sheet.save(update_fields=["current_version", "version_count"])
    return version


def _context_upload(world: World, key: str) -> Any:
    """Two context-data uploads of the school for the global work's campaign (results, issue
    6); the school part of both holds the unit's token, so the diff page shows it."""
    from apps.results.models import ContextSheet

    school, campaign = world.schools[key], _work(world, key).campaign
    sheet, _ = ContextSheet.objects.get_or_create(
        school=school,
        campaign=campaign,
        defaults={"municipality_id": school.municipality_id, "region_id": school.region_id},
    )
    found = ContextUpload.objects.filter(sheet=sheet).order_by("-number").first()
    if found is not None:
        return found
    upload = None
    for number in (1, 2):
        school_data = {"settlement_type": "городской", "teachers": 10 + number, "note": token(key)}
        upload = ContextUpload.objects.create(
            sheet=sheet,
            school_id=school.pk,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
            number=number,
            source="api",
            original_name=f"{token(key)}.xlsx",
            school_data=school_data,
            participants=1,
            snapshot={"school": school_data, "participants": {"40001": [4, "м"]}},
        )
    sheet.current_upload = upload
    sheet.version_count = 2
    sheet.save(update_fields=["current_upload", "version_count"])
    return upload


def _work_aggregate(world: World, key: str) -> Any:
    """The analytics aggregate of the unit for the global work (analytics)."""
    from apps.analytics.models import WorkAggregate

    ids = _ids(world, key)
    unit_id = ids["school_id"] or ids["municipality_id"] or ids["region_id"]
    return WorkAggregate.objects.get_or_create(
        work=_work(world, key),
        level=len(key),
        unit_id=unit_id,
        defaults={**ids, "schools": 1, "participants": 12, "mark3": 12},
    )[0]


def _result_sheet(world: World, key: str) -> ResultSheet:
    """The school's accepted results of the global work with two participants of class 1 (one
    absent) and the school's aggregate: what the families' slips are printed from."""
    from apps.results.models import ParticipantResult

    version = _result_version(world, key)
    sheet = version.sheet
    work = sheet.work
    scores = [column.max_score for column in work.columns.all()]
    for code, absent in (("40001", False), ("40002", True)):
        ParticipantResult.objects.get_or_create(
            sheet=sheet,
            code=code,
            defaults={
                "version": version,
                "work": work,
                "absent": absent,
                "variant": None if absent else 1,
                "scores": [] if absent else scores,
                "primary_score": None if absent else sum(scores),
                "mark": None if absent else work.mark_for(sum(scores)),
                "class_number": 1,
                "school_id": sheet.school_id,
                "municipality_id": sheet.municipality_id,
                "region_id": sheet.region_id,
            },
        )
    _work_aggregate(world, key)
    return sheet


def _families_informed(world: World, key: str) -> FamiliesInformed:
    """Today's mark that the families of the school's class 1 were informed (families)."""
    from django.utils import timezone

    sheet = _result_sheet(world, key)
    return FamiliesInformed.objects.get_or_create(
        school_id=sheet.school_id,
        work_id=sheet.work_id,
        class_number=1,
        defaults={
            "class_label": "4А",
            "informed_at": timezone.now(),
            "informed_by": world.users["school_organizer"],
            "municipality_id": sheet.municipality_id,
            "region_id": sheet.region_id,
        },
    )[0]


def _notice(world: World, key: str) -> Notice:
    """A notice published by the region (key of length 1: to its municipalities and schools) or
    the municipality (length 2: to its schools); its title and body hold the unit's token."""
    from django.utils import timezone

    found = Notice.objects.filter(title=f"Объявление {token(key)}").first()
    if found is not None:
        return found
    ids = _ids(world, key)
    by_region = len(key) == 1
    return Notice.objects.create(
        author_level=AuthorLevel.REGION if by_region else AuthorLevel.MUNICIPALITY,
        region_id=ids["region_id"],
        municipality_id=ids["municipality_id"],
        for_municipalities=by_region,
        for_schools=True,
        title=f"Объявление {token(key)}",
        body=f"Текст {token(key)}",
        published_at=timezone.now(),
        author=world.users["federal"],
    )


def _notice_file(world: World, key: str) -> NoticeFile:
    """Version 1 of the document of the unit's notice; its content holds the unit's token."""
    from django.utils import timezone

    notice = _notice(world, key)
    found = NoticeFile.objects.filter(notice=notice).first()
    if found is not None:
        return found
    content = f"Инструкция {token(key)}".encode()
    path = default_storage.save(f"tests/notices/{key}.txt", ContentFile(content))
    return NoticeFile.objects.create(
        notice=notice,
        version=1,
        original_name=f"Инструкция {key}.txt",
        path=path,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_at=timezone.now(),
        uploaded_by=world.users["federal"],
    )


def _packet(world: World, key: str) -> Packet:
    """A built delivery packet of the school's room on the global work's first day (released
    long before CONTRACT_NOW): three codes of its class «4А» placed in the room."""
    from apps.materials.models import ParticipantCode
    from apps.registration.access import Actor
    from apps.schoolday.models import Room, Seat, Sitting
    from apps.schoolday.packets import services as packet_services

    class_work = _class_work(world, key)
    school, work = world.schools[key], class_work.work
    ids = _ids(world, key)
    found = Packet.objects.filter(school_id=school.pk).first()
    if found is not None:
        return found
    scope = {"municipality_id": ids["municipality_id"], "region_id": ids["region_id"]}
    for n in range(1, 4):
        ParticipantCode.objects.get_or_create(
            campaign=work.campaign,
            school=school,
            code=f"4{n:04d}",
            defaults={
                "grade": work.grade,
                "class_number": class_work.school_class.number,
                "school_class": class_work.school_class,
                **scope,
            },
        )
    room = Room.objects.create(school=school, name=f"Кабинет {token(key)}", seats=10, **scope)
    sitting = Sitting.objects.create(
        work=work, date=work.period_start, room=room, school_id=school.pk, **scope
    )
    Seat.objects.create(
        sitting=sitting, class_work=class_work, count=3, school_id=school.pk, **scope
    )
    system = Actor.system(reason="contract")
    packet_services.packets_build_request(
        actor=system, school_id=school.pk, work_id=work.pk, day=sitting.date
    )
    for job in Job.objects.filter(school_id=school.pk, kind="schoolday.packet_build"):
        packet_services.packet_build_run(job_id=job.pk)
    return Packet.objects.get(sitting=sitting)


def _room(world: World, key: str) -> Room:
    """An active room of the school (school day); its name holds the unit's token. Made again
    after a contract call removed it."""
    school = world.schools[key]
    return Room.objects.get_or_create(
        school=school,
        name=f"Аудитория {token(key)}",
        is_active=True,
        defaults={
            "seats": 20,
            "municipality_id": school.municipality_id,
            "region_id": school.region_id,
        },
    )[0]


def _person(world: World, key: str) -> Person:
    """An active room organizer of the school (school day); the name holds the unit's token."""
    school = world.schools[key]
    return Person.objects.get_or_create(
        school=school,
        full_name=f"Организатор {token(key)}",
        is_active=True,
        defaults={
            "duty": Person.Duty.ORGANIZER,
            "municipality_id": school.municipality_id,
            "region_id": school.region_id,
        },
    )[0]


def _sitting(world: World, key: str) -> Sitting:
    """The school's room on the global work's first day (school day)."""
    work = _work(world, key)
    return Sitting.objects.get_or_create(
        room=_room(world, key),
        work=work,
        date=work.period_start,
        defaults=_ids(world, key),
    )[0]


def _expert(world: World, key: str) -> Person:
    """The school's expert of the day: at A1a the one behind the world's «expert» account, at
    the other schools one made on first use (its name holds the unit's token)."""
    found = world.experts.get(key)
    if found is None or not Person.objects.filter(pk=found.pk, is_active=True).exists():
        found = expert_person(world.schools[key], name=f"Эксперт {token(key)}")
        world.experts[key] = found
    return found


def _expert_assignment(world: World, key: str) -> ExpertAssignment:
    """A code of the school's class «4А» for the global work given to the school's expert (at
    A1a: the world's expert account, so the expert role reaches its own row)."""
    from apps.materials.models import ParticipantCode

    class_work = _class_work(world, key)
    school, work = world.schools[key], class_work.work
    ids = _ids(world, key)
    code, _ = ParticipantCode.objects.get_or_create(
        campaign=work.campaign,
        school=school,
        code="49001",
        defaults={
            "grade": work.grade,
            "class_number": class_work.school_class.number,
            "school_class": class_work.school_class,
            "municipality_id": ids["municipality_id"],
            "region_id": ids["region_id"],
        },
    )
    return ExpertAssignment.objects.get_or_create(
        work=work,
        code=code,
        defaults={"expert": _expert(world, key), **ids},
    )[0]


def _day_record(world: World, key: str) -> DayRecord:
    """The record of the day of the school's room on the global work's first day."""
    sitting = _sitting(world, key)
    ids = _ids(world, key)
    return DayRecord.objects.get_or_create(
        sitting=sitting,
        defaults={
            "school_id": sitting.school_id,
            "municipality_id": ids["municipality_id"],
            "region_id": ids["region_id"],
        },
    )[0]


def _review(world: World, key: str) -> Review:
    """A re-check of the global work opened by the unit ``key`` (a region or a municipality)."""
    ids = _ids(world, key)
    return Review.objects.create(
        kind=Review.Kind.RECHECK,
        work=_work(world, key),
        title=f"Перепроверка {token(key)}",
        seed=len(key),
        opened_by=world.users["federal"],
        region_id=ids["region_id"],
        municipality_id=ids["municipality_id"],
    )


def _review_case(world: World, key: str) -> ReviewCase:
    """The school's case in a re-check of its region (the school ``key``)."""
    school = world.schools[key]
    return ReviewCase.objects.create(
        review=_review(world, key[:1]),
        school=school,
        reason=ReviewCase.Reason.RANDOM,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )


def _scan_batch(world: World, key: str) -> ScanBatch:
    """A processed upload of scans of the school's kit (grade 8, 2025): one booklet of one page,
    its image in storage; the file name holds the unit's token."""
    from apps.materials.models import Variant

    found = ScanBatch.objects.filter(school=world.schools[key]).first()
    if found is not None:
        return found
    kit = _kit(world, key)
    ids = _ids(world, key)
    scope = {"municipality_id": ids["municipality_id"], "region_id": ids["region_id"]}
    variant = Variant.objects.get_or_create(
        kit=kit,
        number=1,
        defaults={
            "work": kit.work,
            "uid": f"SCAN-{key}",
            "signature": hashlib.sha256(f"scan-{key}".encode()).hexdigest(),
            "items": [],
            "difficulty": 1,
            "school_id": kit.school_id,
            **scope,
        },
    )[0]
    batch = ScanBatch.objects.create(
        school=kit.school,
        work=kit.work,
        file_path=f"tests/scans/{key}.pdf",
        file_name=f"scan-{token(key)}.pdf",
        file_sha256="0" * 64,
        status=ScanBatch.Status.DONE,
        pages=1,
        identified=1,
        **scope,
    )
    booklet = Booklet.objects.create(
        batch=batch,
        work=kit.work,
        variant=variant,
        seq=1,
        pages_expected=1,
        school_id=kit.school_id,
        **scope,
    )
    import io

    from PIL import Image

    image = io.BytesIO()
    Image.new("L", (40, 56), 255).save(image, "PNG")
    path = default_storage.save(f"tests/scans/{key}/1.png", ContentFile(image.getvalue()))
    ScanPage.objects.create(
        batch=batch,
        index=1,
        booklet=booklet,
        page_number=1,
        status=ScanPage.Status.IDENTIFIED,
        mark=f"VPR1:SCAN-{key}:1:1:1",
        image_path=path,
        width=40,
        height=56,
        school_id=kit.school_id,
        **scope,
    )
    return batch


def _federal_sample(world: World, key: str) -> FederalSample:
    """A federal sample of the global work's campaign (federal data: no unit sees it)."""
    return FederalSample.objects.create(
        campaign=_work(world, key).campaign,
        seed=len(key),
        params={"share": "10", "min_per_region": 1, "works": []},
        strata={},
        drawn_by=world.users["federal"],
    )


def _marker_user(world: World, key: str) -> User:
    user = make_user(
        f"contract_k_{key.lower()}_{User.objects.count()}",
        "x-Password-123",
        full_name=f"Эксперт {token(key)}",
    )
    grant(user, "marker", world.unit(key))
    return user


def _review_issued_by(world: World, key: str, role: str) -> Review:
    """A re-check of the unit; asked for by a marker (or a school expert), it is one of the
    review's markers (a marker reaches only the reviews it marks in)."""
    from apps.objectivity.models import ReviewMarker

    review = _review(world, key)
    if role in ("marker", "expert"):
        ReviewMarker.objects.create(review=review, user=world.users[role])
    return review


def _mark_task(world: World, key: str, role: str = "marker") -> MarkTask:
    """A round-1 task of the school's scanned booklet in the school's own review (which every
    manager of the school sees); its marker is the asking marker or school expert (else the
    world's region A marker)."""
    from apps.objectivity.models import ReviewMarker

    booklet = Booklet.objects.get(batch=_scan_batch(world, key))
    ids = _ids(world, key)
    review = Review.objects.create(
        kind=Review.Kind.SCHOOL,
        work=booklet.work,
        title=f"Проверка экспертами {token(key)}",
        seed=len(key),
        opened_by=world.users["federal"],
        **ids,
    )
    marker = world.users[role if role in ("marker", "expert") else "marker"]
    ReviewMarker.objects.create(review=review, user=marker)
    return MarkTask.objects.create(
        review=review,
        booklet=booklet,
        column=booklet.work.columns.order_by("position").first(),
        round=1,
        marker=marker,
        **ids,
    )


# Objects that belong to a user as well as to a unit: the own-object check makes them as the role
# that asks. A credentials file is downloaded by its issuer only; a superior
# with the unit in scope gets 404 like for a foreign object.
ISSUED_BY_ROLE: dict[type[Any], Callable[[World, str, str], Any]] = {
    CredentialsFile: _credentials_issued_by,
    Review: _review_issued_by,
    MarkTask: _mark_task,
}

# model → (maker, the key lengths it can anchor at: 1 region, 2 municipality, 3 school)
MAKERS: dict[type[Any], tuple[Callable[[World, str], Any], tuple[int, ...]]] = {
    Region: (lambda w, k: w.regions[k], (1,)),
    Municipality: (lambda w, k: w.municipalities[k], (2,)),
    School: (lambda w, k: w.schools[k], (3,)),
    Job: (_job, (1, 2, 3)),
    ImportBatch: (_batch, (1, 2, 3)),
    SchoolProfile: (_profile, (3,)),
    User: (_user, (1, 2, 3)),
    CredentialsFile: (_credentials, (1, 2, 3)),
    Application: (_application, (3,)),
    Work: (_work, (1, 2, 3)),
    Campaign: (lambda w, k: _work(w, k).campaign, (1, 2, 3)),
    SchoolWorkDate: (_school_date, (3,)),
    ReserveDayRequest: (_reserve_day, (3,)),
    Kit: (_kit, (3,)),
    MaterialFile: (_material_file, (1, 2, 3)),
    ClassWork: (_class_work, (3,)),
    SchoolClass: (lambda w, k: _class_work(w, k).school_class, (3,)),
    ResultVersion: (_result_version, (3,)),
    ResultSheet: (_result_sheet, (3,)),
    FamiliesInformed: (_families_informed, (3,)),
    ContextUpload: (_context_upload, (3,)),
    WorkAggregate: (_work_aggregate, (1, 2, 3)),
    Notice: (_notice, (1, 2)),
    NoticeFile: (_notice_file, (1, 2)),
    Packet: (_packet, (3,)),
    Room: (_room, (3,)),
    Person: (_person, (3,)),
    Sitting: (_sitting, (3,)),
    ExpertAssignment: (_expert_assignment, (3,)),
    DayRecord: (_day_record, (3,)),
    ScanBatch: (_scan_batch, (3,)),
    Booklet: (lambda w, k: Booklet.objects.get(batch=_scan_batch(w, k)), (3,)),
    ScanPage: (lambda w, k: ScanPage.objects.get(batch=_scan_batch(w, k)), (3,)),
    Review: (_review, (1, 2)),
    MarkTask: (_mark_task, (3,)),
    ReviewCase: (_review_case, (3,)),
    FederalSample: (_federal_sample, (1,)),
    MarkerAccount: (_marker_user, (1, 2)),
}
