"""The ФИС ОКО results form: build it (openpyxl) and validate a filled one (python-calamine).

Pure functions: a ``FormSpec`` and bytes in, bytes or rows plus ``CellError``s out; no ORM.

Layout (2026): file «Форма сбора результатов <Предмет> <N> класс ВПР <YYYY>.xlsx», sheets
«Протокол», «Служебный» (dropdown lists and which school and work the form is for) and
«Порядковый номер класса» (1..50). Row 1 of «Протокол»: «Код участника», «Вариант», one column
per task column «<label> (<max>б)», «Порядковый номер класса», «Отметка за предыдущий триместр/
четверть/полугодие», «Итого баллов» — the one formula the portal ever writes (X counts 0).

The portal never receives names: a cell shaped like a person's name anywhere in the workbook,
or any extra column, refuses the whole file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from itertools import chain
from operator import getitem, ne
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from apps.core.uploads import (
    CellError,
    Sheet,
    SheetLimits,
    UploadError,
    collection_paused,
    read_workbook,
    text,
)
from apps.core.xlsx import set_text
from apps.results import constants as k
from apps.results.form_kind import RESULTS, wrong_form_message

# --- the form as data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A task column of the work: «9.1» worth at most 1 point."""

    label: str
    max_score: int

    @property
    def header(self) -> str:
        return f"{self.label} ({self.max_score}б)"


@dataclass(frozen=True)
class Prefill:
    """A participant code written into a fresh form (with its class, when codes are per class)."""

    code: str
    class_number: int | None = None


@dataclass(frozen=True)
class FormClass:
    """A class of the school's register that writes the work: its «Порядковый номер класса»,
    label («4А») and pupils, and how many rows it may have in the form (its confirmed
    participants plus its reserve codes)."""

    number: int
    label: str
    pupils: int
    limit: int


@dataclass(frozen=True)
class FormSpec:
    """Everything the form of one school × work depends on."""

    subject: str
    grade: int
    year: int
    work_key: str
    school_code: str
    columns: tuple[Column, ...]
    variants: int
    issued: frozenset[str] = frozenset()
    prefill: tuple[Prefill, ...] = ()
    # The session word («весна» / «осень»): the forms of two sessions of a year differ by name.
    session: str = ""
    # The register's classes writing the work; None when the school has no register for the
    # campaign (then any number 1–50 is accepted, as before the registers).
    classes: tuple[FormClass, ...] | None = None

    @cached_property
    def class_numbers(self) -> frozenset[int]:
        return frozenset(c.number for c in self.classes or ())

    @cached_property
    def code_classes(self) -> dict[str, int]:
        """The class each participant code belongs to (codes issued per class only): its
        class's current number, so a renumbered class keeps its codes."""
        return {p.code: p.class_number for p in self.prefill if p.class_number is not None}

    @property
    def headers(self) -> list[str]:
        return [
            k.HEAD_CODE,
            k.HEAD_VARIANT,
            *(c.header for c in self.columns),
            k.HEAD_CLASS,
            k.HEAD_MARK,
            k.HEAD_TOTAL,
        ]

    @property
    def file_name(self) -> str:
        return f"Форма сбора результатов {self.subject} {self.grade} класс {self.campaign}.xlsx"

    @property
    def campaign(self) -> str:
        return f"ВПР {self.year}, {self.session}" if self.session else f"ВПР {self.year}"

    @property
    def work_title(self) -> str:
        return f"{self.subject}, {self.grade} класс, {self.campaign}"

    # 1-based column numbers of the «Протокол» sheet
    @property
    def col_class(self) -> int:
        return 3 + len(self.columns)

    @property
    def col_mark(self) -> int:
        return 4 + len(self.columns)

    @property
    def col_total(self) -> int:
        return 5 + len(self.columns)


@dataclass(frozen=True)
class Row:
    """One participant's line. ``scores`` holds None for «X»; an absent participant has none.
    ``journal_mark`` is 2..5, 0 for «нет отметки», None when not given (absent only)."""

    code: str
    absent: bool
    variant: int | None
    scores: tuple[int | None, ...]
    class_number: int | None
    journal_mark: int | None
    line: int = field(default=0, compare=False)

    @property
    def primary_score(self) -> int | None:
        if self.absent:
            return None
        return sum(filter(None, self.scores))  # «X» (None) counts 0

    def values(self, width: int) -> list[Any]:
        """The row as form cells up to the mark (``width`` task columns), as typed in the form."""
        variant: Any = k.ABSENT if self.absent else self.variant
        scores: list[Any] = (
            [None] * width
            if self.absent
            else [k.NOT_ATTEMPTED if s is None else s for s in self.scores]
        )
        mark: Any = None
        if self.journal_mark == 0:
            mark = k.NO_MARK
        elif self.journal_mark is not None:
            mark = self.journal_mark
        return [self.code, variant, *scores, self.class_number, mark]


# --- snapshots and diffs (what versions keep and compare) -----------------------------------


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value)


def snapshot(spec: FormSpec, rows: Iterable[Row]) -> dict[str, Any]:
    """The normalised content of an upload: headers, and each code's cells as text."""
    out: dict[str, list[str]] = {}
    blank = [""] * len(spec.columns)
    # ``Row.values`` (but the code) as ``_cell_text`` gives them, without the list in between.
    for row in rows:
        if row.absent:
            variant, scores = k.ABSENT, blank
        else:
            variant = "" if row.variant is None else str(row.variant)
            scores = [k.NOT_ATTEMPTED if s is None else str(s) for s in row.scores]
        mark = row.journal_mark
        out[row.code] = [
            variant,
            *scores,
            "" if row.class_number is None else str(row.class_number),
            "" if mark is None else k.NO_MARK if mark == 0 else str(mark),
        ]
    return {"headers": spec.headers[1:-1], "rows": out}


@dataclass(frozen=True)
class CellChange:
    code: str
    column: str
    old: str
    new: str


class Diff:
    """What changed from one version to the next: participants added and removed, and every
    changed cell of the participants present in both.

    ``changed`` lists the cells when first read (the version page); an upload records only the
    counts, which are counted without making a ``CellChange`` per cell."""

    def __init__(
        self,
        added: list[str],
        removed: list[str],
        changed: list[CellChange] | Callable[[], list[CellChange]],
        changed_count: int | None = None,
    ) -> None:
        self.added = added
        self.removed = removed
        if callable(changed):
            if changed_count is None:
                raise TypeError("a lazy listing of changed cells needs their count")
            self._listing: Callable[[], list[CellChange]] | None = changed
            self.changed_count = changed_count
        else:
            self._listing = None
            self.__dict__["changed"] = changed
            self.changed_count = len(changed)

    @cached_property
    def changed(self) -> list[CellChange]:
        # (a listing given as a list is already in ``__dict__``: this runs for a lazy one only)
        return self._listing() if self._listing is not None else []

    def __repr__(self) -> str:
        return f"Diff(added={self.added!r}, removed={self.removed!r}, changed={self.changed!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Diff):
            return NotImplemented
        return (self.added, self.removed, self.changed) == (
            other.added,
            other.removed,
            other.changed,
        )

    __hash__ = None  # type: ignore[assignment]  # (as the dataclass it was)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": self.changed_count,
        }

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed_count)


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> Diff:
    """Compare two snapshots cell by cell (columns matched by header)."""
    return rows_diff(
        (old or {}).get("rows", {}),
        new.get("rows", {}),
        (old or {}).get("headers", new.get("headers", [])),
        new.get("headers", []),
    )


_TEXT_ONLY = frozenset({str})


def rows_diff(
    old_rows: Mapping[str, Sequence[Any]],
    new_rows: Mapping[str, Sequence[Any]],
    old_heads: Sequence[str],
    new_heads: Sequence[str],
) -> Diff:
    """Compare two tables keyed by participant code: codes added and removed, and every changed
    cell (as text) of the codes in both; columns are matched by header. Shared by the results
    and the context-data versions.

    The changed cells are counted here and listed only when asked for (``Diff.changed``, from
    the same tables: snapshots are never changed in place)."""
    common = set(old_rows) & set(new_rows)
    heads = list(new_heads)
    same_heads = list(old_heads) == heads and len(set(heads)) == len(heads)
    count = None
    if same_heads and _texts_only(old_rows, common) and _texts_only(new_rows, common):
        # The usual case (the same distinct headers, every cell a text): a cell changed is a
        # position whose texts differ, as ``_changed_cells`` compares them. Rows of another
        # length are compared by header there, so they are counted there.
        count = 0
        width = len(heads)
        for code in common:
            old, new = old_rows[code], new_rows[code]
            if old == new:
                continue
            if len(old) == len(new) == width:
                count += sum(map(ne, old, new))
            else:
                count += len(_changed_cells(code, old, new, old_heads, new_heads, same_heads))
    listing = partial(
        _changed_list, old_rows, new_rows, sorted(common), old_heads, new_heads, same_heads
    )
    changed: list[CellChange] | Callable[[], list[CellChange]] = (
        listing() if count is None else listing
    )
    return Diff(
        added=sorted(set(new_rows) - set(old_rows)),
        removed=sorted(set(old_rows) - set(new_rows)),
        changed=changed,
        changed_count=count,
    )


def _texts_only(rows: Mapping[str, Sequence[Any]], codes: set[str]) -> bool:
    return set(map(type, chain.from_iterable(rows[code] for code in codes))) <= _TEXT_ONLY


def _changed_list(
    old_rows: Mapping[str, Sequence[Any]],
    new_rows: Mapping[str, Sequence[Any]],
    codes: list[str],
    old_heads: Sequence[str],
    new_heads: Sequence[str],
    same_heads: bool,
) -> list[CellChange]:
    changed: list[CellChange] = []
    for code in codes:
        changed += _changed_cells(
            code, old_rows[code], new_rows[code], old_heads, new_heads, same_heads
        )
    return changed


def _changed_cells(
    code: str,
    old: Sequence[Any],
    new: Sequence[Any],
    old_heads: Sequence[str],
    new_heads: Sequence[str],
    same_heads: bool,
) -> list[CellChange]:
    """The changed cells of one code, in the order of the new headers (then the old ones)."""
    if same_heads and old == new and set(map(type, old)) <= _TEXT_ONLY:
        return []  # the same texts under the same headers: no changed cell
    changed = []
    if same_heads and len(old) == len(new) == len(new_heads):
        for head, a, b in zip(new_heads, old, new, strict=True):
            if a is b or (a.__class__ is str and b.__class__ is str and a == b):
                continue  # the same text
            a, b = _cell_text(a), _cell_text(b)
            if a != b:
                changed.append(CellChange(code, head, a, b))
        return changed
    before = dict(zip(old_heads, old, strict=False))
    after = dict(zip(new_heads, new, strict=False))
    for head in [*new_heads, *(h for h in old_heads if h not in after)]:
        a, b = _cell_text(before.get(head)), _cell_text(after.get(head))
        if a != b:
            changed.append(CellChange(code, head, a, b))
    return changed


# --- building the form -----------------------------------------------------------------------

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_OPEN = Protection(locked=False)


def _list_validation(source: str, title: str, message: str) -> DataValidation:
    dv = DataValidation(type="list", formula1=source, allow_blank=True)
    dv.showErrorMessage = True
    dv.errorTitle = title
    dv.error = message
    dv.showInputMessage = False
    return dv


def _service_sheet(wb: Workbook, spec: FormSpec) -> dict[str, str]:
    """The dropdown lists (and the form's school and work); returns list ranges by name."""
    ws = wb.create_sheet(k.SHEET_SERVICE)
    ranges: dict[str, str] = {}
    sheet = f"'{k.SHEET_SERVICE}'"
    variants: list[Any] = [*range(1, spec.variants + 1), k.ABSENT]
    set_text(ws, 1, 1, k.HEAD_VARIANT)
    for i, value in enumerate(variants, start=2):
        set_text(ws, i, 1, value)
    ranges["variant"] = f"{sheet}!$A$2:$A${len(variants) + 1}"
    marks: list[Any] = [*k.MARKS, k.NO_MARK]
    set_text(ws, 1, 2, "Отметка")
    for i, value in enumerate(marks, start=2):
        set_text(ws, i, 2, value)
    ranges["mark"] = f"{sheet}!$B$2:$B${len(marks) + 1}"
    col = 3
    for maximum in sorted({c.max_score for c in spec.columns}):
        letter = get_column_letter(col)
        set_text(ws, 1, col, f"Балл 0–{maximum}")
        values: list[Any] = [*range(maximum + 1), k.NOT_ATTEMPTED]
        for i, value in enumerate(values, start=2):
            set_text(ws, i, col, value)
        ranges[f"score{maximum}"] = f"{sheet}!${letter}$2:${letter}${len(values) + 1}"
        col += 1
    meta_col = col + 1
    for i, (name, value) in enumerate(
        (
            (k.META_SCHOOL, spec.school_code),
            (k.META_WORK, spec.work_title),
            (k.META_WORK_KEY, spec.work_key),
        ),
        start=1,
    ):
        set_text(ws, i, meta_col, name)
        set_text(ws, i, meta_col + 1, value)
    ws.column_dimensions[get_column_letter(meta_col + 1)].width = 36
    ws.sheet_state = "hidden"
    return ranges


def _classes_sheet(wb: Workbook, spec: FormSpec) -> str:
    """The «Порядковый номер класса» sheet: the register's classes writing the work (number,
    label, pupils) when the school has a register, else the numbers 1–50 with a column the
    school may label for itself. Returns the range of the numbers (the protocol's dropdown)."""
    ws = wb.create_sheet(k.SHEET_CLASSES)
    set_text(ws, 1, 1, k.HEAD_CLASS)
    if spec.classes is None:
        set_text(ws, 1, 2, "Класс в ОО (для себя, в портал не передаётся)")
        for number in range(k.CLASS_MIN, k.CLASS_MAX + 1):
            set_text(ws, number + 1, 1, number)
        last = k.CLASS_MAX + 1
        ws.column_dimensions["B"].width = 46
    else:
        set_text(ws, 1, 2, k.HEAD_CLASS_LABEL)
        set_text(ws, 1, 3, k.HEAD_CLASS_PUPILS)
        for i, school_class in enumerate(spec.classes, start=2):
            set_text(ws, i, 1, school_class.number)
            set_text(ws, i, 2, school_class.label)
            set_text(ws, i, 3, school_class.pupils)
        last = max(len(spec.classes) + 1, 2)
        ws.column_dimensions["B"].width = 12
        ws.column_dimensions["C"].width = 14
    ws.column_dimensions["A"].width = 26
    for cell in ws[1]:
        cell.font = Font(bold=True)
    return f"'{k.SHEET_CLASSES}'!$A$2:$A${last}"


def _classes_text(spec: FormSpec) -> str:
    """«1 (4А), 2 (4Б)»: the register's classes writing the work, for messages."""
    return ", ".join(f"{c.number} ({c.label})" for c in spec.classes or ())


def form_workbook(spec: FormSpec, rows: Sequence[Row] | None = None) -> bytes:
    """The results form of one school × work: blank (codes prefilled) or filled with ``rows``."""
    wb = Workbook()
    ws = wb.active
    if ws is None:  # pragma: no cover - a new Workbook always has one sheet
        ws = wb.create_sheet()
    ws.title = k.SHEET_PROTOCOL
    ranges = _service_sheet(wb, spec)
    class_range = _classes_sheet(wb, spec)
    headers = spec.headers
    for col, header in enumerate(headers, start=1):
        set_text(ws, 1, col, header)
        cell = ws.cell(row=1, column=col)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    if rows is not None:
        lines = [r.values(len(spec.columns)) for r in rows]
    elif spec.prefill:
        lines = [
            [p.code, None, *([None] * len(spec.columns)), p.class_number] for p in spec.prefill
        ]
    else:
        lines = [[] for _ in range(k.DEFAULT_BLANK_ROWS)]
    count = max(len(lines), 1)
    first_score = get_column_letter(3)
    last_score = get_column_letter(2 + len(spec.columns))
    for r, values in enumerate(lines, start=2):
        for col in range(1, spec.col_total):
            value = values[col - 1] if col - 1 < len(values) else None
            set_text(ws, r, col, value)
            cell = ws.cell(row=r, column=col)
            cell.border = _BORDER
            cell.protection = _OPEN
            cell.alignment = Alignment(horizontal="center")
        ws.cell(row=r, column=1).number_format = "@"
        span = f"{first_score}{r}:{last_score}{r}"
        total = ws.cell(row=r, column=spec.col_total)
        # The one intended formula: X is text, so SUM counts it as 0.
        total.value = f'=IF(COUNTA({span})=0,"",SUM({span}))'
        total.border = _BORDER
        total.fill = _TOTAL_FILL
        total.alignment = Alignment(horizontal="center")
    last = count + 1

    def area(col: int) -> str:
        letter = get_column_letter(col)
        return f"{letter}2:{letter}{last}"

    dv = _list_validation(
        ranges["variant"],
        "Вариант",
        f"Выберите номер варианта (1–{spec.variants}) или «{k.ABSENT}».",
    )
    dv.add(area(2))
    ws.add_data_validation(dv)
    by_max: dict[int, DataValidation] = {}
    for i, column in enumerate(spec.columns, start=3):
        dv = by_max.get(column.max_score)
        if dv is None:
            dv = _list_validation(
                ranges[f"score{column.max_score}"],
                "Балл",
                f"Балл от 0 до {column.max_score} или X, если участник не приступал к заданию.",
            )
            by_max[column.max_score] = dv
            ws.add_data_validation(dv)
        dv.add(area(i))
    class_message = "Порядковый номер класса: от 1 до 50."
    if spec.classes is not None:
        class_message = f"Порядковый номер класса из реестра классов ОО: {_classes_text(spec)}."
        if len(class_message) > 250:  # Excel shows at most 255 characters
            class_message = "Порядковый номер класса из реестра (лист «Порядковый номер класса»)."
    dv = _list_validation(class_range, "Класс", class_message)
    dv.add(area(spec.col_class))
    ws.add_data_validation(dv)
    dv = _list_validation(ranges["mark"], "Отметка", "Выберите 5, 4, 3, 2 или «нет отметки».")
    dv.add(area(spec.col_mark))
    ws.add_data_validation(dv)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 14
    for col in range(3, spec.col_class):
        ws.column_dimensions[get_column_letter(col)].width = 9
    ws.column_dimensions[get_column_letter(spec.col_class)].width = 14
    ws.column_dimensions[get_column_letter(spec.col_mark)].width = 24
    ws.column_dimensions[get_column_letter(spec.col_total)].width = 10
    ws.row_dimensions[1].height = 60
    ws.freeze_panes = "C2"
    # Protected without a password: the header and the total stay intact and no column can be
    # inserted (there is no place for names); the data cells are open.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = False
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- reading and validating ------------------------------------------------------------------

_UP_WORD = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_CAPS_WORD = r"[А-ЯЁ]{2,}(?:-[А-ЯЁ]{2,})?"
_INITIALS = r"[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.)?"
_LATIN_WORD = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_NAME_PATTERNS = [
    re.compile(rf"^{w}(?:\s+{w}){{1,2}}$") for w in (_UP_WORD, _CAPS_WORD, _LATIN_WORD)
] + [
    re.compile(rf"^{_UP_WORD}\s*,?\s+{_INITIALS}$"),
    re.compile(rf"^{_INITIALS}\s*{_UP_WORD}$"),
    re.compile(rf"^{_CAPS_WORD}\s+{_INITIALS}$"),
]
# A patronymic or a typical surname ending alone also gives a name away.
_PATRONYMIC = re.compile(r"^[А-ЯЁ][а-яё]+(?:вич|вна|ична|инична|ьич)$")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")

NAME_MESSAGE = (
    "Похоже на фамилию или имя участника. В форму вносятся только коды участников: "
    "ФИО в портал не передаются. Удалите эти данные и загрузите файл снова."
)


def looks_like_name(value: Any) -> bool:
    """True for text shaped like a person's name: «Иванов Иван», «ИВАНОВА А.», «И.И. Петров»."""
    if not isinstance(value, str) or not value.lstrip()[:1].isupper():
        return False  # (the first letter of the text squashed below; codes and numbers stop here)
    s = " ".join(value.split())
    # Every pattern starts with a capital letter (the cheap test turns codes and numbers away).
    if not s or len(s) > 80 or not s[0].isupper():
        return False
    return any(p.match(s) for p in _NAME_PATTERNS) or bool(_PATRONYMIC.match(s))


def safe_file_name(name: str, default: str) -> str:
    """The uploaded file's name, unless some of its words look like a person's name (a file
    named after a pupil or teacher): then the form's own name is kept instead."""
    stem = name.rsplit(".", 1)[0]
    words = re.findall(r"[A-Za-zА-Яа-яЁё]+\.?(?:-[A-Za-zА-Яа-яЁё]+)?", stem)
    for size in (2, 3):
        for i in range(len(words) - size + 1):
            if looks_like_name(" ".join(words[i : i + size])):
                return default
    if any(_PATRONYMIC.match(w) for w in words):
        return default
    return name


def _squash(value: Any) -> str:
    return "".join(text(value).split()).lower()


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_DIGITS = re.compile(r"\d{1,6}")
_CODE = re.compile(r"\d{5}")


def _as_int(value: Any) -> int | None:
    """A whole number typed or stored in a cell (2, 2.0, «2»), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    return None


@dataclass
class Checked:
    """The outcome of validating a file: the rows, every error, and the sheet as text (for the
    «Проверить» page: cells that looked like names are masked, never echoed).

    ``sheet`` holds the «Протокол» cells as read and ``width`` its columns; ``grid``, their
    text, is made only when asked for (an accepted upload never shows it)."""

    spec: FormSpec
    rows: list[Row]
    errors: list[CellError]
    sheet: list[list[Any]]
    masked: set[tuple[int, int]]
    unused_codes: int = 0
    total_errors: int = 0
    width: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @cached_property
    def grid(self) -> list[list[str]]:
        return _grid(self.sheet, self.width, self.masked)


class _Errors:
    """Collects errors up to a cap, remembering how many there were in all."""

    def __init__(self) -> None:
        self.items: list[CellError] = []
        self.total = 0

    def add(self, row: int, column: int, message: str) -> None:
        self.total += 1
        if len(self.items) < k.MAX_ERRORS:
            self.items.append(CellError(row, column, message))

    def result(self) -> list[CellError]:
        if self.total > len(self.items):
            more = self.total - len(self.items)
            return [*self.items, CellError(0, 0, f"…и ещё ошибок: {more}. Исправьте показанные.")]
        return list(self.items)


def _grid(rows: list[list[Any]], width: int, masked: set[tuple[int, int]]) -> list[list[str]]:
    out = []
    for r, values in enumerate(rows[: k.MAX_DATA_ROWS + 1], start=1):
        line = []
        for c in range(1, width + 1):
            value = values[c - 1] if c - 1 < len(values) else None
            line.append("•••" if (r, c) in masked else text(value))
        out.append(line)
    while out and len(out) > 1 and not any(out[-1]):
        out.pop()
    return out


def _meta(rows: list[list[Any]]) -> dict[str, str]:
    found = {}
    for values in rows[:10]:
        for i, value in enumerate(values[:-1]):
            if isinstance(value, str) and value.strip() in (
                k.META_SCHOOL,
                k.META_WORK,
                k.META_WORK_KEY,
            ):
                found[value.strip()] = text(values[i + 1])
    return found


def check_form(content: bytes, spec: FormSpec) -> Checked:
    """Validate every cell of a filled form. Unreadable files raise ``UploadError``; otherwise
    every problem is in ``Checked.errors`` (nothing is raised), so a dry run can show them."""
    return check_book(read_workbook(content, limits=_LIMITS), spec)


_LIMITS = SheetLimits(rows=k.MAX_SHEET_ROWS, columns=k.MAX_SHEET_COLUMNS)


def _has_name(rows: list[list[Any]]) -> bool:
    """Whether any cell of a sheet looks like a name: each distinct text is looked at once (a
    filled form repeats a handful of texts — «X», «отсутствовал» — thousands of times)."""
    return any(looks_like_name(value) for value in set(chain.from_iterable(rows)))


def check_book(book: Mapping[str, Sheet], spec: FormSpec) -> Checked:
    """The rules of ``check_form`` on sheets already read (also the browser entry's table)."""
    errors = _Errors()
    masked: set[tuple[int, int]] = set()
    # 0. Another portal file (the context form, an application form...): say which, nothing more.
    if (wrong := wrong_form_message(RESULTS, book)) is not None:
        errors.add(0, 0, wrong)
        return Checked(spec, [], errors.result(), [], masked, total_errors=errors.total)
    protocol = book.get(k.SHEET_PROTOCOL)
    # 1. Names anywhere in the workbook refuse the file (the cell is never echoed back).
    for index, (name, sheet) in enumerate(book.items(), start=1):
        if not _has_name(sheet.rows):
            continue
        for r, values in enumerate(sheet.rows, start=1):
            for c, value in enumerate(values, start=1):
                if looks_like_name(value):
                    if sheet is protocol:
                        masked.add((r, c))
                        errors.add(r, c, NAME_MESSAGE)
                    else:
                        where = f"Лист «{name}»" if name in k.SHEETS else f"Лист № {index}"
                        errors.add(r, c, f"{where}: {NAME_MESSAGE}")
    if protocol is None:
        errors.add(
            0,
            0,
            f"В файле нет листа «{k.SHEET_PROTOCOL}». Скачайте форму сбора результатов "
            "на портале и заполните её.",
        )
        return Checked(spec, [], errors.result(), [], masked, total_errors=errors.total)
    for index, name in enumerate(book, start=1):
        if name not in k.SHEETS and any(not _empty(v) for row in book[name].rows for v in row):
            errors.add(0, 0, f"Лишний лист № {index}: в форме не должно быть других листов.")
    headers = spec.headers
    width = max([len(headers), *(len(r) for r in protocol.rows[: k.MAX_DATA_ROWS + 1])])
    grid = protocol.rows

    def done() -> Checked:
        return Checked(
            spec, [], errors.result(), grid, masked, total_errors=errors.total, width=width
        )

    # 2. The form must be this school's form of this work.
    service = book.get(k.SHEET_SERVICE)
    meta = _meta(service.rows) if service is not None else {}
    if meta.get(k.META_SCHOOL) and meta[k.META_SCHOOL] != spec.school_code:
        errors.add(
            0,
            0,
            f"Эта форма выдана другой ОО (код {meta[k.META_SCHOOL]}). Скачайте форму своей ОО.",
        )
        return done()
    if meta.get(k.META_WORK_KEY) and meta[k.META_WORK_KEY] != spec.work_key:
        errors.add(
            0,
            0,
            f"Это форма другой работы ({meta.get(k.META_WORK) or meta[k.META_WORK_KEY]}). "
            f"Загрузите форму работы «{spec.work_title}».",
        )
        return done()
    if len(protocol.rows) > k.MAX_DATA_ROWS + 1:
        errors.add(0, 0, f"Слишком много строк: не более {k.MAX_DATA_ROWS} участников.")
        return done()
    # 3. The header, cell by cell; an extra column is refused (a place for names). Without the
    # right columns the rows cannot be read, so a wrong header ends the check here.
    before_header = errors.total
    header_row = protocol.rows[0] if protocol.rows else []
    for c, expected in enumerate(headers, start=1):
        value = header_row[c - 1] if c - 1 < len(header_row) else None
        if _squash(value) != _squash(expected) and (1, c) not in masked:
            errors.add(1, c, f"Заголовок столбца должен быть «{expected}».")
    for c in range(len(headers) + 1, width + 1):
        filled = [
            r
            for r, values in enumerate(protocol.rows, start=1)
            if c - 1 < len(values) and not _empty(values[c - 1])
        ]
        if filled:
            errors.add(
                filled[0],
                c,
                "Лишний столбец: в форме нет места для других данных (ФИО участников в портал "
                "не передаются). Удалите столбец.",
            )
    if errors.total > before_header:
        return done()
    # 4. Every data row (a row with a name in it was refused above and is skipped here).
    rows, unused = _check_rows(protocol.rows, spec, errors, masked)
    if not errors.total and not rows:
        errors.add(
            0,
            0,
            "Форма не заполнена: нет ни одного участника с вариантом и баллами. Заполните форму "
            "и загрузите её снова.",
        )
    if errors.total:
        return Checked(spec, [], errors.result(), grid, masked, unused, errors.total, width)
    return Checked(spec, rows, [], grid, masked, unused, 0, width)


def _check_rows(
    sheet_rows: list[list[Any]], spec: FormSpec, errors: _Errors, masked: set[tuple[int, int]]
) -> tuple[list[Row], int]:
    n = len(spec.columns)
    seen: dict[str, int] = {}
    rows: list[Row] = []
    unused = 0
    per_class: dict[int, list[int]] = {}  # register class number → its rows
    data_width = spec.col_total - 1
    # The valid scores of each column as a reader gives them (whole numbers are floats, «X» is
    # text): a row whose every score is found here is valid as it stands; any other row goes
    # through ``_check_score`` cell by cell, every rule and message.
    not_attempted = dict.fromkeys(k.NOT_ATTEMPTED_SPELLINGS)
    valid_scores = [
        {**{float(s): s for s in range(c.max_score + 1)}, **not_attempted} for c in spec.columns
    ]
    # Likewise a whole line as a reader gives a plain valid one (an issued five-digit code seen
    # for the first time, whole numbers as floats, «нет отметки» as written): each value is
    # looked up once, giving what the rules below give, and no error. Any other line takes the
    # rules cell by cell.
    plain_codes = frozenset(c for c in spec.issued if len(c) == 5 and c.isdecimal())  # _CODE
    plain_variants = {float(v): v for v in range(1, spec.variants + 1)}
    plain_classes = {float(c): c for c in range(k.CLASS_MIN, k.CLASS_MAX + 1)}
    plain_marks: dict[Any, int] = {**{float(m): m for m in k.MARKS}, k.NO_MARK: 0}
    register = spec.code_classes if spec.classes is not None else None
    for r, values in enumerate(sheet_rows[1:], start=2):
        cells = values[:data_width]
        if len(cells) < data_width:
            cells = [*cells, *([None] * (data_width - len(cells)))]
        if masked and any((r, c) in masked for c in range(1, spec.col_total)):
            continue  # already refused as a name
        code_value, variant_value = cells[0], cells[1]
        score_values = cells[2 : 2 + n]
        class_value, mark_value = cells[2 + n], cells[3 + n]
        if (
            code_value.__class__ is str
            and variant_value.__class__ is float
            and class_value.__class__ is float
            and mark_value.__class__ in _PLAIN_TYPES
            and code_value in plain_codes
            and code_value not in seen
            and (plain_variant := plain_variants.get(variant_value)) is not None
            and (plain_class := plain_classes.get(class_value)) is not None
            and (plain_mark := plain_marks.get(mark_value)) is not None
            and (plain_scores := _valid_scores(valid_scores, score_values)) is not None
            and (
                register is None
                or (
                    plain_class in spec.class_numbers
                    and register.get(code_value, plain_class) == plain_class
                )
            )
        ):
            seen[code_value] = r
            if register is not None:
                per_class.setdefault(plain_class, []).append(r)
            rows.append(
                Row(
                    code_value,
                    False,
                    plain_variant,
                    tuple(plain_scores),
                    plain_class,
                    plain_mark,
                    line=r,
                )
            )
            continue
        if all(_empty(v) for v in cells):
            continue  # empty rows (trailing or not) are ignored; the total column is not data
        has_results = not (
            _empty(variant_value) and all(_empty(v) for v in score_values) and _empty(mark_value)
        )
        if not has_results:
            # A code (and class) with nothing else: a printed code nobody used, say a reserve
            # one. It is not a participant, so its row is not checked further.
            unused += 1
            continue
        code = _check_code(r, code_value, spec, seen, errors)
        class_number = _check_class(r, spec.col_class, class_value, errors)
        if spec.classes is not None and class_number is not None:
            class_number = _check_register_class(r, code, class_number, spec, errors)
            if class_number is not None:
                per_class.setdefault(class_number, []).append(r)
        absent = False
        variant: int | None = None
        if _empty(variant_value):
            errors.add(r, 2, f"Укажите номер варианта (от 1 до {spec.variants}) или «{k.ABSENT}».")
        elif isinstance(variant_value, str) and variant_value.strip().lower() == k.ABSENT:
            absent = True
        else:
            variant = _as_int(variant_value)
            if variant is None or not 1 <= variant <= spec.variants:
                errors.add(
                    r,
                    2,
                    f"Вариант — число от 1 до {spec.variants} или «{k.ABSENT}».",
                )
                variant = None
        scores = (
            _valid_scores(valid_scores, score_values) if not absent else None
        ) or _checked_scores(r, spec, score_values, absent, errors)
        if not absent and _empty(class_value):
            errors.add(
                r, spec.col_class, f"Укажите порядковый номер класса (от {k.CLASS_MIN} до 50)."
            )
        journal = _check_mark(r, spec.col_mark, mark_value, required=not absent, errors=errors)
        if code is not None and (absent or variant is not None):
            rows.append(
                Row(
                    code=code,
                    absent=absent,
                    variant=None if absent else variant,
                    scores=() if absent else tuple(scores),
                    class_number=class_number,
                    journal_mark=journal,
                    line=r,
                )
            )
    for school_class in spec.classes or ():
        lines = per_class.get(school_class.number, [])
        if len(lines) > school_class.limit:
            errors.add(
                lines[school_class.limit],
                spec.col_class,
                f"В классе {school_class.label} (порядковый номер {school_class.number}) "
                f"участников в форме {len(lines)}, а может быть не больше "
                f"{school_class.limit}: подтверждённые участники класса и резервные коды. "
                "Проверьте порядковый номер класса в строках участников.",
            )
    return rows, unused


def _check_register_class(
    r: int, code: str | None, number: int, spec: FormSpec, errors: _Errors
) -> int | None:
    """A class number of a school with a register: one of its classes writing the work, and
    the class the row's code was issued for (when codes are issued per class)."""
    if number not in spec.class_numbers:
        if spec.classes:
            allowed = f"Допустимые номера: {_classes_text(spec)}."
        else:
            allowed = "Ни один класс из реестра классов ОО не пишет эту работу."
        errors.add(
            r,
            spec.col_class,
            f"«{k.HEAD_CLASS}» {number}: такого класса нет среди классов реестра ОО, которые "
            f"пишут эту работу. {allowed}",
        )
        return None
    issued_for = spec.code_classes.get(code) if code is not None else None
    if issued_for is not None and issued_for != number:
        labels = {c.number: c.label for c in spec.classes or ()}
        issued_label = labels.get(issued_for, f"№ {issued_for}")
        errors.add(
            r,
            1,
            f"Код {code} выдан классу {issued_label} (порядковый номер {issued_for}), а в "
            f"строке указан класс {labels[number]} (порядковый номер {number}). Проверьте код "
            "по бумажному протоколу класса.",
        )
    return number


def _check_code(
    r: int, value: Any, spec: FormSpec, seen: dict[str, int], errors: _Errors
) -> str | None:
    if _empty(value):
        errors.add(r, 1, "Укажите код участника (пятизначное число).")
        return None
    code = text(value)
    if not _CODE.fullmatch(code):
        if _CYRILLIC.search(code):
            errors.add(
                r,
                1,
                "Код участника — пятизначное число. ФИО и другие сведения об участнике в форму "
                "не вносятся.",
            )
        else:
            errors.add(r, 1, "Код участника — пятизначное число (например, 40001).")
        return None
    if code in seen:
        errors.add(r, 1, f"Код {code} повторяется: он уже указан в строке {seen[code]}.")
        return None
    seen[code] = r
    if code not in spec.issued:
        errors.add(
            r,
            1,
            f"Код {code} не выдавался этой ОО для {spec.grade} класса. Проверьте код по "
            "бумажному протоколу.",
        )
        return None
    return code


_PLAIN_TYPES = frozenset({float, str})  # what a reader gives for numbers and texts (not bool)


def _valid_scores(valid: list[dict[Any, int | None]], values: list[Any]) -> list[int | None] | None:
    """The scores of a row when every cell is one of its column's valid values as it stands,
    else None (the row is then checked cell by cell)."""
    if not set(map(type, values)) <= _PLAIN_TYPES:
        return None  # True == 1.0 for a dict: booleans and the rest take the full check
    try:
        return list(map(getitem, valid, values))  # (as many tables as values)
    except KeyError:
        return None


def _checked_scores(
    r: int, spec: FormSpec, values: list[Any], absent: bool, errors: _Errors
) -> list[int | None]:
    """Every score cell of a row under every rule, errors by row and column."""
    scores: list[int | None] = []
    for j, (column, value) in enumerate(zip(spec.columns, values, strict=True)):
        c = 3 + j
        if absent:
            if not _empty(value):
                errors.add(
                    r, c, "Участник отсутствовал: баллы не ставятся, оставьте ячейку пустой."
                )
            continue
        scores.append(_check_score(r, c, column, value, errors))
    return scores


def _check_score(r: int, c: int, column: Column, value: Any, errors: _Errors) -> int | None:
    if _empty(value):
        errors.add(r, c, f"Не заполнен балл за задание {column.label}: 0–{column.max_score} или X.")
        return None
    if isinstance(value, str) and value.strip() in k.NOT_ATTEMPTED_SPELLINGS:
        return None
    score = _as_int(value)
    if score is None or not 0 <= score <= column.max_score:
        errors.add(
            r, c, f"Балл за задание {column.label}: целое число от 0 до {column.max_score} или X."
        )
        return None
    return score


def _check_class(r: int, c: int, value: Any, errors: _Errors) -> int | None:
    if _empty(value):
        return None
    number = _as_int(value)
    if number is None or not k.CLASS_MIN <= number <= k.CLASS_MAX:
        errors.add(r, c, "Порядковый номер класса — целое число от 1 до 50.")
        return None
    return number


def _check_mark(r: int, c: int, value: Any, *, required: bool, errors: _Errors) -> int | None:
    if _empty(value):
        if required:
            errors.add(r, c, f"Укажите отметку за предыдущий период: 5, 4, 3, 2 или «{k.NO_MARK}».")
        return None
    if isinstance(value, str) and " ".join(value.split()).lower() == k.NO_MARK:
        return 0
    mark = _as_int(value)
    if mark not in k.MARKS:
        errors.add(r, c, f"Отметка — 5, 4, 3, 2 или «{k.NO_MARK}».")
        return None
    return mark


def read_form(content: bytes, spec: FormSpec) -> Checked:
    """Validate a filled form; raise ``UploadError`` listing every error, or return its rows."""
    with collection_paused():
        checked = check_form(content, spec)
    if checked.errors:
        raise UploadError(checked.errors)
    return checked


# --- the browser entry: the same table as HTML inputs -----------------------------------------


def entry_book(spec: FormSpec, cells: Sequence[Sequence[str]]) -> dict[str, Sheet]:
    """The browser table (one list of texts per participant row, code … mark) as the
    «Протокол» sheet, so it goes through exactly the rules of an uploaded file."""
    rows: list[list[Any]] = [list(spec.headers)]
    rows.extend([*(v.strip() or None for v in line), None] for line in cells)
    return {k.SHEET_PROTOCOL: Sheet(name=k.SHEET_PROTOCOL, rows=rows)}


def entry_names(cells: Sequence[Sequence[str]]) -> list[CellError]:
    """Cells of a browser draft shaped like names (a draft with names is never stored)."""
    return [
        CellError(r, c, NAME_MESSAGE)
        for r, line in enumerate(cells, start=2)
        for c, value in enumerate(line, start=1)
        if looks_like_name(value)
    ]


def entry_value_errors(spec: FormSpec, cells: Sequence[Sequence[str]]) -> list[CellError]:
    """The rules of the form on the cells filled so far (an expert's partial draft): a variant
    from 1 to the work's variants or «отсутствовал», each score 0 … its maximum or X, no score
    for an absent participant, a journal mark 5, 4, 3, 2 or «нет отметки». Empty cells pass."""
    errors = _Errors()
    n = len(spec.columns)
    for r, line in enumerate(cells, start=2):
        values = [*(v.strip() for v in line), *([""] * (spec.col_mark - len(line)))]
        variant = values[1]
        absent = variant.lower() == k.ABSENT
        if variant and not absent:
            number = _as_int(variant)
            if number is None or not 1 <= number <= spec.variants:
                errors.add(r, 2, f"Вариант — число от 1 до {spec.variants} или «{k.ABSENT}».")
        for j, column in enumerate(spec.columns):
            c, value = 3 + j, values[2 + j]
            if not value:
                continue
            if absent:
                errors.add(
                    r, c, "Участник отсутствовал: баллы не ставятся, оставьте ячейку пустой."
                )
                continue
            _check_score(r, c, column, value, errors)
        if values[3 + n]:
            _check_mark(r, spec.col_mark, values[3 + n], required=False, errors=errors)
    return errors.result()


def entry_cells(spec: FormSpec, rows: Sequence[Row]) -> list[list[str]]:
    """Accepted rows as the browser table's texts."""
    width = len(spec.columns)
    return [[_cell_text(v) for v in row.values(width)] for row in rows]


# --- the «Проверить» page: the sheet as a table with the errors on their cells ------------------


@dataclass(frozen=True)
class GridCell:
    text: str
    errors: tuple[str, ...] = ()
    masked: bool = False


@dataclass(frozen=True)
class GridRow:
    number: int
    cells: list[GridCell]

    @property
    def has_errors(self) -> bool:
        return any(c.errors for c in self.cells)


def grid_view(checked: Checked, *, limit: int = 2000) -> tuple[list[str], list[GridRow]]:
    """Column letters and rows of the checked sheet, each cell with its errors (names masked)."""
    by_cell: dict[tuple[int, int], list[str]] = {}
    for e in checked.errors:
        if e.row and e.column:
            by_cell.setdefault((e.row, e.column), []).append(e.message)
    width = max((len(r) for r in checked.grid), default=0)
    letters = [get_column_letter(c) for c in range(1, width + 1)]
    rows = []
    for r, values in enumerate(checked.grid[:limit], start=1):
        cells = [
            GridCell(
                text=values[c - 1] if c - 1 < len(values) else "",
                errors=tuple(by_cell.get((r, c), ())),
                masked=(r, c) in checked.masked,
            )
            for c in range(1, width + 1)
        ]
        rows.append(GridRow(r, cells))
    return letters, rows
