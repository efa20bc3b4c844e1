"""Reports per class, the comparison with earlier campaigns and the ОВЗ filter, against hand
counts of the small data set (``factories.A1A``) cut into classes and marked ОВЗ."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse

from apps.analytics import selectors as sel
from apps.analytics.models import WorkAggregate
from apps.analytics.services import analytics_school_refresh
from apps.analytics.tests.factories import A1A, A2A, B1A, put_results, small_work
from apps.analytics.tests.test_reports import AFTER_RELEASE
from apps.campaigns.tests.factories import CampaignFactory, WorkFactory
from apps.classes.tests.factories import SchoolClassFactory
from apps.core.models import AuditEvent
from apps.core.scoping import Level
from apps.materials import ovz
from apps.materials.audit import MaterialsAudit
from apps.materials.messages import MaterialsError, MaterialsInvalidError
from apps.materials.models import ParticipantCode
from apps.registration.access import actor_for_user
from apps.results.models import ParticipantResult
from conftest import World

# A1a's codes by «Порядковый номер класса»: 1 = «4А», 2 = «4Б» (register), 3 not in the register.
CLASS_OF = {"40001": 1, "40002": 1, "40003": 1, "40004": 2, "40005": 2, "40006": 3, "40007": 2}
OVZ_CODES = ("40003", "40005")  # «3» and «2»


def _codes(school: Any, work: Any) -> None:
    for code, number in CLASS_OF.items():
        ParticipantCode.objects.create(
            campaign=work.campaign,
            school=school,
            municipality_id=school.municipality_id,
            region_id=school.region_id,
            grade=4,
            class_number=number,
            code=code,
        )


@pytest.fixture
def classes(world: World) -> Any:
    """The small data set with A1a's register, codes per class and two codes marked ОВЗ (before
    the upload, as the school would), then the uploads and refreshes."""
    work = small_work()
    school = world.schools["A1a"]
    for number, letter in ((1, "А"), (2, "Б")):
        SchoolClassFactory(
            campaign=work.campaign, school=school, grade=4, number=number, letter=letter
        )
    _codes(school, work)
    organizer = actor_for_user(world.users["school_organizer"])
    for code in OVZ_CODES:
        ovz.participant_code_mark(
            actor=organizer,
            school_id=school.pk,
            campaign_id=work.campaign_id,
            code=code,
            ovz=True,
            accommodations=["extra_time"],
        )
    for key, rows in (("A1a", A1A), ("A2a", A2A), ("B1a", B1A)):
        put_results(world.schools[key], work, rows)
    for code, number in CLASS_OF.items():
        ParticipantResult.objects.filter(work=work, school_id=school.pk, code=code).update(
            class_number=number
        )
    for key in ("A1a", "A2a", "B1a"):
        analytics_school_refresh(school_id=world.schools[key].pk, work_id=work.pk)
    return work


def _school_agg(world: World, work: Any, key: str = "A1a") -> WorkAggregate:
    return WorkAggregate.objects.get(work=work, level=Level.SCHOOL, unit_id=world.schools[key].pk)


def _marks(table: list[dict[str, Any]]) -> list[tuple[str, int, list[int]]]:
    return [(line["row"].name, line["participants"], line["counts"]) for line in table]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_marks_per_class_equal_hand_counts(world: World, classes: Any) -> None:
    # given A1a's results in classes 1 («4А»), 2 («4Б») and 3 (no register entry)
    actor = actor_for_user(world.users["school_organizer"])
    agg = _school_agg(world, classes)
    # when its organizer reads the marks per class
    report = sel.report_get(actor=actor, pk=agg.pk, slice=sel.Slice(classes="all"))
    table = sel.marks_table(report)
    # then the levels above and the school come first, as today, then one row per class
    assert [line["row"].level_label for line in table] == [
        "Вся выборка",
        "Регион",
        "Муниципалитет",
        "ОО",
        "Класс",
        "Класс",
        "Класс",
    ]
    # and the classes' counts are the hand counts (marks «2»..«5»; the absent 40007 in none)
    assert _marks(table)[3:] == [
        (world.schools["A1a"].short_name or world.schools["A1a"].name, 6, [1, 2, 2, 1]),
        ("4А", 3, [0, 1, 1, 1]),
        ("4Б", 2, [1, 1, 0, 0]),
        ("класс № 3", 1, [0, 0, 1, 0]),
    ]
    assert report.rows[5].aggregate.absent == 1
    # and task completion per class: class «4А» scored 6, 5 and 2 of 3 × 2 points
    tasks = sel.tasks_table(report)
    assert [line["cells"][4]["value"] for line in tasks] == [100.0, 83.3, 33.3]
    # and the journal comparison: «4Б» has one higher (40004) and one lower by two (40005)
    journal = sel.journal_table(report)
    assert (journal[5]["higher"], journal[5]["lower"], journal[5]["gap2"]) == (1, 1, 1)


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_one_class_is_the_reports_own_row(world: World, classes: Any) -> None:
    # given A1a's aggregate
    actor = actor_for_user(world.users["school_organizer"])
    agg = _school_agg(world, classes)
    # when the organizer reads class 2 alone
    report = sel.report_get(actor=actor, pk=agg.pk, slice=sel.Slice(classes="2"))
    # then the class is the report's own row, beside the school and the levels above
    assert report.class_name == "4Б"
    assert report.own.name == "4Б"
    assert [r.is_class for r in report.rows] == [False, False, False, False, True]
    # and the histogram and the groups are the class's: scores 3 and 1
    bars = sel.histogram(report)["bars"]
    assert [b["count"] for b in bars] == [0, 1, 0, 1, 0, 0, 0]
    assert [g["count"] for g in sel.groups_table(report)] == [1, 1, 0, 0]
    # and the individual results and the 2+ gaps list only its codes
    codes = [r.code for r in sel.individual_list(actor=actor, aggregate=agg, slice=report.slice)]
    assert codes == ["40004", "40005", "40007"]
    gaps = sel.journal_gap_list(actor=actor, aggregate=agg, slice=report.slice)
    assert [g["code"] for g in gaps] == ["40005"]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_ovz_filter_changes_the_counts_at_every_level(world: World, classes: Any) -> None:
    # given A1a with 40003 («3») and 40005 («2») marked ОВЗ, nobody elsewhere
    actor = actor_for_user(world.users["school_organizer"])
    agg = _school_agg(world, classes)
    plain = sel.marks_table(sel.report_get(actor=actor, pk=agg.pk))
    only = sel.marks_table(sel.report_get(actor=actor, pk=agg.pk, slice=sel.Slice(ovz="only")))
    without = sel.marks_table(
        sel.report_get(actor=actor, pk=agg.pk, slice=sel.Slice(ovz="without"))
    )
    # then Russia, region, municipality and school: 14/12/6/6 in all, 2 with ОВЗ, the rest without
    assert [line["participants"] for line in plain] == [14, 12, 6, 6]
    assert [line["participants"] for line in only] == [2, 2, 2, 2]
    assert [line["participants"] for line in without] == [12, 10, 4, 4]
    assert only[3]["counts"] == [1, 1, 0, 0]
    assert without[3]["counts"] == [0, 1, 2, 1]
    # and per class with ОВЗ only: one in «4А», one in «4Б», none in class 3
    by_class = sel.report_get(actor=actor, pk=agg.pk, slice=sel.Slice(ovz="only", classes="all"))
    assert [(r.name, r.aggregate.participants) for r in by_class.rows if r.is_class] == [
        ("4А", 1),
        ("4Б", 1),
    ]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_pages_and_api_take_the_cut(world: World, classes: Any) -> None:
    # given A1a's aggregate and its organizer logged in
    agg = _school_agg(world, classes)
    client = world.client_for("school_organizer")
    # when the marks page is opened per class and without ОВЗ
    page = client.get(reverse("analytics-marks", args=[agg.pk]) + "?class=all&ovz=without")
    # then it lists the classes and names the filter, its downloads keep the cut
    text = page.content.decode()
    assert page.status_code == 200
    for shown in ("4А", "4Б", "класс № 3", "без ОВЗ"):
        assert shown in text
    assert "marks.xlsx?ovz=without&amp;class=all" in text
    # and the xlsx of the cut is a file
    xlsx = client.get(reverse("analytics-marks-xlsx", args=[agg.pk]) + "?class=2")
    assert xlsx.status_code == 200
    # and the API gives the class rows with their numbers
    data = client.get(reverse("api-analytics-marks", args=[agg.pk]) + "?class=all&ovz=only").json()
    assert [(u["class_number"], u["participants"]) for u in data["report"] if u["is_class"]] == [
        (1, 1),
        (2, 1),
    ]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
@pytest.mark.parametrize("query", ["?ovz=some", "?class=0", "?class=abc", "?class=%C2%B2"])
def test_an_unknown_cut_is_refused_in_both_channels(world: World, classes: Any, query: str) -> None:
    # given A1a's aggregate and its organizer logged in
    agg = _school_agg(world, classes)
    client = world.client_for("school_organizer")
    # when a cut names no filter, on the page, its download and the API
    page = client.get(reverse("analytics-marks", args=[agg.pk]) + query)
    xlsx = client.get(reverse("analytics-marks-xlsx", args=[agg.pk]) + query)
    api = client.get(reverse("api-analytics-marks", args=[agg.pk]) + query)
    # then each answers 400 naming the parameter (never the plain report instead)
    name = query[1:].split("=")[0]
    assert (page.status_code, xlsx.status_code, api.status_code) == (400, 400, 400)
    assert f"«{name}»" in api.json()["detail"]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_another_schools_class_report_is_404(world: World, classes: Any) -> None:
    # given A2a's aggregate (not the organizer's school)
    other = _school_agg(world, classes, "A2a")
    client = world.client_for("school_organizer")
    # when A1a's organizer asks for its class report, page or API
    page = client.get(reverse("analytics-marks", args=[other.pk]) + "?class=1")
    api = client.get(reverse("api-analytics-tasks", args=[other.pk]) + "?class=all")
    history = client.get(reverse("analytics-history", args=[other.pk]))
    # then nothing is found
    assert (page.status_code, api.status_code, history.status_code) == (404, 404, 404)


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_comparison_with_an_earlier_campaign(world: World, classes: Any) -> None:
    # given A1a's results of the same subject and grade a year earlier (one «5», one «2», one
    # «3»: scores 6, 0, 2 of the same scale) and of another subject that year
    school = world.schools["A1a"]
    earlier_campaign = CampaignFactory(year=classes.campaign.year - 1, is_active=False)
    columns = [("1", 2, "Б"), ("2", 2, "Б"), ("3", 2, "П")]
    earlier = WorkFactory(
        campaign=earlier_campaign,
        subject=classes.subject,
        grade=4,
        max_score=6,
        mark3_from=2,
        mark4_from=4,
        mark5_from=6,
        columns=columns,
    )
    put_results(
        school, earlier, [("41001", [2, 2, 2], 5), ("41002", [0, 0, 0], 2), ("41003", [1, 1, 0], 3)]
    )
    analytics_school_refresh(school_id=school.pk, work_id=earlier.pk)
    actor = actor_for_user(world.users["school_organizer"])
    # when the organizer compares this year's work with the earlier campaigns
    _report, lines = sel.campaign_history(actor=actor, pk=_school_agg(world, classes).pk)
    # then the earlier campaign comes first, with the hand counts and means
    assert [(line.year, line.is_current) for line in lines] == [
        (classes.campaign.year - 1, False),
        (classes.campaign.year, True),
    ]
    assert [line.counts for line in lines] == [[1, 1, 0, 1], [1, 2, 2, 1]]
    assert [line.participants for line in lines] == [3, 6]
    assert lines[0].mean_score == round((6 + 0 + 2) / 3, 1)  # 2.7
    assert lines[1].mean_score == round((6 + 4 + 3 + 3 + 1 + 5) / 6, 1)  # 3.7
    assert lines[0].percents == [33.3, 33.3, 0.0, 33.3]
    # and with ОВЗ only this year counts 40003 and 40005; the earlier year had no ОВЗ codes
    _report, only = sel.campaign_history(
        actor=actor, pk=_school_agg(world, classes).pk, slice=sel.Slice(ovz="only")
    )
    assert [line.participants for line in only] == [0, 2]
    # and the page and the API show the same
    client = world.client_for("school_organizer")
    page = client.get(reverse("analytics-history", args=[_school_agg(world, classes).pk]))
    assert page.status_code == 200
    assert f"ВПР {classes.campaign.year - 1}" in page.content.decode()
    data = client.get(reverse("api-analytics-history", args=[_school_agg(world, classes).pk]))
    assert [c["mean_score"] for c in data.json()["campaigns"]] == [2.7, 3.7]


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_ovz_marks_are_audited_and_final_once_results_are_uploaded(
    world: World, classes: Any
) -> None:
    # given the marks made before the upload
    school = world.schools["A1a"]
    marked = ParticipantCode.objects.get(school=school, code="40003")
    assert (marked.ovz, marked.accommodations) == (True, ["extra_time"])
    assert AuditEvent.objects.filter(action=MaterialsAudit.MATERIALS_OVZ_MARK).count() == 2
    organizer = actor_for_user(world.users["school_organizer"])
    # when the organizer tries to change a code whose results are uploaded
    with pytest.raises(MaterialsError, match="ovz_results_uploaded"):
        ovz.participant_code_mark(
            actor=organizer,
            school_id=school.pk,
            campaign_id=classes.campaign_id,
            code="40001",
            ovz=True,
        )
    # then nothing changed
    assert not ParticipantCode.objects.get(school=school, code="40001").ovz


@pytest.mark.django_db
@time_machine.travel(AFTER_RELEASE)
def test_marks_on_another_schools_code_are_refused(world: World) -> None:
    # given a code of A2a that A1a does not have, and A1a's own code
    work = small_work()
    other = world.schools["A2a"]
    ParticipantCode.objects.create(
        campaign=work.campaign,
        school=other,
        municipality_id=other.municipality_id,
        region_id=other.region_id,
        grade=4,
        code="49999",
    )
    _codes(world.schools["A1a"], work)
    organizer = actor_for_user(world.users["school_organizer"])
    # when A1a's organizer marks A2a's code (service, page, API)
    with pytest.raises(MaterialsInvalidError, match="ovz_code_unknown"):
        ovz.participant_code_mark(
            actor=organizer,
            school_id=other.pk,
            campaign_id=work.campaign_id,
            code="49999",
            ovz=True,
        )
    client = world.client_for("school_organizer")
    foreign_page = client.get(reverse("school-ovz-marks", args=[other.pk]))
    foreign_api = client.post(
        reverse("api-school-ovz-marks", args=[other.pk]),
        {"code": "49999", "ovz": True},
        content_type="application/json",
    )
    own_api = client.post(
        reverse("api-school-ovz-marks", args=[world.schools["A1a"].pk]),
        {"code": "49999", "ovz": True},
        content_type="application/json",
    )
    # then it is refused everywhere and the code stays unmarked
    assert (foreign_page.status_code, foreign_api.status_code) == (404, 404)
    assert own_api.status_code == 400
    assert not ParticipantCode.objects.get(code="49999").ovz
    # while its own code is marked through the API, with a known condition only
    ok = client.post(
        reverse("api-school-ovz-marks", args=[world.schools["A1a"].pk]),
        {"code": "40002", "ovz": True, "accommodations": ["separate_room"]},
        content_type="application/json",
    )
    bad = client.post(
        reverse("api-school-ovz-marks", args=[world.schools["A1a"].pk]),
        {"code": "40002", "ovz": True, "accommodations": ["teleport"]},
        content_type="application/json",
    )
    assert (ok.status_code, bad.status_code) == (200, 400)
    assert ParticipantCode.objects.get(code="40002").accommodations == ["separate_room"]
    # and the page saves a mark from the form
    page = client.post(
        reverse("school-ovz-marks", args=[world.schools["A1a"].pk]),
        {
            "ovz_40004": "on",
            "acc_40004_assistant": "on",
            "ovz_40002": "on",
            "acc_40002_separate_room": "on",
        },
    )
    assert page.status_code == 302
    assert ParticipantCode.objects.get(code="40004").accommodations == ["assistant"]
