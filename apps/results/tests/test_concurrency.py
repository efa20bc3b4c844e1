"""Two uploads for the same school × work at the same moment, on PostgreSQL with two connections:
they serialise on the school × work row lock and leave one consistent current version.

Run locally with DATABASE_URL=postgres://postgres@127.0.0.1:5432/vpr_results_helper; skipped on
SQLite (which has no row locks), required under CI=true.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from apps.results import services
from apps.results.models import ParticipantResult, ResultSheet, ResultVersion
from apps.results.tests.conftest import Env
from conftest import need_service

pytestmark = pytest.mark.django_db(transaction=True)


def _race(
    monkeypatch: pytest.MonkeyPatch, jobs: list[Callable[[], Any]]
) -> tuple[list[Any], list[tuple[float, float]]]:
    """Start the jobs together in threads (each with its own connection); return their results
    and the (start, end) of each one's critical section.

    The diff (computed inside the locked transaction) is slowed down so that the second upload
    certainly arrives while the first holds the lock."""
    need_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/vpr_results_helper",
    )
    original = services.xlsx.diff
    inside: list[tuple[float, float]] = []

    def slow_diff(*args: Any, **kwargs: Any) -> Any:
        start = time.monotonic()
        time.sleep(0.3)
        out = original(*args, **kwargs)
        inside.append((start, time.monotonic()))
        return out

    monkeypatch.setattr(services.xlsx, "diff", slow_diff)
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = jobs[i]()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, sorted(inside)


def test_two_concurrent_uploads_leave_one_consistent_version(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given two different filled forms of the same school × work (no upload yet: the first
    # write also races to create the school × work row)
    one, two = env.filled(env.rows(seed=1)), env.filled(env.rows(seed=2, count=17))
    # when both are uploaded at the same moment
    results, inside = _race(
        monkeypatch,
        [
            lambda: env.upload(one, confirm_dropped=True),
            lambda: env.upload(two, confirm_dropped=True),
        ],
    )
    # then both were accepted, one after the other, as versions 1 and 2 of one row
    assert all(isinstance(r, services.Accepted) for r in results), results
    assert sorted(r.version.number for r in results) == [1, 2]
    (_, first_end), (second_start, _) = inside
    assert second_start >= first_end  # the second waited for the first's lock
    assert ResultSheet.objects.count() == 1
    sheet = ResultSheet.objects.get()
    current = ResultVersion.objects.get(pk=sheet.current_version_id)
    assert (sheet.version_count, current.number) == (2, 2)
    # and the stored results are exactly the current version's, nothing of the other mixed in
    stored = list(ParticipantResult.objects.filter(sheet=sheet).order_by("code"))
    assert {r.version_id for r in stored} == {current.pk}
    assert [r.code for r in stored] == sorted(current.snapshot["rows"])
    # and the second version's diff was taken against the first, which it saw committed
    first = ResultVersion.objects.get(number=1)
    assert current.changes["added"] + len(first.snapshot["rows"]) - current.changes[
        "removed"
    ] == len(current.snapshot["rows"])


def test_the_same_file_twice_at_once_makes_one_version(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given one filled form, sent twice at the same moment (a double click, a retried request)
    content = env.filled(env.rows(seed=3))
    # when both requests run together
    results, inside = _race(monkeypatch, [lambda: env.upload(content), lambda: env.upload(content)])
    # then exactly one version exists and the other request was told nothing changed
    assert all(isinstance(r, services.Accepted) for r in results), results
    assert sorted(r.unchanged for r in results) == [False, True]
    assert inside[1][0] >= inside[0][1]
    assert ResultVersion.objects.count() == 1
    assert ParticipantResult.objects.count() == 20
