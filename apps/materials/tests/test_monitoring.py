"""Download monitoring: who downloaded each archive and code sheet, per unit
below the actor's, and the schools that have not — from the audit records, scoped."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from apps.core.models import Job
from apps.materials import selectors, services
from apps.materials.models import Kit
from apps.materials.tasks import kit_build_task
from apps.materials.tests.factories import SYSTEM, apply, generate, russian4
from apps.registration.access import actor_for_user

pytestmark = pytest.mark.django_db


def _built_kits(world):
    work = russian4()
    for key in ("A1a", "A1b", "A2a", "B1a"):
        apply(world.schools[key], work)
    generate(work)
    services.kit_build_request(actor=SYSTEM, work_id=work.pk)
    for job in Job.objects.filter(kind=services.KIT_BUILD):
        kit_build_task(job_id=job.pk)
    return work, {k.school.code: k for k in Kit.objects.select_related("school")}


def test_monitoring_counts_first_downloads_per_unit_and_lists_the_rest(world) -> None:
    # given four schools' kits; A1a downloads its archive twice and its codes once
    work, kits = _built_kits(world)
    school = actor_for_user(world.users["school_organizer"])
    a1a = kits[world.schools["A1a"].code]
    with time_machine.travel(dt.datetime.combine(work.period_start, dt.time(9), dt.UTC)):
        services.kit_archive_download(actor=school, kit_id=a1a.pk)
        services.kit_archive_download(actor=school, kit_id=a1a.pk)
        services.kit_sheet_download(actor=school, kit_id=a1a.pk, sheet="codes")
    # when the regional coordinator (region A) looks at the monitoring
    regional = actor_for_user(world.users["regional"])
    report = selectors.download_monitoring(actor=regional, work_id=work.pk)
    # then it sees region A's three schools by municipality, never region B's
    codes = {r.school.code for r in report.schools}
    assert codes == {world.schools[k].code for k in ("A1a", "A1b", "A2a")}
    assert report.below == "municipality"
    assert report.items == ["archive", "codes"]
    by_unit = {u.name: (u.schools, u.done) for u in report.units}
    assert by_unit == {
        world.municipalities["A1"].name: (2, {"archive": 1, "codes": 1}),
        world.municipalities["A2"].name: (1, {"archive": 0, "codes": 0}),
    }
    # and A1a's first archive download names the school's user, counted twice
    row = next(r for r in report.schools if r.school.code == world.schools["A1a"].code)
    assert (row.first["archive"].username, row.first["archive"].count) == ("t_school", 2)
    # and the schools that have not downloaded the archive are listed
    assert {s.code for s in report.missing("archive")} == {
        world.schools["A1b"].code,
        world.schools["A2a"].code,
    }


def test_federal_page_groups_by_region_and_a_school_sees_only_itself(world) -> None:
    # given built kits in both regions
    work, _kits = _built_kits(world)
    # when the federal operator opens the page
    page = world.client_for("federal").get(reverse("materials-monitoring"), {"work": work.pk})
    # then it groups by region and lists every school as not downloaded yet
    assert page.status_code == 200
    text = page.content.decode()
    assert world.regions["A"].name in text
    assert world.regions["B"].name in text
    assert "Не скачали: архив (4)" in text
    # and the municipal coordinator of A1 sees only A1's schools
    muni = world.client_for("municipal").get(reverse("materials-monitoring"), {"work": work.pk})
    assert muni.status_code == 200
    body = muni.content.decode()
    assert world.schools["A1a"].code in body
    assert world.schools["A2a"].code not in body
