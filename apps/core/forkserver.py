"""The fork server of ``untrusted.isolated``: a small process that forks the parse children
(ADR 0029).

Forking the web worker itself costs the worker its page tables (~6 ms for a Django process) and
the child the copy-on-write faults of the worker's big heap (~8 ms more). The server is a fresh
interpreter started lazily once per host process (``python -I -c``; the host's ``sys.path``, an
environment without the host's secrets, its own session) that loads only what the parsers need
(``apps.core.untrusted``: python-calamine, openpyxl's utilities, no Django) and forks one child
per call; a module a request names is imported by the server on first use.

The host holds a control socket (the server's greeting in; ``N`` with a new connection's end
attached, out) and a connection per call in progress, kept for the next call. The server is one
thread polling them all and its children's pidfds. One call, on its connection (``_MESSAGE``: a
kind byte and two integers):

* host → server ``R`` (length of the request) with the write end of a fresh pipe attached,
  then the request pickled: ``(func, args, memory_bytes, timeout)`` (``func`` by reference);
* server → host ``S`` (child's pid) once forked, or ``U`` (length of a reason) when the server
  cannot load the function or its arguments — the host then forks directly, as before;
* the child writes its outcome into the pipe as a direct child would; the host reads it with the
  same deadline (``collect``); past it, or when the host is interrupted, host → server ``K``
  (pid): the server kills the child, which it has not reaped, so the pid cannot name another
  process;
* server → host ``E`` (pid, wait status) once the child is reaped: the call does not return
  before its child is gone.

The server exits at end of file on its control socket, i.e. when the host exits; each child dies
with the server (``PR_SET_PDEATHSIG``); a connection closed mid-call gets its child killed. A
process forked from the host (a Celery pool child, a gunicorn worker of a preloaded app) drops
the inherited sockets and starts its own server. Whatever goes wrong with the server (it cannot
start, dies, answers nonsense, has ``_MAX_CONNECTIONS`` calls in progress) the call runs in a
direct fork (``run`` returns None), so the server never fails an upload; a server lost mid-call
is killed and replaced on a later call, and after ``_MAX_LOST`` servers lost in a row the process
stops starting new ones.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import logging
import os
import pickle
import select
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from typing import NoReturn

logger = logging.getLogger(__name__)

# The child's payload on its pipe: its length, then the pickled outcome.
HEADER = struct.Struct("<Q")
# Every message on the socket: a kind byte and two signed 64-bit integers.
_MESSAGE = struct.Struct("<cqq")
# How long the host waits for the server beyond the parse deadline before it gives the server up.
_ANSWER_SECONDS = 10.0
# The server's own backstop: a child still alive this long past its deadline is killed even if
# the host never asked (the host always asks, at the deadline).
_BACKSTOP_SECONDS = 10.0
# A server not ready this long after it was started is given up.
_START_SECONDS = 60.0
# Servers lost in a row (died or answered nonsense) before a process stops starting new ones.
_MAX_LOST = 3
# Calls in progress at once through one server (gthread workers run a few requests at a time);
# more fork directly.
_MAX_CONNECTIONS = 8
# What the server loads before it says it is ready.
_PRELOAD = ("apps.core.untrusted",)
# The only variables of the host's environment the server gets: no secret reaches it.
_ENVIRONMENT = ("PATH", "LANG", "LANGUAGE", "TZ", "TMPDIR")
_BOOT = (
    "import sys; sys.path[:] = sys.argv[2:]; "
    "from apps.core.forkserver import serve; serve(int(sys.argv[1]))"
)
_PR_SET_PDEATHSIG = 1


class _LostError(Exception):
    """The server is gone or out of step with the host."""


# --- the payload pipe (both kinds of child) -------------------------------------------------------


def collect(fd: int, timeout: float) -> bytes | None:
    """The child's length-prefixed payload, b"" if it died before writing all of it, or None
    past the deadline. Reading stops at the announced length, not at end of file: a sibling
    fork of a threaded host may hold the pipe's write end open a while longer."""
    deadline = time.monotonic() + timeout
    received = bytearray()
    expected: int | None = None
    with selectors.DefaultSelector() as waiting:
        waiting.register(fd, selectors.EVENT_READ)
        while expected is None or len(received) < expected + HEADER.size:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if not waiting.select(left):
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b""
            received += chunk
            if expected is None and len(received) >= HEADER.size:
                (expected,) = HEADER.unpack_from(received)
    return bytes(received[HEADER.size :])


def write_all(fd: int, data: bytes) -> None:  # pragma: no cover - runs in the child only
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


# --- the host's side ------------------------------------------------------------------------------


def _wait_readable(sock: socket.socket, deadline: float | None) -> bool:
    """Whether the socket has something to read (or is at end of file) by ``deadline``; None:
    right now, without waiting. ``_LostError`` for a socket closed meanwhile (by another
    thread that gave the server up)."""
    if sock.fileno() < 0:
        raise _LostError("connection closed")
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    if deadline is None:
        return bool(poller.poll(0))
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        if poller.poll(left * 1000):
            return True


def _exact(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    """``size`` bytes from the socket; ``_LostError`` at end of file or past ``deadline``."""
    data = b""
    while len(data) < size:
        if deadline is not None and not _wait_readable(sock, deadline):
            raise _LostError("no answer in time")
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise _LostError("end of file")
        data += chunk
    return data


def _send(sock: socket.socket, kind: bytes, a: int = 0, b: int = 0) -> None:
    sock.sendall(_MESSAGE.pack(kind, a, b), socket.MSG_NOSIGNAL)


class _Server:
    """A running server as its host sees it: the control socket (the greeting in, new
    connections out) and the connections, one per call in progress."""

    def __init__(self) -> None:
        host_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            environment = {
                k: v for k, v in os.environ.items() if k in _ENVIRONMENT or k.startswith("LC_")
            }
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and code
                [sys.executable, "-I", "-c", _BOOT, str(server_end.fileno()), *sys.path],
                pass_fds=(server_end.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=environment,
                start_new_session=True,  # a terminal's Ctrl-C is the host's to handle
            )
        except BaseException:
            host_end.close()
            raise
        finally:
            server_end.close()
        self.sock = host_end
        self.owner = os.getpid()
        self.started = time.monotonic()
        self.pid: int | None = None  # the server's, once it said it is ready
        self.dead = False
        self.idle: list[socket.socket] = []
        self.connections: list[socket.socket] = []

    def ready(self) -> bool:
        """Whether the server has said it is ready, without waiting."""
        if self.pid is None and _wait_readable(self.sock, None):
            kind, pid, _ = _MESSAGE.unpack(_exact(self.sock, _MESSAGE.size, None))
            if kind != b"Y":
                raise _LostError("no greeting")
            self.pid = pid
        return self.pid is not None

    def take(self) -> socket.socket | None:
        """An idle connection, or a new one (None past ``_MAX_CONNECTIONS``). Under ``_lock``."""
        if self.idle:
            return self.idle.pop()
        if len(self.connections) >= _MAX_CONNECTIONS:
            return None
        host_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            header = _MESSAGE.pack(b"N", 0, 0)
            sent = socket.send_fds(self.sock, [header], [server_end.fileno()], socket.MSG_NOSIGNAL)
        except BaseException:
            host_end.close()
            raise
        finally:
            server_end.close()
        if sent != len(header):
            host_end.close()
            raise _LostError("connection cut")
        self.connections.append(host_end)
        return host_end

    def call(
        self, conn: socket.socket, request: bytes, timeout: float
    ) -> tuple[bytes | None, int | None] | str:
        """The child's payload (as ``collect``) and wait status, or why the server did not run
        it (the caller forks directly). Raises ``_LostError`` (or ``OSError``) when the server
        is lost before the child's outcome is known; the server is discarded then."""
        read_fd, write_fd = os.pipe()
        try:
            try:
                header = _MESSAGE.pack(b"R", len(request), 0)
                sent = socket.send_fds(conn, [header], [write_fd], socket.MSG_NOSIGNAL)
            finally:
                os.close(write_fd)
            if sent != len(header):
                raise _LostError("request cut")
            conn.sendall(request, socket.MSG_NOSIGNAL)
            answer = time.monotonic() + timeout + _ANSWER_SECONDS
            kind, pid, size = _MESSAGE.unpack(_exact(conn, _MESSAGE.size, answer))
            if kind == b"U":
                os.close(read_fd)
                return _exact(conn, size, answer).decode("utf-8", errors="replace")
            if kind != b"S":
                raise _LostError("no fork")
        except BaseException:
            # Cut anywhere here (even by a signal raising in the host) the connection is out of
            # step: the server goes, and a child it may have forked dies with it.
            with contextlib.suppress(OSError):
                os.close(read_fd)
            self.discard()
            raise
        payload: bytes | None = None
        status: int | None = None
        lost = False
        try:
            payload = collect(read_fd, timeout)
        finally:
            # Whatever happens here (even a signal raising in the host), the child does not
            # outlive the call.
            os.close(read_fd)
            try:
                status = self._reaped(conn, pid, kill=payload is None)
            except (_LostError, OSError):
                self.discard()
                status, lost = None, True
            except BaseException:
                self.discard()
                raise
        if lost and payload == b"":
            # The child died with its server (not of its own parse): not the file's fault.
            raise _LostError("lost while the child ran")
        return payload, status

    def _reaped(self, conn: socket.socket, pid: int, *, kill: bool) -> int:
        if kill:
            _send(conn, b"K", pid)
        answer = time.monotonic() + _ANSWER_SECONDS
        kind, reaped, status = _MESSAGE.unpack(_exact(conn, _MESSAGE.size, answer))
        if kind != b"E" or reaped != pid:
            raise _LostError("out of step")
        return int(status)

    def close_sockets(self) -> None:
        for sock in (self.sock, *self.connections):
            with contextlib.suppress(OSError):
                sock.close()
        self.idle.clear()

    def discard(self) -> None:
        """Close the connections and, in the host that started it, kill and reap the server
        (its children, if any, die with it)."""
        self.dead = True
        self.close_sockets()
        if self.owner != os.getpid():
            return
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=_ANSWER_SECONDS)


_lock = threading.Lock()  # guards the state below; never held during a call
_server: _Server | None = None
_lost = 0
_off: str | None = None  # why this process no longer starts servers
_refused: set[str] = set()  # functions the server could not load, logged once each
# Servers inherited through a fork: their connections closed, the objects kept so that Popen's
# finaliser never waits for another process's child.
_inherited: list[_Server] = []


def run(request: bytes, timeout: float, name: str) -> tuple[bytes | None, int | None] | None:
    """The payload and wait status of the request run by this process's server, or None when
    the server cannot take it now (not ready yet, lost, off, too many calls at once)."""
    global _lost
    with _lock:
        server = _current()
        if server is None:
            return None
        try:
            conn = server.take()
        except (_LostError, OSError) as exc:
            server.discard()
            _forget(server)
            logger.warning("fork server %s lost (%s); this call forks directly", server.pid, exc)
            return None
        except BaseException:
            server.discard()
            _forget(server)
            raise
        if conn is None:
            return None
    try:
        served = server.call(conn, request, timeout)
    except (_LostError, OSError) as exc:
        logger.warning("fork server %s lost (%s); this call forks directly", server.pid, exc)
        return None
    finally:
        with _lock:
            if server.dead:
                _forget(server)
            elif server.owner == os.getpid():
                server.idle.append(conn)
    if isinstance(served, str):
        with _lock:
            if name in _refused:
                return None
            _refused.add(name)
        logger.warning("fork server cannot run %s (%s); it forks directly", name, served)
        return None
    with _lock:
        if _server is server:
            _lost = 0
    return served


def warm(wait: float = 0.0) -> int | None:
    """Start this process's server if none runs, wait up to ``wait`` seconds for it to be
    ready, and return its pid (None if it is not ready)."""
    deadline = time.monotonic() + wait
    while True:
        with _lock:
            server = _current()
            if server is not None:
                return server.pid
            if _off is not None or _server is None or time.monotonic() >= deadline:
                return None
            greeting = _server.sock
        with contextlib.suppress(_LostError, OSError, ValueError):  # closed meanwhile: look again
            _wait_readable(greeting, deadline)


def _current() -> _Server | None:
    """This process's server if it is ready; starts one if none runs. Under ``_lock``."""
    global _server
    server = _server
    if server is not None and server.owner != os.getpid():  # forked without the at-fork hook
        _abandon()
        server = None
    if server is None:
        if _off is not None:
            return None
        try:
            server = _server = _Server()
        except Exception as exc:
            _give_up(f"it could not start: {type(exc).__name__}: {exc}")
            return None
    try:
        if server.ready():
            return server
    except (_LostError, OSError):
        server.discard()
        _server = None
        _give_up("it exited before it was ready")
        return None
    if time.monotonic() - server.started > _START_SECONDS:
        server.discard()
        _server = None
        _give_up(f"it was not ready in {_START_SECONDS:g} s")
    return None


def _forget(server: _Server) -> None:
    """A server lost after it was ready: the next call starts another, up to ``_MAX_LOST``."""
    global _server, _lost
    if _server is server:
        _server = None
        _lost += 1
        if _lost >= _MAX_LOST:
            _give_up(f"{_lost} servers were lost in a row")


def _give_up(reason: str) -> None:
    global _off
    _off = reason
    logger.warning("no fork server in process %s: %s; parses fork directly", os.getpid(), reason)


def _abandon() -> None:
    """Drop a server inherited through a fork: it belongs to the parent process."""
    global _server
    if _server is not None:
        _server.close_sockets()
        _inherited.append(_server)
        _server = None


def _after_fork_in_child() -> None:
    global _lock, _lost
    _lock = threading.Lock()
    _lost = 0
    _abandon()


def _at_exit() -> None:
    """Close the connections and reap the server (it exits at end of file)."""
    server = _server
    if server is not None and server.owner == os.getpid():
        server.close_sockets()
        try:
            server.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            server.discard()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
import atexit  # noqa: E402 - registered next to the at-fork hook

atexit.register(_at_exit)


# --- the server -----------------------------------------------------------------------------------


def serve(fd: int) -> NoReturn:  # pragma: no cover - runs in the server process
    """The server's main loop on the socket ``fd``; exits when the host closes it."""
    code = 0
    try:
        _serve(socket.socket(fileno=fd))
    except BaseException:
        code = 1
    finally:
        os._exit(code)


class _Connection:  # pragma: no cover - the server's side
    """One connection of the host, as the server sees it, and its child while one runs."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.fd = sock.fileno()
        self.pid = 0
        self.pidfd = -1
        self.backstop = 0.0
        self.closed = False


def _serve(control: socket.socket) -> None:  # pragma: no cover - runs in the server process
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.close(os.pidfd_open(os.getpid()))  # needs Linux 5.3: refuse to start without it
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    for module in _PRELOAD:
        importlib.import_module(module)
    from apps.core.untrusted import child_run, warm_up

    gc.freeze()  # what is loaded now stays put: no collection walks (and so copies) it later
    me = os.getpid()
    connections: dict[int, _Connection] = {}  # by socket fd
    running: dict[int, _Connection] = {}  # by pidfd
    poller = select.poll()
    poller.register(control, select.POLLIN)

    def drop(conn: _Connection) -> None:
        """The host closed the connection or went out of step: kill its child, forget it."""
        if conn.closed:
            return
        conn.closed = True
        if conn.pid:
            os.kill(conn.pid, signal.SIGKILL)
            os.waitpid(conn.pid, 0)
            poller.unregister(conn.pidfd)
            del running[conn.pidfd]
            os.close(conn.pidfd)
            conn.pid, conn.pidfd = 0, -1
        poller.unregister(conn.fd)
        del connections[conn.fd]
        conn.sock.close()

    def receive(conn: _Connection) -> None:
        """A message on a connection: a request, a kill, or end of file."""
        message, fds, _flags, _ = socket.recv_fds(conn.sock, _MESSAGE.size, 1)
        if message and len(message) < _MESSAGE.size:
            message += _exact(conn.sock, _MESSAGE.size - len(message), None)
        kind, size, _ = _MESSAGE.unpack(message) if message else (b"", 0, 0)
        if kind == b"K":  # a kill, perhaps crossing its child's exit
            for extra in fds:
                os.close(extra)
            if conn.pid and conn.pid == size:
                os.kill(conn.pid, signal.SIGKILL)
            return
        if kind != b"R" or len(fds) != 1 or conn.pid:
            for extra in fds:
                os.close(extra)
            drop(conn)
            return
        result_fd = fds[0]
        body = _exact(conn.sock, size, None)
        try:
            func, args, budget, timeout = pickle.loads(body)  # noqa: S301 - from our host
        except Exception as exc:
            os.close(result_fd)
            # The type only: a message might quote the arguments.
            reason = type(exc).__name__.encode()
            _send(conn.sock, b"U", 0, len(reason))
            conn.sock.sendall(reason, socket.MSG_NOSIGNAL)
            return
        del body
        with contextlib.suppress(Exception):
            warm_up(func, args)
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                for other in connections.values():
                    other.sock.close()
                for pidfd in running:
                    os.close(pidfd)
                prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
                if os.getppid() != me:  # the server died before the line above
                    os._exit(70)
            except BaseException:
                os._exit(70)
            child_run(result_fd, func, args, budget)
        os.close(result_fd)
        conn.pid, conn.pidfd = pid, os.pidfd_open(pid)
        conn.backstop = time.monotonic() + timeout + _BACKSTOP_SECONDS
        running[conn.pidfd] = conn
        poller.register(conn.pidfd, select.POLLIN)
        _send(conn.sock, b"S", pid)

    def reap(conn: _Connection) -> None:
        reaped, status = os.waitpid(conn.pid, os.WNOHANG)
        if not reaped:
            return
        poller.unregister(conn.pidfd)
        del running[conn.pidfd]
        os.close(conn.pidfd)
        pid, conn.pid, conn.pidfd = conn.pid, 0, -1
        try:
            _send(conn.sock, b"E", pid, status)
        except OSError:
            drop(conn)

    _send(control, b"Y", me)
    try:
        while True:
            backstops = [c.backstop for c in running.values() if c.backstop != float("inf")]
            wait = max(0.0, min(backstops) - time.monotonic()) * 1000 if backstops else None
            events = poller.poll(wait)
            # What each fd meant when poll answered: a handler may close an fd and a later one
            # reuse its number.
            meant = {fd: running.get(fd) or connections.get(fd) for fd, _ in events}
            for fd, _ in events:
                if fd == control.fileno():
                    message, fds, _flags, _ = socket.recv_fds(control, _MESSAGE.size, 1)
                    if message and len(message) < _MESSAGE.size:
                        message += _exact(control, _MESSAGE.size - len(message), None)
                    if len(message) != _MESSAGE.size or message[:1] != b"N" or len(fds) != 1:
                        return  # the host is gone (end of file) or out of step
                    conn = _Connection(socket.socket(fileno=fds[0]))
                    connections[conn.fd] = conn
                    poller.register(conn.fd, select.POLLIN)
                    continue
                target = meant.get(fd)
                if target is None or target.closed:
                    continue
                try:
                    if running.get(fd) is target:
                        reap(target)
                    elif connections.get(fd) is target:
                        receive(target)
                except (_LostError, OSError):
                    drop(target)
            now = time.monotonic()
            for conn in list(running.values()):
                if conn.backstop <= now:  # the host never asked: kill it anyway
                    os.kill(conn.pid, signal.SIGKILL)
                    conn.backstop = float("inf")
    finally:
        for conn in list(connections.values()):
            with contextlib.suppress(OSError):
                drop(conn)
