"""The context-data form («форма сбора контекстных данных об ОО и участниках»): build it
(openpyxl) and validate a filled one (python-calamine). Pure: a ``ContextSpec`` and bytes in,
bytes or a ``ContextData`` plus ``CellError``s out; no ORM.

Sheets: «Инструкция» (first), «ОО» (the school part: one value per line in column B),
«Участники» (one line per participant code issued to the school: code and grade prefilled and
locked, the answers open), «Служебный» (hidden: dropdown lists, the school and campaign). Only
the answer cells are unlocked; every answer has a dropdown. The portal never receives names:
a cell shaped like a person's name anywhere refuses the whole file.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from apps.core.uploads import CellError, Sheet, SheetLimits, UploadError, read_workbook, text
from apps.core.xlsx import set_text
from apps.results.form_kind import CONTEXT, wrong_form_message
from apps.results.xlsx import NAME_MESSAGE, Diff, looks_like_name, rows_diff

SHEET_HELP = "Инструкция"
SHEET_SCHOOL = "ОО"
SHEET_PEOPLE = "Участники"
SHEET_SERVICE = "Служебный"
SHEETS = (SHEET_HELP, SHEET_SCHOOL, SHEET_PEOPLE, SHEET_SERVICE)
META_SCHOOL = "Код ОО"
META_CAMPAIGN = "Кампания"
MAX_PARTICIPANTS = 5000
# How far a sheet of an uploaded form may reach; beyond it the file is refused unparsed.
SHEET_LIMITS = SheetLimits(rows=2 * MAX_PARTICIPANTS, columns=50)
MAX_ERRORS = 200

YES, NO = "да", "нет"
YES_NO = (YES, NO)

# --- the school part: key, label, kind, choices (kind "list") or (min, max) (kind "int") ---


@dataclass(frozen=True)
class SchoolField:
    key: str
    label: str
    choices: tuple[str, ...] = ()
    bounds: tuple[int, int] | None = None

    @property
    def hint(self) -> str:
        if self.bounds:
            return f"целое число от {self.bounds[0]} до {self.bounds[1]}"
        return "одно из: " + ", ".join(f"«{c}»" for c in self.choices)


SCHOOL_FIELDS: tuple[SchoolField, ...] = (
    SchoolField("settlement_type", "Тип населённого пункта", ("городской", "сельский")),
    SchoolField(
        "school_type",
        "Тип ОО",
        (
            "начальная школа",
            "основная школа",
            "средняя школа",
            "гимназия",
            "лицей",
            "школа с углублённым изучением предметов",
            "школа-интернат",
            "другое",
        ),
    ),
    SchoolField(
        "language",
        "Язык обучения",
        ("русский", "родной (нерусский)", "русский и родной (нерусский)"),
    ),
    SchoolField("teachers", "Число педагогических работников", bounds=(1, 2000)),
    SchoolField(
        "computers", "Число компьютеров, доступных обучающимся на уроках", bounds=(0, 10000)
    ),
    SchoolField("internet", "Доступ к сети Интернет в учебных кабинетах", YES_NO),
)

# --- the participant part -------------------------------------------------------------------

GENDERS = ("м", "ж")
# Textbook lines are named by the programme («линия УМК»), never by the authors' names.
TEXTBOOK_LINES = (
    "Школа России",
    "Перспектива",
    "Начальная школа XXI века",
    "Гармония",
    "Планета знаний",
    "Школа 2100",
    "Сферы",
    "другая линия",
    "предмет не изучается",
)
HEAD_CODE = "Код участника"
HEAD_GRADE = "Класс (параллель)"
HEAD_GENDER = "Пол (м/ж)"
HEAD_NATIVE = "Язык обучения является родным (да/нет)"
HEAD_OVZ = "Обучающийся с ОВЗ (да/нет)"
HEAD_RUSSIAN = "Линия УМК по русскому языку"
HEAD_MATH = "Линия УМК по математике"
PEOPLE_HEADERS = (
    HEAD_CODE,
    HEAD_GRADE,
    HEAD_GENDER,
    HEAD_NATIVE,
    HEAD_OVZ,
    HEAD_RUSSIAN,
    HEAD_MATH,
)
SCHOOL_HEADERS = ("Показатель", "Значение")

INSTRUCTIONS = (
    "Форма сбора контекстных данных об ОО и участниках ВПР",
    "",
    "1. Лист «ОО»: заполните столбец «Значение» для каждого показателя (выберите значение из "
    "списка или введите целое число).",
    "2. Лист «Участники»: для каждого кода участника, выданного ОО, укажите пол (м/ж), является "
    "ли язык обучения родным (да/нет), есть ли у обучающегося ОВЗ (да/нет) и линии УМК по "
    "русскому языку и математике (из списка). Коды и классы уже внесены; строку кода, который не "
    "использовался (например, резервного), оставьте пустой.",
    "3. В форму вносятся только коды участников. ФИО обучающихся и учителей не указываются: "
    "файл, в котором есть что-либо похожее на ФИО, не принимается.",
    "4. Не добавляйте строки, столбцы и листы: открыты для ввода только ячейки ответов.",
    "5. Загрузите заполненный файл на портале. Если в файле есть ошибки, будут показаны все "
    "ошибки с номером строки и столбца, а данные не сохранятся. Повторная загрузка полностью "
    "заменяет ранее загруженные данные.",
    "",
    "Показатели ОО:",
    *(f"• {f.label}: {f.hint}." for f in SCHOOL_FIELDS),
    "",
    "Сведения об участниках:",
    f"• {HEAD_GENDER}: «м» или «ж».",
    f"• {HEAD_NATIVE}: «да» или «нет».",
    f"• {HEAD_OVZ}: «да» или «нет».",
    f"• {HEAD_RUSSIAN}, {HEAD_MATH}: одно из: " + ", ".join(f"«{t}»" for t in TEXTBOOK_LINES) + ".",
)


@dataclass(frozen=True)
class ContextSpec:
    """What the form of one school × campaign depends on: ``codes`` maps code → grade."""

    school_code: str
    campaign_key: str
    year: int
    codes: Mapping[str, int]
    # The session word («весна» / «осень»): the forms of two sessions of a year differ by name.
    session: str = ""

    @property
    def file_name(self) -> str:
        year = f"{self.year}, {self.session}" if self.session else str(self.year)
        return f"Форма сбора контекстных данных ВПР {year} {self.school_code}.xlsx"


@dataclass(frozen=True)
class Participant:
    code: str
    grade: int
    gender: str
    native_language: bool
    ovz: bool
    textbook_russian: str
    textbook_math: str

    def cells(self) -> list[str | int]:
        return [
            self.code,
            self.grade,
            self.gender,
            YES if self.native_language else NO,
            YES if self.ovz else NO,
            self.textbook_russian,
            self.textbook_math,
        ]


@dataclass
class ContextData:
    """The validated content: the school part (key → str or int) and the participants."""

    school: dict[str, Any] = field(default_factory=dict)
    participants: list[Participant] = field(default_factory=list)

    def snapshot(self) -> dict[str, Any]:
        return {
            "school": dict(self.school),
            "participants": {p.code: p.cells()[1:] for p in self.participants},
        }


# --- what changed between two uploads ---------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ContextDiff:
    """What changed from one context upload to the next: school-part fields (old → new) and
    the participants by code (added, removed, changed cells), as the results diff shows them."""

    school: list[FieldChange]
    participants: Diff

    @property
    def empty(self) -> bool:
        return not self.school and self.participants.empty


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def context_diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> ContextDiff:
    """Compare two context snapshots (``ContextData.snapshot()``); ``old`` None: the first."""
    before: Mapping[str, Any] = (old or {}).get("school", {})
    after: Mapping[str, Any] = new.get("school", {})
    labels = {f.key: f.label for f in SCHOOL_FIELDS}
    order = [f.key for f in SCHOOL_FIELDS]
    keys = order + sorted((set(before) | set(after)) - set(order))
    school = [
        FieldChange(labels.get(key, key), _text(before.get(key)), _text(after.get(key)))
        for key in keys
        if old is not None and _text(before.get(key)) != _text(after.get(key))
    ]
    heads = list(PEOPLE_HEADERS[1:])
    people = rows_diff(
        (old or {}).get("participants", {}), new.get("participants", {}), heads, heads
    )
    return ContextDiff(school=school, participants=people)


# --- building -------------------------------------------------------------------------------

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
_OPEN = Protection(locked=False)


def _dv(source: str, message: str) -> DataValidation:
    dv = DataValidation(type="list", formula1=source, allow_blank=True)
    dv.showErrorMessage = True
    dv.errorTitle = "Недопустимое значение"
    dv.error = message
    return dv


def _protect(ws: Any) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _head(ws: Any, headers: tuple[str, ...]) -> None:
    for col, header in enumerate(headers, start=1):
        set_text(ws, 1, col, header)
        cell = ws.cell(row=1, column=col)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def context_workbook(spec: ContextSpec, data: ContextData | None = None) -> bytes:
    """The blank form of a school (codes prefilled) or one filled with ``data``."""
    wb = Workbook()
    help_ws = wb.active
    if help_ws is None:  # pragma: no cover - a new Workbook always has one sheet
        help_ws = wb.create_sheet()
    help_ws.title = SHEET_HELP
    for r, line in enumerate(INSTRUCTIONS, start=1):
        set_text(help_ws, r, 1, line)
        help_ws.cell(row=r, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    help_ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    help_ws.column_dimensions["A"].width = 120
    _protect(help_ws)

    service = wb.create_sheet(SHEET_SERVICE)
    lists: dict[str, str] = {}
    col = 1
    named = [(f.key, f.choices) for f in SCHOOL_FIELDS if f.choices]
    named += [("gender", GENDERS), ("yes_no", YES_NO), ("textbook", TEXTBOOK_LINES)]
    for key, values in named:
        letter = get_column_letter(col)
        set_text(service, 1, col, key)
        for i, value in enumerate(values, start=2):
            set_text(service, i, col, value)
        lists[key] = f"'{SHEET_SERVICE}'!${letter}$2:${letter}${len(values) + 1}"
        col += 1
    set_text(service, 1, col + 1, META_SCHOOL)
    set_text(service, 1, col + 2, spec.school_code)
    set_text(service, 2, col + 1, META_CAMPAIGN)
    set_text(service, 2, col + 2, spec.campaign_key)
    service.sheet_state = "hidden"

    school_ws = wb.create_sheet(SHEET_SCHOOL, 1)
    _head(school_ws, SCHOOL_HEADERS)
    for r, f in enumerate(SCHOOL_FIELDS, start=2):
        set_text(school_ws, r, 1, f.label)
        school_ws.cell(row=r, column=1).border = _BORDER
        value = school_ws.cell(row=r, column=2)
        set_text(school_ws, r, 2, data.school.get(f.key) if data else None)
        value.border = _BORDER
        value.protection = _OPEN
        if f.choices:
            dv = _dv(lists[f.key], f"{f.label}: {f.hint}.")
        else:
            low, high = f.bounds or (0, 0)
            dv = DataValidation(type="whole", operator="between", formula1=low, formula2=high)
            dv.showErrorMessage = True
            dv.error = f"{f.label}: {f.hint}."
        dv.add(f"B{r}")
        school_ws.add_data_validation(dv)
    school_ws.column_dimensions["A"].width = 56
    school_ws.column_dimensions["B"].width = 40
    _protect(school_ws)

    people = wb.create_sheet(SHEET_PEOPLE, 2)
    _head(people, PEOPLE_HEADERS)
    filled = {p.code: p for p in (data.participants if data else [])}
    codes = sorted(spec.codes, key=lambda c: (spec.codes[c], c))
    for r, code in enumerate(codes, start=2):
        p = filled.get(code)
        cells: list[str | int] = p.cells() if p else [code, spec.codes[code]]
        for c in range(1, len(PEOPLE_HEADERS) + 1):
            set_text(people, r, c, cells[c - 1] if c - 1 < len(cells) else None)
            cell = people.cell(row=r, column=c)
            cell.border = _BORDER
            if c > 2:
                cell.protection = _OPEN
        people.cell(row=r, column=1).number_format = "@"
    last = max(len(codes), 1) + 1
    for c, key in ((3, "gender"), (4, "yes_no"), (5, "yes_no"), (6, "textbook"), (7, "textbook")):
        dv = _dv(lists[key], f"{PEOPLE_HEADERS[c - 1]}: выберите значение из списка.")
        letter = get_column_letter(c)
        dv.add(f"{letter}2:{letter}{last}")
        people.add_data_validation(dv)
    for c, width in enumerate((14, 12, 10, 22, 18, 28, 28), start=1):
        people.column_dimensions[get_column_letter(c)].width = width
    people.row_dimensions[1].height = 45
    people.freeze_panes = "C2"
    _protect(people)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- reading and validating -----------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.items: list[CellError] = []
        self.total = 0

    def add(self, row: int, column: int, message: str) -> None:
        self.total += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(CellError(row, column, message))

    def result(self) -> list[CellError]:
        more = self.total - len(self.items)
        extra = [CellError(0, 0, f"…и ещё ошибок: {more}. Исправьте показанные.")] if more else []
        return [*self.items, *extra]


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _norm(value: Any) -> str:
    return " ".join(text(value).split()).lower()


def _choice(value: Any, choices: tuple[str, ...]) -> str | None:
    wanted = _norm(value).replace("ё", "е")
    for choice in choices:
        if choice.lower().replace("ё", "е") == wanted:
            return choice
    return None


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    s = text(value)
    return int(s) if s.isdigit() and len(s) <= 6 else None


def _form_texts() -> frozenset[str]:
    """The form's own texts (a list value such as «Школа России» is not a person's name)."""
    texts = [*PEOPLE_HEADERS, *SCHOOL_HEADERS, *GENDERS, *YES_NO, *TEXTBOOK_LINES]
    for f in SCHOOL_FIELDS:
        texts += [f.label, *f.choices]
    return frozenset(t.lower() for t in texts)


def _cell(sheet: Sheet, row: int, col: int) -> Any:
    return sheet.cell(row, col)


def _where(name: str) -> str:
    return f"Лист «{name}»"


def read_context(content: bytes, spec: ContextSpec) -> ContextData:
    """Validate every cell of a filled form; raise ``UploadError`` listing every error."""
    return check_context(read_workbook(content, limits=SHEET_LIMITS), spec)


def check_context(book: Mapping[str, Sheet], spec: ContextSpec) -> ContextData:
    """Every error of the file at once: names, structure and every cell of both sheets (a sheet
    that is missing or has the wrong header is the only thing that stops its own rows being
    read). Only another portal file or another school's or campaign's form stops at once."""
    # 0. Another portal file (the results form, an application form...): say which, nothing more.
    if (wrong := wrong_form_message(CONTEXT, book)) is not None:
        raise UploadError([CellError(0, 0, wrong)])
    errors = _Errors()
    masked: set[tuple[str, int, int]] = set()
    known = _form_texts()
    # 1. Names anywhere refuse the file (the value is never echoed back).
    for index, (name, sheet) in enumerate(book.items(), start=1):
        where = _where(name) if name in SHEETS else f"Лист № {index}"
        for r, values in enumerate(sheet.rows, start=1):
            for c, value in enumerate(values, start=1):
                if _norm(value) not in known and looks_like_name(value):
                    masked.add((name, r, c))
                    errors.add(r, c, f"{where}: {NAME_MESSAGE}")
    # 2. The structure: this school's form with its sheets, nothing extra.
    for name in (SHEET_SCHOOL, SHEET_PEOPLE):
        if name not in book:
            errors.add(
                0,
                0,
                f"В файле нет листа «{name}». Скачайте форму сбора контекстных данных на портале "
                "и заполните её.",
            )
    for index, name in enumerate(book, start=1):
        if name not in SHEETS and any(not _empty(v) for row in book[name].rows for v in row):
            errors.add(0, 0, f"Лишний лист № {index}: в форме не должно быть других листов.")
    service = book.get(SHEET_SERVICE)
    meta: dict[str, str] = {}
    if service is not None:
        for values in service.rows[:5]:
            for i, value in enumerate(values[:-1]):
                if isinstance(value, str) and value.strip() in (META_SCHOOL, META_CAMPAIGN):
                    meta[value.strip()] = text(values[i + 1])
    foreign_school = bool(meta.get(META_SCHOOL)) and meta[META_SCHOOL] != spec.school_code
    foreign_campaign = bool(meta.get(META_CAMPAIGN)) and meta[META_CAMPAIGN] != spec.campaign_key
    if foreign_school:
        errors.add(
            0,
            0,
            f"Эта форма выдана другой ОО (код {meta[META_SCHOOL]}). Скачайте форму своей ОО.",
        )
    if foreign_campaign:
        errors.add(0, 0, "Это форма другой кампании ВПР. Скачайте форму текущей кампании.")
    if foreign_school or foreign_campaign:
        # Another school's or campaign's codes: checking its cells would only mislead.
        raise UploadError(errors.result())
    data = ContextData()
    if SHEET_SCHOOL in book:
        _check_school(book[SHEET_SCHOOL], data, errors, masked)
    if SHEET_PEOPLE in book:
        _check_people(book[SHEET_PEOPLE], spec, data, errors, masked)
    if errors.total:
        raise UploadError(errors.result())
    return data


def _check_school(
    sheet: Sheet, data: ContextData, errors: _Errors, masked: set[tuple[str, int, int]]
) -> None:
    where = _where(SHEET_SCHOOL)
    for c, expected in enumerate(SCHOOL_HEADERS, start=1):
        if _norm(_cell(sheet, 1, c)) != expected.lower():
            errors.add(1, c, f"{where}: заголовок столбца должен быть «{expected}».")
    for r, f in enumerate(SCHOOL_FIELDS, start=2):
        if _norm(_cell(sheet, r, 1)) != f.label.lower():
            errors.add(r, 1, f"{where}: в этой строке должен быть показатель «{f.label}».")
            continue
        value = _cell(sheet, r, 2)
        if (SHEET_SCHOOL, r, 2) in masked:
            continue
        if _empty(value):
            errors.add(r, 2, f"{where}: не заполнено «{f.label}» ({f.hint}).")
        elif f.choices:
            choice = _choice(value, f.choices)
            if choice is None:
                errors.add(r, 2, f"{where}: «{f.label}» — {f.hint}.")
            else:
                data.school[f.key] = choice
        else:
            number = _whole(value)
            low, high = f.bounds or (0, 0)
            if number is None or not low <= number <= high:
                errors.add(r, 2, f"{where}: «{f.label}» — {f.hint}.")
            else:
                data.school[f.key] = number
    last = len(SCHOOL_FIELDS) + 1
    for r, values in enumerate(sheet.rows, start=1):
        for c, value in enumerate(values, start=1):
            if (r > last or c > 2) and not _empty(value) and (SHEET_SCHOOL, r, c) not in masked:
                errors.add(r, c, f"{where}: лишние данные вне формы. Удалите их.")


def _check_people(
    sheet: Sheet,
    spec: ContextSpec,
    data: ContextData,
    errors: _Errors,
    masked: set[tuple[str, int, int]],
) -> None:
    where = _where(SHEET_PEOPLE)
    width = len(PEOPLE_HEADERS)
    before_header = errors.total
    for c, expected in enumerate(PEOPLE_HEADERS, start=1):
        if _norm(_cell(sheet, 1, c)) != expected.lower():
            errors.add(1, c, f"{where}: заголовок столбца должен быть «{expected}».")
    if errors.total > before_header:
        return  # without its columns the sheet's rows cannot be read (the other sheet was)
    if len(sheet.rows) > MAX_PARTICIPANTS + 1:
        errors.add(0, 0, f"{where}: слишком много строк (не более {MAX_PARTICIPANTS}).")
        return
    seen: dict[str, int] = {}
    for r, values in enumerate(sheet.rows[1:], start=2):
        for c in range(width + 1, len(values) + 1):
            if not _empty(values[c - 1]) and (SHEET_PEOPLE, r, c) not in masked:
                errors.add(
                    r,
                    c,
                    f"{where}: лишний столбец. В форме нет места для других данных (ФИО в портал "
                    "не передаются).",
                )
        cells = [values[i] if i < len(values) else None for i in range(width)]
        if any((SHEET_PEOPLE, r, c) in masked for c in range(1, width + 1)):
            continue
        answers = cells[2:]
        if all(_empty(v) for v in answers):
            continue  # an unused code (or an empty line)
        code = _check_code(r, cells[0], spec, seen, errors)
        gender = _choice(cells[2], GENDERS)
        if gender is None:
            errors.add(r, 3, f"{where}: пол — «м» или «ж».")
        flags: list[bool | None] = []
        for c in (4, 5):
            answer = _choice(cells[c - 1], YES_NO)
            if answer is None:
                errors.add(r, c, f"{where}: «{PEOPLE_HEADERS[c - 1]}» — «да» или «нет».")
            flags.append(None if answer is None else answer == YES)
        lines: list[str | None] = []
        for c in (6, 7):
            line = _choice(cells[c - 1], TEXTBOOK_LINES)
            if line is None:
                errors.add(
                    r,
                    c,
                    f"{where}: «{PEOPLE_HEADERS[c - 1]}» — выберите значение из списка "
                    "(название линии УМК, без фамилий авторов).",
                )
            lines.append(line)
        if code is None or gender is None or None in flags or None in lines:
            continue
        data.participants.append(
            Participant(
                code=code,
                grade=spec.codes[code],
                gender=gender,
                native_language=bool(flags[0]),
                ovz=bool(flags[1]),
                textbook_russian=str(lines[0]),
                textbook_math=str(lines[1]),
            )
        )
    if not errors.total and not data.participants:
        errors.add(
            0,
            0,
            f"{where}: нет ни одного участника со сведениями. Заполните строки участников.",
        )


def _check_code(
    r: int, value: Any, spec: ContextSpec, seen: dict[str, int], errors: _Errors
) -> str | None:
    where = _where(SHEET_PEOPLE)
    code = text(value)
    if not code:
        errors.add(r, 1, f"{where}: укажите код участника (пятизначное число).")
        return None
    if not (code.isdigit() and len(code) == 5):
        errors.add(
            r,
            1,
            f"{where}: код участника — пятизначное число. ФИО и другие сведения об участнике "
            "не вносятся.",
        )
        return None
    if code in seen:
        errors.add(r, 1, f"{where}: код {code} повторяется: он уже указан в строке {seen[code]}.")
        return None
    seen[code] = r
    if code not in spec.codes:
        errors.add(r, 1, f"{where}: код {code} не выдавался этой ОО в этой кампании.")
        return None
    return code
