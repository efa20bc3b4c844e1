"""Reading untrusted files without letting them take the process down.

Every upload path uses these two guards (``core.uploads.read_workbook`` for xlsx, the materials
zip readers for archives):

* ``open_zip`` bounds what an archive may inflate to — the number of members, the bytes of one
  member, the bytes of all of them and the compression ratio — from its central directory,
  before a single byte is inflated. Python's ``zipfile`` never inflates a member past the size
  the central directory declares, so for the code that reads through ``zipfile`` these bounds
  are the real ones;
* ``isolated`` runs a parser in a child process with an address-space limit and a deadline. A
  parser that tries to allocate hundreds of gigabytes (python-calamine making a dense grid of a
  sheet whose only cells are A1 and XFD1048576), believes a lying size, or loops, kills the child
  only; the upload is refused with a Russian message and the web worker carries on. The child is
  forked by a small fork server (``core.forkserver``, ADR 0029) rather than by the big worker
  process, or by the worker itself whenever the server cannot take the call.

Refusals are ``UploadError`` with a message that names the limit.
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
import os
import pickle
import resource
import signal
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from apps.core import forkserver
from apps.core.forkserver import HEADER, collect, write_all
from apps.core.uploads import SheetLimits, UploadError, _parse_workbook, file_error

logger = logging.getLogger(__name__)

T = TypeVar("T")

MIB = 1 << 20
# What a parser may add to the child's address space. The largest legitimate upload (a region's
# application summary: 200,000 rows) needs about a third of it.
PARSE_MEMORY_BYTES = 1024 * MIB
# Wall time for one parse; a 10,000-row results form takes well under a second.
PARSE_TIMEOUT_SECONDS = 30.0
# Every central directory entry starts with this signature; ``zipfile`` checks it per entry, so
# counting it bounds the entries ``zipfile`` can build before it builds them.
_CENTRAL_ENTRY = b"PK\x01\x02"


@dataclass(frozen=True)
class ZipLimits:
    """What an uploaded archive may hold once inflated.

    ``ratio`` applies to members bigger than ``ratio_from`` bytes: a few kilobytes of repetitive
    XML may compress a hundredfold and hurt nobody.
    """

    members: int
    member_bytes: int
    total_bytes: int
    ratio: int
    ratio_from: int = MIB


# What an uploaded workbook may inflate to. The biggest form, a region's application summary,
# may hold 200,000 rows: as openpyxl writes it (inline strings, Cyrillic as character
# references) its sheet part is up to about 200 MB. Real sheets compress 5–30-fold, a zip bomb
# a thousandfold.
XLSX_ZIP_LIMITS = ZipLimits(members=1_000, member_bytes=256 * MIB, total_bytes=320 * MIB, ratio=200)


def size_text(n: int) -> str:
    """A byte count for a Russian message: «300 МБ», «512 КБ», «100 байт»."""
    if n >= 10 * MIB:
        return f"{n // MIB} МБ"
    if n >= MIB:
        return f"{n / MIB:.1f} МБ".replace(".", ",")
    if n >= 1024:
        return f"{n // 1024} КБ"
    return f"{n} байт"


def _member_name(name: str) -> str:
    return name if len(name) <= 60 else name[:57] + "…"


def zip_limit_errors(infos: list[zipfile.ZipInfo], limits: ZipLimits) -> UploadError | None:
    """The first limit the central directory breaks, or None."""
    total = 0
    for info in infos:
        name, size = _member_name(info.filename), info.file_size
        if size > limits.member_bytes:
            return file_error(
                f"Файл слишком велик после распаковки: «{name}» занимает {size_text(size)}; "
                f"допускается не более {size_text(limits.member_bytes)} на один вложенный файл."
            )
        ratio = size // max(info.compress_size, 1)
        if size > limits.ratio_from and ratio > limits.ratio:
            return file_error(
                f"Файл слишком велик после распаковки: «{name}» сжат с коэффициентом {ratio} "
                f"({size_text(info.compress_size)} → {size_text(size)}); допускается не более "
                f"{limits.ratio}."
            )
        total += size
    if total > limits.total_bytes:
        return file_error(
            f"Файл слишком велик после распаковки: {size_text(total)}; допускается не более "
            f"{size_text(limits.total_bytes)}."
        )
    return None


def open_zip(content: bytes, limits: ZipLimits) -> zipfile.ZipFile:
    """The archive, opened, once its central directory is within ``limits``.

    Raises ``UploadError`` naming the broken limit, or ``zipfile.BadZipFile`` (callers have their
    own words for a broken archive). Nothing is inflated here.
    """
    # Counted before zipfile parses the directory: half a million entries cost seconds and
    # hundreds of megabytes of ZipInfo objects (a 50 MB upload holds that many).
    entries = content.count(_CENTRAL_ENTRY)
    if entries > limits.members:
        raise file_error(_too_many(entries, limits))
    archive = zipfile.ZipFile(io.BytesIO(content))
    infos = archive.infolist()
    refused: UploadError | None = None
    if len(infos) > limits.members:
        refused = file_error(_too_many(len(infos), limits))
    else:
        refused = zip_limit_errors(infos, limits)
    if refused is not None:
        archive.close()
        raise refused
    return archive


def _too_many(count: int, limits: ZipLimits) -> str:
    return (
        f"В файле слишком много вложенных файлов: {count}; допускается не более {limits.members}."
    )


# --- the child process ---------------------------------------------------------------------------


class IsolatedError(RuntimeError):
    """The isolated function raised something other than ``UploadError``: a bug, not the file."""


def _memory_message(budget: int) -> str:
    return (
        "Файл не удалось прочитать: для его разбора нужно больше "
        f"{size_text(budget)} памяти. Проверьте, что в книге нет лишних заполненных строк и "
        "столбцов (например, значения далеко за пределами таблицы), и загрузите файл снова."
    )


def _timeout_message(seconds: float) -> str:
    return (
        f"Файл не удалось прочитать за {seconds:g} с: он слишком сложный. Проверьте, что в "
        "книге нет лишних строк, столбцов и листов, и загрузите файл снова."
    )


def isolated(
    func: Callable[..., T],
    *args: Any,
    memory_bytes: int = PARSE_MEMORY_BYTES,
    timeout: float = PARSE_TIMEOUT_SECONDS,
) -> T:
    """``func(*args)`` computed in a child process that may grow by at most ``memory_bytes`` and
    must finish within ``timeout`` seconds; its result comes back pickled.

    ``UploadError`` raised by ``func`` is raised here with the same errors. A child that runs
    out of memory, is killed or aborts (python-calamine aborts when an allocation fails) or
    runs past the deadline becomes an ``UploadError`` with a Russian message; anything else
    ``func`` raises becomes ``IsolatedError``. The child is forked by this process's fork server
    (``core.forkserver``, ADR 0029), or by this process itself when the server cannot take the
    call or ``settings.PARSE_FORK_SERVER`` is False: the outcome is the same. ``func`` must be a
    module-level function and ``args`` picklable (``TypeError`` otherwise, on either path); the
    result must be picklable. Without ``os.fork`` (not Linux) ``func`` runs in-process.
    """
    name = _reference(func)
    if not hasattr(os, "fork"):  # pragma: no cover - production and CI are Linux
        return func(*args)
    try:
        request = pickle.dumps(
            (func, args, memory_bytes, timeout), protocol=pickle.HIGHEST_PROTOCOL
        )
    except Exception as exc:
        raise TypeError(
            f"isolated({name}): the arguments must be picklable ({type(exc).__name__}: {exc})"
        ) from None
    served = forkserver.run(request, timeout, name) if _fork_server_wanted() else None
    payload, status = served if served is not None else _forked(func, args, memory_bytes, timeout)
    if payload is None:
        logger.warning("isolated parse of %s ran past %s s", name, timeout)
        raise file_error(_timeout_message(timeout))
    try:
        kind, value = pickle.loads(payload)  # noqa: S301 - bytes written by our own child
    except Exception:
        # An empty or cut payload: the child died, most likely on an allocation that failed.
        logger.warning("isolated parse of %s died (wait status %s)", name, status)
        raise file_error(_memory_message(memory_bytes)) from None
    if kind == "ok":
        result: T = value
        return result
    if kind == "refused":
        raise UploadError(value)
    if kind == "memory":
        logger.warning("isolated parse of %s ran out of memory", name)
        raise file_error(_memory_message(memory_bytes))
    raise IsolatedError(f"{name} failed in the isolated child:\n{value}")


def _reference(func: Callable[..., Any]) -> str:
    """``module.qualname`` of a module-level function (what pickle sends by reference);
    ``TypeError`` for anything else: a lambda, a nested function, a bound method, a partial."""
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str) and "<" not in qualname:
        found: Any = sys.modules.get(module)
        for part in qualname.split("."):
            found = getattr(found, part, None)
        if found is func:
            return f"{module}.{qualname}"
    raise TypeError(f"isolated() runs a module-level function, not {func!r}")


def _fork_server_wanted() -> bool:
    from django.conf import settings

    return not settings.configured or bool(getattr(settings, "PARSE_FORK_SERVER", True))


def _forked(
    func: Callable[..., Any], args: tuple[Any, ...], memory_bytes: int, timeout: float
) -> tuple[bytes | None, int | None]:
    """The payload (as ``forkserver.collect``) and wait status of a child forked right here."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its outcome is asserted through the parent
        child_run(write_fd, func, args, memory_bytes, close=(read_fd,))
    os.close(write_fd)
    payload: bytes | None = None
    try:
        payload = collect(read_fd, timeout)
    finally:
        # Whatever happens here (even a signal raising in the parent), the child does not
        # outlive the call.
        os.close(read_fd)
        status = _reap(pid, kill=payload is None)
    return payload, status


def _reap(pid: int, *, kill: bool) -> int | None:
    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:  # SIGCHLD ignored by the host process: reaped already
        return None


def _limit_memory(budget: int) -> None:
    """Cap the child's address space at its current size plus ``budget``."""
    try:
        # Read raw: a text file's machinery costs a fresh child ~0.8 ms (its buffers' pages).
        statm = os.open("/proc/self/statm", os.O_RDONLY)
        try:
            current = int(os.read(statm, 256).split()[0]) * os.sysconf("SC_PAGE_SIZE")
        finally:
            os.close(statm)
    except (OSError, ValueError, IndexError):  # pragma: no cover - no procfs: deadline only
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + budget
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def child_run(  # pragma: no cover - runs in the forked child only
    write_fd: int,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    budget: int,
    *,
    close: tuple[int, ...] = (),
) -> NoReturn:
    """Run ``func`` under the limits, write the pickled outcome, and leave without running any
    of the parent's clean-up (atexit handlers, open database connections, buffered files).
    The child of a direct fork and the fork server's child both end here."""
    code = 70
    try:
        # A collection would walk (and so copy, page by page) the whole inherited heap; the
        # child is short-lived and its memory capped, so it does without.
        gc.disable()
        for fd in close:
            os.close(fd)
        # The host's handlers (gunicorn's, Celery's) and its wake-up pipe are not the child's.
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGABRT):
            signal.signal(signum, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort leaves no core file
        _limit_memory(budget)
        outcome: tuple[str, Any]
        try:
            outcome = ("ok", func(*args))
        except UploadError as exc:
            outcome = ("refused", exc.errors)
        except MemoryError:
            outcome = ("memory", None)
        except Exception as exc:
            import traceback

            outcome = ("error", "".join(traceback.format_exception(exc)))
        try:
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory", None))
        write_all(write_fd, HEADER.pack(len(data)))
        write_all(write_fd, data)
        code = 0
    finally:
        os._exit(code)


# --- the fork server's warm-up -------------------------------------------------------------------

# A workbook of one sheet and two cells, written as openpyxl writes the forms (inline strings,
# a styles part): parsed by the fork server itself, never by a child.
_SAMPLE_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
        'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="'
        'application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        "schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
        '" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships"><sheets><sheet name="Лист" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="'
        'worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/>'
        '</font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" '
        'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"'
        ' fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0"'
        ' borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>'
    ),
    "xl/worksheets/sheet1.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main"><dimension ref="A1:C1"/><sheetData><row r="1"><c r="A1" '
        't="inlineStr"><is><t>код</t></is></c><c r="B1"><v>1</v></c><c r="C1" s="1"><v>1</v>'
        "</c></row></sheetData></worksheet>"
    ),
}
_warmed: set[SheetLimits] = set()


def warm_up(func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Run by the fork server before it forks for ``func(*args)``: fill, once, the caches the
    child would otherwise fill on every call and lose (compiled patterns — ``re``'s and the
    per-limits ones of ``core.uploads`` —, python-calamine's first-use set-up), by parsing a
    built-in workbook of two cells. Caches only: a child's outcome does not change."""
    if func is not _parse_workbook or len(args) != 2 or not isinstance(args[1], SheetLimits):
        return
    limits = args[1]
    if limits in _warmed:
        return
    _warmed.add(limits)
    sample = io.BytesIO()
    with zipfile.ZipFile(sample, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in _SAMPLE_PARTS.items():
            archive.writestr(name, part)
    with contextlib.suppress(Exception):  # a form whose limits refuse two cells: nothing to warm
        _parse_workbook(sample.getvalue(), limits)
