"""What a school sees of the assignment, by its own clock, and a class added after publication."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from apps.classes.assignment import services
from apps.classes.models import ClassWork
from apps.classes.selectors import class_works_of_school
from apps.classes.services import class_works_create

from .conftest import Setup

pytestmark = pytest.mark.django_db


def _assigned_seen(setup: Setup, school_key: str) -> int:
    works = class_works_of_school(
        actor=setup.actor("school_organizer"),
        school_id=setup.world.schools[school_key].pk,
        campaign_id=setup.campaign.pk,
    )
    return works.filter(source=ClassWork.Source.ASSIGNED).count()


def test_school_sees_assigned_works_from_midnight_local(setup: Setup, time_machine: Any) -> None:
    # given the school on Kamchatka (UTC+12) and a published run
    school = setup.world.schools["A1a"]
    school.time_zone = "Asia/Kamchatka"
    school.save(update_fields=["time_zone"])
    setup.fill({"A1a": {4: 2, 5: 1}})
    run = services.assignment_run(
        actor=setup.actor("federal"),
        campaign_id=setup.campaign.pk,
        seed=8,
        publish_on=setup.publish_on,
    )
    services.assignment_publish(
        actor=setup.actor("federal"), run_id=run.pk, publish_on=setup.publish_on
    )
    zone = ZoneInfo("Asia/Kamchatka")
    midnight = dt.datetime.combine(setup.publish_on, dt.time(0, 0), tzinfo=zone)
    # when its clock shows one minute before 00:00 on the publication day
    time_machine.move_to(midnight - dt.timedelta(minutes=1), tick=False)
    # then it sees no assigned work (only compulsory ones)
    assert _assigned_seen(setup, "A1a") == 0
    assert (
        class_works_of_school(
            actor=setup.actor("school_organizer"),
            school_id=school.pk,
            campaign_id=setup.campaign.pk,
        ).count()
        == 4
    )
    # and from 00:00 local (still the day before in Moscow) it sees all of them
    time_machine.move_to(midnight, tick=False)
    assert _assigned_seen(setup, "A1a") == 2 + 2


def test_school_sees_nothing_of_a_draft(setup: Setup) -> None:
    setup.fill({"A1a": {5: 2}})
    services.assignment_run(
        actor=setup.actor("federal"),
        campaign_id=setup.campaign.pk,
        seed=8,
        publish_on=setup.publish_on,
    )
    assert ClassWork.objects.filter(source=ClassWork.Source.ASSIGNED).count() == 4
    assert _assigned_seen(setup, "A1a") == 0


def test_class_added_after_publication_gets_an_assignment(setup: Setup) -> None:
    # given a published run over a school with three grade-5 classes
    setup.fill({"A1a": {5: 3}, "A1b": {5: 2}})
    run = services.assignment_run(
        actor=setup.actor("federal"),
        campaign_id=setup.campaign.pk,
        seed=31,
        publish_on=setup.publish_on,
    )
    services.assignment_publish(
        actor=setup.actor("federal"), run_id=run.pk, publish_on=setup.publish_on
    )
    pool = [w.pk for (g, _c), w in setup.works.items() if g == 5]
    # when the school adds a fourth and a fifth class
    for _ in range(2):
        late = setup.add_class("A1a", 5)
        rows = class_works_create(school_class=late)
        # then each gets two distinct assigned works of its grade, recorded with the run
        assert len({r.work_id for r in rows}) == 2
        assert {r.run_id for r in rows} == {run.pk}
        assert {r.work_id for r in rows} <= set(pool)
        # and its school's counts per work still differ by at most one
        counts = Counter(
            ClassWork.objects.filter(run=run, school_id=setup.world.schools["A1a"].pk).values_list(
                "work_id", flat=True
            )
        )
        values = [counts.get(w, 0) for w in pool]
        assert max(values) - min(values) <= 1
