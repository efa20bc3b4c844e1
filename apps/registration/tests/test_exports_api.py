"""The school-list export through the API: the same service, job, audit rows and file as the
region's and the municipality's pages (202 with the job, its status route, the download)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.models import AuditEvent, Job
from apps.registration.audit import SchoolsAudit
from conftest import World


def _rows(content: bytes) -> list[tuple[Any, ...]]:
    wb = load_workbook(io.BytesIO(content))
    return [tuple(row) for row in wb.active.iter_rows(values_only=True)]


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_region_export_is_queued_polled_and_downloaded(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # given the regional coordinator of region A using the API
    client = world.client_for("regional")
    region = world.regions["A"]
    # when it asks for its region's school list (the task runs after commit)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("api-region-school-export", args=[region.pk]))
    # then the answer is 202 with the job and its status route, audited like the page
    assert response.status_code == 202, response.content
    job = Job.objects.get(kind="school_list_export")
    assert response["Location"] == reverse("api-job-detail", kwargs={"pk": job.pk})
    assert response.json()["id"] == job.pk
    assert AuditEvent.objects.filter(
        action=SchoolsAudit.SCHOOL_LIST_EXPORT_REQUEST, target_id=str(job.pk)
    ).exists()
    # when it polls the job and downloads the file
    state = client.get(response["Location"]).json()
    download = client.get(reverse("api-export-download", args=[job.pk]))
    # then the job is done and the file lists region A's schools only; the download is audited
    assert state["status"] == "done"
    assert download.status_code == 200
    text = " ".join(str(v) for row in _rows(_body(download)) for v in row if v)
    assert world.schools["A1a"].code in text
    assert world.schools["A2b"].code in text
    assert world.schools["B1a"].code not in text
    assert AuditEvent.objects.filter(
        action=SchoolsAudit.EXPORT_DOWNLOAD, target_id=str(job.pk)
    ).exists()


@pytest.mark.django_db
def test_api_and_page_exports_give_the_same_file(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # given the municipal coordinator of A1
    client = world.client_for("municipal")
    muni = world.municipalities["A1"]
    # when it exports its schools once from the page and once through the API
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("municipality-school-export", args=[muni.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("api-municipality-school-export", args=[muni.pk]))
    page_job, api_job = Job.objects.filter(kind="school_list_export").order_by("pk")
    page_file = _body(client.get(reverse("job-download", args=[page_job.pk])))
    api_file = _body(client.get(reverse("api-export-download", args=[api_job.pk])))
    # then both files hold the same rows, and both requests wrote the same audit row
    assert _rows(page_file) == _rows(api_file)
    assert AuditEvent.objects.filter(action=SchoolsAudit.SCHOOL_LIST_EXPORT_REQUEST).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "route", "key"),
    [
        ("regional", "api-region-school-export", "B"),
        ("municipal", "api-municipality-school-export", "A2"),
    ],
)
def test_a_unit_outside_the_scope_is_not_found(
    world: World, role: str, route: str, key: str
) -> None:
    # given a coordinator and a unit outside its scope
    client = world.client_for(role)
    # when it asks for that unit's school list
    response = client.post(reverse(route, args=[world.unit(key).pk]))
    # then it is as good as missing: 404 in the error model, no job, no audit row
    assert response.status_code == 404
    assert "code" in response.json()
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action=SchoolsAudit.SCHOOL_LIST_EXPORT_REQUEST).exists()


@pytest.mark.django_db
def test_a_school_may_not_export_and_an_unfinished_export_is_not_served(world: World) -> None:
    # given a school organizer, and a queued (not built) export of region A
    school = world.client_for("school_organizer")
    regional = world.client_for("regional")
    # when the school asks for its municipality's list
    refused = school.post(
        reverse("api-municipality-school-export", args=[world.municipalities["A1"].pk])
    )
    # then its role may not: 403
    assert refused.status_code == 403
    # when the coordinator's export is still queued and it asks for the file
    queued = regional.post(reverse("api-region-school-export", args=[world.regions["A"].pk]))
    job_id = queued.json()["id"]
    assert Job.objects.get(pk=job_id).status == Job.Status.QUEUED
    early = regional.get(reverse("api-export-download", args=[job_id]))
    # then there is no file yet (404), and no download was audited
    assert early.status_code == 404
    assert not AuditEvent.objects.filter(action=SchoolsAudit.EXPORT_DOWNLOAD).exists()
