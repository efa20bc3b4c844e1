"""Faults a deadline day brings to a results upload, on the real PostgreSQL:

- the upload's database connection dies in the middle of its transaction (what a PostgreSQL
  restart does to it): the school gets a Russian error it can retry, nothing is half-written,
  and the retry is accepted;
- the same file posted twice at the same moment: one version, not two.

The shared PostgreSQL cluster is never restarted (other tests use it in parallel): the upload's
own backend is terminated from a second connection, between two writes of the service.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from apps.core.models import AuditEvent, Job
from apps.results import services
from apps.results.constants import RESULTS_STATS
from apps.results.models import ParticipantResult, ResultSheet, ResultVersion
from apps.results.tests.conftest import Env
from conftest import need_service
from tests.integration._support import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_sql() -> Iterator[Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Statements on a second, autocommit connection to the test database (as an operator's
    psql would run them), outside whatever transaction the request holds."""
    need_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://... (the faults need a real server)",
    )
    db = connection.settings_dict
    other = psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        autocommit=True,
    )

    def run(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with other.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []

    try:
        yield run
    finally:
        other.close()


def _post(env: Env, content: bytes) -> HttpResponse:
    """The school posts a filled form through the browser's upload form."""
    client = Client(raise_request_exception=False)
    client.force_login(env.world.users["school_organizer"])
    url = reverse("results-upload", args=[env.school.pk, env.work.pk])
    response: HttpResponse = client.post(url, {"file": SimpleUploadedFile("форма.xlsx", content)})
    return response


def test_connection_lost_mid_upload_gives_a_retryable_error_and_writes_nothing(
    env: Env,
    admin_sql: Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a filled form, and a server that drops the upload's connection after the version
    # row and the removal of the old rows are written, before the new rows are inserted
    content = env.filled()
    real_write = services._rows_write
    killed: list[int] = []

    def rows_then_connection_lost(*args: Any, **kwargs: Any) -> Any:
        if not killed:
            pid = connection.connection.info.backend_pid
            admin_sql("SELECT pg_terminate_backend(%s)", (pid,))
            wait_for(
                lambda: not admin_sql("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)),
                "the upload's backend to end",
                timeout=10,
            )
            killed.append(pid)
        return real_write(*args, **kwargs)

    monkeypatch.setattr(services, "_rows_write", rows_then_connection_lost)

    # when the school uploads it
    response = _post(env, content)
    connection.close()  # the request's broken connection (the request cycle closes it too)

    # then it gets an error page in Russian asking to try again, with no internals
    assert killed, "the fault was not injected"
    assert response.status_code >= 500
    page = response.content.decode()
    assert "Повторите попытку" in page
    assert "Traceback" not in page
    assert "psycopg" not in page
    assert "OperationalError" not in page
    # and nothing of the upload is stored: no version, no rows, no audit entry, no job
    assert not ResultVersion.objects.exists()
    assert not ParticipantResult.objects.exists()
    assert not AuditEvent.objects.filter(action="results.upload").exists()
    assert not Job.objects.filter(kind=RESULTS_STATS).exists()
    sheet = ResultSheet.objects.get(school=env.school, work=env.work)
    assert (sheet.current_version_id, sheet.version_count) == (None, 0)

    # when the school tries again (the server is reachable again)
    retry = _post(env, content)

    # then the same file is accepted as version 1 with all its rows
    assert retry.status_code == 302
    version = ResultVersion.objects.get()
    assert version.number == 1
    assert ParticipantResult.objects.filter(version=version).count() == len(env.rows())
    with default_storage.open(version.file, "rb") as fh:
        assert fh.read() == content
    sheet.refresh_from_db()
    assert (sheet.current_version_id, sheet.version_count) == (version.pk, 1)


def test_the_same_file_posted_twice_at_once_makes_one_version(
    env: Env,
    admin_sql: Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a filled form, and an upload that, once it holds the school × work lock, waits
    # until the other request is blocked on that lock (so the two surely overlap)
    content = env.filled()
    real_diff = services.xlsx.diff
    entered: list[str] = []
    guard = threading.Lock()

    def diff_after_the_other_waits(*args: Any, **kwargs: Any) -> Any:
        with guard:
            first = not entered
            entered.append(threading.current_thread().name)
        if first:
            wait_for(
                lambda: (
                    admin_sql(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock'",
                    )[0][0]
                    > 0
                ),
                "the second upload to wait for the lock",
                timeout=20,
            )
        return real_diff(*args, **kwargs)

    monkeypatch.setattr(services.xlsx, "diff", diff_after_the_other_waits)
    barrier = threading.Barrier(2)
    responses: dict[str, Any] = {}

    def post() -> None:
        name = threading.current_thread().name
        try:
            barrier.wait(timeout=20)
            responses[name] = _post(env, content)
        except BaseException as exc:  # reported by the assertions below
            responses[name] = exc
        finally:
            connection.close()

    # when the school's two tabs post it at the same moment
    threads = [threading.Thread(target=post, name=f"tab-{i}") for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=45)
    assert not any(thread.is_alive() for thread in threads)

    # then both got an answer, one after the other under the lock
    assert all(isinstance(r, HttpResponse) for r in responses.values()), responses
    assert sorted(r.status_code for r in responses.values()) == [302, 302]
    assert len(entered) == 2
    # and exactly one version exists, with one set of rows; the second saw no change
    version = ResultVersion.objects.get()
    assert version.number == 1
    assert ParticipantResult.objects.count() == len(env.rows())
    assert set(ParticipantResult.objects.values_list("version_id", flat=True)) == {version.pk}
    sheet = ResultSheet.objects.get(school=env.school, work=env.work)
    assert (sheet.current_version_id, sheet.version_count) == (version.pk, 1)
    assert AuditEvent.objects.filter(action="results.upload").count() == 1
    assert AuditEvent.objects.filter(action="results.upload_unchanged").count() == 1
    assert Job.objects.filter(kind=RESULTS_STATS).count() == 1
