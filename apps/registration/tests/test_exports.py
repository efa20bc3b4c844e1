"""«Мои выгрузки»: only school-list exports are listed and served from the exports route.

Other background jobs carry outputs too — a kit build's output is the school's materials
archive, gated by the release instant on its own route — so the generic exports route must
never serve them, whoever's scope they are in.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.models import Job
from apps.materials.services import KIT_BUILD
from conftest import World


@pytest.mark.django_db
def test_a_kit_archive_job_is_never_served_by_the_exports_route(world: World) -> None:
    # given a finished kit-build job of school A1a whose output is an archive in storage
    school = world.schools["A1a"]
    path = default_storage.save("tests/exports/kit.zip", ContentFile(b"PK\x03\x04 archive"))
    job = Job.objects.create(
        kind=KIT_BUILD,
        key=f"{KIT_BUILD}:test",
        actor=world.users["school_organizer"],
        status=Job.Status.DONE,
        output=path,
        school_id=school.pk,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    # when the school (in whose scope the job is) and the federal operator ask the exports route
    for role in ("school_organizer", "federal"):
        client = world.client_for(role)
        response = client.get(reverse("job-download", args=[job.pk]))
        listing = client.get(reverse("job-list")).content.decode()
        # then it is as good as missing, and the exports page does not list it
        assert response.status_code == 404, role
        assert reverse("job-download", args=[job.pk]) not in listing


@pytest.mark.django_db
def test_a_school_list_export_is_listed_and_served(
    world: World, django_capture_on_commit_callbacks
) -> None:
    # given the regional coordinator asks for its region's school list (built by the task)
    client = world.client_for("regional")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("region-school-export", args=[world.regions["A"].pk]))
    job = Job.objects.get(kind="school_list_export")
    # when it opens «Мои выгрузки» and downloads the file
    listing = client.get(reverse("job-list")).content.decode()
    response = client.get(reverse("job-download", args=[job.pk]))
    # then the export is listed and served, with the region's schools only
    assert reverse("job-download", args=[job.pk]) in listing
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(str(v) for row in wb.active.iter_rows(values_only=True) for v in row if v)
    assert world.schools["A1a"].code in text
    assert world.schools["B1a"].code not in text
