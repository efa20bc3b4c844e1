"""Malicious files are refused by the core guards before they can exhaust the process.

Each crafted file is a few kilobytes, built in milliseconds (``bad_files``); none is ever
inflated or parsed in the test process.
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any

import pytest

from apps.core.tests.bad_files import (
    MIB,
    HungError,
    cell_range_bomb,
    deadline,
    declared_range_bomb,
    deflated,
    padded,
    sheet,
    unreferenced_cells_bomb,
    workbook,
    zeros,
    zip_bytes,
)
from apps.core.untrusted import IsolatedError, ZipLimits, isolated, open_zip
from apps.core.uploads import CellError, SheetLimits, UploadError, read_workbook

FORM = SheetLimits(rows=20_000, columns=200)
A1 = '<row r="1"><c r="A1"><v>1</v></c></row>'


def _refusal(content: bytes, limits: SheetLimits = FORM) -> str:
    started = time.monotonic()
    with deadline(10), pytest.raises(UploadError) as refused:
        read_workbook(content, limits=limits)
    assert time.monotonic() - started < 5
    return str(refused.value)


def _peak_rss_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


# --- cell ranges ---------------------------------------------------------------------------------


def test_a_workbook_with_cells_a1_and_xfd1048576_is_refused_unparsed() -> None:
    # given the 1.5 KB workbook that made python-calamine allocate 512 GiB and abort
    content = cell_range_bomb()
    assert len(content) < 2048
    # when it is read for a form of 20,000 rows × 200 columns
    message = _refusal(content)
    # then the far cell and the form's limits are named
    assert message == (
        "Лист «Лист1» слишком велик: в нём заполнена ячейка XFD1048576 (строк: 1048576, "
        "столбцов: 16384); в этой форме допускается не более 20000 строк и 200 столбцов. "
        "Удалите лишние строки и столбцы и загрузите файл снова."
    )


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="xfd1048576"><v>1</v></c>',  # lower case
        '<c s="1" r="XFD1048576"><v>1</v></c>',  # the reference not first
        "<c r='XFD1048576'><v>1</v></c>",  # single quotes
        '<x:c r="XFD1048576" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<x:v>1</x:v></x:c>",  # a namespace prefix
    ],
    ids=["lower-case", "not-first", "single-quotes", "prefixed"],
)
def test_the_far_cell_is_found_however_it_is_written(cell: str) -> None:
    # given the far cell written as Excel would not write it
    content = workbook(sheet(A1 + f'<row r="2">{cell}</row>'))
    # when it is read
    message = _refusal(content, SheetLimits(rows=100, columns=10))
    # then it is refused all the same
    assert "заполнена ячейка" in message
    assert "XFD1048576" in message.upper()


def test_a_sheet_declaring_a_huge_size_is_refused() -> None:
    # given one cell in a sheet that declares <dimension ref="A1:XFD1048576"/>
    message = _refusal(declared_range_bomb())
    # then the declared size is named
    assert message.startswith(
        "Лист «Лист1» слишком велик: его размер указан как A1:XFD1048576 (строк: 1048576, "
        "столбцов: 16384); в этой форме допускается не более 20000 строк и 200 столбцов."
    )


def test_the_limits_are_the_forms_own() -> None:
    # given a sheet with a value in B101, read for a form of 100 rows
    content = workbook(sheet(A1 + '<row r="101"><c r="B101"><v>1</v></c></row>'))
    # when it is read for that form, and for a form of 200 rows
    message = _refusal(content, SheetLimits(rows=100, columns=10))
    sheets = read_workbook(content, limits=SheetLimits(rows=200, columns=10))
    # then the first refuses it naming the cell, the second reads it
    assert "заполнена ячейка B101 (строк: 101, столбцов: 2)" in message
    assert "не более 100 строк и 10 столбцов" in message
    assert sheets["Лист1"].cell(101, 2) == 1


def test_styled_empty_cells_beyond_the_limits_do_not_count() -> None:
    # given a sheet whose only far cell is an empty, styled one (readers skip it)
    content = workbook(sheet(A1 + '<row r="900"><c r="Z900" s="1"/></row>'))
    # when it is read for a form of 100 rows × 10 columns
    sheets = read_workbook(content, limits=SheetLimits(rows=100, columns=10))
    # then it is read
    assert sheets["Лист1"].rows == [[1]]


def test_cells_without_references_are_measured_after_parsing() -> None:
    # given a row of 100 cells that carry no reference (valid, if rare)
    content = workbook(sheet('<row r="1">' + "<c><v>1</v></c>" * 100 + "</row>"))
    # when it is read for a form of 50 columns
    message = _refusal(content, SheetLimits(rows=10, columns=50))
    # then the sheet's size as read is refused
    assert message.startswith("Лист «Лист1» слишком велик (строк: 1, столбцов: 100)")


def test_a_parser_blow_up_dies_in_the_child_not_in_the_web_process() -> None:
    # given 16,384 unreferenced cells in row 1 and a cell in row 100,000 (within the form's
    # rows): only the parser learns the sheet is 100,000 × 16,384, and asks for 52 GB at once
    content = unreferenced_cells_bomb(100_000)
    peak = _peak_rss_mib()
    # when it is read for a form of 200,000 rows
    message = _refusal(content, SheetLimits(rows=200_000, columns=30))
    # then it is refused for its memory, and this process never grew
    assert message.startswith("Файл не удалось прочитать: для его разбора нужно больше 1024 МБ")
    assert _peak_rss_mib() - peak < 100


# --- zip bombs -----------------------------------------------------------------------------------


def test_a_workbook_that_inflates_to_300_mib_is_refused_before_inflating() -> None:
    # given a readable workbook with one more part: 300 MiB of zeros in 300 KB
    content = padded(workbook(sheet(A1)), 300)
    assert len(content) < 400 * 1024
    # when it is read
    message = _refusal(content)
    # then the part and the limit are named
    assert message == (
        "Файл слишком велик после распаковки: «xl/media/padding.bin» занимает 300 МБ; "
        "допускается не более 256 МБ на один вложенный файл."
    )


def test_a_workbook_of_many_bombs_within_the_part_limit_is_refused_by_the_ratio() -> None:
    # given two parts of 90 MiB of zeros each (each under the per-part limit)
    content = zip_bytes(
        [
            deflated("[Content_Types].xml", b"<Types/>"),
            zeros("xl/media/a.bin", 90),
            zeros("xl/media/b.bin", 90),
        ]
    )
    # when it is read
    message = _refusal(content)
    # then the compression ratio is refused
    assert message.startswith("Файл слишком велик после распаковки: «xl/media/a.bin» сжат с ")
    assert message.endswith("; допускается не более 200.")


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        (
            ZipLimits(members=2, member_bytes=MIB, total_bytes=MIB, ratio=100),
            "В файле слишком много вложенных файлов: 3; допускается не более 2.",
        ),
        (
            ZipLimits(members=5, member_bytes=1000, total_bytes=MIB, ratio=100),
            "Файл слишком велик после распаковки: «b.xml» занимает 1 КБ; допускается не более "
            "1000 байт на один вложенный файл.",
        ),
        (
            ZipLimits(members=5, member_bytes=MIB, total_bytes=2500, ratio=100),
            "Файл слишком велик после распаковки: 3 КБ; допускается не более 2 КБ.",
        ),
        (
            ZipLimits(members=5, member_bytes=MIB, total_bytes=MIB, ratio=10, ratio_from=512),
            "Файл слишком велик после распаковки: «a.xml» сжат с коэффициентом",
        ),
    ],
)
def test_each_archive_limit_is_checked_from_the_central_directory(
    limits: ZipLimits, expected: str
) -> None:
    # given three members of 1,000, 1,200 and 1,000 bytes (repetitive: they compress well)
    content = zip_bytes(
        [
            deflated("a.xml", b"a" * 1000),
            deflated("b.xml", b"b" * 1200),
            deflated("c.xml", b"c" * 1000),
        ]
    )
    # when it is opened under the limits
    with pytest.raises(UploadError) as refused:
        open_zip(content, limits)
    # then the limit broken first is named
    assert str(refused.value).startswith(expected)


def test_a_zip_of_100_000_entries_is_refused_before_its_directory_is_parsed() -> None:
    # given a zip with 100,000 empty members (zipfile needs seconds for such a directory)
    empty = deflated("x", b"")
    content = zip_bytes(empty for _ in range(100_000))
    # when it is opened
    started = time.monotonic()
    with pytest.raises(UploadError) as refused:
        open_zip(content, ZipLimits(members=1000, member_bytes=MIB, total_bytes=MIB, ratio=100))
    # then it is refused by counting, at once
    assert str(refused.value) == (
        "В файле слишком много вложенных файлов: 100000; допускается не более 1000."
    )
    assert time.monotonic() - started < 1


# --- the isolated child --------------------------------------------------------------------------


def _refuse() -> None:
    raise UploadError([CellError(3, 2, "плохая ячейка")])


def _allocate(n: int) -> int:
    return len(bytearray(n))


def _boom() -> None:
    raise KeyError("a bug")


def test_isolated_returns_the_result_and_passes_refusals_through() -> None:
    # when a function returns, and another refuses
    result = isolated(sorted, [3, 1, 2])
    with pytest.raises(UploadError) as refused:
        isolated(_refuse)
    # then the result and the refusal come back as they were
    assert result == [1, 2, 3]
    assert refused.value.errors == [CellError(3, 2, "плохая ячейка")]


SEEN: list[int] = []


def _remember(n: int) -> int:
    SEEN.append(n)
    return len(SEEN)


def test_isolated_keeps_the_childs_changes_in_the_child() -> None:
    # given a list the child appends to
    # when the child changes it
    length = isolated(_remember, 1)
    # then the child saw its change, and the parent's list is untouched
    assert length == 1
    assert SEEN == []


def test_isolated_refuses_a_child_that_outgrows_its_memory() -> None:
    # given a child allowed 64 MiB more
    # when it asks for 1 GiB
    with pytest.raises(UploadError) as refused:
        isolated(_allocate, 1024 * MIB, memory_bytes=64 * MIB)
    # then the upload is refused, naming the budget
    assert str(refused.value).startswith(
        "Файл не удалось прочитать: для его разбора нужно больше 64 МБ памяти."
    )


def test_isolated_refuses_a_child_that_aborts() -> None:
    # when the child aborts (as python-calamine does when an allocation fails)
    with pytest.raises(UploadError) as refused:
        isolated(os.abort)
    # then the upload is refused
    assert str(refused.value).startswith("Файл не удалось прочитать")


def test_isolated_stops_a_child_past_its_deadline() -> None:
    # when the child runs longer than allowed
    started = time.monotonic()
    with pytest.raises(UploadError) as refused:
        isolated(time.sleep, 30, timeout=0.5)
    # then it is killed and the upload refused, in about the deadline
    assert str(refused.value).startswith("Файл не удалось прочитать за 0.5 с")
    assert time.monotonic() - started < 5


def test_isolated_kills_the_child_when_the_caller_is_interrupted(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    # given a child forked directly (the fork server's case: test_untrusted_forkserver.py),
    # and its pid, as the parent sees it
    settings.PARSE_FORK_SERVER = False
    forked: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    # when the caller is interrupted while it waits (a worker timeout, say)
    started = time.monotonic()
    with pytest.raises(HungError), deadline(0.5):
        isolated(time.sleep, 30)
    # then the call ends at once; the child is killed and reaped, not left behind
    assert time.monotonic() - started < 5
    assert len(forked) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(forked[0], os.WNOHANG)


def test_isolated_reports_a_bug_as_a_bug() -> None:
    # when the child's function fails for a reason that is not the file
    with pytest.raises(IsolatedError) as failed:
        isolated(_boom)
    # then the parent gets its traceback
    assert "KeyError: 'a bug'" in str(failed.value)
