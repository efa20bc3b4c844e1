"""Tasks in a worker keep their database connection between tasks, as requests do.

Celery's Django fix-up closed every connection before and after each task, so each task paid
a new PostgreSQL connection and prepared its statements again (issue 18). The worker now
follows Django's request rule (``vpr_portal.celery.connections_like_requests``)."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from celery.fixups.django import DjangoWorkerFixup
from celery.signals import task_postrun, task_prerun
from django.db import connection

from conftest import need_service
from vpr_portal.celery import app, connections_like_requests


def _task(*, eager: bool) -> Any:
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def _open() -> Any:
    connection.ensure_connection()
    return connection.connection


@pytest.mark.django_db(transaction=True)
def test_the_fixup_no_longer_closes_the_connection_around_each_task() -> None:
    # given an open connection and the worker's fix-up as a worker installs it
    raw = _open()
    fixup = DjangoWorkerFixup(app)
    # when it runs its before- and after-task clean-up of many tasks
    for _ in range(50):
        fixup.close_database()
    # then the same connection is still open (it closed it every time before)
    assert connection.connection is raw
    assert connection.is_usable()


@pytest.mark.django_db(transaction=True)
def test_tasks_keep_a_usable_connection_and_drop_an_obsolete_one(settings: Any) -> None:
    # (SQLite's in-memory test database is never closed by Django)
    need_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    # given the handlers are connected to the task signals
    assert connections_like_requests in [receiver for _key, receiver in task_prerun.receivers]
    assert connections_like_requests in [receiver for _key, receiver in task_postrun.receivers]
    # and a connection that may live a while (CONN_MAX_AGE)
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60
    try:
        raw = _open()
        # when a worker task starts and ends
        connections_like_requests(task=_task(eager=False))
        connections_like_requests(task=_task(eager=False))
        # then it keeps it
        assert connection.connection is raw
        # when the connection has outlived its age
        connection.close_at = time.monotonic() - 1
        connections_like_requests(task=_task(eager=False))
        # then it is closed, and the next task opens a new one
        assert connection.connection is None
        assert _open() is not raw
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()


@pytest.mark.django_db
def test_an_eager_task_leaves_its_callers_transaction_alone() -> None:
    # given a connection inside the caller's transaction (the test's, as a request's would be)
    raw = _open()
    assert connection.in_atomic_block
    # when an eager task starts and ends (make run, the tests)
    connections_like_requests(task=_task(eager=True))
    # then nothing is closed, though the connection is not in autocommit
    assert connection.connection is raw
    # (the same call for a worker task would have closed it: not back in autocommit)
    assert connection.get_autocommit() is False
