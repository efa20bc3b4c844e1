"""The builds page in the API: the operator generates variants and builds archives through
/api/v1/materials/builds/ (same services, audit rows and refusals as the page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from apps.campaigns.tests.factories import WorkFactory
from apps.core.models import AuditEvent, Job
from apps.materials.constants import KIT_BUILD
from apps.materials.models import Kit
from apps.materials.tasks import kit_build_task
from apps.materials.tests.factories import apply, russian4

pytestmark = pytest.mark.django_db


def _url(work: Any) -> str:
    return reverse("api-material-build", kwargs={"work_id": work.pk})


def _post(client: Any, work: Any, **body: Any) -> Any:
    return client.post(_url(work), body, content_type="application/json")


def test_the_operator_generates_and_builds_and_polls_the_progress(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a work with its bank and two applying schools in two regions
    work = russian4()
    apply(world.schools["A1a"], work)
    apply(world.schools["B1a"], work)
    client = world.client_for("federal")
    listed = client.get(reverse("api-material-builds")).json()["results"]
    assert [(w["work"]["id"], w["status"], w["applied"]) for w in listed] == [(work.pk, "none", 2)]
    # when the operator generates through the API (the builds wait for the worker)
    with django_capture_on_commit_callbacks(execute=False):
        response = _post(client, work, op="generate")
    # then both kits are composed and their archives queued: 202 with the progress to poll
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["created"], body["existing"], body["queued"]) == (2, 0, 2)
    assert body["detail"].startswith("Сформировано комплектов: 2 (уже были: 0)")
    progress = body["progress"]
    assert (progress["total"], progress["ready"], progress["waiting"]) == (2, 0, 2)
    assert progress["url"] == _url(work)
    assert [r["total"] for r in progress["regions"]] == [1, 1]
    # and audited as on the page
    assert AuditEvent.objects.filter(action="materials.generate").count() == 1
    build = AuditEvent.objects.get(action="materials.build_request")
    assert (build.details["work_id"], build.details["queued"]) == (work.pk, 2)
    # when the worker runs the queued jobs, each job's status and the work's progress say so
    jobs = list(Job.objects.filter(kind=KIT_BUILD).order_by("pk"))
    for job in jobs:
        kit_build_task(job_id=job.pk)
    state = client.get(reverse("api-job-detail", kwargs={"pk": jobs[0].pk})).json()
    assert (state["kind"], state["status"]) == (KIT_BUILD, "done")
    done = client.get(_url(work)).json()
    assert (done["status"], done["ready"], done["waiting"], done["percent"]) == ("ready", 2, 0, 100)
    assert Kit.objects.filter(work=work, status=Kit.Status.READY).count() == 2
    # and generating again composes nothing new and queues nothing
    with django_capture_on_commit_callbacks(execute=False):
        again = _post(client, work, op="generate").json()
    assert (again["created"], again["existing"], again["queued"]) == (0, 2, 0)


def test_waiting_builds_are_cancelled_and_retried(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    work = russian4()
    apply(world.schools["A1a"], work)
    client = world.client_for("federal")
    with django_capture_on_commit_callbacks(execute=False):
        _post(client, work, op="generate")
        cancelled = _post(client, work, op="cancel")
    # the waiting build is cancelled (audited), then «retry» queues it again
    assert (cancelled.status_code, cancelled.json()["cancelled"]) == (202, 1)
    assert AuditEvent.objects.get(action="materials.build_cancel").details["cancelled"] == 1
    with django_capture_on_commit_callbacks(execute=False):
        retried = _post(client, work, op="retry").json()
    assert (retried["queued"], retried["progress"]["waiting"]) == (1, 1)


def test_refusals_are_those_of_the_page(world: Any) -> None:
    client = world.client_for("federal")
    # an empty bank: 409 with the service's code, nothing composed
    empty = WorkFactory()
    apply(world.schools["A1a"], empty)
    refused = _post(client, empty, op="generate")
    assert refused.status_code == 409
    assert refused.json()["code"] == "bank_empty"
    assert not Kit.objects.exists()
    assert not AuditEvent.objects.filter(action="materials.generate").exists()
    # an unknown operation or a missing work
    assert _post(client, empty, op="explode").status_code == 400
    missing = reverse("api-material-build", kwargs={"work_id": empty.pk + 1000})
    assert client.post(missing, {"op": "build"}, content_type="application/json").status_code == 404
    assert client.get(missing).status_code == 404
    # an unknown filter value of the list, as on the page
    assert client.get(reverse("api-material-builds"), {"status": "nope"}).status_code == 400
    # and no other role may build
    for role in ("regional", "school_organizer"):
        other = world.client_for(role)
        assert _post(other, empty, op="build").status_code == 403
        assert other.get(reverse("api-material-builds")).status_code == 403
