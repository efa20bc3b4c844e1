"""School-list reconciliation files («выверка ОО»). Pure: dataclasses and bytes, no ORM.

* ``build_template`` writes the list a coordinator downloads: instructions on the first sheet,
  the schools of the unit on «Список ОО» (codes locked, dropdowns for type, status, municipality
  and time zone, blank rows for new schools), the dropdown lists and a service sheet (hidden).
* ``parse_upload`` reads the file back into rows, each with its Russian cell errors.
* ``reconcile`` compares the rows with the unit's schools: created / changed (which fields) /
  unchanged / rejected rows with reasons. The service stores its result as the batch preview and
  runs it again, under row locks, before applying.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from apps.core.untrusted import isolated
from apps.core.uploads import (
    CellError,
    Sheet,
    SheetLimits,
    UploadError,
    file_error,
    looks_like_formula,
    read_workbook,
    text,
)
from apps.core.xlsx import HEADER_FILL, HEADER_FONT, set_text
from apps.registration.constants import (
    SCHOOL_CODE_REGEX,
    TIME_ZONE_CHOICES,
    SchoolStatus,
    SchoolType,
)

KIND = "school_list"
SHEET_INSTRUCTIONS = "Инструкция"
SHEET_DATA = "Список ОО"
SHEET_LISTS = "Справочники"
SHEET_SERVICE = "Служебный"
FILE_MARK = "vpr-portal:school-list:v1"
BLANK_ROWS = 300  # unlocked rows with dropdowns for new schools
MAX_ROWS = 20_000  # more than any region has
HEADER_SCAN_ROWS = 15
# How far a sheet of an uploaded file may reach; beyond it the file is refused unparsed.
SHEET_LIMITS = SheetLimits(rows=MAX_ROWS + 1_000, columns=50)

LEVEL_REGION = "region"
LEVEL_MUNICIPALITY = "municipality"

CREATED = "created"
CHANGED = "changed"
UNCHANGED = "unchanged"
REJECTED = "rejected"
OUTCOME_LABELS = {
    CREATED: "Новая ОО",
    CHANGED: "Изменения",
    UNCHANGED: "Без изменений",
    REJECTED: "Отклонена",
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    required: bool
    max_length: int = 0


CODE = Column("code", "Код ОО (логин)", 16, required=False)
FULL_NAME = Column("full_name", "Полное наименование", 60, required=True, max_length=500)
SHORT_NAME = Column("short_name", "Краткое наименование", 32, required=True, max_length=200)
ADDRESS = Column("address", "Адрес", 50, required=False, max_length=500)
SCHOOL_TYPE = Column("school_type", "Тип ОО", 24, required=True)
STATUS = Column("status", "Статус", 16, required=True)
MUNICIPALITY = Column("municipality_code", "Код муниципалитета", 18, required=True)
TIME_ZONE = Column("time_zone", "Часовой пояс", 26, required=False)

FIELD_LABELS = {
    "full_name": FULL_NAME.header,
    "short_name": SHORT_NAME.header,
    "address": ADDRESS.header,
    "school_type": SCHOOL_TYPE.header,
    "status": STATUS.header,
    "municipality_code": MUNICIPALITY.header,
    "time_zone": TIME_ZONE.header,
}


def columns_for(level: str) -> tuple[Column, ...]:
    """The columns of a unit's file; the regional file also names each school's municipality."""
    if level == LEVEL_REGION:
        return (CODE, FULL_NAME, SHORT_NAME, ADDRESS, SCHOOL_TYPE, STATUS, MUNICIPALITY, TIME_ZONE)
    return (CODE, FULL_NAME, SHORT_NAME, ADDRESS, SCHOOL_TYPE, STATUS, TIME_ZONE)


# --- vocabularies --------------------------------------------------------------------------------

TYPE_LABELS: dict[str, str] = {value: str(label) for value, label in SchoolType.choices}
STATUS_LABELS: dict[str, str] = {value: str(label) for value, label in SchoolStatus.choices}
ZONE_LABELS: dict[str, str] = dict(TIME_ZONE_CHOICES)


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()


_TYPE_LOOKUP = {_norm(k): k for k in TYPE_LABELS} | {_norm(v): k for k, v in TYPE_LABELS.items()}
_STATUS_LOOKUP = (
    {_norm(k): k for k in STATUS_LABELS}
    | {_norm(v): k for k, v in STATUS_LABELS.items()}
    | {"действует": SchoolStatus.ACTIVE.value, "закрыто": SchoolStatus.CLOSED.value}
)
_ZONE_LOOKUP = {_norm(k): k for k in ZONE_LABELS} | {_norm(v): k for k, v in ZONE_LABELS.items()}
_CODE_RE = re.compile(SCHOOL_CODE_REGEX)
_MUNI_CODE_RE = re.compile(r"^reg\d{2}_m\d{3}$")


def name_key(full_name: str) -> str:
    """How two full names are compared to recognise the same new school (case and spaces aside)."""
    return _norm(full_name)


# --- data ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolValues:
    """What a row says about a school. ``time_zone`` is an IANA name, or "" (keep / default)."""

    full_name: str
    short_name: str
    address: str
    school_type: str
    status: str
    municipality_code: str
    time_zone: str

    def display(self, key: str) -> str:
        value: str = getattr(self, key)  # every field is a str
        if key == "school_type":
            return TYPE_LABELS.get(value, value)
        if key == "status":
            return STATUS_LABELS.get(value, value)
        if key == "time_zone":
            return ZONE_LABELS.get(value, value)
        return str(value)


@dataclass(frozen=True)
class UnitInfo:
    """The unit a file is about and the municipalities its rows may name (code → default zone)."""

    level: str
    id: int
    code: str
    name: str
    municipalities: Mapping[str, str]

    @property
    def title(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def genitive(self) -> str:
        return "региона" if self.level == LEVEL_REGION else "муниципалитета"


@dataclass(frozen=True)
class ExistingSchool:
    id: int
    code: str
    values: SchoolValues


@dataclass(frozen=True)
class FileRow:
    """One non-empty row of the upload; ``errors`` are its cell problems (empty when valid)."""

    row: int
    code: str
    values: SchoolValues
    errors: tuple[CellError, ...] = ()


@dataclass(frozen=True)
class ParsedFile:
    rows: list[FileRow]
    columns: Mapping[str, int]  # column key → 1-based column number in the file

    def column(self, key: str) -> int:
        return self.columns.get(key, 0)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class RowOutcome:
    row: int
    outcome: str
    code: str
    name: str
    school_id: int | None = None
    values: SchoolValues | None = None
    changes: list[Change] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    note: str = ""


@dataclass
class Preview:
    unit: UnitInfo
    rows: list[RowOutcome]
    missing: list[dict[str, str]]  # the unit's schools absent from the file: left as they are

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def rejected(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.outcome == REJECTED]

    @property
    def errors(self) -> list[CellError]:
        return [e for r in self.rejected for e in r.errors]

    def as_dict(self) -> dict[str, Any]:
        """The JSON stored on the batch (shown on the preview page and returned by the API)."""
        return {
            "unit": {
                "level": self.unit.level,
                "id": self.unit.id,
                "code": self.unit.code,
                "name": self.unit.name,
            },
            "counts": {
                CREATED: self.count(CREATED),
                CHANGED: self.count(CHANGED),
                UNCHANGED: self.count(UNCHANGED),
                REJECTED: self.count(REJECTED),
                "missing": len(self.missing),
            },
            "rows": [
                {
                    "row": r.row,
                    "outcome": r.outcome,
                    "outcome_label": OUTCOME_LABELS[r.outcome],
                    "code": r.code,
                    "name": r.name,
                    "school_id": r.school_id,
                    "values": asdict(r.values) if r.values is not None else None,
                    "changes": [asdict(c) for c in r.changes],
                    "errors": [e.as_dict() for e in r.errors],
                    "note": r.note,
                }
                for r in self.rows
            ],
            "missing": self.missing,
        }


def rows_from_preview(data: Mapping[str, Any]) -> list[FileRow]:
    """The accepted rows a stored preview would apply (what the apply step re-validates)."""
    rows = []
    for item in data.get("rows", []):
        if item.get("outcome") == REJECTED or not item.get("values"):
            continue
        rows.append(
            FileRow(row=item["row"], code=item["code"], values=SchoolValues(**item["values"]))
        )
    return rows


# --- building the file ---------------------------------------------------------------------------

_INSTRUCTIONS = (
    "Выверка списка образовательных организаций (ОО)",
    "",
    "Что нужно сделать:",
    "1. Откройте лист «Список ОО». В нём все ОО {genitive} «{unit}», в том числе закрытые.",
    "2. Проверьте и при необходимости исправьте полное и краткое наименование, адрес, тип ОО "
    "и часовой пояс.",
    "3. ОО, прекратившую существование, не удаляйте из списка: выберите в столбце «Статус» "
    "значение «Закрыта». ОО с историей не удаляются из системы, а закрываются.",
    "4. Новую ОО добавьте в пустую строку под списком, оставив «Код ОО (логин)» пустым: код "
    "(он же логин ОО) присвоит портал после применения файла.",
    "5. Тип ОО, статус{muni} и часовой пояс выбирайте из раскрывающегося списка. Если часовой "
    "пояс не указан, у новой ОО будет пояс муниципалитета, у существующей он не изменится.",
    "6. Не изменяйте коды ОО и заголовки столбцов, не вводите формулы (значения, начинающиеся "
    "со знака «=»).",
    "7. Сохраните файл в формате .xlsx и загрузите его в разделе «Выверка списка ОО».",
    "",
    "После загрузки портал покажет, что изменится: новые ОО, изменённые поля, ОО без изменений "
    "и отклонённые строки с причинами (номер строки и столбец). Изменения вносятся только после "
    "подтверждения. Если в файле есть ошибки, ничего не меняется: исправьте их и загрузите файл "
    "снова. Повторная загрузка того же файла ничего не меняет.",
    "",
    "Учётные записи организаторов новых ОО выдаются в разделе «Организаторы ОО».",
)
_UNLOCKED = Protection(locked=False)


def build_template(
    *, unit: UnitInfo, schools: Iterable[ExistingSchool], generated_at: str = ""
) -> bytes:
    """The reconciliation workbook of a unit (instructions first; codes locked; no formulas)."""
    columns = columns_for(unit.level)
    wb = Workbook()
    intro = wb.active
    if intro is None:  # pragma: no cover - a new Workbook always has one sheet
        intro = wb.create_sheet()
    intro.title = SHEET_INSTRUCTIONS
    muni = ", код муниципалитета" if unit.level == LEVEL_REGION else ""
    for i, line in enumerate(_INSTRUCTIONS, start=1):
        set_text(intro, i, 1, line.format(genitive=unit.genitive, unit=unit.title, muni=muni))
        intro.cell(row=i, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    intro.cell(row=1, column=1).font = Font(bold=True, size=13)
    if generated_at:
        set_text(intro, len(_INSTRUCTIONS) + 2, 1, f"Файл сформирован: {generated_at}")
    intro.column_dimensions["A"].width = 120

    data = wb.create_sheet(SHEET_DATA)
    set_text(data, 1, 1, f"Список ОО {unit.genitive}: {unit.title}")
    data.cell(row=1, column=1).font = Font(bold=True, size=13)
    header_row = 3
    for col, column in enumerate(columns, start=1):
        set_text(data, header_row, col, column.header)
        cell = data.cell(row=header_row, column=col)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        data.column_dimensions[get_column_letter(col)].width = column.width
    data.freeze_panes = data.cell(row=header_row + 1, column=2)

    row_no = header_row
    for school in schools:
        row_no += 1
        for col, column in enumerate(columns, start=1):
            value = school.code if column is CODE else school.values.display(column.key)
            set_text(data, row_no, col, value)
            if column is not CODE:
                data.cell(row=row_no, column=col).protection = _UNLOCKED
        data.cell(row=row_no, column=1).fill = PatternFill("solid", fgColor="EEEEEE")
    last = row_no + BLANK_ROWS
    for blank in range(row_no + 1, last + 1):
        for col, column in enumerate(columns, start=1):
            if column is not CODE:
                data.cell(row=blank, column=col).protection = _UNLOCKED
    # Protection keeps codes from being edited by mistake; it has no password on purpose.
    data.protection.sheet = True
    data.protection.formatColumns = False
    data.protection.formatRows = False
    data.protection.autoFilter = False
    data.protection.sort = False

    lists = wb.create_sheet(SHEET_LISTS)
    vocabularies: list[tuple[Column, list[str]]] = [
        (SCHOOL_TYPE, list(TYPE_LABELS.values())),
        (STATUS, list(STATUS_LABELS.values())),
        (TIME_ZONE, list(ZONE_LABELS.values())),
    ]
    if unit.level == LEVEL_REGION:
        vocabularies.append((MUNICIPALITY, sorted(unit.municipalities)))
    first = header_row + 1
    for list_col, (column, values) in enumerate(vocabularies, start=1):
        set_text(lists, 1, list_col, column.header)
        for i, value in enumerate(values, start=2):
            set_text(lists, i, list_col, value)
        letter = get_column_letter(list_col)
        source = f"'{SHEET_LISTS}'!${letter}$2:${letter}${max(len(values) + 1, 2)}"
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Недопустимое значение",
            error=f"Выберите значение столбца «{column.header}» из списка.",
        )
        target = get_column_letter(columns.index(column) + 1)
        validation.add(f"{target}{first}:{target}{last}")
        data.add_data_validation(validation)
    lists.sheet_state = "hidden"

    service = wb.create_sheet(SHEET_SERVICE)
    for i, (label, value) in enumerate(
        (
            ("Служебный лист: не изменяйте", ""),
            ("Форма", FILE_MARK),
            ("Уровень", unit.level),
            ("Код", unit.code),
        ),
        start=1,
    ):
        set_text(service, i, 1, label)
        set_text(service, i, 2, value)
    service.sheet_state = "hidden"

    wb.active = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- reading the file ----------------------------------------------------------------------------


def _formula_cells(content: bytes, sheet_name: str) -> set[tuple[int, int]]:
    """Cells of a sheet that hold real formulas (calamine shows only their cached values)."""
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # calamine already read the file; an openpyxl hiccup must not block it
        return set()
    try:
        if sheet_name not in wb.sheetnames:
            return set()
        found = set()
        for row in wb[sheet_name].iter_rows():
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    found.add((cell.row, cell.column))
        return found
    finally:
        wb.close()


def _find_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    wanted = {_norm(c.header): c.key for c in (*columns_for(LEVEL_REGION),)}
    for row_no in range(1, min(len(sheet.rows), HEADER_SCAN_ROWS) + 1):
        found: dict[str, int] = {}
        for col_no, value in enumerate(sheet.rows[row_no - 1], start=1):
            key = wanted.get(_norm(text(value)))
            if key is not None and key not in found:
                found[key] = col_no
        if CODE.key in found and FULL_NAME.key in found:
            return row_no, found
    return None


def _service_unit(sheets: Mapping[str, Sheet]) -> tuple[str, str] | None:
    service = sheets.get(SHEET_SERVICE)
    if service is None or text(service.cell(2, 2)) != FILE_MARK:
        return None
    return text(service.cell(3, 2)), text(service.cell(4, 2))


def parse_upload(content: bytes, *, unit: UnitInfo, max_bytes: int) -> ParsedFile:
    """Read an uploaded reconciliation file; UploadError for a file that cannot be used at all.

    Problems of single cells do not raise: they stay on their rows (``FileRow.errors``), so the
    preview can show every rejected row with its reasons.
    """
    sheets = read_workbook(content, limits=SHEET_LIMITS, max_bytes=max_bytes)
    marked = _service_unit(sheets)
    if marked is not None and (marked[0] != unit.level or marked[1] != unit.code):
        raise file_error(
            f"Файл выгружен для другой единицы (код {marked[1] or 'не указан'}), а загружается "
            f"для {unit.genitive} {unit.title}. Скачайте список ОО своего {unit.genitive} "
            "и внесите изменения в него."
        )
    sheet = sheets.get(SHEET_DATA)
    found = _find_header(sheet) if sheet is not None else None
    if found is None:
        for candidate in sheets.values():
            found = _find_header(candidate)
            if found is not None:
                sheet = candidate
                break
    if sheet is None or found is None:
        raise file_error(
            f"В файле не найден лист «{SHEET_DATA}» со столбцами «{CODE.header}» и "
            f"«{FULL_NAME.header}». Скачайте форму выверки заново и заполните её."
        )
    header_row, columns = found
    missing = [c.header for c in columns_for(unit.level) if c.key not in columns]
    if missing:
        names = ", ".join(f"«{h}»" for h in missing)
        raise file_error(
            f"Лист «{sheet.name}», строка {header_row}: нет столбцов {names}. "
            "Скачайте форму выверки заново и не изменяйте заголовки столбцов."
        )
    data_rows = [
        (row_no, values)
        for row_no, values in enumerate(sheet.rows[header_row:], start=header_row + 1)
        if any(text(values[c - 1]) for c in columns.values() if c - 1 < len(values))
    ]
    if len(data_rows) > MAX_ROWS:
        raise file_error(
            f"В файле {len(data_rows)} строк с данными; допускается не более {MAX_ROWS}."
        )
    # openpyxl parses the file a second time: in the isolated child too.
    formulas = isolated(_formula_cells, content, sheet.name)
    rows = [
        _parse_row(row_no, values, columns=columns, unit=unit, formulas=formulas)
        for row_no, values in data_rows
    ]
    return ParsedFile(rows=rows, columns=columns)


def _parse_row(
    row_no: int,
    values: Sequence[Any],
    *,
    columns: Mapping[str, int],
    unit: UnitInfo,
    formulas: set[tuple[int, int]],
) -> FileRow:
    errors: list[CellError] = []
    cells: dict[str, str] = {}
    for column in columns_for(unit.level):
        col_no = columns[column.key]
        raw = values[col_no - 1] if col_no - 1 < len(values) else None
        value = text(raw)
        if (row_no, col_no) in formulas or looks_like_formula(value):
            errors.append(
                CellError(
                    row_no,
                    col_no,
                    f"в столбце «{column.header}» формула; формулы не допускаются, введите "
                    "значение текстом (без знака «=» в начале).",
                )
            )
            value = ""
        elif column.required and not value:
            errors.append(CellError(row_no, col_no, f"не заполнен столбец «{column.header}»."))
        elif column.max_length and len(value) > column.max_length:
            errors.append(
                CellError(
                    row_no,
                    col_no,
                    f"в столбце «{column.header}» {len(value)} символов; допускается не более "
                    f"{column.max_length}.",
                )
            )
        cells[column.key] = value

    def lookup(column: Column, table: Mapping[str, str], hint: str) -> str:
        value = cells[column.key]
        if not value:
            return ""
        found = table.get(_norm(value))
        if found is None:
            errors.append(
                CellError(
                    row_no,
                    columns[column.key],
                    f"недопустимое значение «{value}» в столбце «{column.header}»; {hint}",
                )
            )
            return ""
        return found

    school_type = lookup(
        SCHOOL_TYPE, _TYPE_LOOKUP, "выберите тип ОО из списка: " + ", ".join(TYPE_LABELS.values())
    )
    status = lookup(STATUS, _STATUS_LOOKUP, "выберите «Действующая» или «Закрыта».")
    time_zone = lookup(TIME_ZONE, _ZONE_LOOKUP, "выберите часовой пояс из списка.")
    code = cells[CODE.key]
    if code and not _CODE_RE.match(code):
        errors.append(
            CellError(
                row_no,
                columns[CODE.key],
                f"код ОО «{code}» неверного вида: ожидается edu и 6 цифр (например, edu660101). "
                "Для новой ОО оставьте код пустым.",
            )
        )
    if unit.level == LEVEL_REGION:
        municipality_code = cells[MUNICIPALITY.key]
        if municipality_code and not _MUNI_CODE_RE.match(municipality_code):
            errors.append(
                CellError(
                    row_no,
                    columns[MUNICIPALITY.key],
                    f"код муниципалитета «{municipality_code}» неверного вида: ожидается "
                    "например reg66_m001.",
                )
            )
    else:
        municipality_code = unit.code
    return FileRow(
        row=row_no,
        code=code,
        values=SchoolValues(
            full_name=cells[FULL_NAME.key],
            short_name=cells[SHORT_NAME.key],
            address=cells[ADDRESS.key],
            school_type=school_type,
            status=status,
            municipality_code=municipality_code,
            time_zone=time_zone,
        ),
        errors=tuple(errors),
    )


# --- comparing with the database -----------------------------------------------------------------

_COMPARED = (
    "full_name",
    "short_name",
    "address",
    "school_type",
    "status",
    "municipality_code",
    "time_zone",
)


def _changes(old: SchoolValues, new: SchoolValues) -> list[Change]:
    return [
        Change(field=key, label=FIELD_LABELS[key], old=old.display(key), new=new.display(key))
        for key in _COMPARED
        if getattr(old, key) != getattr(new, key)
    ]


def reconcile(parsed: ParsedFile, *, unit: UnitInfo, existing: Iterable[ExistingSchool]) -> Preview:
    """What applying the rows would do to the unit's schools (``existing``: all of them)."""
    by_code = {s.code: s for s in existing}
    by_name: dict[tuple[str, str], list[ExistingSchool]] = {}
    for school in by_code.values():
        key = (school.values.municipality_code, name_key(school.values.full_name))
        by_name.setdefault(key, []).append(school)
    seen_codes: dict[str, int] = {}
    seen_new: dict[tuple[str, str], int] = {}
    outcomes: list[RowOutcome] = []
    code_col = parsed.column(CODE.key)
    muni_col = parsed.column(MUNICIPALITY.key) if unit.level == LEVEL_REGION else 0

    for row in parsed.rows:
        values = row.values
        name = values.short_name or values.full_name
        errors = list(row.errors)
        if errors:
            outcomes.append(RowOutcome(row.row, REJECTED, row.code, name, errors=errors))
            if row.code in by_code and row.code not in seen_codes:
                seen_codes[row.code] = row.row  # listed (if broken): not "missing from the file"
            continue

        def reject(message: str, column: int, row: FileRow = row, name: str = name) -> None:
            outcomes.append(
                RowOutcome(
                    row.row, REJECTED, row.code, name, errors=[CellError(row.row, column, message)]
                )
            )

        if values.municipality_code not in unit.municipalities:
            reject(
                f"муниципалитет с кодом «{values.municipality_code}» не найден в регионе "
                f"{unit.title}; выберите код из списка.",
                muni_col,
            )
            continue
        target: ExistingSchool | None = None
        note = ""
        if row.code:
            if row.code in seen_codes:
                reject(
                    f"ОО с кодом {row.code} уже указана в строке {seen_codes[row.code]}; "
                    "удалите повторную строку.",
                    code_col,
                )
                continue
            target = by_code.get(row.code)
            if target is None:
                reject(
                    f"ОО с кодом {row.code} нет в списке ОО {unit.genitive} {unit.title}. "
                    "Проверьте код; для новой ОО оставьте код пустым.",
                    code_col,
                )
                continue
        else:
            key = (values.municipality_code, name_key(values.full_name))
            if key in seen_new:
                reject(
                    f"новая ОО «{values.full_name}» уже указана в строке {seen_new[key]}; "
                    "удалите повторную строку.",
                    parsed.column(FULL_NAME.key),
                )
                continue
            seen_new[key] = row.row
            matches = by_name.get(key, [])
            if len(matches) > 1:
                codes = ", ".join(sorted(m.code for m in matches))
                reject(
                    f"в муниципалитете несколько ОО с наименованием «{values.full_name}» "
                    f"({codes}); укажите код нужной ОО.",
                    code_col,
                )
                continue
            if matches:
                target = matches[0]
                if target.code in seen_codes:
                    reject(
                        f"ОО «{values.full_name}» уже указана в строке "
                        f"{seen_codes[target.code]} с кодом {target.code}; удалите повторную "
                        "строку.",
                        code_col,
                    )
                    continue
                note = f"ОО уже есть в списке под кодом {target.code}."
            elif values.status == SchoolStatus.CLOSED:
                reject(
                    "новая ОО не может быть закрытой; укажите статус «Действующая» или удалите "
                    "строку.",
                    parsed.column(STATUS.key),
                )
                continue

        if target is None:
            final = _with_zone(values, unit.municipalities[values.municipality_code])
            outcomes.append(
                RowOutcome(row.row, CREATED, "", name, values=final, note="Код ОО присвоит портал.")
            )
            continue
        seen_codes[target.code] = row.row
        final = _with_zone(values, target.values.time_zone)
        changes = _changes(target.values, final)
        outcomes.append(
            RowOutcome(
                row.row,
                CHANGED if changes else UNCHANGED,
                target.code,
                final.short_name or final.full_name,
                school_id=target.id,
                values=final,
                changes=changes,
                note=note,
            )
        )

    missing = [
        {"code": s.code, "name": s.values.short_name or s.values.full_name}
        for s in sorted(by_code.values(), key=lambda s: s.code)
        if s.code not in seen_codes
    ]
    return Preview(unit=unit, rows=outcomes, missing=missing)


def _with_zone(values: SchoolValues, default: str) -> SchoolValues:
    if values.time_zone:
        return values
    return SchoolValues(**{**asdict(values), "time_zone": default})


def refuse(preview: Preview) -> UploadError:
    """The error of a file with rejected rows: every reason, by row and column."""
    return UploadError(preview.errors)
