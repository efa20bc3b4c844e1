"""The cabinet's coordinator actions in the API: reopening uploads after the deadline and the
reminder mailing (a background job polled through GET /api/v1/jobs/{id}/)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from apps.core.models import AuditEvent, Job
from apps.results import services
from apps.results.models import ResultReopen
from apps.results.tests.conftest import Env
from apps.results.tests.test_monitoring import monitored  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

PAST_DEADLINE = dt.datetime(2026, 5, 23, 21, 0, 1, tzinfo=dt.UTC)  # 24.05 00:00:01 MSK


def _reopen_url(env: Env, school: Any = None) -> str:
    school = school or env.school
    return reverse("api-results-reopen", kwargs={"school_id": school.pk, "work_id": env.work.pk})


@pytest.mark.django_db
def test_a_coordinator_reopens_uploads_through_the_api(env: Env, time_machine: Any) -> None:
    # given a school past its deadline: its upload is refused (409)
    content = env.filled()
    time_machine.move_to(PAST_DEADLINE, tick=False)
    state_url = reverse(
        "api-school-results", kwargs={"school_id": env.school.pk, "work_id": env.work.pk}
    )
    municipal = env.world.client_for("municipal")
    assert municipal.get(state_url).json()["upload_open"] is False
    # when the municipal coordinator reopens through the API until 26.05 with a reason
    response = municipal.post(
        _reopen_url(env),
        {"until": "2026-05-26", "reason": "Болезнь организатора"},
        content_type="application/json",
    )
    # then it is created as on the page: recorded, audited, uploads open again
    assert response.status_code == 201, response.json()
    body = response.json()
    reopen = ResultReopen.objects.get()
    assert (body["id"], body["until_day"], body["reason"]) == (
        reopen.pk,
        "2026-05-26",
        "Болезнь организатора",
    )
    assert body["until_at"] == "2026-05-26T21:00:00Z"
    assert reopen.by == env.world.users["municipal"]
    event = AuditEvent.objects.get(action="results.reopen")
    assert (event.target_id, event.details["until"]) == (str(reopen.pk), "2026-05-26")
    assert municipal.get(state_url).json()["upload_open"] is True
    assert env.upload(content).version.late


@pytest.mark.django_db
def test_the_reopen_route_refuses_like_the_page(env: Env, time_machine: Any) -> None:
    time_machine.move_to(PAST_DEADLINE, tick=False)
    municipal = env.world.client_for("municipal")
    # a day in the past is refused with the service's code and Russian text (400)
    past = municipal.post(
        _reopen_url(env), {"until": "2026-05-01", "reason": "x"}, content_type="application/json"
    )
    assert past.status_code == 400
    assert past.json()["code"] == "reopen_past"
    assert "раньше сегодняшней (24.05.2026)" in past.json()["detail"]
    # a missing reason is a field error
    missing = municipal.post(
        _reopen_url(env), {"until": "2026-05-26"}, content_type="application/json"
    )
    assert missing.status_code == 400
    assert [e["field"] for e in missing.json()["errors"]] == ["reason"]
    # a school of another municipality is as good as missing, whatever the body
    other = municipal.post(
        _reopen_url(env, env.world.schools["A2a"]),
        {"until": "2026-05-26", "reason": "x"},
        content_type="application/json",
    )
    assert other.status_code == 404
    # and the school cannot reopen its own uploads (the role lacks the action)
    own = env.world.client_for("school_organizer").post(
        _reopen_url(env), {"until": "2026-05-26", "reason": "x"}, content_type="application/json"
    )
    assert own.status_code == 403
    assert not ResultReopen.objects.exists()
    assert not AuditEvent.objects.filter(action="results.reopen").exists()


def test_a_reminder_is_a_job_the_client_polls(
    monitored: Env,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    env = monitored
    world = env.world
    muni = world.municipalities["A1"]
    regional = world.client_for("regional")
    # when the regional coordinator asks for reminders of municipality A1's late schools
    with django_capture_on_commit_callbacks(execute=False):
        response = regional.post(
            reverse("api-results-remind"),
            {"work": env.work.pk, "municipality": muni.pk},
            content_type="application/json",
        )
    # then the mailing is queued as a job (202), audited as on the page, nothing sent yet
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["queued"], body["without_email"]) == (1, 0)
    job = Job.objects.get(pk=body["job"]["id"])
    assert (body["job"]["status"], body["job"]["finished"]) == ("queued", False)
    assert AuditEvent.objects.get(action="results.remind").details["municipality_id"] == muni.pk
    assert mail.outbox == []
    # and its state is polled at the job route until the worker has sent it
    assert regional.get(body["job"]["url"]).json()["status"] == "queued"
    services.results_remind_send(job_id=job.pk)
    state = regional.get(reverse("api-job-detail", kwargs={"pk": job.pk})).json()
    assert (state["status"], state["finished"], state["kind"]) == ("done", True, job.kind)
    assert [m.to for m in mail.outbox] == [["a1b@example.org"]]
    # and the caller's job list shows it
    assert [j["id"] for j in regional.get(reverse("api-jobs")).json()] == [job.pk]


def test_a_reminder_outside_the_scope_is_404_and_a_school_may_not_remind(
    monitored: Env,  # noqa: F811
) -> None:
    env = monitored
    world = env.world
    url = reverse("api-results-remind")
    # the municipal coordinator of A1 naming municipality A2: as good as missing
    foreign = world.client_for("municipal").post(
        url,
        {"work": env.work.pk, "municipality": world.municipalities["A2"].pk},
        content_type="application/json",
    )
    assert foreign.status_code == 404
    # a school has no such action; a request without a work is a field error
    assert world.client_for("school_organizer").post(url, {"work": env.work.pk}).status_code == 403
    missing = world.client_for("regional").post(url, {}, content_type="application/json")
    assert missing.status_code == 400
    assert [e["field"] for e in missing.json()["errors"]] == ["work"]
    assert not Job.objects.filter(kind="results_remind").exists()
    assert not AuditEvent.objects.filter(action="results.remind").exists()


def test_a_job_of_another_unit_is_404(monitored: Env) -> None:  # noqa: F811
    env = monitored
    world = env.world
    out = services.results_remind(
        actor=env.actor("regional"),
        work_id=env.work.pk,
        municipality_id=world.municipalities["A2"].pk,
    )
    url = reverse("api-job-detail", kwargs={"pk": out.job_id})
    # the municipal coordinator of A1 does not see a job about municipality A2
    assert world.client_for("municipal").get(url).status_code == 404
    # the federal operator sees it, without the error text kept for its owner
    seen = world.client_for("federal").get(url).json()
    assert (seen["id"], seen["error"]) == (out.job_id, "")
    # and only the owner's list holds it
    assert world.client_for("federal").get(reverse("api-jobs")).json() == []


def test_the_monitoring_table_is_the_pages(monitored: Env) -> None:  # noqa: F811
    from apps.results.monitoring import selectors as mon

    env = monitored
    world = env.world
    url = reverse("api-results-monitoring")
    regional = world.client_for("regional")
    # the regional coordinator's region, for the work: a row per municipality, as the selector
    body = regional.get(url, {"work": env.work.pk}).json()
    actor = env.actor("regional")
    query = mon.monitoring_query(actor=actor, params={"work": str(env.work.pk)})
    data = mon.monitoring_get(
        actor=actor,
        unit=mon.monitoring_unit_get(actor=actor),
        campaign=query.campaign,
        work_id=env.work.pk,
    )
    assert body["work"]["id"] == env.work.pk
    assert [(r["name"], r["counts"]["uploaded"], r["counts"]["overdue"]) for r in body["rows"]] == [
        (r.name, r.counts.uploaded, r.counts.overdue) for r in data.rows
    ]
    assert body["total"]["schools"] == data.total.schools
    assert {r["name"] for r in body["rows"]} == {
        world.municipalities["A1"].name,
        world.municipalities["A2"].name,
    }
    # drill down to municipality A1: a row per school
    muni = regional.get(url, {"work": env.work.pk, "municipality": world.municipalities["A1"].pk})
    assert {r["code"] for r in muni.json()["rows"]} == {
        world.schools["A1a"].code,
        world.schools["A1b"].code,
    }
    # another region is as good as missing; an unknown work is a 400 naming it
    assert regional.get(url, {"region": world.regions["B"].pk}).status_code == 404
    unknown = regional.get(url, {"work": 999999})
    assert unknown.status_code == 400
    assert "«work»" in unknown.json()["detail"]
    assert world.client_for("school_organizer").get(url).status_code == 403


def _entry_url(env: Env, school: Any = None) -> str:
    school = school or env.school
    return reverse("api-results-entry", kwargs={"school_id": school.pk, "work_id": env.work.pk})


def _entry_rows(env: Env, count: int = 20) -> list[list[str]]:
    width = len(env.spec().columns)
    return [
        [str(v) if v is not None else "" for v in r.values(width)] for r in env.rows(count=count)
    ]


def test_the_browser_table_through_the_api_is_the_pages(env: Env) -> None:
    from apps.results.models import ResultDraft, ResultVersion

    client = env.world.client_for("school_organizer")
    url = _entry_url(env)
    # the table starts with the issued codes (20 and 2 reserve), as on the page
    table = client.get(url).json()
    assert (len(table["rows"]), table["draft"]) == (22, False)
    rows = _entry_rows(env)
    # a draft is kept and shown again, nothing submitted
    saved = client.put(url, {"rows": rows[:3]}, content_type="application/json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["draft"] is True
    assert ResultDraft.objects.get().cells[2][:2] == rows[2][:2]
    assert not ResultVersion.objects.exists()
    # a name in a cell is refused and not sent back
    named = [list(r) for r in rows[:3]]
    named[1][0] = "Иванова Анна"
    refused = client.put(url, {"rows": named}, content_type="application/json")
    assert refused.status_code == 400
    assert "Иванова" not in refused.content.decode()
    # a check stores nothing; a submit is accepted and audited like the page's
    checked = client.post(url, {"rows": rows, "dry_run": True}, content_type="application/json")
    assert (checked.status_code, checked.json()["participants"]) == (200, 20)
    assert not ResultVersion.objects.exists()
    submitted = client.post(url, {"rows": rows}, content_type="application/json")
    assert submitted.status_code == 201, submitted.json()
    assert submitted.json()["version"]["number"] == 1
    assert not ResultDraft.objects.exists()
    assert AuditEvent.objects.filter(action="results.upload").count() == 1
    # and the same table through the page finds nothing to change: the results are identical
    page = reverse("results-entry", kwargs={"school_id": env.school.pk, "work_id": env.work.pk})
    data: dict[str, Any] = {"rows": str(len(rows)), "submit": "1"}
    for i, line in enumerate(rows):
        for c, value in enumerate(line, start=1):
            data[f"c{i}_{c}"] = value
    client.post(page, data)
    assert ResultVersion.objects.count() == 1


def test_the_browser_table_of_another_school_is_404(env: Env) -> None:
    # the organizer of A1a asking for its neighbour A1b: as good as missing, whatever the body
    other = _entry_url(env, env.world.schools["A1b"])
    school = env.world.client_for("school_organizer")
    assert school.get(other).status_code == 404
    body = {"rows": [["1"]]}
    assert school.post(other, body, content_type="application/json").status_code == 404
    assert school.put(other, body, content_type="application/json").status_code == 404
    # and a coordinator does not enter a school's results
    assert env.world.client_for("municipal").get(_entry_url(env)).status_code == 403
