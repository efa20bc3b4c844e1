"""The national run: reproducible by seed, replacing a draft, final once published, bulk."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.urls import reverse

from apps.campaigns.models import CampaignGrade
from apps.classes.assignment import services
from apps.classes.assignment.algorithm import NATIONAL_SPREAD_BOUND
from apps.classes.audit import ClassesAudit
from apps.classes.messages import ClassesError, ClassesInvalidError
from apps.classes.models import AssignmentRun, ClassWork
from apps.core.models import AuditEvent

from .conftest import Setup

pytestmark = pytest.mark.django_db

SPREAD = {
    "A1a": {4: 3, 5: 3},
    "A1b": {4: 2, 5: 4},
    "A2a": {4: 1, 5: 2},
    "B1a": {4: 4, 5: 1},
    "B2b": {5: 5},
}


def _assigned(run: AssignmentRun) -> set[tuple[int, int]]:
    return set(
        ClassWork.objects.filter(run=run, source=ClassWork.Source.ASSIGNED).values_list(
            "school_class_id", "work_id"
        )
    )


def _run(setup: Setup, seed: int | None) -> AssignmentRun:
    return services.assignment_run(
        actor=setup.actor("federal"),
        campaign_id=setup.campaign.pk,
        seed=seed,
        publish_on=setup.publish_on,
    )


def test_same_seed_gives_the_same_rows_and_another_seed_others(setup: Setup) -> None:
    # given classes in five schools
    classes = setup.fill(SPREAD)
    # when the run is made twice with one seed, then with another
    first = _assigned(_run(setup, 20260417))
    again = _assigned(_run(setup, 20260417))
    other = _assigned(_run(setup, 7))
    # then the same seed gives the same (class, work) rows, another seed other rows
    assert first == again
    assert first != other
    # and every class got its grade's count of distinct assigned works
    per_class = Counter(c for c, _w in first)
    assert {c.pk: per_class[c.pk] for c in classes} == {
        c.pk: {4: 1, 5: 2}[c.grade] for c in classes
    }


def test_run_writes_compulsory_rows_once_and_stats(setup: Setup) -> None:
    classes = setup.fill(SPREAD)
    grade4 = [c for c in classes if c.grade == 4]
    run = _run(setup, 11)
    # then each grade-4 class has both compulsory works, and a second run adds none
    compulsory = ClassWork.objects.filter(source=ClassWork.Source.COMPULSORY)
    assert compulsory.count() == 2 * len(grade4)
    _run(setup, 11)
    assert compulsory.count() == 2 * len(grade4)
    # and the stats count the classes, each work's classes and the spreads within the bounds
    stats = run.stats
    assert stats["classes"] == len(classes)
    assert stats["grades"]["5"]["classes"] == 15
    assert sum(stats["grades"]["5"]["works"].values()) == 30
    assert sum(stats["grades"]["4"]["works"].values()) == 10
    assert stats["grades"]["5"]["spread"] <= NATIONAL_SPREAD_BOUND
    assert stats["grades"]["5"]["school_spread"] <= 1
    assert stats["grades"]["4"]["school_spread"] <= 1


def test_school_spread_within_one(setup: Setup) -> None:
    setup.fill(SPREAD)
    run = _run(setup, 99)
    counts: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
    for school_id, grade, work_id in ClassWork.objects.filter(run=run).values_list(
        "school_id", "school_class__grade", "work_id"
    ):
        counts[(school_id, grade)][work_id] += 1
    pools = {
        g: [
            w.pk for (gg, _c), w in setup.works.items() if gg == g and w.participation == "assigned"
        ]
        for g in (4, 5)
    }
    for (_school, grade), c in counts.items():
        values = [c.get(w, 0) for w in pools[grade]]
        assert max(values) - min(values) <= 1


def test_seed_drawn_recorded_and_audited(setup: Setup) -> None:
    setup.fill({"A1a": {4: 2}})
    run = _run(setup, None)
    assert 0 <= run.seed < 2**63
    event = AuditEvent.objects.get(action=ClassesAudit.ASSIGNMENT_RUN)
    assert event.details["seed"] == str(run.seed)
    assert event.details["classes"] == 2
    # and the same seed reproduces it
    rows = _assigned(run)
    assert _assigned(_run(setup, run.seed)) == {(c, w) for c, w in rows}


def test_a_new_run_replaces_the_draft(setup: Setup) -> None:
    setup.fill({"A1a": {5: 3}})
    first = _run(setup, 1)
    second = _run(setup, 2)
    # then the first draft is gone with its rows
    assert list(AssignmentRun.objects.values_list("pk", flat=True)) == [second.pk]
    assert not ClassWork.objects.filter(run_id=first.pk).exists()
    assert ClassWork.objects.filter(run=second).count() == 6
    event = AuditEvent.objects.filter(action=ClassesAudit.ASSIGNMENT_RUN).latest("pk")
    assert event.details["replaced_seeds"] == ["1"]


def test_refused_once_published(setup: Setup) -> None:
    setup.fill({"A1a": {4: 2}})
    run = _run(setup, 5)
    services.assignment_publish(
        actor=setup.actor("federal"), run_id=run.pk, publish_on=setup.publish_on
    )
    run.refresh_from_db()
    assert run.status == AssignmentRun.Status.PUBLISHED
    assert run.published_at is not None
    assert AuditEvent.objects.filter(action=ClassesAudit.ASSIGNMENT_PUBLISH).count() == 1
    # when the operator runs or publishes again
    with pytest.raises(ClassesError) as caught:
        _run(setup, 6)
    assert caught.value.message == "Распределение уже опубликовано; запустить его заново нельзя."
    with pytest.raises(ClassesError):
        services.assignment_publish(
            actor=setup.actor("federal"), run_id=run.pk, publish_on=setup.publish_on
        )
    # then the published rows stay
    assert ClassWork.objects.filter(run=run).count() == 2


def test_publish_on_must_be_before_the_first_period(setup: Setup) -> None:
    setup.fill({"A1a": {4: 1}})
    with pytest.raises(ClassesInvalidError) as caught:
        services.assignment_run(
            actor=setup.actor("federal"),
            campaign_id=setup.campaign.pk,
            seed=1,
            publish_on=setup.first_day,
        )
    assert setup.first_day.strftime("%d.%m.%Y") in caught.value.message
    run = _run(setup, 1)
    with pytest.raises(ClassesInvalidError):
        services.assignment_publish(
            actor=setup.actor("federal"),
            run_id=run.pk,
            publish_on=setup.first_day + dt.timedelta(days=1),
        )
    run.refresh_from_db()
    assert run.status == AssignmentRun.Status.DRAFT


def test_pool_too_small_is_refused(setup: Setup) -> None:
    setup.fill({"A1a": {5: 1}})
    CampaignGrade.objects.filter(campaign=setup.campaign, grade=5).update(assigned_count=5)
    with pytest.raises(ClassesInvalidError) as caught:
        _run(setup, 1)
    assert caught.value.message == (
        "5 класс: предметов по распределению — 4, а каждому классу нужно 5."
    )
    assert not AssignmentRun.objects.exists()


def test_no_classes_is_refused(setup: Setup) -> None:
    with pytest.raises(ClassesInvalidError) as caught:
        _run(setup, 1)
    assert "нет ни одного класса" in caught.value.message


def test_only_the_federal_side_runs(setup: Setup) -> None:
    setup.fill({"A1a": {4: 1}})
    from apps.campaigns.models import Campaign

    with pytest.raises(Campaign.DoesNotExist):
        services.assignment_run(
            actor=setup.actor("regional"),
            campaign_id=setup.campaign.pk,
            seed=1,
            publish_on=setup.publish_on,
        )
    assert not AssignmentRun.objects.exists()


def _queries(setup: Setup) -> tuple[int, int]:
    """(queries other than the row inserts, row insert batches) of one run replacing a draft."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _run(setup, 3)
    inserts = [
        q for q in captured.captured_queries if 'INSERT INTO "classes_classwork"' in q["sql"]
    ]
    return len(captured.captured_queries) - len(inserts), len(inserts)


def test_queries_do_not_grow_with_the_classes(setup: Setup) -> None:
    # given a small register, measured on a run replacing a draft
    setup.fill({"A1a": {4: 1, 5: 1}})
    _run(setup, 3)
    small, _ = _queries(setup)
    # when the register is twenty times larger (and over more schools)
    setup.fill({k: {4: 3, 5: 3} for k in ("A1b", "A2a", "A2b", "B1a", "B1b", "B2a", "B2b")})
    large, inserts = _queries(setup)
    # then the run makes the same number of queries besides the bulk inserts, whose batches
    # are bounded by the rows (SQLite takes at most 999 parameters a statement)
    assert large == small
    rows = ClassWork.objects.count()
    assert inserts <= rows // 50 + 1
    assert AssignmentRun.objects.get().stats["classes"] == 44


def test_run_page_runs_and_publishes(setup: Setup) -> None:
    setup.fill({"A1a": {4: 2, 5: 1}})
    client = setup.world.client_for("federal")
    url = reverse("assignment-run", kwargs={"campaign_id": setup.campaign.pk})
    # the page proposes a week before the first period
    page = client.get(url).content.decode()
    assert setup.publish_on.strftime("%d.%m.%Y") in page
    # when the operator runs with a seed
    day = setup.publish_on.isoformat()
    response = client.post(url, {"op": "run", "seed": "424242", "publish_on": day})
    assert response.status_code == 302
    run = AssignmentRun.objects.get()
    assert run.seed == 424242
    page = client.get(url).content.decode()
    assert "424242" in page
    assert "Черновик распределения" in page
    # a bad seed is refused in Russian
    response = client.post(url, {"op": "run", "seed": "-4", "publish_on": day})
    assert "Зерно распределения не может быть отрицательным." in response.content.decode()
    # when it publishes
    response = client.post(url, {"op": "publish", "seed": "", "publish_on": day})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == AssignmentRun.Status.PUBLISHED
    assert "Опубликованное распределение" in client.get(url).content.decode()
