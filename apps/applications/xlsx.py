"""Application files. Pure: dataclasses and bytes, no ORM.

* The school's form («форма-заявка»): instructions on the first sheet; «Заявка» has a row per
  work of the campaign (grade × subject, locked) and three input columns (takes part да/нет,
  participants, classes) with dropdowns and whole-number ranges; the sheet is protected so only
  the input cells can be edited; a hidden service sheet names the school and the campaign.
* The coordinator's summary («сводный файл»): every active school of the unit, applied or not.
  «ОО» has a row per school with «Подтвердить (да/нет)»; «Заявки» a row per school × work.
* ``read_form`` reads either back into rows, each with its Russian cell errors; what the rows
  mean for the applications is decided by the services with ``apps.applications.rules``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from apps.applications.constants import (
    FIELD_LABELS,
    FORM_SCHOOL,
    FORM_SUMMARY,
    MAX_CLASSES,
    MAX_PARTICIPANTS,
    NO,
    YES,
)
from apps.applications.rules import LineValues, RawLine, WorkRef, parse_line, parse_takes_part
from apps.core.params import QueryParameterError, int_param
from apps.core.uploads import CellError, Sheet, SheetLimits, file_error, read_workbook, text
from apps.core.xlsx import HEADER_FILL, HEADER_FONT, set_text

SHEET_INSTRUCTIONS = "Инструкция"
SHEET_FORM = "Заявка"
SHEET_SCHOOLS = "ОО"
SHEET_LINES = "Заявки"
SHEET_SERVICE = "Служебный"
MARK = "vpr-portal:application:v1"
HEADER_ROW = 3
HEADER_SCAN_ROWS = 10
MAX_ROWS = 200_000  # a region of 2,000 schools × 60 works is 120,000 rows
# How far a sheet of an uploaded file may reach; beyond it the file is refused unparsed.
SHEET_LIMITS = SheetLimits(rows=MAX_ROWS + 1_000, columns=30)

_UNLOCKED = Protection(locked=False)
_LOCKED_FILL = PatternFill("solid", fgColor="EEEEEE")
_INPUT_FILL = PatternFill("solid", fgColor="FFFDE7")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int


GRADE = Column("grade", "Класс", 8)
SUBJECT = Column("subject", "Учебный предмет", 30)
TAKES_PART = Column("takes_part", "Участвует (да/нет)", 13)
PARTICIPANTS = Column("participants", "Количество участников", 14)
CLASSES = Column("classes", "Количество классов", 12)
PUPILS = Column("pupils", "Обучающихся в параллели (опросный лист)", 18)
CODE = Column("code", "Код ОО", 12)
NAME = Column("name", "ОО", 40)
MUNICIPALITY = Column("municipality", "Муниципалитет", 28)
STATUS = Column("status", "Состояние заявки", 26)
CONFIRM = Column("confirm", "Подтвердить (да/нет)", 14)

SCHOOL_COLUMNS = (GRADE, SUBJECT, TAKES_PART, PARTICIPANTS, CLASSES, PUPILS)
SUMMARY_SCHOOL_COLUMNS = (CODE, NAME, MUNICIPALITY, STATUS, CONFIRM)
SUMMARY_LINE_COLUMNS = (CODE, NAME, GRADE, SUBJECT, TAKES_PART, PARTICIPANTS, CLASSES)
INPUTS = (TAKES_PART, PARTICIPANTS, CLASSES)


# --- data ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormMeta:
    """What the service sheet says: which form, for whom, about which unit and campaign."""

    form: str  # FORM_SCHOOL or FORM_SUMMARY
    level: str  # who the file is for: school / municipality / region
    unit_kind: str  # school / municipality / region
    unit_code: str
    campaign_year: int | None
    campaign_id: int | None = None


@dataclass(frozen=True)
class SchoolHeader:
    code: str
    name: str
    municipality: str
    campaign_year: int
    campaign_name: str
    deadline_text: str
    generated_at: str = ""
    campaign_id: int | None = None


@dataclass(frozen=True)
class SummaryHeader:
    level: str  # "municipality" or "region": whose «подтвердить» the file carries
    unit_kind: str  # "municipality" or "region"
    unit_code: str
    unit_name: str
    campaign_year: int
    campaign_name: str
    generated_at: str = ""
    campaign_id: int | None = None


@dataclass(frozen=True)
class SummarySchool:
    code: str
    name: str
    municipality: str
    status_label: str
    confirmed: bool
    locked: bool
    lines: Mapping[int, LineValues]


@dataclass
class ParsedLine:
    """A row naming one work (of a school's form, or of a summary with the school's code)."""

    row: int
    code: str
    work_id: int | None
    values: LineValues | None
    columns: Mapping[str, int]
    errors: list[CellError] = field(default_factory=list)


@dataclass
class ParsedConfirm:
    row: int
    code: str
    confirm: bool | None
    column: int
    errors: list[CellError] = field(default_factory=list)


@dataclass
class ParsedForm:
    meta: FormMeta
    lines: list[ParsedLine]
    confirmations: list[ParsedConfirm]
    errors: list[CellError]  # problems of the file as a whole (e.g. rows missing)
    code_cell: tuple[int, int] = (0, 0)  # where the school code is shown in a school form

    @property
    def all_errors(self) -> list[CellError]:
        found = list(self.errors)
        found += [e for c in self.confirmations for e in c.errors]
        found += [e for line in self.lines for e in line.errors]
        return found


# --- building ------------------------------------------------------------------------------------


def _instructions(ws: Worksheet, lines: Sequence[str]) -> None:
    ws.title = SHEET_INSTRUCTIONS
    for i, line in enumerate(lines, start=1):
        set_text(ws, i, 1, line)
        ws.cell(row=i, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 120
    ws.protection.sheet = True


def _header(ws: Worksheet, columns: Sequence[Column], title: str) -> None:
    set_text(ws, 1, 1, title)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    for col, column in enumerate(columns, start=1):
        set_text(ws, HEADER_ROW, col, column.header)
        cell = ws.cell(row=HEADER_ROW, column=col)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = column.width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)


def _protect(ws: Worksheet) -> None:
    # Protection keeps the rows' identity from being edited by mistake; no password on purpose.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = False


def _validations(
    ws: Worksheet, columns: Sequence[Column], first: int, last: int, *, with_confirm: bool = False
) -> None:
    if last < first:
        return
    rules: list[tuple[Column, DataValidation]] = [
        (
            TAKES_PART,
            DataValidation(
                type="list",
                formula1=f'"{YES},{NO}"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Недопустимое значение",
                error=f"Выберите «{YES}» или «{NO}».",
            ),
        ),
        (
            PARTICIPANTS,
            DataValidation(
                type="whole",
                operator="between",
                formula1="0",
                formula2=str(MAX_PARTICIPANTS),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Недопустимое значение",
                error=f"Введите целое число от 0 до {MAX_PARTICIPANTS}.",
            ),
        ),
        (
            CLASSES,
            DataValidation(
                type="whole",
                operator="between",
                formula1="0",
                formula2=str(MAX_CLASSES),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Недопустимое значение",
                error=f"Введите целое число от 0 до {MAX_CLASSES}.",
            ),
        ),
    ]
    if with_confirm:
        rules.append(
            (
                CONFIRM,
                DataValidation(
                    type="list",
                    formula1=f'"{YES},{NO}"',
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="Недопустимое значение",
                    error=f"Выберите «{YES}» или «{NO}».",
                ),
            )
        )
    for column, validation in rules:
        if column not in columns:
            continue
        letter = get_column_letter(columns.index(column) + 1)
        validation.add(f"{letter}{first}:{letter}{last}")
        ws.add_data_validation(validation)


def _service(wb: Workbook, meta: FormMeta) -> None:
    ws = wb.create_sheet(SHEET_SERVICE)
    for i, (label, value) in enumerate(
        (
            ("Служебный лист: не изменяйте", ""),
            ("Форма", MARK),
            ("Вид", meta.form),
            ("Для кого", meta.level),
            ("Единица", meta.unit_kind),
            ("Код", meta.unit_code),
            ("Год кампании", str(meta.campaign_year or "")),
            ("Кампания", str(meta.campaign_id or "")),
        ),
        start=1,
    ):
        set_text(ws, i, 1, label)
        set_text(ws, i, 2, value)
    ws.protection.sheet = True
    ws.sheet_state = "hidden"


def _input_cells(ws: Worksheet, row: int, columns: Sequence[Column], values: LineValues) -> None:
    for column, value in (
        (TAKES_PART, YES if values.takes_part else NO),
        (PARTICIPANTS, values.participants),
        (CLASSES, values.classes),
    ):
        col = columns.index(column) + 1
        set_text(ws, row, col, value)


def _save(wb: Workbook) -> bytes:
    wb.active = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def school_form_filename(*, campaign_name: str, school_code: str) -> str:
    return f"Заявка {campaign_name} {school_code}.xlsx"


def build_school_form(
    *,
    header: SchoolHeader,
    works: Sequence[WorkRef],
    lines: Mapping[int, LineValues],
    grades: Mapping[str, Any],
) -> bytes:
    """The form-application of one school: a row per work, only the inputs unlocked."""
    wb = Workbook()
    intro = wb.active
    if intro is None:  # pragma: no cover - a new Workbook always has one sheet
        intro = wb.create_sheet()
    _instructions(
        intro,
        (
            f"Форма-заявка на участие в {header.campaign_name}",
            "",
            f"ОО: {header.code} {header.name}",
            f"Муниципалитет: {header.municipality}",
            f"Последний день подачи заявок: {header.deadline_text} включительно "
            "(по местному времени ОО).",
            "",
            "Как заполнить форму:",
            f"1. Откройте лист «{SHEET_FORM}». В нём по строке на каждую работу (класс и учебный "
            "предмет), которую проводит кампания.",
            f"2. В столбце «{TAKES_PART.header}» выберите «{YES}», если ОО участвует в этой "
            f"работе, или «{NO}», если не участвует.",
            f"3. Для работ со значением «{YES}» укажите количество участников и количество "
            "классов (целые числа). Участников не может быть больше, чем обучающихся в параллели "
            "по опросному листу ОО, а классов — больше, чем участников.",
            f"4. Для работ со значением «{NO}» оставьте количество участников и классов равным 0.",
            "5. Не добавляйте и не удаляйте строки, не изменяйте класс и предмет: форма защищена, "
            "редактировать можно только столбцы ввода. Не вводите формулы.",
            "6. Сохраните файл в формате .xlsx и загрузите его на странице заявки в личном "
            "кабинете ОО.",
            "",
            "После загрузки портал покажет, что изменится в заявке, и ошибки с номером строки и "
            "столбца. Изменения вносятся только после подтверждения; после этого заявка "
            "считается поданной. Если в файле есть ошибки, ничего не меняется.",
            "Заявку, подтверждённую муниципальным координатором, ОО изменить не может.",
            "",
            "Фамилии и имена участников в заявке не указываются.",
            f"Файл сформирован: {header.generated_at}" if header.generated_at else "",
        ),
    )
    ws = wb.create_sheet(SHEET_FORM)
    _header(
        ws,
        SCHOOL_COLUMNS,
        f"Заявка ОО {header.code} {header.name} на участие в {header.campaign_name}",
    )
    row = HEADER_ROW
    for work in works:
        row += 1
        set_text(ws, row, 1, work.grade)
        set_text(ws, row, 2, work.subject)
        _input_cells(ws, row, SCHOOL_COLUMNS, lines.get(work.id, LineValues()))
        grade = grades.get(str(work.grade)) or {}
        pupils = grade.get("pupils") if isinstance(grade, Mapping) else None
        set_text(ws, row, 6, pupils if isinstance(pupils, int) else "—")
        for col in (1, 2, 6):
            ws.cell(row=row, column=col).fill = _LOCKED_FILL
        for col in (3, 4, 5):
            ws.cell(row=row, column=col).protection = _UNLOCKED
            ws.cell(row=row, column=col).fill = _INPUT_FILL
    _validations(ws, SCHOOL_COLUMNS, HEADER_ROW + 1, row)
    _protect(ws)
    _service(
        wb,
        FormMeta(
            form=FORM_SCHOOL,
            level="school",
            unit_kind="school",
            unit_code=header.code,
            campaign_year=header.campaign_year,
            campaign_id=header.campaign_id,
        ),
    )
    return _save(wb)


def summary_filename(*, campaign_name: str, unit_code: str) -> str:
    return f"Сводная заявка {campaign_name} {unit_code}.xlsx"


def build_summary(
    *, header: SummaryHeader, works: Sequence[WorkRef], schools: Sequence[SummarySchool]
) -> bytes:
    """The summary of a unit: every active school, applied or not, with «подтвердить»."""
    who = "муниципального" if header.level == "municipality" else "регионального"
    unit = "муниципалитета" if header.unit_kind == "municipality" else "региона"
    wb = Workbook()
    intro = wb.active
    if intro is None:  # pragma: no cover
        intro = wb.create_sheet()
    _instructions(
        intro,
        (
            f"Сводный файл заявок на участие в {header.campaign_name}",
            "",
            f"Единица: {unit} {header.unit_code} {header.unit_name}. Файл для {who} координатора.",
            "В файл включены все действующие ОО, в том числе не подавшие заявку (состояние "
            "«заявка не подана»).",
            "",
            "Как работать с файлом:",
            f"1. Лист «{SHEET_LINES}»: по строке на каждую ОО и работу (класс и предмет). При "
            "необходимости исправьте «Участвует», количество участников и классов — так же, как "
            "в форме-заявке ОО. Так можно заполнить заявку и за ОО, которая её не подала.",
            f"2. Лист «{SHEET_SCHOOLS}»: по строке на каждую ОО. В столбце «{CONFIRM.header}» "
            f"выберите «{YES}», чтобы подтвердить заявку ОО, или «{NO}», чтобы снять ваше "
            "подтверждение (вернуть заявку на доработку).",
            "3. Не изменяйте коды ОО, классы и предметы, не добавляйте строк. Строки серого цвета "
            "закрыты для изменений: заявка подтверждена вышестоящим уровнем.",
            "4. Сохраните файл в формате .xlsx и загрузите его в разделе «Заявки ВПР».",
            "",
            "После загрузки портал покажет, что изменится (заявки, строки, подтверждения), и "
            "ошибки с номером строки и столбца. Изменения вносятся только после подтверждения. "
            "Если файл загружен без изменений, ничего не меняется.",
            f"Файл сформирован: {header.generated_at}" if header.generated_at else "",
        ),
    )
    confirm_ws = wb.create_sheet(SHEET_SCHOOLS)
    _header(
        confirm_ws,
        SUMMARY_SCHOOL_COLUMNS,
        f"Заявки ОО {unit} {header.unit_code} {header.unit_name}: подтверждение",
    )
    row = HEADER_ROW
    for school in schools:
        row += 1
        for col, value in enumerate(
            (
                school.code,
                school.name,
                school.municipality,
                school.status_label,
                YES if school.confirmed else NO,
            ),
            start=1,
        ):
            set_text(confirm_ws, row, col, value)
        cell = confirm_ws.cell(row=row, column=5)
        if school.locked:
            for col in range(1, 6):
                confirm_ws.cell(row=row, column=col).fill = _LOCKED_FILL
        else:
            cell.protection = _UNLOCKED
            cell.fill = _INPUT_FILL
    _validations(confirm_ws, SUMMARY_SCHOOL_COLUMNS, HEADER_ROW + 1, row, with_confirm=True)
    _protect(confirm_ws)

    lines_ws = wb.create_sheet(SHEET_LINES)
    _header(
        lines_ws,
        SUMMARY_LINE_COLUMNS,
        f"Заявки ОО {unit} {header.unit_code} {header.unit_name}: работы",
    )
    row = HEADER_ROW
    for school in schools:
        for work in works:
            row += 1
            identity: tuple[Any, ...] = (school.code, school.name, work.grade, work.subject)
            for col, cell_value in enumerate(identity, start=1):
                set_text(lines_ws, row, col, cell_value)
            _input_cells(
                lines_ws, row, SUMMARY_LINE_COLUMNS, school.lines.get(work.id, LineValues())
            )
            for col in (5, 6, 7):
                cell = lines_ws.cell(row=row, column=col)
                if school.locked:
                    cell.fill = _LOCKED_FILL
                else:
                    cell.protection = _UNLOCKED
                    cell.fill = _INPUT_FILL
    _validations(lines_ws, SUMMARY_LINE_COLUMNS, HEADER_ROW + 1, row)
    _protect(lines_ws)
    _service(
        wb,
        FormMeta(
            form=FORM_SUMMARY,
            level=header.level,
            unit_kind=header.unit_kind,
            unit_code=header.unit_code,
            campaign_year=header.campaign_year,
            campaign_id=header.campaign_id,
        ),
    )
    return _save(wb)


# --- reading -------------------------------------------------------------------------------------


def _norm(value: Any) -> str:
    return " ".join(text(value).split()).casefold()


def _aliases(column: Column) -> set[str]:
    full = _norm(column.header)
    return {full, full.split("(")[0].strip()}


def _find_header(sheet: Sheet, columns: Sequence[Column]) -> tuple[int, dict[str, int]] | None:
    wanted = {alias: c.key for c in columns for alias in _aliases(c)}
    for row_no in range(1, min(len(sheet.rows), HEADER_SCAN_ROWS) + 1):
        found: dict[str, int] = {}
        for col_no, value in enumerate(sheet.rows[row_no - 1], start=1):
            key = wanted.get(_norm(value))
            if key is not None and key not in found:
                found[key] = col_no
        if len(found) >= 3:
            return row_no, found
    return None


def _id_or_none(value: str) -> int | None:
    """A number from the form's service sheet; anything else means an unknown form."""
    try:
        return int_param(value)
    except QueryParameterError:
        return None


def _meta(sheets: Mapping[str, Sheet]) -> FormMeta:
    service = sheets.get(SHEET_SERVICE)
    if service is None or text(service.cell(2, 2)) != MARK:
        raise file_error(
            "Файл не является формой-заявкой портала ВПР: нет служебного листа. Скачайте "
            "форму-заявку (или сводный файл) на портале и заполните её."
        )
    year, campaign = text(service.cell(7, 2)), text(service.cell(8, 2))
    return FormMeta(
        form=text(service.cell(3, 2)),
        level=text(service.cell(4, 2)),
        unit_kind=text(service.cell(5, 2)),
        unit_code=text(service.cell(6, 2)),
        campaign_year=_id_or_none(year),
        campaign_id=_id_or_none(campaign),
    )


def _sheet(
    sheets: Mapping[str, Sheet], name: str, columns: Sequence[Column]
) -> tuple[Sheet, int, dict[str, int]]:
    sheet = sheets.get(name)
    found = _find_header(sheet, columns) if sheet is not None else None
    if sheet is None or found is None:
        raise file_error(
            f"В файле нет листа «{name}» с заголовками столбцов. Скачайте форму заново и не "
            "переименовывайте листы и столбцы."
        )
    header_row, cols = found
    missing = [c.header for c in columns if c.key not in cols and c is not PUPILS]
    if missing:
        names = ", ".join(f"«{h}»" for h in missing)
        raise file_error(
            f"Лист «{name}», строка {header_row}: нет столбцов {names}. Скачайте форму заново "
            "и не изменяйте заголовки столбцов."
        )
    return sheet, header_row, cols


def _data_rows(
    sheet: Sheet, header_row: int, cols: Mapping[str, int]
) -> list[tuple[int, list[Any]]]:
    rows = [
        (row_no, values)
        for row_no, values in enumerate(sheet.rows[header_row:], start=header_row + 1)
        if any(text(values[c - 1]) for c in cols.values() if c - 1 < len(values))
    ]
    if len(rows) > MAX_ROWS:
        raise file_error(f"В файле {len(rows)} строк с данными; допускается не более {MAX_ROWS}.")
    return rows


def _cell(values: Sequence[Any], col: int) -> Any:
    return values[col - 1] if 0 < col <= len(values) else None


def _work_key(grade: Any, subject: Any) -> tuple[str, str]:
    return text(grade), _norm(subject)


def _parse_line(
    row_no: int,
    values: Sequence[Any],
    cols: Mapping[str, int],
    works: Mapping[tuple[str, str], WorkRef],
    campaign_name: str,
    code: str = "",
) -> ParsedLine:
    grade, subject = _cell(values, cols["grade"]), _cell(values, cols["subject"])
    line = ParsedLine(row=row_no, code=code, work_id=None, values=None, columns=dict(cols))
    if not text(grade) or not text(subject):
        missing = cols["grade"] if not text(grade) else cols["subject"]
        line.errors.append(
            CellError(row_no, missing, "Не указан класс или учебный предмет. Не добавляйте строки.")
        )
        return line
    work = works.get(_work_key(grade, subject))
    if work is None:
        line.errors.append(
            CellError(
                row_no,
                cols["subject"],
                f"В {campaign_name} нет работы «{text(subject)}, {text(grade)} класс»: лишняя "
                "строка. Не добавляйте строки и не изменяйте класс и предмет.",
            )
        )
        return line
    line.work_id = work.id
    parsed, errors = parse_line(
        RawLine(
            takes_part=_cell(values, cols["takes_part"]),
            participants=_cell(values, cols["participants"]),
            classes=_cell(values, cols["classes"]),
        )
    )
    for name, message in errors:
        line.errors.append(CellError(row_no, cols[name], f"«{FIELD_LABELS[name]}»: {message}"))
    line.values = parsed
    return line


def read_form(content: bytes, *, max_bytes: int) -> tuple[dict[str, Sheet], FormMeta]:
    """The sheets of an uploaded application file and what its service sheet says."""
    sheets = read_workbook(content, limits=SHEET_LIMITS, max_bytes=max_bytes)
    return sheets, _meta(sheets)


def parse_school_form(
    sheets: Mapping[str, Sheet], meta: FormMeta, *, works: Sequence[WorkRef], campaign_name: str
) -> ParsedForm:
    """The rows of a school's form, each with its cell errors; missing works are file errors."""
    sheet, header_row, cols = _sheet(sheets, SHEET_FORM, SCHOOL_COLUMNS)
    by_key = {_work_key(w.grade, w.subject): w for w in works}
    lines: list[ParsedLine] = []
    seen: dict[int, int] = {}
    for row_no, values in _data_rows(sheet, header_row, cols):
        line = _parse_line(row_no, values, cols, by_key, campaign_name, code=meta.unit_code)
        if line.work_id is not None:
            if line.work_id in seen:
                line.errors.append(
                    CellError(
                        row_no,
                        cols["subject"],
                        f"Работа уже указана в строке {seen[line.work_id]}: повторная строка.",
                    )
                )
            else:
                seen[line.work_id] = row_no
        lines.append(line)
    errors = [
        CellError(
            0,
            0,
            f"Нет строки «{w.label}». Не удаляйте строки формы: для работ, в которых ОО не "
            f"участвует, укажите «{NO}».",
        )
        for w in works
        if w.id not in seen
    ]
    return ParsedForm(meta=meta, lines=lines, confirmations=[], errors=errors)


def parse_summary(
    sheets: Mapping[str, Sheet], meta: FormMeta, *, works: Sequence[WorkRef], campaign_name: str
) -> ParsedForm:
    """The rows of a summary: «подтвердить» per school and the school × work lines."""
    confirm_sheet, c_header, c_cols = _sheet(sheets, SHEET_SCHOOLS, SUMMARY_SCHOOL_COLUMNS)
    confirmations: list[ParsedConfirm] = []
    seen_codes: dict[str, int] = {}
    for row_no, values in _data_rows(confirm_sheet, c_header, c_cols):
        code = text(_cell(values, c_cols["code"]))
        raw = _cell(values, c_cols["confirm"])
        item = ParsedConfirm(row=row_no, code=code, confirm=None, column=c_cols["confirm"])
        if not code:
            item.errors.append(CellError(row_no, c_cols["code"], "Не указан код ОО."))
        elif code in seen_codes:
            item.errors.append(
                CellError(
                    row_no, c_cols["code"], f"ОО {code} уже указана в строке {seen_codes[code]}."
                )
            )
        else:
            seen_codes[code] = row_no
        if text(raw):
            value, error = parse_takes_part(raw)
            if error:
                item.errors.append(
                    CellError(row_no, c_cols["confirm"], f"«{CONFIRM.header}»: {error}")
                )
            else:
                item.confirm = value
        confirmations.append(item)

    lines_sheet, l_header, l_cols = _sheet(sheets, SHEET_LINES, SUMMARY_LINE_COLUMNS)
    by_key = {_work_key(w.grade, w.subject): w for w in works}
    lines: list[ParsedLine] = []
    seen: dict[tuple[str, int], int] = {}
    for row_no, values in _data_rows(lines_sheet, l_header, l_cols):
        code = text(_cell(values, l_cols["code"]))
        line = _parse_line(row_no, values, l_cols, by_key, campaign_name, code=code)
        if not code:
            line.errors.insert(0, CellError(row_no, l_cols["code"], "Не указан код ОО."))
        elif line.work_id is not None:
            key = (code, line.work_id)
            if key in seen:
                line.errors.append(
                    CellError(
                        row_no,
                        l_cols["subject"],
                        f"Эта работа ОО {code} уже указана в строке {seen[key]}: повторная строка.",
                    )
                )
            else:
                seen[key] = row_no
        lines.append(line)
    # A summary has two data sheets: every message names its sheet.
    for item in confirmations:
        item.errors = [on_sheet(SHEET_SCHOOLS, e) for e in item.errors]
    for line in lines:
        line.errors = [on_sheet(SHEET_LINES, e) for e in line.errors]
    return ParsedForm(meta=meta, lines=lines, confirmations=confirmations, errors=[])


def on_sheet(sheet: str, error: CellError) -> CellError:
    return CellError(error.row, error.column, f"Лист «{sheet}»: {error.message}")


# --- monitoring export ---------------------------------------------------------------------------

_CHILD_LABEL = {"region": "Регион", "municipality": "Муниципалитет", "school": "ОО"}


def _table(
    ws: Worksheet, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    set_text(ws, 1, 1, title)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    for col, header in enumerate(headers, start=1):
        set_text(ws, HEADER_ROW, col, header)
        cell = ws.cell(row=HEADER_ROW, column=col)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = 14 if col > 2 else 40
    ws.column_dimensions["A"].width = 14
    for r, values in enumerate(rows, start=HEADER_ROW + 1):
        for col, value in enumerate(values, start=1):
            set_text(ws, r, col, value)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=3)


def build_monitoring(
    *,
    data: Any,
    works: Sequence[WorkRef],
    not_applied: Sequence[tuple[str, str, str]],
    campaign_name: str,
    generated_at: str = "",
) -> bytes:
    """Monitoring of one unit: counts per unit below, participants per work, non-applicants.

    ``data`` is a ``selectors.Monitoring`` (kept untyped here: this module knows no selectors).
    """
    unit = data.unit
    where = unit.title or "Российская Федерация"
    child = _CHILD_LABEL[data.child_kind]
    wb = Workbook()
    ws = wb.active
    if ws is None:  # pragma: no cover
        ws = wb.create_sheet()
    ws.title = "Сводка"
    counts = [
        "Код",
        child,
        "Действующих ОО",
        "Подали заявку",
        "Не подали",
        "Подтверждено муниципалитетом",
        "Подтверждено регионом",
        "Участников",
    ]
    if data.child_kind == "school":
        counts.insert(2, "Состояние заявки")
    rows: list[list[Any]] = []
    for r in [*data.rows, data.total]:
        values: list[Any] = [
            r.code if r is not data.total else "",
            r.name if r is not data.total else "Итого",
            r.schools,
            r.applied,
            r.not_applied,
            r.confirmed_municipality,
            r.confirmed_region,
            r.participants,
        ]
        if data.child_kind == "school":
            values.insert(2, r.status_label if r is not data.total else "")
        rows.append(values)
    _table(ws, f"Заявки на участие в {campaign_name}: {where}", counts, rows)
    if generated_at:
        set_text(ws, 2, 1, f"Сформировано: {generated_at}")

    by_work = wb.create_sheet("По работам")
    _table(
        by_work,
        f"Участники по работам: {where}",
        ["Класс", "Учебный предмет", "ОО", "Участников", "Классов"],
        [[t.work.grade, t.work.subject, t.schools, t.participants, t.classes] for t in data.works],
    )

    matrix = wb.create_sheet("Участники по единицам")
    _table(
        matrix,
        f"Участники по единицам и работам: {where}",
        ["Код", child, *[w.label for w in works]],
        [
            [r.code, r.name, *[data.matrix.get(r.id, {}).get(w.id, 0) for w in works]]
            for r in data.rows
        ],
    )

    missing = wb.create_sheet("Не подали заявку")
    _table(
        missing,
        f"ОО, не подавшие заявку: {where}",
        ["Код ОО", "ОО", "Муниципалитет"],
        [list(item) for item in not_applied],
    )
    return _save(wb)
