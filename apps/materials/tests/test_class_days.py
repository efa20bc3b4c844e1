"""Materials follow the class days: a school whose classes write a grade-8 work on two days
gets the 07:30 password on the first class day and the criteria at 14:00 Moscow time on the
last; the school's day is its first class day; no class gets a day once the criteria are out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from apps.campaigns import schedule
from apps.campaigns.models import SchoolWorkDate
from apps.campaigns.tests.factories import CampaignFactory
from apps.classes.messages import ClassesError
from apps.classes.tests.factories import ClassWorkFactory, SchoolClassFactory
from apps.classes.timetable.services import class_work_date_set
from apps.materials import selectors
from apps.materials.messages import NotReleasedError
from apps.materials.models import Kit
from apps.materials.services import kit_build_request, kit_criteria_download, kit_password_reveal
from apps.materials.tests.factories import SYSTEM, apply, generate, grade8
from apps.registration.access import A, actor_for_user
from apps.registration.tests.factories import SchoolFactory, grant, make_user

pytestmark = pytest.mark.django_db

MOSCOW = "Europe/Moscow"
ZONE = "Asia/Yekaterinburg"  # UTC+5: 07:30 local is 05:30 Moscow, 14:00 Moscow is 16:00 local


def local(day: dt.date, hour: int, minute: int = 0, zone: str = ZONE) -> dt.datetime:
    return schedule.at_local(day, dt.time(hour, minute), zone)


@pytest.fixture
def setup(django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """A grade-8 work whose period starts in 10 days, a school in Yekaterinburg with its
    organizer and three grade-8 classes writing it, and the school's built kit."""
    today = timezone.localdate()
    start = today + dt.timedelta(days=10)
    work = grade8(
        campaign=CampaignFactory(year=today.year),
        period_start=start,
        period_end=start + dt.timedelta(days=20),
        recommended_dates=[start.isoformat()],
        materials_publish_date=start - dt.timedelta(days=3),
        results_upload_deadline=start + dt.timedelta(days=27),
        results_release_date=start + dt.timedelta(days=41),
    )
    school = SchoolFactory(
        municipality__region__time_zone=ZONE, municipality__time_zone=ZONE, time_zone=ZONE
    )
    user = make_user("t_class_days_org", "Test-Password-2026")
    grant(user, "school_organizer", school)
    class_works = {
        letter: ClassWorkFactory(
            school_class=SchoolClassFactory(
                campaign=work.campaign, school=school, grade=8, letter=letter, number=number
            ),
            work=work,
        )
        for number, letter in enumerate("АБВ", start=1)
    }
    apply(school, work, participants=75, classes=3)
    generate(work)
    with django_capture_on_commit_callbacks(execute=True):
        kit_build_request(actor=SYSTEM, work_id=work.pk)
    kit = Kit.objects.get(school=school, work=work)
    assert kit.status == Kit.Status.READY
    return {
        "work": work,
        "school": school,
        "actor": actor_for_user(user),
        "cw": class_works,
        "kit": kit,
        "today": today,
    }


def _set(s: dict[str, Any], letter: str, day: dt.date) -> None:
    class_work_date_set(actor=s["actor"], class_work_id=s["cw"][letter].pk, date=day)


def test_password_on_the_first_class_day_criteria_on_the_last(setup: dict[str, Any]) -> None:
    s = setup
    work, kit, actor = s["work"], s["kit"], s["actor"]
    first = work.period_start + dt.timedelta(days=1)
    last = work.period_start + dt.timedelta(days=4)
    # given 8А writing on the period's 2nd day and 8Б on its 5th (set today, clock pinned)
    with time_machine.travel(local(s["today"], 10), tick=False):
        _set(s, "А", first)
        _set(s, "Б", last)
    # then the school's day for the work is its first class day
    assert SchoolWorkDate.objects.get(school=s["school"], work=work).date == first
    # and its kit opens the password at 07:30 local on the first day, the criteria at 14:00
    # Moscow time on the last
    view = selectors.kit_view(actor=actor, kit_id=kit.pk, action=A.VIEW_MATERIALS)
    assert view.held_on == first
    assert view.held_until == last
    assert view.releases.password.at == local(first, 7, 30)
    assert view.releases.criteria.at == local(last, 14, 0, MOSCOW)
    # when the organizer asks for the password one minute before and at 07:30 of the first day
    with time_machine.travel(local(first, 7, 29), tick=False), pytest.raises(NotReleasedError):
        kit_password_reveal(actor=actor, kit_id=kit.pk)
    with time_machine.travel(local(first, 7, 30), tick=False):
        _kit, password = kit_password_reveal(actor=actor, kit_id=kit.pk)
    assert password
    # and for the criteria at 14:00 Moscow on the first day (8Б has not written yet): refused
    # and one minute before 14:00 Moscow on the last day: refused; at 14:00: given
    for moment in (local(first, 14, 0, MOSCOW), local(last, 13, 59, MOSCOW)):
        with time_machine.travel(moment, tick=False), pytest.raises(NotReleasedError):
            kit_criteria_download(actor=actor, kit_id=kit.pk)
    with time_machine.travel(local(last, 14, 0, MOSCOW), tick=False):
        assert kit_criteria_download(actor=actor, kit_id=kit.pk).name.startswith("Критерии")


def test_the_schools_day_follows_a_moved_first_class(setup: dict[str, Any]) -> None:
    s = setup
    work = s["work"]
    a_day = work.period_start
    b_day = work.period_start + dt.timedelta(days=3)
    with time_machine.travel(local(s["today"], 10), tick=False):
        # given 8А on the period's first day and 8Б three days later
        _set(s, "А", a_day)
        _set(s, "Б", b_day)
        # when 8А moves after 8Б
        _set(s, "А", b_day + dt.timedelta(days=2))
    # then the school's day is now 8Б's, and the criteria wait for 8А's day
    assert SchoolWorkDate.objects.get(school=s["school"], work=work).date == b_day
    view = selectors.kit_view(actor=s["actor"], kit_id=s["kit"].pk, action=A.VIEW_MATERIALS)
    assert view.releases.password.at == local(b_day, 7, 30)
    assert view.releases.criteria.at == local(b_day + dt.timedelta(days=2), 16)


def test_no_class_day_after_the_criteria_are_out(setup: dict[str, Any]) -> None:
    s = setup
    work = s["work"]
    first = work.period_start + dt.timedelta(days=1)
    with time_machine.travel(local(s["today"], 10), tick=False):
        _set(s, "А", first)
        _set(s, "Б", first)
    # given the criteria out for the school (14:00 Moscow on its only day)
    # when 8В, still without a day, is given a later one
    criteria_out = local(first, 14, 0, MOSCOW)
    with time_machine.travel(criteria_out, tick=False), pytest.raises(ClassesError) as refused:
        _set(s, "В", first + dt.timedelta(days=2))
    # then it is refused, naming the class and the instant, and nothing changed
    assert refused.value.code == "criteria_published"
    assert "8В" in refused.value.message
    assert "критерии" in refused.value.message
    s["cw"]["В"].refresh_from_db()
    assert s["cw"]["В"].date is None
    # while before the criteria, a later day is accepted and moves the criteria with it
    with time_machine.travel(local(first, 13, 59, MOSCOW), tick=False):
        _set(s, "В", first + dt.timedelta(days=2))
    view = selectors.kit_view(actor=s["actor"], kit_id=s["kit"].pk, action=A.VIEW_MATERIALS)
    assert view.releases.criteria.at == local(first + dt.timedelta(days=2), 16)


def test_the_results_upload_opens_with_the_criteria_of_the_last_class_day(
    setup: dict[str, Any],
) -> None:
    from apps.results import selectors as results

    s = setup
    work = s["work"]
    first = work.period_start + dt.timedelta(days=1)
    last = work.period_start + dt.timedelta(days=4)
    with time_machine.travel(local(s["today"], 10), tick=False):
        _set(s, "А", first)
        _set(s, "Б", last)
    # when the school's upload window and its results overview are read
    window = results.upload_window(actor=s["actor"], school=s["school"], work=work, sheet=None)
    statuses = results.school_results(actor=s["actor"], school=s["school"], campaign=work.campaign)
    # then uploads open at 14:00 Moscow time on the last class day, not on the first
    assert window.held_on == first
    assert window.opens_at == local(last, 14, 0, MOSCOW)
    assert [st.window.opens_at for st in statuses if st.work.pk == work.pk] == [window.opens_at]
    # while the blank form is out with the archive, before any class writes
    assert window.form_at is not None
    assert window.form_at < local(first, 0, 0)
