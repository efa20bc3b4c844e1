"""``seed_demo`` loads the demo banks and gives the demo school a confirmed application, kits and
participant codes in the current campaign; a second run on the same day changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.applications.models import Application, ApplicationDecision, Status
from apps.core.models import Job
from apps.demo.calendar import DemoCalendar
from apps.materials.models import BankItem, Kit, ParticipantCode, WorkBank
from apps.materials.services import KIT_BUILD


def _counts() -> tuple[int, ...]:
    return (
        BankItem.objects.count(),
        WorkBank.objects.count(),
        Kit.objects.count(),
        ParticipantCode.objects.count(),
        Application.objects.count(),
        ApplicationDecision.objects.count(),
        Job.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_fills_the_banks_and_the_demo_school_materials(pinned: DemoCalendar) -> None:
    # given an empty database
    # when the demo is seeded
    call_command("seed_demo", verbosity=0)
    # then Русский язык 4 класс of the finished and of the current campaign have the demo bank,
    # the upcoming campaign has none yet
    banks = WorkBank.objects.filter(work__subject__code="russian", work__grade=4)
    assert {(b.work.campaign.year, b.work.campaign.session) for b in banks} == {
        (pinned.finished.year, pinned.finished.session),
        (pinned.current.year, pinned.current.session),
    }
    # and the demo school's application in the current campaign went up the whole chain
    app = Application.objects.get(school__code="edu660101", campaign__is_active=True)
    assert app.status == Status.CONFIRMED_REGION
    decided = list(app.decisions.order_by("pk").values_list("actor__username", flat=True))
    assert decided[-2:] == ["reg66_m001", "reg66"]
    # and it has kits for the works of yesterday and tomorrow, the grade-8 one encrypted
    kits = Kit.objects.filter(school__code="edu660101").select_related("work")
    works = {(k.work.subject.code, k.work.grade, k.work.encrypted_archive) for k in kits}
    assert works == {("russian", 4, False), ("world", 4, False), ("russian", 8, True)}
    assert all(k.work.campaign_id == app.campaign_id for k in kits)
    assert ParticipantCode.objects.filter(school__code="edu660101", grade=4).count() >= 48
    assert ParticipantCode.objects.filter(school__code="edu660101", grade=8).count() >= 51
    # and one archive build per kit
    assert Job.objects.filter(kind=KIT_BUILD).count() == len(works)


@pytest.mark.django_db
def test_seed_demo_materials_are_idempotent(pinned: DemoCalendar) -> None:
    # given a seeded demo
    call_command("seed_demo", verbosity=0)
    before = _counts()
    # when it is seeded again
    call_command("seed_demo", verbosity=0)
    # then nothing was added
    assert _counts() == before
