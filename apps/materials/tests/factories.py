"""Helpers to set up materials: a work with the test bank, applications, kits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.applications.models import Application, ApplicationLine, Status
from apps.campaigns.models import SchoolWorkDate, Work
from apps.campaigns.tests.factories import RUSSIAN_4_2026, WorkFactory
from apps.materials.services import kits_generate
from apps.materials.tests.bank_data import load_bank
from apps.registration.access import Actor

SYSTEM = Actor.system(reason="tests")


def russian4(**kwargs: Any) -> Work:
    """Русский язык 4 класс 2026 with the test bank loaded."""
    work = WorkFactory(**kwargs)
    load_bank(actor=SYSTEM, work=work)
    return work


def grade8(**kwargs: Any) -> Work:
    """An encrypted grade-8 work with the same 15-column structure and the test bank."""
    work = WorkFactory(grade=8, encrypted_archive=True, **kwargs)
    load_bank(actor=SYSTEM, work=work)
    return work


def apply(
    school: Any,
    work: Work,
    participants: int = 25,
    classes: int = 1,
    status: str = Status.SUBMITTED,
) -> ApplicationLine:
    """The school's application (submitted) with a line for ``work``."""
    application, _ = Application.objects.get_or_create(
        campaign=work.campaign,
        school=school,
        defaults={
            "municipality_id": school.municipality_id,
            "region_id": school.region_id,
            "status": status,
        },
    )
    line, _ = ApplicationLine.objects.update_or_create(
        application=application,
        work=work,
        defaults={"takes_part": True, "participants": participants, "classes": classes},
    )
    return line


def held(school: Any, work: Work, day: dt.date) -> SchoolWorkDate:
    return SchoolWorkDate.objects.update_or_create(
        school=school,
        work=work,
        defaults={
            "date": day,
            "municipality_id": school.municipality_id,
            "region_id": school.region_id,
        },
    )[0]


def generate(work: Work, **kwargs: Any) -> Any:
    return kits_generate(actor=SYSTEM, work_id=work.pk, **kwargs)


COLUMNS = RUSSIAN_4_2026
