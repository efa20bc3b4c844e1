"""The demo campaigns: the real structure of Русский язык 4 класс 2026, valid plausible works,
three campaigns placed by the calendar, the demo school's days, and an idempotent seed."""

from __future__ import annotations

import pytest

from apps.campaigns import rules
from apps.campaigns.models import Campaign, ReserveDayRequest, SchoolWorkDate
from apps.demo import campaigns as demo
from apps.demo import country
from apps.demo.calendar import DemoCalendar, spring


def test_every_demo_work_covers_the_six_subjects_of_grades_4_to_8_and_10() -> None:
    # given the demo works of a spring session
    specs = demo.work_specs(spring(2031).plan)
    # then they cover the six subjects in grades 4–8 and 10, with sub-labels such as «1К1»
    assert {s.subject_code for s in specs} == set(demo.SUBJECTS)
    assert {s.grade for s in specs} == {4, 5, 6, 7, 8, 10}
    assert any("К" in c.label for s in specs for c in s.columns)
    assert all(s.encrypted_archive == (s.grade == 8) for s in specs)
    assert len(specs) == len(demo.STRUCTURES) == 27


@pytest.mark.django_db
def test_campaign_seed_builds_three_campaigns_and_is_idempotent(pinned: DemoCalendar) -> None:
    # when the campaigns are seeded twice on the same day
    first = demo.demo_campaigns_seed(pinned)
    again = demo.demo_campaigns_seed(pinned)
    # then there are three campaigns, the live one current, and no duplicates
    assert Campaign.objects.count() == 3
    assert [s.created for s in first.seeds] == [True, True, True]
    assert [s.created for s in again.seeds] == [False, False, False]
    assert list(Campaign.objects.filter(is_active=True)) == [first.current]
    assert first.finished.name == f"ВПР {pinned.finished.year}"
    assert first.current.name == f"ВПР {pinned.current.year}, осенний этап"
    for campaign in (first.finished, first.current, first.upcoming):
        assert campaign.works.count() == len(demo.STRUCTURES)
    # and Русский язык 4 класс has the public 2026 structure
    russian = first.finished.works.get(subject__code="russian", grade=4)
    headers = " ".join(rules.column_header(c.label, c.max_score) for c in russian.columns.all())
    assert headers == (
        "1 (2б) 2 (1б) 3 (2б) 4 (3б) 5 (2б) 6 (1б) 7 (1б) 8 (2б) 9.1 (1б) 9.2 (2б) "
        "10.1 (1б) 10.2 (2б) 11 (1б) 12.1 (2б) 12.2 (1б)"
    )
    assert (russian.max_score, russian.mark3_from, russian.mark4_from, russian.mark5_from) == (
        24,
        10,
        16,
        21,
    )
    advanced = {c.label for c in russian.columns.all() if c.difficulty == "П"}
    assert advanced == {"9.1", "9.2", "10.1", "10.2"}
    # and the stored plan-graph is the calendar's
    live = first.current.works.get(subject__code="russian", grade=4)
    assert live.period_start == pinned.current.plan.start
    assert first.current.application_deadline == pinned.current.application_deadline
    assert first.upcoming.application_deadline > pinned.today


@pytest.mark.django_db
def test_demo_school_days_yesterday_tomorrow_and_a_pending_reserve_day(
    pinned: DemoCalendar,
) -> None:
    # given the demo country, its accounts and the campaigns
    country.demo_seed(size=country.SMALL)
    country.demo_accounts_ensure()
    made = demo.demo_campaigns_seed(pinned)
    # when the demo school's days are seeded (twice)
    created = demo.demo_schedule_seed(pinned)
    again = demo.demo_schedule_seed(pinned)
    # then it wrote Русский язык 4 yesterday and writes two works tomorrow, one of them encrypted
    days = {
        (d.work.subject.code, d.work.grade): d.date
        for d in SchoolWorkDate.objects.filter(school__code=demo.DEMO_SCHOOL)
    }
    assert days == {
        ("russian", 4): pinned.yesterday,
        ("world", 4): pinned.tomorrow,
        ("russian", 8): pinned.tomorrow,
    }
    # and one reserve day after the period of Математика 4 waits for the regional coordinator
    request = ReserveDayRequest.objects.get(school__code=demo.DEMO_SCHOOL)
    assert request.status == ReserveDayRequest.Status.PENDING
    assert (request.work.subject.code, request.work.campaign_id) == ("math", made.current.pk)
    assert request.requested_date > request.work.period_end
    assert f"{pinned.today.year}" in request.reason
    assert (created, again) == (4, 0)
