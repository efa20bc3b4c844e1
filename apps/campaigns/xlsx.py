"""The campaign workbook (works, task columns, plan-graph): CampaignSpec ↔ xlsx bytes. Pure.

Sheets: «Инструкция», «Кампания» (field/value pairs), «Работы» (a row per work),
«Задания» (a row per task column, in the order of the results form). Every problem is a
``CellError`` naming the sheet, row and column; the caller changes nothing if there is one.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from apps.campaigns import rules
from apps.campaigns.models import Session
from apps.campaigns.rules import CampaignSpec, ColumnSpec, Problem, WorkSpec
from apps.core.uploads import (
    CellError,
    Sheet,
    SheetLimits,
    UploadError,
    looks_like_formula,
    read_workbook,
    text,
)
from apps.core.xlsx import HEADER_FILL, HEADER_FONT, set_text

SHEET_HELP = "Инструкция"
SHEET_CAMPAIGN = "Кампания"
SHEET_WORKS = "Работы"
SHEET_COLUMNS = "Задания"
# How far a sheet of an uploaded file may reach (a campaign has a few hundred works and task
# columns); beyond it the file is refused unparsed.
SHEET_LIMITS = SheetLimits(rows=10_000, columns=50)

# «Работы»: (WorkSpec field, header, width)
WORK_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("subject_code", "Код предмета", 14),
    ("subject_name", "Предмет", 22),
    ("grade", "Класс", 8),
    ("max_score", "Максимальный первичный балл", 14),
    ("mark3_from", "«3» от балла", 9),
    ("mark4_from", "«4» от балла", 9),
    ("mark5_from", "«5» от балла", 9),
    ("duration_minutes", "Продолжительность, минут", 14),
    ("encrypted_archive", "Архив зашифрован (да/нет)", 12),
    ("variants_per_school", "Вариантов на ОО", 10),
    ("period_start", "Первый день периода", 13),
    ("period_end", "Последний день периода", 13),
    ("recommended_dates", "Рекомендуемые даты", 26),
    ("materials_publish_date", "Публикация материалов", 13),
    ("results_upload_deadline", "Последний день загрузки результатов", 15),
    ("results_release_date", "Публикация результатов", 13),
    ("checking_until", "Последний день проверки работ", 15),
)
# Columns a file made before they existed may lack (an empty header and empty cells are fine).
OPTIONAL_WORK_COLUMNS = frozenset({"checking_until"})
# «Задания»: (field, header, width)
COLUMN_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("subject_code", "Код предмета", 14),
    ("grade", "Класс", 8),
    ("label", "Номер задания", 10),
    ("column_max", "Максимальный балл", 11),
    ("difficulty", "Уровень (Б/П/В)", 10),
    ("topic", "Планируемый результат", 80),
)
CAMPAIGN_ROWS: tuple[tuple[str, str], ...] = (
    ("year", "Год"),
    ("session", "Этап (весенний/осенний)"),
    ("name", "Наименование"),
    ("application_deadline", "Последний день подачи заявок"),
)
WORK_COL = {f: i for i, (f, _, _) in enumerate(WORK_COLUMNS, start=1)}
COLUMN_COL = {f: i for i, (f, _, _) in enumerate(COLUMN_COLUMNS, start=1)}
CAMPAIGN_ROW = {f: i for i, (f, _) in enumerate(CAMPAIGN_ROWS, start=2)}

INSTRUCTIONS = (
    "Работы кампании ВПР: задания (столбцы формы сбора результатов), шкала отметок, план-график.",
    "",
    "Лист «Кампания»: год, этап, наименование и последний день подачи заявок.",
    "Лист «Работы»: одна строка на работу (предмет × класс). Код предмета — латинскими буквами "
    "(russian, math, …). Пороги «3», «4», «5» — первичный балл, с которого ставится отметка; "
    "«2» ставится ниже порога «3». Пороги возрастают и не превышают максимальный балл.",
    "Даты — в виде ДД.ММ.ГГГГ; рекомендуемые даты — через запятую. Все даты — по местному "
    "времени ОО. Архив материалов публикуется не позднее чем за 4 дня до начала периода "
    "(зашифрованный архив 8 класса — за 3 дня).",
    "Лист «Задания»: одна строка на столбец формы сбора результатов, в порядке формы. "
    "Номер задания — 1, 9.1, 4К1 и т. п.; номера в работе не повторяются. Сумма максимальных "
    "баллов заданий равна максимальному первичному баллу работы. Уровень: Б — базовый, "
    "П — повышенный, В — высокий.",
    "",
    "При загрузке работы из файла создаются или заменяются целиком (вместе с заданиями); "
    "работы кампании, которых нет в файле, не меняются. Перед применением портал показывает, "
    "что изменится. Файл с ошибками не принимается и ничего не меняет.",
)


def _d(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _header_row(ws: Worksheet, columns: Sequence[tuple[str, str, int]]) -> None:
    for col, (_, header, width) in enumerate(columns, start=1):
        set_text(ws, 1, col, header)
        cell = ws.cell(row=1, column=col)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"


def _work_values(work: WorkSpec) -> list[Any]:
    values: dict[str, Any] = {
        "subject_code": work.subject_code,
        "subject_name": work.subject_name,
        "grade": work.grade,
        "max_score": work.max_score,
        "mark3_from": work.mark3_from,
        "mark4_from": work.mark4_from,
        "mark5_from": work.mark5_from,
        "duration_minutes": work.duration_minutes,
        "encrypted_archive": "да" if work.encrypted_archive else "нет",
        "variants_per_school": work.variants_per_school,
        "period_start": _d(work.period_start),
        "period_end": _d(work.period_end),
        "recommended_dates": ", ".join(_d(d) for d in work.recommended_dates),
        "materials_publish_date": _d(work.materials_publish_date),
        "results_upload_deadline": _d(work.results_upload_deadline),
        "results_release_date": _d(work.results_release_date),
        "checking_until": _d(work.checking_until) if work.checking_until else "",
    }
    return [values[f] for f, _, _ in WORK_COLUMNS]


def build_workbook(spec: CampaignSpec) -> bytes:
    """The campaign file: what the federal operator downloads, edits and uploads back."""
    wb = Workbook()
    ws = wb.active
    if ws is None:  # pragma: no cover - a new Workbook always has one sheet
        ws = wb.create_sheet()
    ws.title = SHEET_HELP
    ws.column_dimensions["A"].width = 120
    for row, line in enumerate(INSTRUCTIONS, start=1):
        set_text(ws, row, 1, line)
        ws.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)

    camp = wb.create_sheet(SHEET_CAMPAIGN)
    set_text(camp, 1, 1, "Поле")
    set_text(camp, 1, 2, "Значение")
    for col in (1, 2):
        camp.cell(row=1, column=col).font = HEADER_FONT
        camp.cell(row=1, column=col).fill = HEADER_FILL
    camp.column_dimensions["A"].width = 32
    camp.column_dimensions["B"].width = 30
    values = {
        "year": spec.year,
        "session": Session(spec.session).label,
        "name": spec.name,
        "application_deadline": _d(spec.application_deadline),
    }
    for field_name, label in CAMPAIGN_ROWS:
        row = CAMPAIGN_ROW[field_name]
        set_text(camp, row, 1, label)
        set_text(camp, row, 2, values[field_name])

    works = wb.create_sheet(SHEET_WORKS)
    _header_row(works, WORK_COLUMNS)
    cols = wb.create_sheet(SHEET_COLUMNS)
    _header_row(cols, COLUMN_COLUMNS)
    col_row = 1
    for row, work in enumerate(spec.works, start=2):
        for col, value in enumerate(_work_values(work), start=1):
            set_text(works, row, col, value)
        for column in work.columns:
            col_row += 1
            for col, value in enumerate(
                (
                    work.subject_code,
                    work.grade,
                    column.label,
                    column.max_score,
                    column.difficulty,
                    column.topic,
                ),
                start=1,
            ):
                set_text(cols, col_row, col, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- reading ----------------------------------------------------------------------------------


class _Cells:
    """Collects cell errors while converting the cells of one sheet."""

    def __init__(self, sheet: Sheet, errors: list[CellError]) -> None:
        self.sheet = sheet
        self.errors = errors

    def error(self, row: int, col: int, message: str) -> None:
        self.errors.append(CellError(row, col, f"лист «{self.sheet.name}»: {message}"))

    def raw(self, row: int, col: int) -> Any:
        return self.sheet.cell(row, col)

    def text(self, row: int, col: int, *, required: bool = True) -> str:
        value = self.raw(row, col)
        result = " ".join(text(value).split())
        if required and not result:
            self.error(row, col, "значение не заполнено.")
        elif looks_like_formula(result):
            self.error(row, col, "значение не может начинаться со знака «=».")
            return ""
        return result

    def integer(self, row: int, col: int) -> int:
        value = self.raw(row, col)
        if isinstance(value, bool):
            value = None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raw = text(value)
        if re.fullmatch(r"-?\d{1,6}", raw):
            return int(raw)
        self.error(
            row,
            col,
            "значение не заполнено." if not raw else f"«{raw}» — не целое число.",
        )
        return 0

    def boolean(self, row: int, col: int) -> bool:
        value = self.raw(row, col)
        if isinstance(value, bool):
            return value
        raw = text(value).casefold()
        if raw in ("да", "1", "true"):
            return True
        if raw in ("нет", "0", "false", ""):
            return False
        self.error(row, col, f"«{raw}»: укажите «да» или «нет».")
        return False

    def date(self, row: int, col: int) -> dt.date:
        return _date(self.raw(row, col), lambda m: self.error(row, col, m))

    def optional_date(self, row: int, col: int) -> dt.date | None:
        if text(self.raw(row, col)) == "" and not isinstance(self.raw(row, col), dt.date):
            return None
        return self.date(row, col)

    def dates(self, row: int, col: int) -> tuple[dt.date, ...]:
        value = self.raw(row, col)
        if isinstance(value, dt.date):
            return (value if not isinstance(value, dt.datetime) else value.date(),)
        parts = [p for p in re.split(r"[,;\s]+", text(value)) if p]
        return tuple(_date(p, lambda m: self.error(row, col, m)) for p in parts)


_FALLBACK_DATE = dt.date(2000, 1, 1)


def _date(value: Any, report: Callable[[str], None]) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if not raw:
        report("дата не заполнена.")
        return _FALLBACK_DATE
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    report(f"«{raw}» — не дата; запишите её как ДД.ММ.ГГГГ.")
    return _FALLBACK_DATE


@dataclass(frozen=True)
class ParsedWorkbook:
    spec: CampaignSpec
    work_rows: tuple[int, ...]  # the «Работы» row of each work
    column_rows: tuple[tuple[int, ...], ...]  # the «Задания» row of each of its columns


def _check_header(
    cells: _Cells,
    columns: Sequence[tuple[str, str, int]],
    optional: frozenset[str] = frozenset(),
) -> None:
    for col, (field, header, _) in enumerate(columns, start=1):
        found = text(cells.raw(1, col))
        if found == "" and field in optional:
            continue
        if found.casefold() != header.casefold():
            cells.error(
                1,
                col,
                f"ожидался заголовок «{header}», а в файле «{found or 'пусто'}». "
                "Не меняйте столбцы формы.",
            )


def _blank(sheet: Sheet, row: int, width: int) -> bool:
    return all(text(sheet.cell(row, c)) == "" for c in range(1, width + 1))


def _session(cells: _Cells, row: int) -> str:
    raw = cells.text(row, 2)
    for choice in Session:
        if raw.casefold() in (choice.value, choice.label, choice.label.split()[0]):
            return choice.value
    if raw:
        cells.error(row, 2, f"«{raw}»: укажите «весенний этап» или «осенний этап».")
    return Session.SPRING.value


def parse_workbook(content: bytes) -> ParsedWorkbook:
    """Read a campaign file; UploadError lists every problem (sheet, row, column)."""
    sheets = read_workbook(content, limits=SHEET_LIMITS)
    missing = [n for n in (SHEET_CAMPAIGN, SHEET_WORKS, SHEET_COLUMNS) if n not in sheets]
    if missing:
        names = ", ".join(f"«{n}»" for n in missing)
        raise UploadError(
            [CellError(0, 0, f"В файле нет листа {names}. Скачайте файл работ и заполните его.")]
        )
    errors: list[CellError] = []
    camp = _Cells(sheets[SHEET_CAMPAIGN], errors)
    year = camp.integer(CAMPAIGN_ROW["year"], 2)
    session = _session(camp, CAMPAIGN_ROW["session"])
    name = camp.text(CAMPAIGN_ROW["name"], 2)
    deadline = camp.date(CAMPAIGN_ROW["application_deadline"], 2)

    header_errors: list[CellError] = []
    _check_header(_Cells(sheets[SHEET_WORKS], header_errors), WORK_COLUMNS, OPTIONAL_WORK_COLUMNS)
    _check_header(_Cells(sheets[SHEET_COLUMNS], header_errors), COLUMN_COLUMNS)
    if header_errors:
        # With foreign columns the rows cannot be read meaningfully.
        raise UploadError(errors + header_errors)
    wcells = _Cells(sheets[SHEET_WORKS], errors)
    ccells = _Cells(sheets[SHEET_COLUMNS], errors)

    # Task columns, grouped by (subject code, grade) in file order.
    columns: dict[tuple[str, int], list[tuple[int, ColumnSpec]]] = {}
    sheet = ccells.sheet
    for row in range(2, len(sheet.rows) + 1):
        if _blank(sheet, row, len(COLUMN_COLUMNS)):
            continue
        key = (
            ccells.text(row, COLUMN_COL["subject_code"]),
            ccells.integer(row, COLUMN_COL["grade"]),
        )
        label = rules.normalize_label(ccells.text(row, COLUMN_COL["label"]))
        difficulty = ccells.text(row, COLUMN_COL["difficulty"]).upper()
        column = ColumnSpec(
            label=label,
            max_score=ccells.integer(row, COLUMN_COL["column_max"]),
            difficulty=difficulty,
            topic=ccells.text(row, COLUMN_COL["topic"], required=False),
        )
        columns.setdefault(key, []).append((row, column))

    works: list[WorkSpec] = []
    work_rows: list[int] = []
    column_rows: list[tuple[int, ...]] = []
    sheet = wcells.sheet
    for row in range(2, len(sheet.rows) + 1):
        if _blank(sheet, row, len(WORK_COLUMNS)):
            continue
        c = WORK_COL
        code = wcells.text(row, c["subject_code"])
        grade = wcells.integer(row, c["grade"])
        own = columns.pop((code, grade), [])
        work = WorkSpec(
            subject_code=code,
            subject_name=wcells.text(row, c["subject_name"]),
            grade=grade,
            max_score=wcells.integer(row, c["max_score"]),
            mark3_from=wcells.integer(row, c["mark3_from"]),
            mark4_from=wcells.integer(row, c["mark4_from"]),
            mark5_from=wcells.integer(row, c["mark5_from"]),
            duration_minutes=wcells.integer(row, c["duration_minutes"]),
            encrypted_archive=wcells.boolean(row, c["encrypted_archive"]),
            variants_per_school=wcells.integer(row, c["variants_per_school"]),
            period_start=wcells.date(row, c["period_start"]),
            period_end=wcells.date(row, c["period_end"]),
            recommended_dates=wcells.dates(row, c["recommended_dates"]),
            materials_publish_date=wcells.date(row, c["materials_publish_date"]),
            results_upload_deadline=wcells.date(row, c["results_upload_deadline"]),
            results_release_date=wcells.date(row, c["results_release_date"]),
            checking_until=wcells.optional_date(row, c["checking_until"]),
            columns=tuple(col for _, col in own),
        )
        works.append(work)
        work_rows.append(row)
        column_rows.append(tuple(r for r, _ in own))
    for (code, grade), orphans in columns.items():
        rows = [row for row, _ in orphans]
        more = f" (и ещё строк этой работы: {len(rows) - 1})" if len(rows) > 1 else ""
        ccells.error(
            rows[0],
            COLUMN_COL["subject_code"],
            f"работы «{code}, {grade} класс» нет на листе «{SHEET_WORKS}»{more}.",
        )
    if not works and not errors:
        errors.append(CellError(0, 0, f"На листе «{SHEET_WORKS}» нет ни одной работы."))
    if errors:
        raise UploadError(errors)

    spec = CampaignSpec(
        year=year, session=session, name=name, application_deadline=deadline, works=tuple(works)
    )
    parsed = ParsedWorkbook(spec, tuple(work_rows), tuple(column_rows))
    problems = [_locate(parsed, i, p) for i, p in rules.campaign_problems(spec)]
    if problems:
        raise UploadError(problems)
    return parsed


def _locate(parsed: ParsedWorkbook, index: int | None, problem: Problem) -> CellError:
    if index is None:
        row = CAMPAIGN_ROW.get(problem.field, 0)
        return CellError(row, 2, f"лист «{SHEET_CAMPAIGN}»: {problem.message}")
    if problem.column is not None:
        rows = parsed.column_rows[index]
        row = rows[problem.column] if problem.column < len(rows) else 0
        return CellError(
            row, COLUMN_COL.get(problem.field, 0), f"лист «{SHEET_COLUMNS}»: {problem.message}"
        )
    col = WORK_COL.get(problem.field, WORK_COL["subject_code"])
    return CellError(parsed.work_rows[index], col, f"лист «{SHEET_WORKS}»: {problem.message}")
