"""The participant-code xlsx: written in one pass with fixed timestamps (``xlsx._save``), it is
the same bytes as openpyxl's own save made deterministic afterwards (the way it was built
before issue 18), with and without a class register, and it reads back. Written from a template
per sheet shape (``xlsx._template``) with only the rows written per build, it is the same bytes
as openpyxl writing the whole workbook, for any codes, titles and class labels."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable, Sequence
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from apps.core.xlsx import HEADER_FILL, HEADER_FONT, set_text, table_workbook
from apps.materials import xlsx
from apps.materials.pdf import CodeEntry, code_sections

TITLE = "Коды участников ВПР, 4 класс, ОО edu1"


def _reference(title: str, codes: Sequence[CodeEntry]) -> bytes:
    """The code list as it was built before: openpyxl's ``save`` (a temporary file for the
    sheet, the time stamped), then ``deterministic``."""
    if not any(c.class_label for c in codes):
        return xlsx.deterministic(
            table_workbook(
                sheet_title="Коды участников",
                title=title,
                headers=xlsx.CODE_HEADERS,
                rows=([c.code, c.class_number or "", "да" if c.reserve else ""] for c in codes),
                widths=xlsx.CODE_WIDTHS,
            )
        )
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for label, entries in code_sections(codes):
        ws = wb.create_sheet(label[:31] or "Без класса")
        set_text(ws, 1, 1, f"{title}, класс {label}" if label else title)
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        for col, header in enumerate(xlsx.CODE_HEADERS, start=1):
            set_text(ws, 3, col, header)
            cell = ws.cell(row=3, column=col)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = ws.cell(row=4, column=1)
        for row_no, c in enumerate(entries, start=4):
            for col, value in enumerate(
                [c.code, c.class_number or "", "да" if c.reserve else ""], start=1
            ):
                set_text(ws, row_no, col, value)
        for col, width in enumerate(xlsx.CODE_WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return xlsx.deterministic(buffer.getvalue())


GRADE = [CodeEntry(f"{40000 + n}", 1 + n // 25, n % 25 > 21) for n in range(75)]
BY_CLASS = [
    CodeEntry(f"{50000 + n}", 1 + n // 20, n % 20 > 16, f"4{'АБВ'[n // 20]}") for n in range(60)
]
NO_CLASS = [CodeEntry("=1+1", None, False), CodeEntry("12345", None, True)]


@pytest.mark.parametrize(
    "codes", [GRADE, BY_CLASS, NO_CLASS, []], ids=["grade", "classes", "bare", "none"]
)
def test_the_code_list_is_openpyxls_save_made_deterministic(codes: list[CodeEntry]) -> None:
    # given a code list, built now
    built = xlsx.code_list_xlsx(title=TITLE, codes=codes)
    # when it is built the way it was before, a second later (openpyxl stamps the time)
    time.sleep(1.1)
    reference = _reference(TITLE, codes)
    # then the bytes are the same, and every entry carries the fixed date
    assert built == reference
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(built)).infolist()} == {xlsx.ZIP_DATE}
    assert xlsx.FIXED_STAMP.encode() in zipfile.ZipFile(io.BytesIO(built)).read(xlsx.CORE)


def test_the_code_list_reads_back() -> None:
    book = load_workbook(io.BytesIO(xlsx.code_list_xlsx(title=TITLE, codes=BY_CLASS)))
    assert book.sheetnames == ["4А", "4Б", "4В"]
    sheet = book["4Б"]
    assert sheet["A1"].value == f"{TITLE}, класс 4Б"
    assert [c.value for c in sheet[4]] == ["50020", 2, None]
    assert sheet["A1"].data_type == "s"
    assert sheet.freeze_panes == "A4"


# Text as a school code, a campaign label or a class label may carry it: Cyrillic, spaces at the
# ends, XML's special characters, characters past the BMP; and what goes through openpyxl
# instead: control characters (openpyxl refuses them or lxml escapes them its own way) and what
# XML does not allow (lxml refuses U+FFFE, U+FFFF).
_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("0123456789АБВабвЁё -&<>\"'=]]>\u00a0\u2003\U0001f600"),
        st.sampled_from("\t\n\r\x01\x7f\x85\ufffe\uffff"),
        st.characters(codec="utf-8"),
    ),
    max_size=12,
)
_LABEL = st.sampled_from(["4А", "4Б", "", "8 В", "4А"])
_ENTRY = st.builds(
    CodeEntry,
    _TEXT,
    st.one_of(st.none(), st.integers(min_value=0, max_value=2**40)),
    st.booleans(),
    _LABEL,
)


def _outcome(build: Callable[..., bytes], **kwargs: Any) -> bytes | str:
    try:
        return build(**kwargs)
    except Exception as exc:  # the same refusal either way
        return type(exc).__name__


@settings(max_examples=300, deadline=None)
@given(title=_TEXT, codes=st.lists(_ENTRY, max_size=6), labelled=st.booleans())
def test_the_template_path_is_openpyxls_bytes_for_any_codes(
    title: str, codes: list[CodeEntry], labelled: bool
) -> None:
    # given any title and codes, with class labels (a register) or without
    if not labelled:
        codes = [CodeEntry(c.code, c.class_number, c.reserve) for c in codes]
    # when the code list is built, and built by openpyxl as a whole
    built = _outcome(xlsx.code_list_xlsx, title=title, codes=codes)
    whole = _outcome(xlsx._code_list_openpyxl, title=title, codes=codes)
    # then the bytes are the same (or both refuse the text)
    assert built == whole


def test_the_template_path_skips_openpyxl_and_falls_back_for_control_characters() -> None:
    # given a code list built once (its template made), and openpyxl's writer watched
    xlsx.code_list_xlsx(title=TITLE, codes=BY_CLASS)
    with mock.patch.object(xlsx, "_save", wraps=xlsx._save) as save:
        # when the same shape is built again, with other codes and another title
        codes = [
            CodeEntry(f"{c.code}9", c.class_number, c.reserve, c.class_label) for c in BY_CLASS
        ]
        built = xlsx.code_list_xlsx(title=f"{TITLE}2", codes=codes)
        # then openpyxl wrote nothing, and the bytes are openpyxl's
        assert save.call_count == 0
        assert built == _reference(f"{TITLE}2", codes)
        # and a code with a tab (lxml writes it itself) goes through openpyxl, the same bytes
        tabbed = [CodeEntry("1\t2", 1, False), *GRADE]
        assert xlsx.code_list_xlsx(title=TITLE, codes=tabbed) == _reference(TITLE, tabbed)
        assert save.call_count == 1
        # and a character XML does not allow is refused, as openpyxl refuses it
        with pytest.raises(ValueError, match="XML compatible"):
            xlsx.code_list_xlsx(title=TITLE, codes=[CodeEntry("1\ufffe", 1, False)])


def test_a_template_is_the_same_cold_or_warm_and_per_shape() -> None:
    # given the templates forgotten
    xlsx._template.cache_clear()
    # when lists of different shapes are built cold, then warm in another order
    shapes = [GRADE, BY_CLASS, BY_CLASS[:20], NO_CLASS, []]
    cold = [xlsx.code_list_xlsx(title=TITLE, codes=c) for c in shapes]
    warm = [xlsx.code_list_xlsx(title=TITLE, codes=c) for c in reversed(shapes)]
    # then every list is the same bytes both times and openpyxl's own
    assert cold == list(reversed(warm))
    assert cold == [_reference(TITLE, c) for c in shapes]
    # and one template per shape is kept (one sheet; classes 4А–4В; class 4А), bounded
    assert xlsx._template.cache_info().currsize == 3
    assert xlsx._template.cache_info().maxsize == 64
