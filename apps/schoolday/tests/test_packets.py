"""The print planner and the delivery packets: counts equal hand counts, the PDF read back, the
build job's idempotence, the release gate and scoping (apps/schoolday/packets/)."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from apps.campaigns.tests.factories import CampaignFactory, WorkFactory
from apps.classes.tests.factories import ClassWorkFactory, SchoolClassFactory
from apps.core.models import AuditEvent, Job
from apps.materials.models import ParticipantCode
from apps.materials.pdf import CodeEntry, WorkInfo
from apps.materials.tests.factories import held
from apps.registration.access import Actor, actor_for_user
from apps.schoolday.messages import PacketNotReleasedError, SchoolDayError
from apps.schoolday.models import Packet, Person, Sitting
from apps.schoolday.packets import pdf, planner, selectors, services
from apps.schoolday.tests.factories import PersonFactory, RoomFactory, SeatFactory, SittingFactory
from conftest import World

SYSTEM = Actor.system(reason="tests")


@dataclass
class Day:
    """A school's work day: 4А (14), 4Б (11), 4В (20) in three rooms, codes issued."""

    school: Any
    work: Any
    date: dt.date
    classes: dict[str, Any] = field(default_factory=dict)  # label → ClassWork
    codes: dict[str, list[str]] = field(default_factory=dict)  # label → codes (not reserve)
    sittings: dict[str, Sitting] = field(default_factory=dict)  # room → sitting
    organizers: dict[str, Person] = field(default_factory=dict)  # room → organizer


# class → (class number, participants); the rooms: room → [(class, offset, count)]
CLASSES = {"4А": (1, 14), "4Б": (2, 11), "4В": (3, 20)}
PLACEMENT = {
    "Кабинет 1": [("4А", 0, 14)],
    "Кабинет 2": [("4Б", 0, 11), ("4В", 0, 4)],
    "Кабинет 3": [("4В", 4, 16)],
}
RESERVE_PER_CLASS = 2


def make_work(day: dt.date) -> Any:
    """Русский язык, 4 класс (15 columns, 12 tasks) held around ``day``, materials published
    4 days before it."""
    return WorkFactory(
        campaign=CampaignFactory(year=day.year),
        period_start=day - dt.timedelta(days=2),
        period_end=day + dt.timedelta(days=20),
        recommended_dates=[day.isoformat()],
        materials_publish_date=day - dt.timedelta(days=4),
        results_upload_deadline=day + dt.timedelta(days=27),
        results_release_date=day + dt.timedelta(days=40),
    )


def build_day(school: Any, *, work: Any = None, days_ahead: int = 10) -> Day:
    """The school's classes writing ``work`` (by default a new one) ``days_ahead`` days from
    today, placed in three rooms."""
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    work = work or make_work(day)
    campaign = work.campaign
    held(school, work, day)
    out = Day(school=school, work=work, date=day)
    serial = 0
    for label, (number, participants) in CLASSES.items():
        school_class = SchoolClassFactory(
            campaign=campaign, school=school, grade=4, letter=label[1], number=number, pupils=25
        )
        out.classes[label] = ClassWorkFactory(
            school_class=school_class, work=work, date=day, participants=participants
        )
        # reserve codes interleaved with the class's own: they must never be printed
        for i in range(participants + RESERVE_PER_CLASS):
            serial += 1
            reserve = i % 7 == 3 and i // 7 < RESERVE_PER_CLASS
            code = f"4{serial:04d}"
            ParticipantCode.objects.create(
                campaign=campaign,
                school=school,
                municipality_id=school.municipality_id,
                region_id=school.region_id,
                grade=4,
                class_number=number,
                school_class=school_class,
                code=code,
                reserve=reserve,
            )
            if not reserve:
                out.codes.setdefault(label, []).append(code)
    for n, (room_name, seats) in enumerate(PLACEMENT.items(), start=1):
        room = RoomFactory(school=school, name=room_name, seats=16)
        organizer = PersonFactory(school=school, full_name=f"Организатор Аудиторный-{n}")
        observer = PersonFactory(
            school=school, duty=Person.Duty.OBSERVER, full_name=f"Наблюдатель Общественный-{n}"
        )
        sitting = SittingFactory(
            room=room, work=work, date=day, organizer=organizer, observers=[observer]
        )
        for label, offset, count in seats:
            SeatFactory(sitting=sitting, class_work=out.classes[label], offset=offset, count=count)
        out.sittings[room_name] = sitting
        out.organizers[room_name] = organizer
    return out


def room_codes(day: Day, room: str) -> list[str]:
    """The codes of a room by hand: each seat's run of its class's codes."""
    return [
        code
        for label, offset, count in PLACEMENT[room]
        for code in day.codes[label][offset : offset + count]
    ]


def actor_of(world: World, role: str = "school_organizer") -> Actor:
    return actor_for_user(world.users[role])


def build_all(day: Day, actor: Actor, capture: Any) -> services.BuildRequest:
    """Request the day's packets and run the queued jobs (the on-commit sends, eagerly)."""
    with capture(execute=True):
        return services.packets_build_request(
            actor=actor, school_id=day.school.pk, work_id=day.work.pk, day=day.date
        )


def pdf_text(content: bytes, tmp_path: Path, name: str = "packet.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


def pdf_pages(content: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(content)
    done = subprocess.run(
        ["pdfinfo", str(path)],
        capture_output=True,
        check=True,
        text=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def stored(packet: Packet) -> bytes:
    with default_storage.open(packet.file, "rb") as fh:
        data: bytes = fh.read()
    return data


# --- the planner ---------------------------------------------------------------------------------


def test_kit_pages_are_estimated_from_the_works_tasks() -> None:
    # given the columns of Русский язык, 4 класс (15 columns, tasks 1–12) and a work with criteria
    russian = ["1", "2", "3", "4", "5", "6", "7", "8", "9.1", "9.2", "10.1", "10.2", "11"]
    russian += ["12.1", "12.2"]
    criteria = ["1", "2К1", "2К2", "3"]
    # then a task is the leading number, and a kit is a title page plus 2 tasks a page
    assert planner.task_count(russian) == 12
    assert planner.kit_pages_estimate(russian) == 1 + 6
    assert planner.task_count(criteria) == 3
    assert planner.kit_pages_estimate(criteria) == 1 + 2


def test_a_room_without_participants_prints_nothing() -> None:
    # when nobody is placed in a room
    line = planner.room_line(participants=0, kit_pages=7)
    # then it counts as a room and needs no paper, drafts or return packets
    assert (line.rooms, line.sheets, line.drafts, line.return_packets) == (1, 0, 0, 0)


@pytest.mark.django_db
def test_the_print_plan_equals_hand_counts(world: World) -> None:
    # given three rooms of 14, 15 and 16 participants from three classes
    day = build_day(world.schools["A1a"])
    # when the school opens its print plan for the day
    _school, days, plans = selectors.print_plan(
        actor=actor_of(world), school_id=day.school.pk, work_id=day.work.pk, day=day.date
    )
    # then the day is listed and planned room by room, in the rooms' order
    assert [(d.work.pk, d.date) for d in days] == [(day.work.pk, day.date)]
    (plan,) = plans
    assert plan.kit_pages == 7
    assert plan.unplaced == 0
    by_room = {r.sitting.room.name: r.line for r in plan.rooms}
    assert list(by_room) == ["Кабинет 1", "Кабинет 2", "Кабинет 3"]
    for room, participants in (("Кабинет 1", 14), ("Кабинет 2", 15), ("Кабинет 3", 16)):
        line = by_room[room]
        assert line.participants == participants
        assert line.kits == participants  # one kit per participant
        assert line.kit_pages == participants * 7
        assert line.drafts == 2 * participants  # at least 2 draft sheets per participant
        assert line.return_packets == 2
        # one page each: cover, protocol (≤ 25 rows), code cards (≤ 36), the two labels
        assert (line.cover_pages, line.protocol_pages) == (1, 1)
        assert (line.code_sheet_pages, line.label_pages) == (1, 1)
        assert line.printed_pages == participants * 7 + 4
        assert line.sheets == participants * 7 + 4 + 2 * participants
    total = plan.total
    assert (total.rooms, total.participants, total.kits) == (3, 45, 45)
    assert (total.drafts, total.return_packets) == (90, 6)
    assert total.printed_pages == 45 * 7 + 3 * 4 == 327
    assert total.sheets == 327 + 90
    # toner: 327 pages at 5 % coverage of a 2000-page cartridge
    assert total.toner_percent == 17
    assert total.toner_cartridges == pytest.approx(327 / 2000, abs=0.001)


@pytest.mark.django_db
def test_the_plan_shows_participants_not_yet_placed(world: World) -> None:
    # given a day where 4 participants of 4В have no seat
    day = build_day(world.schools["A1a"])
    seat = day.sittings["Кабинет 3"].seats.get()
    seat.count = 12
    seat.save()
    # when the plan is read
    _school, _days, (plan,) = selectors.print_plan(actor=actor_of(world), school_id=day.school.pk)
    # then they are reported and not counted
    assert plan.unplaced == 4
    assert plan.total.participants == 41


@pytest.mark.django_db
def test_each_rooms_packet_holds_exactly_its_codes(world: World) -> None:
    # given the placed day
    day = build_day(world.schools["A1a"])
    actor = actor_of(world)
    sittings = selectors.sittings_of_day(
        actor=actor,
        action="schoolday.print_packets",
        school=day.school,
        work=day.work,
        day=day.date,
    )
    # when the packets' inputs are read
    inputs = selectors.packet_inputs(
        actor=actor, action="schoolday.print_packets", school=day.school, sittings=sittings
    )
    # then every room holds its seats' codes by hand, class by class, and no reserve code
    reserve = set(ParticipantCode.objects.filter(reserve=True).values_list("code", flat=True))
    assert len(reserve) == 3 * RESERVE_PER_CLASS
    seen: list[str] = []
    for room, sitting in day.sittings.items():
        doc = inputs[sitting.pk].doc
        codes = [e.code for e in doc.codes]
        assert codes == room_codes(day, room)
        assert not set(codes) & reserve
        assert doc.organizer == day.organizers[room].full_name
        seen += codes
    # and every participant code of the day is in exactly one room
    assert sorted(seen) == sorted(c for codes in day.codes.values() for c in codes)
    assert [e.class_label for e in inputs[day.sittings["Кабинет 2"].pk].doc.codes] == (
        ["4Б"] * 11 + ["4В"] * 4
    )


# --- the PDF -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_packet_pdf_reads_back_with_codes_organizer_and_checklist(
    world: World, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    # given the day's packets built
    day = build_day(world.schools["A1a"])
    build_all(day, actor_of(world), django_capture_on_commit_callbacks)
    sitting = day.sittings["Кабинет 2"]
    packet = Packet.objects.get(sitting=sitting)
    assert packet.status == Packet.Status.READY
    content = stored(packet)
    # when it is read back as text
    text = pdf_text(content, tmp_path)
    # then it is the room's packet: cover, protocol, code sheet and the two labels
    assert "Доставочный пакет" in text
    assert day.school.code in text
    assert "Кабинет 2" in text
    assert day.date.strftime("%d.%m.%Y") in text
    assert "часовой пояс ОО: МСК" in text
    assert "Организатор Аудиторный-2" in text
    assert "Наблюдатель Общественный-2" in text
    # the checklist with the room's counts
    assert "ИК: 15 шт. (по 7 стр.)" in text
    assert "15 кодов" in text
    assert "не менее 30 листов" in text
    assert "2 ВДП" in text
    assert "Протокол проведения" in text
    assert "Возвратный доставочный пакет (ВДП) №1" in text
    assert "Возвратный доставочный пакет (ВДП) №2" in text
    assert "Использованные ИК и заполненный протокол" in text
    assert "Неиспользованные ИК и черновики" in text
    # every code of the room, twice (protocol and code card), and no other room's code
    for code in room_codes(day, "Кабинет 2"):
        assert text.count(code) == 2, code
    for code in room_codes(day, "Кабинет 1") + room_codes(day, "Кабинет 3"):
        assert code not in text
    # and its pages are those the planner counts
    assert pdf_pages(content, tmp_path) == packet.pages == pdf.packet_pages(15) == 4
    assert packet.sha256
    assert packet.size == len(content)


@pytest.mark.django_db
def test_the_packet_renders_as_page_images(
    world: World, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    # given a built packet
    day = build_day(world.schools["A1a"])
    build_all(day, actor_of(world), django_capture_on_commit_callbacks)
    content = stored(Packet.objects.get(sitting=day.sittings["Кабинет 2"]))
    source = tmp_path / "packet.pdf"
    source.write_bytes(content)
    # when its pages are rasterised
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(source), str(tmp_path / "page")],
        check=True,
    )
    # then every page is an image with ink on it (not a blank page)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == 4
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in images)
    assert all(p.stat().st_size > 5_000 for p in images)


@pytest.mark.parametrize("count", [1, 14, 24, 25, 26, 36, 37, 55, 61])
def test_page_counts_are_those_of_the_rendered_pdf(count: int, tmp_path: Path) -> None:
    # given a room of ``count`` participants of one class
    doc = pdf.PacketDoc(
        work=WorkInfo(2030, "Русский язык", 4, 45, False, "весна"),
        school_code="edu000001",
        school_name="МБОУ СОШ № 1",
        held_on=timezone.localdate(),
        zone_offset="МСК+2",
        room="Кабинет 5",
        organizer="Организатор Аудиторный",
        observers=(),
        codes=tuple(CodeEntry(f"4{n:04d}", 1, False, "4А") for n in range(1, count + 1)),
        kit_pages=7,
    )
    # when the packet is rendered
    content = pdf.packet_pdf(doc)
    # then the planner's page count is the real one, and rendering is deterministic
    assert pdf_pages(content, tmp_path) == pdf.packet_pages(count)
    assert pdf.packet_pdf(doc) == content
    assert "Кабинет 5" in pdf_text(content, tmp_path)


def test_a_file_name_keeps_no_path_separator() -> None:
    # a room's name with a slash never reaches the file system as a directory
    assert pdf.safe_file_name("Пакет Кабинет 3/4.pdf") == "Пакет Кабинет 3_4.pdf"


# --- the build job -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_build_is_idempotent(world: World, django_capture_on_commit_callbacks: Any) -> None:
    # given the day's packets built once
    day = build_day(world.schools["A1a"])
    actor = actor_of(world)
    first = build_all(day, actor, django_capture_on_commit_callbacks)
    assert (first.queued, first.up_to_date) == (3, 0)
    packets = {p.pk: (p.file, p.sha256, p.built_at) for p in Packet.objects.all()}
    jobs = set(Job.objects.values_list("pk", "status"))
    # when the build is requested again and every job is run again
    second = build_all(day, actor, django_capture_on_commit_callbacks)
    for job in Job.objects.all():
        assert services.packet_build_run(job_id=job.pk) is None  # done: not claimed again
    # then nothing is rebuilt: the same files, digests, build instants and jobs
    assert (second.queued, second.up_to_date) == (0, 3)
    assert {p.pk: (p.file, p.sha256, p.built_at) for p in Packet.objects.all()} == packets
    assert set(Job.objects.values_list("pk", "status")) == jobs
    assert all(status == Job.Status.DONE for _pk, status in jobs)
    # and each request is audited once
    assert AuditEvent.objects.filter(action="schoolday.packets_build").count() == 2


@pytest.mark.django_db
def test_a_claimed_job_skips_a_packet_already_built_from_the_same_inputs(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # given a built packet whose job is sent again after it finished (a lost acknowledgement)
    day = build_day(world.schools["A1a"])
    build_all(day, actor_of(world), django_capture_on_commit_callbacks)
    packet = Packet.objects.get(sitting=day.sittings["Кабинет 1"])
    job = Job.objects.get(params__packet_id=packet.pk)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    # when the job runs again
    again = services.packet_build_run(job_id=job.pk)
    # then the packet is left as it was and the job is done
    assert again is not None
    fresh = Packet.objects.get(pk=packet.pk)
    assert (fresh.file, fresh.built_at) == (packet.file, packet.built_at)
    assert Job.objects.get(pk=job.pk).status == Job.Status.DONE


@pytest.mark.django_db
def test_a_changed_room_makes_its_packet_stale_and_it_is_rebuilt(
    world: World, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    # given built packets
    day = build_day(world.schools["A1a"])
    actor = actor_of(world)
    build_all(day, actor, django_capture_on_commit_callbacks)
    sitting = day.sittings["Кабинет 1"]
    old = Packet.objects.get(sitting=sitting)
    # when the room's organizer changes
    other = PersonFactory(school=day.school, full_name="Организатор Сменный")
    Sitting.objects.filter(pk=sitting.pk).update(organizer=other)
    _s, _d, (plan,) = selectors.print_plan(actor=actor, school_id=day.school.pk)
    states = {r.sitting.room.name: r.state for r in plan.rooms}
    # then only that packet is stale, its download is refused, and a new build replaces it
    assert states == {"Кабинет 1": "stale", "Кабинет 2": "ready", "Кабинет 3": "ready"}
    on_the_day = timezone.make_aware(dt.datetime.combine(day.date, dt.time(8, 0)))
    with pytest.raises(SchoolDayError) as refused:
        services.packet_download(actor=actor, packet_id=old.pk, now=on_the_day)
    assert refused.value.code == "packet_stale"
    again = build_all(day, actor, django_capture_on_commit_callbacks)
    assert (again.queued, again.up_to_date) == (1, 2)
    new = Packet.objects.get(sitting=sitting)
    assert new.status == Packet.Status.READY
    assert new.inputs != old.inputs
    assert new.file != old.file
    assert not default_storage.exists(old.file)
    assert "Организатор Сменный" in pdf_text(stored(new), tmp_path)


@pytest.mark.django_db
def test_the_build_is_refused_whole_when_codes_are_missing(world: World) -> None:
    # given 4В with only 10 of its 20 codes issued
    day = build_day(world.schools["A1a"])
    missing = day.codes["4В"][10:]
    ParticipantCode.objects.filter(code__in=missing).delete()
    # when the packets are requested
    with pytest.raises(SchoolDayError) as refused:
        services.packets_build_request(
            actor=actor_of(world), school_id=day.school.pk, work_id=day.work.pk, day=day.date
        )
    # then nothing is queued and the class is named
    assert refused.value.code == "packet_codes_missing"
    assert "4В" in refused.value.message
    assert not Packet.objects.exists()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_build_is_refused_for_a_day_without_placement(world: World) -> None:
    # given a day whose rooms hold nobody
    day = build_day(world.schools["A1a"])
    for sitting in day.sittings.values():
        sitting.seats.all().delete()
    # when the packets are requested
    with pytest.raises(SchoolDayError) as refused:
        services.packets_build_request(
            actor=actor_of(world), school_id=day.school.pk, work_id=day.work.pk, day=day.date
        )
    # then the school is told to place its participants first
    assert refused.value.code == "packet_no_rooms"
    assert "рассадку" in refused.value.message


# --- the release gate and downloads ------------------------------------------------------------


@pytest.mark.django_db
def test_a_packet_opens_with_the_code_sheet(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # given packets built ahead of the materials' publication (4 days before the day)
    day = build_day(world.schools["A1a"])
    actor = actor_of(world)
    build_all(day, actor, django_capture_on_commit_callbacks)
    packet = Packet.objects.get(sitting=day.sittings["Кабинет 3"])
    release = selectors.packet_release(
        actor=actor, school=day.school, work=day.work, action="schoolday.print_packets"
    )
    assert release.at is not None
    # when the school asks a minute before the code sheet opens
    with pytest.raises(PacketNotReleasedError) as refused:
        services.packet_download(
            actor=actor, packet_id=packet.pk, now=release.at - dt.timedelta(minutes=1)
        )
    # then it is refused in Russian with the opening instant on the school's clock
    assert refused.value.message.startswith("Доставочный пакет: откроется ")
    assert "время ОО" in refused.value.message
    assert refused.value.context == {"available_from": release.at.isoformat()}
    assert not AuditEvent.objects.filter(action="schoolday.packet_download").exists()
    # and from the instant on it is served and audited
    download = services.packet_download(actor=actor, packet_id=packet.pk, now=release.at)
    assert download.name.startswith("Доставочный пакет Русский язык 4 класс ")
    assert download.name.endswith(f"Кабинет 3 ОО {day.school.code}.pdf")
    with download.open() as fh:
        assert fh.read(5) == b"%PDF-"
    event = AuditEvent.objects.get(action="schoolday.packet_download")
    assert (event.school_id, event.target_id) == (day.school.pk, str(packet.pk))


@pytest.mark.django_db
def test_the_release_instant_is_the_materials_code_sheet_instant(world: World) -> None:
    # given the day
    day = build_day(world.schools["A1a"])
    actor = actor_of(world)
    # when both instants are read
    from apps.materials.release import kit_releases

    packet = selectors.packet_release(
        actor=actor, school=day.school, work=day.work, action="schoolday.print_packets"
    )
    materials = kit_releases(day.work, day.date, day.school.time_zone, last=day.date).archive
    # then they are one: 00:00 school-local on the publication day
    assert packet.at == materials.at
    assert packet.at is not None
    assert packet.at.date() == day.work.materials_publish_date


@pytest.mark.django_db
def test_the_pages_and_downloads_answer_by_scope(
    world: World, django_capture_on_commit_callbacks: Any, time_machine: Any
) -> None:
    # given built packets of two sibling schools, after their release
    mine = build_day(world.schools["A1a"])
    build_all(mine, actor_of(world), django_capture_on_commit_callbacks)
    theirs = build_day(world.schools["A1b"], work=mine.work)
    build_all(theirs, SYSTEM, django_capture_on_commit_callbacks)
    time_machine.move_to(
        timezone.make_aware(dt.datetime.combine(mine.date, dt.time(9, 0))), tick=False
    )
    own = Packet.objects.get(sitting=mine.sittings["Кабинет 1"])
    foreign = Packet.objects.get(sitting=theirs.sittings["Кабинет 1"])
    client = world.client_for("school_organizer")
    # when the school organizer asks for its own and the sibling school's packet and plan
    # then its own answer and the sibling's are as good as missing
    assert client.get(reverse("schoolday-packet-download", args=[own.pk])).status_code == 200
    for name, arg in (
        ("schoolday-packet-download", foreign.pk),
        ("api-schoolday-packet-download", foreign.pk),
        ("schoolday-print", theirs.school.pk),
        ("api-schoolday-print-plan", theirs.school.pk),
        ("api-schoolday-packets", theirs.school.pk),
    ):
        assert client.get(reverse(name, args=[arg])).status_code == 404, name
    response = client.post(
        reverse("api-schoolday-packets", args=[theirs.school.pk]),
        {"work_id": theirs.work.pk, "date": theirs.date.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 404
    # and a coordinator sees the plan of its school but may not download packets
    coordinator = world.client_for("municipal")
    assert coordinator.get(reverse("schoolday-print", args=[mine.school.pk])).status_code == 200
    assert coordinator.get(reverse("schoolday-packet-download", args=[own.pk])).status_code == 403
