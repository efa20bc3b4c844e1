"""Coordinator files: the xlsx templates for accounts, their parser, the credentials file.

Pure functions, no ORM: bytes in, dataclasses or ``UploadError`` (every problem with its row and
column, in Russian) out. The services decide what the parsed rows mean for the database.

A template has three sheets: «Инструкция» (how to fill it), the data sheet (one row per unit,
only the input cells unlocked, the sheet protected, a «Да/Нет» dropdown for a replacement) and a
hidden «Служебный» sheet naming the kind of file and the unit it was made for, so a file for
another region or municipality is recognised and refused.
"""

from __future__ import annotations

import enum
import io
import re
import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from apps.core.untrusted import isolated
from apps.core.uploads import (
    CellError,
    SheetLimits,
    UploadError,
    file_error,
    looks_like_formula,
    read_workbook,
)
from apps.core.uploads import text as cell_text
from apps.core.xlsx import HEADER_FILL, HEADER_FONT, set_text

FORMAT_VERSION = "1"
SHEET_INSTRUCTIONS = "Инструкция"
SHEET_SERVICE = "Служебный"
TITLE_ROW = 1
HEADER_ROW = 3
FIRST_DATA_ROW = 4
YES, NO = "Да", "Нет"

COL_CODE, COL_NAME, COL_LOGIN, COL_FULL_NAME, COL_POSITION, COL_PHONE, COL_EMAIL, COL_REPLACE = (
    range(1, 9)
)
INPUT_COLUMNS = (COL_FULL_NAME, COL_POSITION, COL_PHONE, COL_EMAIL, COL_REPLACE)
REQUIRED_COLUMNS = (COL_FULL_NAME, COL_POSITION, COL_PHONE, COL_EMAIL)
MAX_LENGTH = {COL_FULL_NAME: 300, COL_POSITION: 300, COL_PHONE: 50, COL_EMAIL: 254}
# How far a sheet of an uploaded file may reach (a unit has at most a few thousand schools
# below it); beyond it the file is refused unparsed.
SHEET_LIMITS = SheetLimits(rows=10_000, columns=50)
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
_PHONE_RE = re.compile(r"[\d\s()+\-.,]+((доб|доп)\.?\s*\d+)?", re.IGNORECASE)


class AccountFileKind(enum.StrEnum):
    """The two coordinator files; the value is also the ``ImportBatch.kind``."""

    MUNICIPAL_COORDINATORS = "accounts.municipal_coordinators"
    SCHOOL_ORGANIZERS = "accounts.school_organizers"

    @property
    def label(self) -> str:
        return _KIND_TEXT[self]["label"]

    @property
    def sheet(self) -> str:
        return _KIND_TEXT[self]["sheet"]


_KIND_TEXT: dict[AccountFileKind, dict[str, str]] = {
    AccountFileKind.MUNICIPAL_COORDINATORS: {
        "label": "Муниципальные координаторы",
        "sheet": "Координаторы",
        "unit": "муниципалитет",
        "code": "Код муниципалитета",
        "name": "Муниципалитет",
        "parent": "региона",
        "person": "муниципального координатора",
    },
    AccountFileKind.SCHOOL_ORGANIZERS: {
        "label": "Ответственные организаторы ОО",
        "sheet": "Организаторы ОО",
        "unit": "ОО",
        "code": "Код ОО",
        "name": "Образовательная организация",
        "parent": "муниципалитета",
        "person": "ответственного организатора ОО",
    },
}


def headers(kind: AccountFileKind) -> tuple[str, ...]:
    t = _KIND_TEXT[kind]
    return (
        t["code"],
        t["name"],
        "Логин",
        "ФИО (полностью)",
        "Должность",
        "Телефон",
        "Адрес электронной почты",
        "Замена: новый человек (Да/Нет)",
    )


@dataclass(frozen=True)
class TemplateRow:
    """One unit of the template, with the data of its current account (if any)."""

    code: str
    name: str
    login: str
    full_name: str = ""
    position: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class PersonRow:
    """One filled row of an uploaded file. ``row`` is the Excel row number."""

    row: int
    code: str
    full_name: str
    position: str
    phone: str
    email: str
    replace: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PersonRow:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class CredentialRow:
    unit: str
    full_name: str
    login: str
    password: str


# --- template ---------------------------------------------------------------------------------


def _instructions(kind: AccountFileKind, unit_code: str, unit_name: str) -> list[str]:
    t = _KIND_TEXT[kind]
    return [
        f"{kind.label}: {unit_code} {unit_name}",
        "",
        "Как заполнить файл",
        f"1. На листе «{kind.sheet}» по одной строке на каждый {t['unit']} {t['parent']}.",
        "   Код, наименование и логин заполнены порталом и не меняются.",
        f"2. Заполните жёлтые ячейки: ФИО {t['person']} полностью, должность, телефон и "
        "адрес электронной почты. Все четыре поля обязательны, если строка заполняется.",
        "3. Если человек остаётся тем же (например, исправлена опечатка в ФИО или сменился "
        "телефон), оставьте в последнем столбце «Нет»: данные обновятся, пароль не изменится.",
        "4. Если назначается другой человек, выберите «Да» в последнем столбце. Прежняя учётная "
        "запись будет отключена (её логин получит окончание _old1, _old2…), новый человек "
        "получит логин подразделения и новый одноразовый пароль.",
        "5. Пустые строки и строки, оставленные как их заполнил портал, не меняют ничего. "
        "Строки можно не удалять.",
        "6. Не вводите формулы и значения, начинающиеся со знака «=».",
        "7. Сохраните файл в формате .xlsx (Excel или LibreOffice) и загрузите его в кабинете.",
        "   Перед применением портал покажет, что изменится: созданные, заменённые, обновлённые и "
        "неизменные строки. Изменения вносятся только после подтверждения.",
        "8. После применения скачайте файл с логинами и одноразовыми паролями. Скачать его можно "
        "только один раз. Передавайте пароли лично, не пересылайте их по электронной почте.",
        "   При первом входе пользователь обязан сменить одноразовый пароль.",
        "",
        f"Файл составлен для: {unit_code}. Файл другого подразделения не будет принят.",
    ]


def account_template_xlsx(
    *, kind: AccountFileKind, unit_code: str, unit_name: str, rows: Sequence[TemplateRow]
) -> bytes:
    """The template a coordinator fills: one row per unit, only input cells unlocked."""
    wb = Workbook()
    info = wb.active
    if info is None:  # pragma: no cover - a new Workbook always has one sheet
        info = wb.create_sheet()
    info.title = SHEET_INSTRUCTIONS
    for i, line in enumerate(_instructions(kind, unit_code, unit_name), start=1):
        set_text(info, i, 1, line)
    info.cell(row=1, column=1).font = Font(bold=True, size=13)
    info.cell(row=3, column=1).font = Font(bold=True)
    info.column_dimensions["A"].width = 120
    info.protection.sheet = True

    ws = wb.create_sheet(kind.sheet)
    set_text(ws, TITLE_ROW, 1, f"{kind.label}: {unit_code} {unit_name}")
    ws.cell(row=TITLE_ROW, column=1).font = Font(bold=True, size=13)
    set_text(ws, 2, 1, "Заполняются только жёлтые ячейки. Инструкция — на первом листе.")
    for col, header in enumerate(headers(kind), start=1):
        set_text(ws, HEADER_ROW, col, header)
        cell = ws.cell(row=HEADER_ROW, column=col)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    last_row = FIRST_DATA_ROW + max(len(rows), 1) - 1
    for offset, r in enumerate(rows):
        row = FIRST_DATA_ROW + offset
        values = (r.code, r.name, r.login, r.full_name, r.position, r.phone, r.email, NO)
        for col, value in enumerate(values, start=1):
            set_text(ws, row, col, value)
        for col in INPUT_COLUMNS:
            cell = ws.cell(row=row, column=col)
            cell.protection = Protection(locked=False)
            cell.fill = INPUT_FILL
            cell.number_format = "@"  # text: phones keep their leading + and zeros
    choice = DataValidation(
        type="list",
        formula1=f'"{NO},{YES}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Недопустимое значение",
        error="Выберите «Да» (новый человек) или «Нет» (тот же человек).",
    )
    letter = get_column_letter(COL_REPLACE)
    choice.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
    ws.add_data_validation(choice)
    for col, width in enumerate((20, 50, 20, 40, 30, 20, 30, 18), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=4)
    # Protection guides, not guards: the server re-checks everything on upload.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    service = wb.create_sheet(SHEET_SERVICE)
    for i, (label, value) in enumerate(
        (("Тип файла", kind.value), ("Подразделение", unit_code), ("Версия", FORMAT_VERSION)),
        start=1,
    ):
        set_text(service, i, 1, label)
        set_text(service, i, 2, value)
    service.protection.sheet = True
    service.sheet_state = "hidden"
    wb.active = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- upload -----------------------------------------------------------------------------------


def _sheet_xml_path(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The worksheet part of ``sheet_name`` (workbook.xml → its relationship target)."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
    for match in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", workbook):
        attrs = match.group(1)
        name = re.search(r'\bname="([^"]*)"', attrs)
        rid = re.search(r'\br:id="([^"]*)"', attrs) or re.search(r'\b\w+:id="([^"]*)"', attrs)
        if not name or not rid or _xml_unescape(name.group(1)) != sheet_name:
            continue
        for rel in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)/?>", rels):
            rattrs = rel.group(1)
            rel_id = re.search(r'\bId="([^"]*)"', rattrs)
            target = re.search(r'\bTarget="([^"]*)"', rattrs)
            if rel_id and target and rel_id.group(1) == rid.group(1):
                path = target.group(1)
                return path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    return None


def _xml_unescape(value: str) -> str:
    return (
        value.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _ref_to_row_col(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = "".join(ch for ch in ref if ch.isdigit())
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch.upper()) - 64)
    return int(digits), col


def formula_cells(content: bytes, sheet_name: str) -> list[tuple[int, int]]:
    """(row, column) of every formula cell of a sheet: a value reader only sees their results."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            path = _sheet_xml_path(archive, sheet_name)
            if path is None or path not in archive.namelist():
                return []
            xml = archive.read(path).decode("utf-8", errors="replace")
    except (KeyError, zipfile.BadZipFile):
        return []
    found = []
    for match in re.finditer(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", xml, re.DOTALL):
        inner = match.group(2) or ""
        ref = re.search(r'\br="([A-Z]+\d+)"', match.group(1))
        if ref and re.search(r"<(?:\w+:)?f\b", inner):
            found.append(_ref_to_row_col(ref.group(1)))
    return found


def _check_value(row: int, col: int, value: str, errors: list[CellError]) -> None:
    limit = MAX_LENGTH.get(col)
    if limit and len(value) > limit:
        errors.append(CellError(row, col, f"слишком длинное значение (не более {limit} символов)."))
    if col == COL_PHONE and value:
        digits = sum(ch.isdigit() for ch in value)
        if not _PHONE_RE.fullmatch(value) or not 5 <= digits <= 20:
            errors.append(
                CellError(row, col, "телефон указан неверно; пример: +7 (343) 123-45-67.")
            )
    if col == COL_EMAIL and value:
        try:
            validate_email(value)
        except ValidationError:
            errors.append(CellError(row, col, "адрес электронной почты указан неверно."))


def _person_row(row: int, code: str, values: Mapping[int, str], *, replace: bool) -> PersonRow:
    return PersonRow(
        row=row,
        code=code,
        full_name=" ".join(values[COL_FULL_NAME].split()),
        position=" ".join(values[COL_POSITION].split()),
        phone=values[COL_PHONE],
        email=values[COL_EMAIL].lower(),
        replace=replace,
    )


def _as_written(values: Mapping[int, str]) -> tuple[str, ...]:
    """A row's person fields, compared as the portal normalises them."""
    return _as_written_person(
        (values[COL_FULL_NAME], values[COL_POSITION], values[COL_PHONE], values[COL_EMAIL])
    )


def _as_written_person(person: tuple[str, str, str, str] | None) -> tuple[str, ...]:
    if person is None:
        return ()
    full_name, position, phone, email = person
    return (" ".join(full_name.split()), " ".join(position.split()), phone.strip(), email.lower())


def parse_account_file(
    content: bytes,
    *,
    kind: AccountFileKind,
    unit_code: str,
    expected_codes: Collection[str],
    current: Mapping[str, tuple[str, str, str, str]] | None = None,
) -> list[PersonRow]:
    """The filled rows of a coordinator file, or UploadError listing every problem.

    ``expected_codes`` are the units the uploader may describe (its region's municipalities or
    its municipality's active schools); any other code refuses the whole file.

    ``current`` maps a unit's code to its account's (full name, position, phone, email), as the
    portal writes them into the template. A row left exactly so is unchanged and is not checked
    again: the portal's own file is always accepted back, even for an account created without a
    phone. A changed row or a new person must be complete (all four fields), as the
    instructions say.
    """
    current = current or {}
    sheets = read_workbook(content, limits=SHEET_LIMITS)
    service = sheets.get(SHEET_SERVICE)
    not_template = file_error(
        f"Это не шаблон «{kind.label}»: в книге нет листа «{kind.sheet}» или служебного "
        "листа. Скачайте шаблон в кабинете, заполните его и загрузите снова."
    )
    if service is None:
        raise not_template
    file_kind, file_unit = cell_text(service.cell(1, 2)), cell_text(service.cell(2, 2))
    if file_kind != kind.value:
        other = next((k.label for k in AccountFileKind if k.value == file_kind), "другой файл")
        raise file_error(
            f"Это файл «{other}», а здесь загружается файл «{kind.label}». "
            "Скачайте нужный шаблон и загрузите его."
        )
    if file_unit != unit_code:
        raise file_error(
            f"Файл составлен для подразделения {file_unit or '(не указано)'}, а загружается для "
            f"{unit_code}. Скачайте шаблон своего подразделения и перенесите в него данные."
        )
    data = sheets.get(kind.sheet)
    if data is None:
        raise not_template
    errors: list[CellError] = []
    expected = headers(kind)
    for col, header in enumerate(expected, start=1):
        if cell_text(data.cell(HEADER_ROW, col)) != header:
            errors.append(
                CellError(
                    HEADER_ROW,
                    col,
                    f"заголовок столбца изменён; ожидается «{header}». Скачайте шаблон заново.",
                )
            )
    if errors:
        raise UploadError(errors)
    # The sheet's XML is read a second time: in the isolated child too.
    for row, col in isolated(formula_cells, content, kind.sheet):
        if row >= FIRST_DATA_ROW:
            errors.append(CellError(row, col, "в ячейке формула; введите значение вручную."))
    formula_at = {(e.row, e.column) for e in errors}
    known = set(expected_codes)
    seen: dict[str, int] = {}
    rows: list[PersonRow] = []
    for row in range(FIRST_DATA_ROW, len(data.rows) + 1):
        values = {col: cell_text(data.cell(row, col)) for col in range(1, COL_REPLACE + 1)}
        code = values[COL_CODE]
        filled = [
            col
            for col in INPUT_COLUMNS
            if (values[col] or (row, col) in formula_at) and col != COL_REPLACE
        ]
        if not code and not filled:
            continue
        errors.extend(
            CellError(row, col, "значение начинается со знака «=»; уберите этот знак.")
            for col in (COL_CODE, *INPUT_COLUMNS)
            if looks_like_formula(values[col]) and (row, col) not in formula_at
        )
        if not code:
            errors.append(CellError(row, COL_CODE, "не указан код; не удаляйте код из строки."))
            continue
        if code not in known:
            errors.append(
                CellError(
                    row,
                    COL_CODE,
                    f"код {code} не найден среди подразделений {_KIND_TEXT[kind]['parent']} "
                    f"{unit_code}.",
                )
            )
            continue
        if code in seen:
            errors.append(
                CellError(
                    row, COL_CODE, f"код {code} повторяется (уже указан в строке {seen[code]})."
                )
            )
            continue
        seen[code] = row
        if not filled:
            continue  # an untouched row: no change for this unit
        replace = values[COL_REPLACE].capitalize()
        untouched = (
            replace != YES
            and _as_written(values) == _as_written_person(current.get(code))
            and not any((row, col) in formula_at for col in INPUT_COLUMNS)
        )
        if untouched:
            # The portal's own data, untouched: kept as it is (the plan shows it unchanged).
            rows.append(_person_row(row, code, values, replace=False))
            continue
        errors.extend(
            CellError(row, col, f"не заполнено поле «{expected[col - 1]}».")
            for col in REQUIRED_COLUMNS
            if not values[col] and (row, col) not in formula_at
        )
        for col in INPUT_COLUMNS:
            _check_value(row, col, values[col], errors)
        if replace not in ("", YES, NO):
            errors.append(CellError(row, COL_REPLACE, "допустимы значения «Да» или «Нет»."))
        rows.append(_person_row(row, code, values, replace=replace == YES))
    if errors:
        raise UploadError(sorted(errors, key=lambda e: (e.row, e.column)))
    if not rows:
        raise file_error("В файле не заполнено ни одной строки: изменений нет.")
    return rows


# --- credentials ------------------------------------------------------------------------------

CREDENTIAL_HEADERS = ("Подразделение", "ФИО", "Логин", "Одноразовый пароль")


def credentials_xlsx(*, title: str, rows: Sequence[CredentialRow]) -> bytes:
    """The credentials file: every value written as text, never as a formula."""
    wb = Workbook()
    ws = wb.active
    if ws is None:  # pragma: no cover
        ws = wb.create_sheet()
    ws.title = "Учётные данные"
    set_text(ws, 1, 1, title)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    set_text(
        ws,
        2,
        1,
        "Конфиденциально. Передайте каждому его логин и пароль лично; не пересылайте по "
        "электронной почте. При первом входе пароль нужно сменить.",
    )
    ws.cell(row=2, column=1).font = Font(italic=True)
    for col, header in enumerate(CREDENTIAL_HEADERS, start=1):
        set_text(ws, 4, col, header)
        ws.cell(row=4, column=col).font = HEADER_FONT
        ws.cell(row=4, column=col).fill = HEADER_FILL
    for offset, r in enumerate(rows):
        for col, value in enumerate((r.unit, r.full_name, r.login, r.password), start=1):
            set_text(ws, 5 + offset, col, value)
        ws.cell(row=5 + offset, column=4).font = Font(name="Courier New")
    for col, width in enumerate((50, 40, 22, 22), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
