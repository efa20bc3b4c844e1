"""The drain of statistics jobs (``results_stats_drain``, ADR 0032): every queued job at once,
each school × work refreshed once, the analytics once per work; the rows are those of running
the jobs one by one. A school that fails fails its own jobs only; a transient database error
puts the jobs back. With a Redis broker an upload asks for a run only when none is pending
(``job_send_drain``). On SQLite and PostgreSQL (Redis under CI)."""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError as BrokerError

from apps.analytics.models import WorkAggregate
from apps.analytics.tests import test_refresh_identity as analytics_identity
from apps.core import jobs as core_jobs
from apps.core.models import Job
from apps.core.scoping import Level
from apps.results import services
from apps.results.constants import RESULTS_REMIND, RESULTS_STATS
from apps.results.models import SchoolWorkStats
from apps.results.services import results_stats_drain, results_stats_run
from apps.results.tests import test_stats_identity as identity
from conftest import World, need_service
from vpr_portal.celery import app as celery_app

works = identity.works
_upload, _random_rows, _stats = identity._upload, identity._random_rows, identity._stats


def _job(school: Any, work: Any, tag: str, *, kind: str = RESULTS_STATS, **extra: Any) -> Job:
    return Job.objects.create(
        kind=kind,
        key=f"{kind}:drain:{tag}",
        region_id=school.region_id,
        municipality_id=school.municipality_id,
        school_id=school.pk,
        params={"school_id": school.pk, "work_id": work.pk, "version": 1},
        **extra,
    )


def _state() -> tuple[Any, Any]:
    return _stats(), analytics_identity._snapshot()


def _restore(before: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
    SchoolWorkStats.objects.all().delete()
    SchoolWorkStats.objects.bulk_create(SchoolWorkStats(**row) for row in before[0])
    analytics_identity._restore(before[1])


def _saved() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return (
        list(SchoolWorkStats.objects.values(*identity.STATS_FIELDS)),
        list(WorkAggregate.objects.values(*analytics_identity.ALL_FIELDS)),
    )


@pytest.fixture
def uploaded(world: World, works: tuple[Any, Any]) -> list[tuple[Any, Any]]:
    """Every school with results of both works (B2b: of the small one only), no statistics."""
    rng = random.Random(11)
    small, large = works
    pairs = []
    for key, school in sorted(world.schools.items()):
        for work in (small, large) if key != "B2b" else (small,):
            _upload(school, work, _random_rows(work, rng, rng.randint(4, 12)))
            pairs.append((school, work))
    return pairs


@pytest.mark.django_db
def test_a_drain_writes_the_rows_of_the_jobs_run_one_by_one(
    world: World, works: tuple[Any, Any], uploaded: list[tuple[Any, Any]]
) -> None:
    small, _large = works
    # given a queued statistics job per upload, two of one school × work (a re-upload before
    # the drain ran), a finished one, and a job of another kind
    queued = [_job(school, work, f"{n}") for n, (school, work) in enumerate(uploaded)]
    queued.append(_job(world.schools["A1a"], small, "again"))
    finished = _job(world.schools["A1b"], small, "finished", status=Job.Status.DONE)
    other = _job(world.schools["A1a"], small, "remind", kind=RESULTS_REMIND)
    # and the rows of those jobs run one after the other
    before = _saved()
    for job in queued:
        results_stats_run(job_id=job.pk)
    expected = _state()
    _restore(before)
    Job.objects.filter(pk__in=[job.pk for job in queued]).update(
        status=Job.Status.QUEUED, attempts=0
    )
    # when one drain runs
    assert results_stats_drain() == len(queued)
    # then it wrote the same rows and every queued statistics job is done, claimed once
    assert _state() == expected
    assert {
        (s, a) for s, a in Job.objects.filter(kind=RESULTS_STATS).values_list("status", "attempts")
    } == {(Job.Status.DONE, 1), (Job.Status.DONE, 0)}
    assert Job.objects.get(pk=finished.pk).attempts == 0
    assert Job.objects.get(pk=other.pk).status == Job.Status.QUEUED
    # (every level and both works summed)
    assert WorkAggregate.objects.filter(level=Level.FEDERAL).count() == 2
    # and once the rows exist, a drain of every school's next upload takes far fewer
    # statements than the jobs one by one (11 each): the claim (3), each school × work's
    # statistics (3), the analytics once per work (6), the jobs done (1)
    again = [_job(school, work, f"again-{n}") for n, (school, work) in enumerate(uploaded)]
    with CaptureQueriesContext(connection) as queries:
        assert results_stats_drain() == len(again)
    statements = identity_statements(queries)
    assert len(statements) == 3 + 3 * len(uploaded) + 6 * 2 + 1, statements
    assert sum('UPDATE "analytics_workaggregate"' in s for s in statements) == 2
    assert _state() == expected
    # and a drain with nothing queued claims nothing
    assert results_stats_drain() == 0


def identity_statements(queries: CaptureQueriesContext) -> list[str]:
    return analytics_identity._statements(queries)


@pytest.mark.django_db
def test_a_drain_takes_its_jobs_in_rounds(
    world: World, works: tuple[Any, Any], uploaded: list[tuple[Any, Any]]
) -> None:
    jobs = [_job(school, work, f"{n}") for n, (school, work) in enumerate(uploaded)]
    assert results_stats_drain(limit=4) == len(jobs)
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.DONE}
    assert SchoolWorkStats.objects.count() == len(uploaded)


def _fail_refresh(monkeypatch: pytest.MonkeyPatch, error: Exception, **where: int) -> Any:
    """Make the school statistics' refresh raise ``error`` where its arguments match ``where``;
    the real refresh is returned."""
    refresh = services._stats_refresh

    def failing(*, school_id: int, work_id: int) -> Any:
        called = {"school_id": school_id, "work_id": work_id}
        if all(called[name] == value for name, value in where.items()):
            raise error
        return refresh(school_id=school_id, work_id=work_id)

    monkeypatch.setattr(services, "_stats_refresh", failing)
    return refresh


@pytest.mark.django_db
def test_a_failing_school_fails_its_own_jobs_only(
    world: World,
    works: tuple[Any, Any],
    uploaded: list[tuple[Any, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small, large = works
    broken = world.schools["A2a"]
    jobs = [_job(school, work, f"{n}") for n, (school, work) in enumerate(uploaded)]
    _fail_refresh(monkeypatch, ValueError("сбой"), school_id=broken.pk, work_id=small.pk)
    # when the drain runs: the small work's batch fails, its schools are refreshed one by one
    assert results_stats_drain() == len(jobs) - 1
    # then the broken school's job failed with its error, every other one is done
    failed = Job.objects.get(status=Job.Status.FAILED)
    assert failed.params["school_id"] == broken.pk
    assert failed.params["work_id"] == small.pk
    assert "ValueError: сбой" in failed.error
    assert Job.objects.filter(status=Job.Status.DONE).count() == len(jobs) - 1
    # and the other schools' statistics and aggregates of that work are there
    assert not SchoolWorkStats.objects.filter(school=broken, work=small).exists()
    assert SchoolWorkStats.objects.filter(work=small).count() == len(world.schools) - 1
    assert SchoolWorkStats.objects.filter(work=large).count() == len(world.schools) - 1
    assert WorkAggregate.objects.filter(work=small, level=Level.FEDERAL).exists()


@pytest.mark.django_db
def test_a_database_error_puts_the_jobs_not_done_back(
    world: World,
    works: tuple[Any, Any],
    uploaded: list[tuple[Any, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small, large = works
    first = [_job(s, w, f"{n}") for n, (s, w) in enumerate(uploaded) if w == small]
    second = [_job(s, w, f"l{n}") for n, (s, w) in enumerate(uploaded) if w == large]
    refresh = _fail_refresh(monkeypatch, OperationalError("server closed"), work_id=large.pk)
    with pytest.raises(OperationalError):
        results_stats_drain()
    # the small work's jobs are done, the large work's are queued again for the retry
    assert {Job.objects.get(pk=j.pk).status for j in first} == {Job.Status.DONE}
    assert {Job.objects.get(pk=j.pk).status for j in second} == {Job.Status.QUEUED}
    monkeypatch.setattr(services, "_stats_refresh", refresh)
    assert results_stats_drain() == len(second)
    assert SchoolWorkStats.objects.filter(work=large).count() == len(second)


@pytest.mark.django_db
def test_a_running_job_is_left_to_its_worker_until_its_lease_expires(
    world: World, works: tuple[Any, Any], uploaded: list[tuple[Any, Any]]
) -> None:
    from django.utils import timezone

    school, work = uploaded[0]
    now = timezone.now()
    running = _job(
        school,
        work,
        "running",
        status=Job.Status.RUNNING,
        lease_until=now.replace(year=now.year + 1),
    )
    expired = _job(
        school,
        work,
        "expired",
        status=Job.Status.RUNNING,
        lease_until=now.replace(year=now.year - 1),
    )
    assert results_stats_drain() == 1
    assert Job.objects.get(pk=running.pk).status == Job.Status.RUNNING
    assert Job.objects.get(pk=expired.pk).status == Job.Status.DONE


# --- asking for a run: one pending at a time -----------------------------------------------


class _Task:
    """Records what would be sent to the broker (or refuses, as a broker that is down)."""

    app = celery_app

    def __init__(self, *, refuse: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.refuse = refuse

    def apply_async(self, **options: Any) -> None:
        if self.refuse:
            raise BrokerError("connection refused")
        self.sent.append(options)


@contextlib.contextmanager
def _celery_sending_to(url: str) -> Iterator[None]:
    """This process's Celery configured to send to ``url`` (tasks no longer in-process)."""
    conf = celery_app.conf
    before = (conf.broker_url, conf.task_always_eager)
    conf.broker_url, conf.task_always_eager = url, False
    core_jobs._flag_clients.clear()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = before
        core_jobs._flag_clients.clear()


@pytest.fixture
def redis_broker() -> Iterator[str]:
    """This process's Celery pointed at the CI's Redis (the drain marks are kept there)."""
    url = os.environ.get("REDIS_URL", "")
    need_service("Redis", bool(url), "set REDIS_URL=redis://127.0.0.1:6379/<n>")
    with _celery_sending_to(url):
        store = core_jobs._drain_store(_Task)
        assert store is not None
        client, prefix = store
        client.delete(prefix + "test")
        yield url
        client.delete(prefix + "test")


@pytest.mark.django_db
def test_one_run_is_asked_for_until_it_starts(redis_broker: str) -> None:
    task = _Task()
    # the first job asks for a run, later ones find it pending
    assert core_jobs.job_drain_available(task)
    assert core_jobs.job_send_drain(task, name="test", countdown=0.5)
    assert core_jobs.job_send_drain(task, name="test", countdown=0.5)
    assert task.sent == [{"countdown": 0.5}]
    # once the run starts (before it claims), the next job asks for another
    core_jobs.job_drain_started(task, name="test")
    assert core_jobs.job_send_drain(task, name="test", countdown=0.5)
    assert len(task.sent) == 2
    # the mark expires by itself if a run's message is lost
    client, prefix = core_jobs._drain_store(task)  # type: ignore[misc]
    ttl = client.pttl(prefix + "test")
    assert 0 < ttl <= core_jobs.DRAIN_MARK_TTL.total_seconds() * 1000
    # (a deployment's marks are its own: the prefix names its database)
    assert connection.settings_dict["NAME"] in prefix
    # and without a Redis broker there is no drain to ask for
    with _celery_sending_to("memory://"):
        assert not core_jobs.job_drain_available(task)


@pytest.mark.django_db
def test_a_broker_that_refuses_leaves_no_mark(redis_broker: str) -> None:
    refusing = _Task(refuse=True)
    assert not core_jobs.job_send_drain(refusing, name="test", countdown=0.5)
    # the mark was taken back: the next job asks again
    task = _Task()
    assert core_jobs.job_send_drain(task, name="test", countdown=0.5)
    assert task.sent == [{"countdown": 0.5}]


@pytest.mark.django_db
def test_redis_down_keeps_the_job_queued() -> None:
    task = _Task()
    # a Redis broker nobody listens on (port 9: refused here)
    with _celery_sending_to("redis://127.0.0.1:9/0"):
        assert not core_jobs.job_send_drain(task, name="test", countdown=0.5)
        core_jobs.job_drain_started(task, name="test")  # logged, not raised
    assert task.sent == []


@pytest.mark.django_db
def test_uploads_ask_for_a_drain_only_with_a_redis_broker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from apps.results import tasks

    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(services, "job_send", lambda task, **kw: calls.append((task.name, kw)))
    monkeypatch.setattr(
        services, "job_send_drain", lambda task, **kw: calls.append((task.name, kw))
    )
    # tasks in-process: the job is run alone
    services._enqueue_stats(job_id=7)
    # a Redis broker: a drain is asked for
    with _celery_sending_to("redis://127.0.0.1:6379/15"):
        services._enqueue_stats(job_id=8)
    assert calls == [
        (tasks.results_stats_run_task.name, {"job_id": 7}),
        (
            tasks.results_stats_drain_task.name,
            {"name": RESULTS_STATS, "countdown": services.settings.RESULTS_STATS_DRAIN_DELAY},
        ),
    ]
