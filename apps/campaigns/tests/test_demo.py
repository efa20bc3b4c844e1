"""The demo campaigns: the real structure of Русский язык 4 класс 2026, valid plausible works,
an autumn session that is current on 2026-11-30, and an idempotent seed."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from apps.campaigns import demo, rules
from apps.campaigns.models import Campaign, Session, Work


def test_every_demo_work_satisfies_the_rules() -> None:
    # given the demo works of both sessions / then none breaks a rule
    for plan, deadline in (
        (demo.spring_plan(), dt.date(2026, 2, 20)),
        (demo.autumn_plan(), dt.date(2026, 12, 2)),
    ):
        for spec in demo.work_specs(plan):
            assert rules.work_problems(spec, deadline) == [], spec.title
    # and they cover the six subjects in grades 4–8 and 10, with sub-labels such as «1К1»
    specs = demo.work_specs(demo.spring_plan())
    assert {s.subject_code for s in specs} == set(demo.SUBJECTS)
    assert {s.grade for s in specs} == {4, 5, 6, 7, 8, 10}
    assert any("К" in c.label for s in specs for c in s.columns)
    assert all(s.encrypted_archive == (s.grade == 8) for s in specs)


@pytest.mark.django_db
def test_seed_campaign_builds_both_sessions_and_is_idempotent() -> None:
    # when the command runs twice
    out = StringIO()
    call_command("seed_campaign", stdout=out)
    call_command("seed_campaign", stdout=out)
    # then there are two campaigns, the autumn one current, and no duplicates
    spring = Campaign.objects.get(year=2026, session=Session.SPRING)
    autumn = Campaign.objects.get(year=2026, session=Session.AUTUMN)
    assert not spring.is_active
    assert autumn.is_active
    assert spring.works.count() == autumn.works.count() == len(demo.STRUCTURES)
    # and Русский язык 4 класс 2026 has the public structure
    russian = Work.objects.get(campaign=spring, subject__code="russian", grade=4)
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
    # and on 2026-11-30 the autumn session is open for applications and its periods are ahead
    assert autumn.application_deadline == dt.date(2026, 12, 2)
    starts = sorted(w.period_start for w in autumn.works.all())
    assert starts[0] == dt.date(2026, 12, 7)
    assert max(w.period_end for w in autumn.works.all()) == dt.date(2026, 12, 18)
    grade8 = autumn.works.get(subject__code="russian", grade=8)
    assert grade8.encrypted_archive
    assert grade8.materials_publish_date == dt.date(2026, 12, 4)
    assert "текущая" in out.getvalue()


@pytest.mark.django_db
def test_autumn_start_moves_the_whole_autumn_plan_graph() -> None:
    # when the autumn session is seeded to start today
    call_command("seed_campaign", "--autumn-start", "2026-11-30", stdout=StringIO())
    # then every autumn date moves with it
    autumn = Campaign.objects.get(session=Session.AUTUMN)
    russian = autumn.works.get(subject__code="russian", grade=4)
    assert russian.period_start == dt.date(2026, 11, 30)
    assert russian.materials_publish_date == dt.date(2026, 11, 26)
    assert autumn.application_deadline == dt.date(2026, 11, 25)
