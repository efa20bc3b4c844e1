"""``seed_demo`` loads the demo bank and gives the demo school a submitted application, kits and
participant codes in the current campaign; a second run changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.applications.models import Application, Status
from apps.core.models import Job
from apps.materials.models import BankItem, Kit, ParticipantCode, WorkBank
from apps.materials.services import KIT_BUILD


def _counts() -> tuple[int, ...]:
    return (
        BankItem.objects.count(),
        WorkBank.objects.count(),
        Kit.objects.count(),
        ParticipantCode.objects.count(),
        Application.objects.count(),
        Job.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_fills_the_bank_and_the_demo_school_materials() -> None:
    # given an empty database
    # when the demo is seeded
    call_command("seed_demo", verbosity=0)
    # then both Русский язык 4 класс works (spring and autumn 2026) have the demo bank
    banks = WorkBank.objects.filter(work__subject__code="russian", work__grade=4)
    assert {b.work.campaign.session for b in banks} == {"spring", "autumn"}
    # and the demo school's application in the current campaign is submitted
    app = Application.objects.get(school__code="edu660101", campaign__is_active=True)
    assert app.status == Status.SUBMITTED
    # and it has a kit for the work with a bank, and codes for its grade-4 participants
    kit = Kit.objects.get(school__code="edu660101")
    assert (kit.work.subject.code, kit.work.grade, kit.work.campaign_id) == (
        "russian",
        4,
        app.campaign_id,
    )
    assert ParticipantCode.objects.filter(school__code="edu660101", grade=4).count() >= 48
    # and its archive build is queued (one job per kit)
    assert Job.objects.filter(kind=KIT_BUILD).count() == 1


@pytest.mark.django_db
def test_seed_demo_materials_are_idempotent() -> None:
    # given a seeded demo
    call_command("seed_demo", verbosity=0)
    before = _counts()
    # when it is seeded again
    call_command("seed_demo", verbosity=0)
    # then nothing was added
    assert _counts() == before
