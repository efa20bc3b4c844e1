"""The fork server of ``isolated`` (ADR 0029): every outcome the same as a direct fork's, and
the server never in the way — restarted when killed, per process after a fork, gone with its
host, bypassed when it cannot serve.

Whether a call went through the server is seen from the child: its parent is the server.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from apps.core import forkserver
from apps.core.tests.bad_files import (
    HungError,
    cell_range_bomb,
    deadline,
    declared_range_bomb,
    sheet,
    unreferenced_cells_bomb,
    workbook,
)
from apps.core.untrusted import IsolatedError, isolated
from apps.core.uploads import CellError, SheetLimits, UploadError, read_workbook

MIB = 1 << 20
FORM = SheetLimits(rows=20_000, columns=200)
ROOT = Path(__file__).resolve().parents[3]


def _parent() -> int:
    return os.getppid()


def _refuse() -> None:
    raise UploadError([CellError(3, 2, "плохая ячейка")])


def _allocate(n: int) -> int:
    return len(bytearray(n))


def _boom() -> None:
    raise KeyError("a bug")


def _spin() -> None:
    while True:
        pass


def _host_only() -> int:
    return os.getppid()


def _kill_the_server(host: int) -> int:
    """Kill the process that forked this child unless it is the host (a direct fork)."""
    if os.getppid() != host:
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(10)
    return os.getppid()


CASES: dict[str, tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = {
    "ok": (sorted, ([3, 1, 2],), {}),
    "refused": (_refuse, (), {}),
    "memory": (_allocate, (1024 * MIB,), {"memory_bytes": 64 * MIB}),
    "abort": (os.abort, (), {}),
    "timeout": (_spin, (), {"timeout": 0.5}),
    "bug": (_boom, (), {}),
}


def _outcome(func: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, Any]:
    try:
        return "ok", isolated(func, *args, **kwargs)
    except UploadError as exc:
        return "refused", exc.errors
    except IsolatedError as exc:
        return "bug", str(exc)


def _gone(pid: int, seconds: float = 10.0) -> bool:
    """Whether the process exits (is gone, or a zombie nobody reaped yet) within ``seconds``."""
    deadline_at = time.monotonic() + seconds
    while time.monotonic() < deadline_at:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                state = stat.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def server() -> int:
    """The pid of this test process's fork server, ready. (Servers the tests kill do not count
    towards giving the server up for this process.)"""
    forkserver._lost = 0
    pid = forkserver.warm(wait=30)
    assert pid is not None
    return pid


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_server_gives_the_outcome_of_a_direct_fork(
    case: str, server: int, settings: Any
) -> None:
    func, args, kwargs = CASES[case]
    # when the call runs through the server, then in a direct fork
    assert isolated(_parent) == server
    served = _outcome(func, *args, **kwargs)
    settings.PARSE_FORK_SERVER = False
    assert isolated(_parent) == os.getpid()
    forked = _outcome(func, *args, **kwargs)
    # then the outcomes are the same, and the expected ones
    assert served == forked
    kind, value = served
    if case == "ok":
        assert served == ("ok", [1, 2, 3])
    elif case == "refused":
        assert value == [CellError(3, 2, "плохая ячейка")]
    elif case == "bug":
        assert kind == "bug"
        assert "KeyError: 'a bug'" in value
    else:
        message = {
            "memory": "Файл не удалось прочитать: для его разбора нужно больше 64 МБ памяти.",
            "abort": "Файл не удалось прочитать: для его разбора нужно больше 1024 МБ памяти.",
            "timeout": "Файл не удалось прочитать за 0.5 с: он слишком сложный.",
        }[case]
        assert kind == "refused"
        assert str(value[0]).startswith(message)


def _form(rows: int) -> bytes:
    """A filled form as openpyxl writes one: text, whole and fractional numbers, a date format,
    blanks, a formula, several sheets."""
    book = Workbook()
    data = book.active
    data.title = "Протокол"
    data.append(["Код", "Вариант", *(f"Задание {n}" for n in range(1, 11)), "Отметка"])
    for n in range(rows):
        scores = [None if (n + k) % 7 == 0 else (n * k) % 3 for k in range(10)]
        data.append([f"4{n:04d}", 1 + n % 2, *scores, 2 + n % 4])
    data["N2"] = 45_000
    data["N2"].number_format = "DD.MM.YYYY"
    data["O2"] = 0.25
    data["P2"] = "=SUM(C2:L2)"
    book.create_sheet("Служебный").append(["форма", "результаты", 7])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read(content: bytes, limits: SheetLimits) -> tuple[str, Any]:
    try:
        return "ok", pickle.dumps(read_workbook(content, limits=limits))
    except UploadError as exc:
        return "refused", exc.errors


def test_read_workbook_reads_the_same_through_the_server(server: int, settings: Any) -> None:
    # given forms to read and bombs to refuse, under the limits of two forms
    files = [
        _form(100),
        _form(3),
        workbook(sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>код</t></is></c></row>')),
        cell_range_bomb(),
        declared_range_bomb(),
        unreferenced_cells_bomb(3),
    ]
    limits = [FORM, SheetLimits(rows=50, columns=12)]
    # when each is read through the server, then in direct forks
    assert isolated(_parent) == server
    served = [_read(content, form) for content in files for form in limits]
    settings.PARSE_FORK_SERVER = False
    forked = [_read(content, form) for content in files for form in limits]
    # then the sheets (pickled: types and values) and the refusals are the same
    assert served == forked
    kinds = [kind for kind, _ in served]
    assert kinds.count("ok") == 4
    assert kinds.count("refused") == 8


def test_the_server_leaves_no_child_behind_a_deadline_or_an_interrupted_caller(
    server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the pids of the server's children, as the host sees them
    children: list[tuple[int, bool]] = []
    reaped = forkserver._Server._reaped

    def spy(self: forkserver._Server, conn: Any, pid: int, *, kill: bool) -> int:
        children.append((pid, kill))
        return reaped(self, conn, pid, kill=kill)

    monkeypatch.setattr(forkserver._Server, "_reaped", spy)
    # when one child runs past its deadline, and the caller of another is interrupted
    started = time.monotonic()
    with pytest.raises(UploadError):
        isolated(time.sleep, 30, timeout=0.5)
    with pytest.raises(HungError), deadline(0.5):
        isolated(time.sleep, 30)
    # then both calls end at once; both children were killed and reaped
    assert time.monotonic() - started < 5
    assert [kill for _, kill in children] == [True, True]
    for pid, _ in children:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    # and the server carries on
    assert isolated(_parent) == server


def test_a_server_killed_between_calls_is_replaced(server: int) -> None:
    # given a server killed between two calls
    os.kill(server, signal.SIGKILL)
    assert _gone(server)
    # when the next call comes, then it forks directly and gets its result
    assert isolated(_parent) == os.getpid()
    # and a new server takes the calls after it
    replacement = forkserver.warm(wait=30)
    assert replacement is not None
    assert replacement != server
    assert isolated(_parent) == replacement


def test_a_server_lost_while_its_child_runs_does_not_fail_the_call(server: int) -> None:
    # when the server dies while its child runs (and the child with it)
    result = isolated(_kill_the_server, os.getpid())
    # then the call runs again in a direct fork, and a new server comes later
    assert result == os.getpid()
    assert _gone(server)
    replacement = forkserver.warm(wait=30)
    assert replacement not in (None, server)
    assert isolated(_parent) == replacement


def test_a_server_lost_under_several_calls_fails_none_of_them(server: int) -> None:
    # given two threads whose children run in the server
    results: list[Any] = []

    def call() -> None:
        results.append(_outcome(_nap_then_parent, 1.0))

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    # when the server is killed under them
    os.kill(server, signal.SIGKILL)
    for thread in threads:
        thread.join()
    # then both calls run again in direct forks and get their results
    assert results == [("ok", os.getpid())] * 2
    replacement = forkserver.warm(wait=30)
    assert replacement not in (None, server)
    assert isolated(_parent) == replacement


def test_a_forked_host_starts_its_own_server(server: int) -> None:
    # given a host process forked from this one (a Celery pool child, say)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked host; it reports through the pipe
        code = 1
        try:
            os.close(read_fd)
            own = forkserver.warm(wait=30)
            os.write(write_fd, struct.pack("<qq", own or 0, isolated(_parent)))
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as report:
        own, via = struct.unpack("<qq", report.read())
    _, status = os.waitpid(pid, 0)
    # then it started a server of its own and called through it
    assert os.waitstatus_to_exitcode(status) == 0
    assert own not in (0, server)
    assert via == own
    # while this process keeps its own server, and the forked host's server went with it
    assert isolated(_parent) == server
    assert _gone(own)


def test_the_server_exits_with_its_host() -> None:
    # given a host that starts its server, then exits without any clean-up
    code = (
        "import os; from apps.core import forkserver; "
        "print(forkserver.warm(wait=30), flush=True); os._exit(0)"
    )
    host = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    # then the server reads end of file on its socket and exits too
    server = int(host.stdout)
    assert _gone(server)


def test_the_server_gets_no_secrets(server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a secret in the host's environment when its server starts
    monkeypatch.setenv("DJANGO_SECRET_KEY", "not-for-the-parser")
    os.kill(server, signal.SIGKILL)
    assert _gone(server)
    isolated(sorted, [1])  # notices the loss
    replacement = forkserver.warm(wait=30)
    assert replacement is not None
    # then the server's environment holds the locale and paths only
    with open(f"/proc/{replacement}/environ", "rb") as environ:
        names = {item.split(b"=", 1)[0].decode() for item in environ.read().split(b"\0") if item}
    assert "DJANGO_SECRET_KEY" not in names
    assert names <= {"PATH", "LANG", "LANGUAGE", "TZ", "TMPDIR"} | {
        name for name in names if name.startswith("LC_")
    }
    assert isolated(_parent) == replacement


def _nap_then_parent(seconds: float) -> int:
    time.sleep(seconds)
    return os.getppid()


def test_calls_from_several_threads_run_through_the_server_at_once(server: int) -> None:
    # when four threads of the host call at the same time (a gthread worker)
    results: list[int] = []

    def call() -> None:
        results.append(isolated(_nap_then_parent, 0.5))

    threads = [threading.Thread(target=call) for _ in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every child was the server's, and they ran side by side
    assert results == [server] * 4
    assert time.monotonic() - started < 1.9


def test_a_deadline_kills_only_its_own_child(server: int) -> None:
    # when one thread's child runs past its deadline while another thread's child works
    outcomes: dict[str, Any] = {}

    def slow() -> None:
        outcomes["slow"] = _outcome(time.sleep, 30, timeout=0.5)

    def fine() -> None:
        outcomes["fine"] = _outcome(_nap_then_parent, 1.0)

    threads = [threading.Thread(target=slow), threading.Thread(target=fine)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then the first is refused for its time, the second gets its result from the server
    kind, errors = outcomes["slow"]
    assert kind == "refused"
    assert str(errors[0]).startswith("Файл не удалось прочитать за 0.5 с")
    assert outcomes["fine"] == ("ok", server)


def test_calls_beyond_the_servers_connections_fork_directly(
    server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a server that takes no more connections
    monkeypatch.setattr(forkserver, "_MAX_CONNECTIONS", 0)
    monkeypatch.setattr(forkserver._server, "idle", [])
    # when a call comes, then it forks directly
    assert isolated(_parent) == os.getpid()


def test_a_function_the_server_cannot_load_runs_in_a_direct_fork(
    server: int, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given a function of a module that exists in the host only
    module = types.ModuleType("vpr_host_only")
    module._host_only = _host_only  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vpr_host_only", module)
    monkeypatch.setattr(_host_only, "__module__", "vpr_host_only")
    monkeypatch.setattr(forkserver, "_refused", set())
    # when it is called twice
    with caplog.at_level(logging.WARNING, logger="apps.core.forkserver"):
        results = [isolated(_host_only), isolated(_host_only)]
    # then it runs in direct forks, logged once; the server stays
    assert results == [os.getpid(), os.getpid()]
    assert caplog.text.count("cannot run vpr_host_only._host_only") == 1
    assert isolated(_parent) == server


@pytest.mark.parametrize("executable", ["/nonexistent/python3", "/bin/false"])
def test_without_a_server_calls_fork_directly(
    executable: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given a process whose server cannot start, or exits before it is ready
    monkeypatch.setattr(forkserver, "_server", None)
    monkeypatch.setattr(forkserver, "_off", None)
    monkeypatch.setattr(sys, "executable", executable)
    # when it calls
    with caplog.at_level(logging.WARNING, logger="apps.core.forkserver"):
        assert forkserver.warm(wait=30) is None
        results = [isolated(_parent), isolated(sorted, [2, 1])]
    # then the calls fork directly, and the process stops trying, said once
    assert results == [os.getpid(), [1, 2]]
    assert forkserver._off is not None
    assert caplog.text.count("no fork server in process") == 1


def _nested() -> Callable[[], int]:
    def inner() -> int:
        return 1

    return inner


@pytest.mark.parametrize("through_server", [True, False])
@pytest.mark.parametrize(
    "func",
    [lambda: 1, CASES["ok"][1][0].append, functools.partial(sorted, [1]), _nested()],
    ids=["lambda", "bound method", "partial", "nested"],
)
def test_isolated_runs_module_level_functions_only(
    func: Callable[..., Any], through_server: bool, settings: Any
) -> None:
    settings.PARSE_FORK_SERVER = through_server
    # when the function is not module-level, or an argument cannot be pickled
    with pytest.raises(TypeError) as refused:
        isolated(func)
    with pytest.raises(TypeError) as unpicklable:
        isolated(len, threading.Lock())
    # then the call is refused before any child starts, saying why
    assert "module-level function" in str(refused.value)
    assert "must be picklable" in str(unpicklable.value)
