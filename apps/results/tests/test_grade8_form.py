"""Grade 8: the results form is published together with the encrypted archive, before the day;
the criteria (and with them the uploads) stay at 14:00 Moscow time on the school's day."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook

from apps.campaigns import schedule
from apps.campaigns.models import SchoolWorkDate
from apps.campaigns.tests.factories import SubjectFactory, WorkFactory
from apps.materials.release import kit_releases
from apps.registration.access import actor_for_user
from apps.results import services
from apps.results.messages import ResultsError
from apps.results.tests.conftest import issue_codes
from conftest import World


@pytest.mark.django_db
def test_grade8_form_is_downloadable_from_the_archive_before_the_day(world: World) -> None:
    # given a grade-8 work the school holds on the period's fifth day, codes issued
    work = WorkFactory(grade=8, subject=SubjectFactory(code="math", name="Математика"))
    school = world.schools["A1a"]
    issue_codes(school, work, 8, range(1, 4), class_number=1)
    day = work.period_start + dt.timedelta(days=4)
    SchoolWorkDate.objects.create(
        school=school,
        work=work,
        date=day,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    zone = school.time_zone
    archive_at = schedule.materials_available_at(work, zone, day)
    actor = actor_for_user(world.users["school_organizer"])
    # when an hour after the archive's publication (days before the day) the school asks
    with time_machine.travel(archive_at + dt.timedelta(hours=1), tick=False):
        now = dt.datetime.now(dt.UTC)
        form = services.results_form_download(actor=actor, school_id=school.pk, work_id=work.pk)
        # then it gets the form with its codes prefilled
        sheet = load_workbook(io.BytesIO(form.content))["Протокол"]
        assert [sheet.cell(row=r, column=1).value for r in (2, 3, 4)] == ["80001", "80002", "80003"]
        # while the criteria are not out yet (14:00 Moscow time on the day)
        criteria = kit_releases(work, day, zone).criteria
        assert not criteria.is_open(now)
        assert criteria.at == schedule.at_local(day, dt.time(14, 0), schedule.MOSCOW)
        # and an upload is refused until the criteria's instant, which the message names
        with pytest.raises(ResultsError) as caught:
            services.results_upload(
                actor=actor,
                school_id=school.pk,
                work_id=work.pk,
                content=form.content,
                filename="форма.xlsx",
            )
        assert caught.value.code == "upload_not_open"
        assert "вместе с критериями оценивания" in caught.value.message


@pytest.mark.django_db
def test_grade8_form_is_not_out_before_the_archive(world: World) -> None:
    # given the same kind of work, and the minute before the archive's publication
    work = WorkFactory(grade=8, subject=SubjectFactory(code="math", name="Математика"))
    school = world.schools["A1a"]
    issue_codes(school, work, 8, range(1, 3), class_number=1)
    archive_at = schedule.materials_available_at(work, school.time_zone, None)
    actor = actor_for_user(world.users["school_organizer"])
    # when the school asks for the form (no day chosen yet), it is refused with the instant
    with (
        time_machine.travel(archive_at - dt.timedelta(minutes=1), tick=False),
        pytest.raises(ResultsError) as caught,
    ):
        services.results_form_download(actor=actor, school_id=school.pk, work_id=work.pk)
    assert caught.value.code == "form_not_released"
    # and from the archive's publication on it is there, a day chosen or not
    with time_machine.travel(archive_at, tick=False):
        form: Any = services.results_form_download(
            actor=actor, school_id=school.pk, work_id=work.pk
        )
    assert form.content[:2] == b"PK"
