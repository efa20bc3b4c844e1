"""The small demo seen through the coordinators' results monitoring of the finished spring
campaign: confirmed applications, missing (overdue) and late uploads, context data — counted by the
monitoring exactly as the rows say, created once, codes only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Sum
from django.test import Client

from apps.applications.models import Application, ApplicationDecision, ApplicationLine, Status
from apps.campaigns.models import Campaign
from apps.core.models import AuditEvent
from apps.demo import country
from apps.demo import monitoring as demo_monitoring
from apps.demo.calendar import DemoCalendar
from apps.demo.campaigns import demo_campaigns_seed
from apps.demo.results import WORKS, ResultsSeed, demo_results_seed
from apps.materials.models import ParticipantCode
from apps.registration.access import A, Actor, actor_for_user
from apps.registration.constants import Role
from apps.registration.models import Region, School, User
from apps.results import selectors as sel
from apps.results.context import xlsx as cx
from apps.results.context.selectors import context_spec_get
from apps.results.models import (
    ContextSheet,
    ContextUpload,
    ParticipantContext,
    ResultReopen,
    ResultSheet,
    ResultVersion,
)
from apps.results.monitoring import selectors as mon

pytestmark = pytest.mark.django_db

DEMO_REGION = "66"


@dataclass
class Demo:
    seed: ResultsSeed
    spring: Campaign
    region: Region
    coordinator: User


@pytest.fixture
def demo(pinned: DemoCalendar) -> Demo:
    # the clock pinned to a day after every upload deadline of the finished spring
    country.demo_seed(size=country.SMALL)
    country.demo_accounts_ensure()
    made = demo_campaigns_seed(pinned)
    seed = demo_results_seed(campaign=made.finished)
    return Demo(
        seed=seed,
        spring=made.finished,
        region=Region.objects.get(code=DEMO_REGION),
        coordinator=User.objects.get(username="reg66"),
    )


def _system() -> Actor:
    return Actor.system(reason="test")


def test_the_demo_region_monitoring_counts_what_the_rows_say(demo: Demo) -> None:
    # given the regional coordinator of the demo region
    actor = actor_for_user(demo.coordinator)

    # when the coordinator's monitoring of spring is computed
    unit = mon.monitoring_unit_get(actor=actor)
    data = mon.monitoring_get(actor=actor, unit=unit, campaign=demo.spring)

    # then it is the demo region, and each figure equals a direct count of the region's rows
    assert unit.pk == demo.region.pk
    lines = ApplicationLine.objects.filter(
        application__campaign=demo.spring,
        application__region_id=demo.region.pk,
        application__status__in=mon.COUNTED_APPLICATIONS,
        takes_part=True,
        participants__gt=0,
    )
    expected = set(lines.values_list("application__school_id", "work_id"))
    sheets = ResultSheet.objects.filter(
        work__campaign=demo.spring, region_id=demo.region.pk, current_version__isnull=False
    )
    uploaded = set(sheets.values_list("school_id", "work_id"))
    late = sheets.filter(current_version__late=True).count()
    with_context = set(
        ContextSheet.objects.filter(
            campaign=demo.spring, region_id=demo.region.pk, current_upload__isnull=False
        ).values_list("school_id", flat=True)
    )
    schools = {school_id for school_id, _work in expected}
    totals = sheets.aggregate(
        present=Sum("current_version__participants"), absent=Sum("current_version__absent")
    )
    counts = data.all_works
    assert counts.expected == len(expected) == lines.count()
    assert counts.schools == len(schools)
    assert counts.planned == lines.aggregate(n=Sum("participants"))["n"]
    assert counts.late == late
    assert counts.on_time == len(uploaded) - late
    assert counts.overdue == counts.missing == len(expected - uploaded)
    assert counts.context == len(schools & with_context)
    assert (counts.present, counts.absent) == (totals["present"], totals["absent"])
    # and the reviewer has something to look at in each column
    assert counts.expected > 0
    assert counts.overdue > 0
    assert counts.late > 0
    assert 0 < counts.context < counts.schools
    # the municipalities' rows add up to the region's figures
    assert data.total.expected == counts.expected
    assert data.total.overdue == counts.overdue
    assert data.total.late == counts.late
    # and the coordinator's page picking spring shows the same figures
    client = Client()
    client.force_login(demo.coordinator)
    response = client.get("/results/monitoring/", {"campaign": demo.spring.pk})
    assert response.status_code == 200
    assert response.context["data"].all_works == counts


def test_every_school_with_results_has_a_confirmed_application_of_its_codes(demo: Demo) -> None:
    # given the schools with spring results
    with_results = set(
        ResultSheet.objects.filter(work__campaign=demo.spring).values_list("school_id", flat=True)
    )
    applications = Application.objects.filter(campaign=demo.spring).prefetch_related("lines")

    # when their applications are compared with the codes issued to them
    by_school = {a.school_id: a for a in applications}

    # then each has one, confirmed by the region, with a line per work: its codes and classes
    assert with_results
    assert with_results <= set(by_school)
    for school_id in with_results:
        app = by_school[school_id]
        assert app.status == Status.CONFIRMED_REGION
        codes = ParticipantCode.objects.filter(
            campaign=demo.spring, school_id=school_id, grade=4, reserve=False
        )
        classes = len(set(codes.values_list("class_number", flat=True)))
        lines = list(app.lines.all())
        assert len(lines) == len(WORKS)
        assert {(ln.takes_part, ln.participants, ln.classes) for ln in lines} == {
            (True, codes.count(), classes)
        }
    # the demo region's were confirmed by its real coordinator through the services (one
    # recorded decision each); the regions without a coordinator account have no history
    decisions = ApplicationDecision.objects.filter(application__campaign=demo.spring)
    in_region = applications.filter(region_id=demo.region.pk)
    assert decisions.count() == in_region.count() > 0
    assert set(decisions.values_list("actor_id", "role", "from_status", "to_status")) == {
        (demo.coordinator.pk, Role.REGIONAL.value, Status.DRAFT.value, Status.CONFIRMED_REGION)
    }
    assert not decisions.exclude(application__region_id=demo.region.pk).exists()
    assert AuditEvent.objects.filter(action="application.confirm").count() == decisions.count()


def test_late_uploads_follow_a_recorded_reopening_and_on_time_ones_precede_the_deadline(
    demo: Demo,
) -> None:
    # given every spring version with its school, work and upload window
    system = _system()
    versions = ResultVersion.objects.filter(sheet__work__campaign=demo.spring).select_related(
        "sheet", "sheet__school", "sheet__work", "sheet__work__campaign", "sheet__work__subject"
    )

    # when each version's instant is compared with its school's deadline
    late = 0
    for version in versions:
        sheet = version.sheet
        window = sel.upload_window(actor=system, school=sheet.school, work=sheet.work, sheet=None)
        reopens = list(ResultReopen.objects.filter(sheet=sheet))

        # then an on-time upload came before the deadline and needed no reopening; a late one
        # came inside the reopening a coordinator of its region recorded after the deadline
        if not version.late:
            assert version.uploaded_at < window.deadline_at
            assert reopens == []
            continue
        late += 1
        assert len(reopens) == 1
        reopen = reopens[0]
        assert reopen.region_id == demo.region.pk
        assert reopen.by_id == demo.coordinator.pk
        assert window.deadline_at <= reopen.at < version.uploaded_at < reopen.until_at
        assert sheet.reopened_until == reopen.until_at
    assert late == demo.seed.late_created > 0
    # a missing work left nothing behind: no sheet, so it is overdue, not reopened
    assert ResultReopen.objects.count() == late


def test_context_data_are_plausible_codes_only_and_pass_the_forms_own_validation(
    demo: Demo,
) -> None:
    # given the seeded context data and the codes issued for spring
    system = _system()
    uploads = ContextUpload.objects.select_related("sheet__school", "sheet__campaign")
    issued = set(ParticipantCode.objects.values_list("code", flat=True))
    schools = School.objects.filter(pk__in=ResultSheet.objects.values("school_id"))
    assert 0 < uploads.count() < schools.count()

    # when each upload is checked against its rows and the form's validation
    for upload in uploads:
        school = upload.sheet.school
        participants = ParticipantContext.objects.filter(upload=upload).order_by("code")

        # then it is the school's current data, one row per issued code, no names anywhere
        assert upload.sheet.current_upload_id == upload.pk
        codes = list(participants.values_list("code", flat=True))
        assert len(codes) == upload.participants > 0
        assert set(codes) == set(upload.snapshot["participants"]) <= issued
        assert all(len(code) == 5 and code.isdigit() for code in codes)
        # (no free text at all: every answer is one of the form's own choices or a number)
        for f in cx.SCHOOL_FIELDS:
            value = upload.school_data[f.key]
            if f.bounds:
                assert f.bounds[0] <= value <= f.bounds[1]
            else:
                assert value in f.choices
        for grade, gender, native, ovz, russian, math in upload.snapshot["participants"].values():
            assert grade == 4
            assert gender in cx.GENDERS
            assert {native, ovz} <= set(cx.YES_NO)
            assert {russian, math} <= set(cx.TEXTBOOK_LINES)
        # and the same data typed into the school's form is accepted as it was stored
        spec = context_spec_get(
            actor=system, school=school, campaign=demo.spring, action=A.VIEW_RESULTS
        )
        data = demo_monitoring.context_data(school, spec)
        read = cx.read_context(cx.context_workbook(spec, data), spec)
        assert read.snapshot() == upload.snapshot
        assert read.school == upload.school_data


def test_a_second_demo_seed_creates_nothing(demo: Demo) -> None:
    # given the small demo seeded once
    models: list[Any] = [
        Application,
        ApplicationLine,
        ApplicationDecision,
        ResultSheet,
        ResultVersion,
        ResultReopen,
        ContextSheet,
        ContextUpload,
        ParticipantContext,
        ParticipantCode,
        AuditEvent,
    ]
    before = {m.__name__: m.objects.count() for m in models}
    assert demo.seed.applications_created > 0
    assert demo.seed.contexts_created > 0

    # when the seed runs again
    again = demo_results_seed(campaign=demo.spring)

    # then it creates nothing at all, and the same works stay missing
    assert {m.__name__: m.objects.count() for m in models} == before
    assert again.sheets_created == again.applications_created == again.contexts_created == 0
    assert again.withheld == demo.seed.withheld > 0
