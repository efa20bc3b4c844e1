"""The item-bank file formats (JSON and xlsx). Pure: bytes ↔ rows, or every error in Russian.

JSON (``format`` ``vpr-bank/1``)::

    {"format": "vpr-bank/1",
     "work": {"id": 17, "year": 2026, "session": "autumn", "subject": "russian", "grade": 4},
     "items": [{"code": "RU4-01-1", "column": "1", "text": "…", "answer": "…",
                "difficulty": 2, "topic": "…"}]}

xlsx: a sheet «Банк заданий» whose first row holds the headers of ``XLSX_HEADERS`` (any order),
and (written by the export, optional on import) a sheet «Работа» naming the work.

A year may hold two campaigns (the spring and an autumn session), so a work is identified by
year + session + subject + grade (``WorkKey``); the work id is written too, for the reader, but
not compared (ids differ between installations). A file naming another work is refused.

The file is the whole bank of the work. Nothing here touches the database: the service
checks the rows against the work and the existing bank, then writes everything at once.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from openpyxl import load_workbook

from apps.core import jsonsafe
from apps.core.uploads import CellError, SheetLimits, UploadError, file_error, read_workbook, text
from apps.core.xlsx import set_text, table_workbook
from apps.materials.markup import MarkupError, parse

FORMAT = "vpr-bank/1"
MAX_BANK_BYTES = 20 * 1024 * 1024
# How far a sheet of an uploaded bank may reach; beyond it the file is refused unparsed.
SHEET_LIMITS = SheetLimits(rows=20_000, columns=50)
SHEET = "Банк заданий"
# field → header of the xlsx column
XLSX_HEADERS: dict[str, str] = {
    "code": "Шифр",
    "column": "Задание (столбец формы)",
    "text": "Текст задания",
    "answer": "Ответ и критерии оценивания",
    "difficulty": "Сложность (1–5)",
    "topic": "Тема",
}
REQUIRED = ("code", "column", "text", "answer", "difficulty")
FIELD_LABELS = {f: f"«{h}»" for f, h in XLSX_HEADERS.items()}
# one read item before checks: where it was, its fields, its xlsx row (0 in JSON), column positions
RawRow = tuple[str, dict[str, Any], int, dict[str, int]]


@dataclass(frozen=True)
class ItemRow:
    """One item as read from a file; ``where`` says where it was (for error messages)."""

    code: str
    column: str
    text: str
    answer: str
    difficulty: int
    topic: str
    where: str

    def content(self) -> tuple[str, str, str, int, str]:
        return (self.column, self.text, self.answer, self.difficulty, self.topic)


WORK_SHEET = "Работа"
# field of WorkKey → label in the «Работа» sheet (column A label, column B value)
WORK_LABELS: dict[str, str] = {
    "id": "Номер работы на портале",
    "year": "Год",
    "session": "Этап (spring — весенний, autumn — осенний)",
    "subject": "Предмет (код)",
    "grade": "Класс",
}


@dataclass(frozen=True)
class WorkKey:
    """What identifies a work across installations: year, session, subject, grade."""

    year: int
    session: str
    subject: str
    grade: int
    id: int | None = None

    def identity(self) -> tuple[int, str, str, int]:
        return (self.year, self.session, self.subject, self.grade)

    def describe(self) -> str:
        session = {"spring": "весенний этап", "autumn": "осенний этап"}.get(
            self.session, f"этап «{self.session}»"
        )
        return f"{self.subject}, {self.grade} класс, {self.year}, {session}"


def _int_or_none(value: Any) -> int | None:
    try:
        return int(text(value))
    except (TypeError, ValueError):
        return None


def check_work(meta: dict[str, Any], work: WorkKey) -> None:
    """Refuse a file that names another work (or does not say which session it is for)."""
    if text(meta.get("session")) == "":
        raise file_error(
            "В файле не указан этап кампании (spring или autumn): в одном году бывает две "
            "кампании. Выгрузите банк заново."
        )
    theirs = WorkKey(
        year=_int_or_none(meta.get("year")) or 0,
        session=text(meta.get("session")),
        subject=text(meta.get("subject")),
        grade=_int_or_none(meta.get("grade")) or 0,
    )
    if theirs.identity() != work.identity():
        raise file_error(
            f"Файл относится к другой работе ({theirs.describe()}), а загружается в "
            f"{work.describe()}."
        )


def _problem(where: str, message: str, row: int = 0, column: int = 0) -> CellError:
    if row:
        return CellError(row, column, message)
    return CellError(0, 0, f"{where}: {message}")


def _check_rows(
    raw: Iterable[RawRow],
    *,
    columns: Sequence[str],
    variants: int,
) -> list[ItemRow]:
    """Validate raw rows (where, fields, excel row, field → excel column)."""
    errors: list[CellError] = []
    rows: list[ItemRow] = []
    known = set(columns)
    for where, fields, row_no, cols in raw:
        bad = False

        def err(
            field: str,
            message: str,
            _w: str = where,
            _r: int = row_no,
            _c: dict[str, int] = cols,
        ) -> None:
            nonlocal bad
            bad = True
            errors.append(_problem(_w, message, _r, _c.get(field, 0)))

        for field in REQUIRED:
            if text(fields.get(field)) == "":
                err(field, f"не заполнено поле {FIELD_LABELS[field]}.")
        code = text(fields.get("code"))
        column = text(fields.get("column"))
        if column and column not in known:
            err(
                "column",
                f"в работе нет задания «{column}» (есть: {', '.join(columns)}).",
            )
        difficulty = 0
        raw_difficulty = fields.get("difficulty")
        if text(raw_difficulty):
            try:
                difficulty = int(text(raw_difficulty))
            except ValueError:
                difficulty = 0
            if not 1 <= difficulty <= 5:
                err("difficulty", "сложность — целое число от 1 до 5.")
        for field in ("text", "answer"):
            value = fields.get(field)
            if value is not None and not isinstance(value, str | int | float):
                err(field, f"поле {FIELD_LABELS[field]} должно быть текстом.")
                continue
            if text(value):
                try:
                    parse(str(value))
                except MarkupError as exc:
                    err(field, f"поле {FIELD_LABELS[field]}: {exc}")
        if len(code) > 40:
            err("code", "шифр длиннее 40 символов.")
        topic = text(fields.get("topic"))
        if len(topic) > 300:
            err("topic", "тема длиннее 300 символов.")
        if not bad:
            rows.append(
                ItemRow(
                    code=code,
                    column=column,
                    text=str(fields["text"]).strip(),
                    answer=str(fields["answer"]).strip(),
                    difficulty=difficulty,
                    topic=topic,
                    where=where,
                )
            )
    for code, n in Counter(r.code for r in rows).items():
        if n > 1:
            errors.append(CellError(0, 0, f"Шифр «{code}» встречается {n} раза; шифр уникален."))
    if not errors:
        errors.extend(capacity_errors(rows, columns=columns, variants=variants))
    if errors:
        raise UploadError(errors)
    return rows


def capacity_errors(
    rows: Sequence[ItemRow], *, columns: Sequence[str], variants: int
) -> list[CellError]:
    """Every column needs at least ``variants`` items, so a school's variants all differ."""
    per_column = Counter(r.column for r in rows)
    errors = []
    for label in columns:
        have = per_column.get(label, 0)
        if have < variants:
            errors.append(
                CellError(
                    0,
                    0,
                    f"Задание {label}: в банке {have} шт., а для {variants} различающихся "
                    f"вариантов нужно не меньше {variants}.",
                )
            )
    return errors


def read_bank_json(
    content: bytes, *, work: WorkKey, columns: Sequence[str], variants: int
) -> list[ItemRow]:
    """The items of a JSON bank file, or UploadError listing every problem."""
    if len(content) > MAX_BANK_BYTES:
        raise file_error(f"Файл слишком большой: допускается не более {MAX_BANK_BYTES >> 20} МБ.")
    try:
        data = jsonsafe.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise file_error(
            "Файл не является JSON в кодировке UTF-8. Выгрузите банк заново или "
            "загрузите файл .xlsx."
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise file_error("В файле нет списка заданий «items».")
    if data.get("format", FORMAT) != FORMAT:
        raise file_error(f"Неизвестный формат файла «{data.get('format')}»; ожидается {FORMAT}.")
    meta = data.get("work")
    if meta is not None:  # a hand-made file may omit it: the target work is chosen on upload
        if not isinstance(meta, dict):
            raise file_error("Поле «work» должно описывать работу (год, этап, предмет, класс).")
        check_work(meta, work)
    raw: list[RawRow] = []
    for n, item in enumerate(data["items"], start=1):
        where = f"Задание банка № {n}"
        if not isinstance(item, dict):
            raise file_error(f"{where}: ожидается объект с полями code, column, text, …")
        if code := text(item.get("code")):
            where += f" (шифр «{code}»)"
        fields = {k: item.get(k) for k in XLSX_HEADERS}
        missing = [FIELD_LABELS[f] for f in REQUIRED if f not in item]
        if missing:
            raise file_error(f"{where}: нет полей {', '.join(missing)}.")
        raw.append((where, fields, 0, {}))
    return _check_rows(raw, columns=columns, variants=variants)


def read_bank_xlsx(
    content: bytes, *, work: WorkKey, columns: Sequence[str], variants: int
) -> list[ItemRow]:
    """The items of an xlsx bank file, or UploadError naming row and column of each problem."""
    sheets = read_workbook(content, limits=SHEET_LIMITS)
    if (work_sheet := sheets.get(WORK_SHEET)) is not None:
        by_label = {text(r[0]): r[1] for r in work_sheet.rows if len(r) >= 2}
        check_work({f: by_label.get(label) for f, label in WORK_LABELS.items()}, work)
    sheet = sheets.get(SHEET)
    if sheet is None:
        raise file_error(f"В книге нет листа «{SHEET}».")
    header = [text(v) for v in (sheet.rows[0] if sheet.rows else [])]
    positions: dict[str, int] = {}
    for field, title in XLSX_HEADERS.items():
        if title in header:
            positions[field] = header.index(title) + 1
    missing = [f"«{XLSX_HEADERS[f]}»" for f in (*REQUIRED, "topic") if f not in positions]
    if missing:
        raise file_error(
            f"На листе «{SHEET}» нет столбцов: {', '.join(missing)}. Скачайте шаблон заново."
        )
    raw: list[RawRow] = []
    for row_no in range(2, len(sheet.rows) + 1):
        fields = {f: sheet.cell(row_no, col) for f, col in positions.items()}
        if all(text(v) == "" for v in fields.values()):
            continue
        raw.append((f"Строка {row_no}", fields, row_no, positions))
    return _check_rows(raw, columns=columns, variants=variants)


def write_bank_json(*, work: WorkKey, rows: Iterable[ItemRow]) -> bytes:
    items = []
    for r in rows:
        d = asdict(r)
        d.pop("where")
        items.append(d)
    data = {"format": FORMAT, "work": asdict(work), "items": items}
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def write_bank_xlsx(*, work: WorkKey, rows: Iterable[ItemRow]) -> bytes:
    content = table_workbook(
        sheet_title=SHEET,
        headers=list(XLSX_HEADERS.values()),
        rows=([r.code, r.column, r.text, r.answer, r.difficulty, r.topic] for r in rows),
        widths=[14, 12, 70, 50, 10, 30],
    )
    book = load_workbook(io.BytesIO(content))
    sheet = book.create_sheet(WORK_SHEET)
    key = asdict(work)
    for row_no, (field, label) in enumerate(WORK_LABELS.items(), start=1):
        set_text(sheet, row_no, 1, label)
        set_text(sheet, row_no, 2, key[field])
    sheet.column_dimensions["A"].width = 45
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def image_errors(
    rows: Sequence[ItemRow], *, new_images: dict[str, bytes], stored: dict[str, str]
) -> list[CellError]:
    """Problems with the images the items refer to (``[img:…]``), naming the item and file.

    ``new_images`` come with this import (name → bytes); ``stored`` are already in the bank
    (name → SHA-256). A stored image never changes its content under the same name (kits
    regenerate byte-identically), and every image of the zip must be a valid PNG/JPEG.
    """
    import hashlib

    from apps.materials.files import image_problem
    from apps.materials.markup import image_names

    errors: list[CellError] = []
    problems: dict[str, str | None] = {}

    def problem(name: str) -> str | None:
        if name not in problems:
            problems[name] = image_problem(new_images[name])
        return problems[name]

    for name, content in sorted(new_images.items()):
        old = stored.get(name)
        if old is not None and old != hashlib.sha256(content).hexdigest():
            errors.append(
                CellError(
                    0,
                    0,
                    f"Изображение «{name}» уже есть в банке с другим содержимым: дайте "
                    "исправленному изображению новое имя.",
                )
            )
    for row in rows:
        where = row.where if "шифр" in row.where else f"{row.where} (шифр «{row.code}»)"
        for name in dict.fromkeys(image_names(row.text) + image_names(row.answer)):
            if name in new_images:
                if (why := problem(name)) is not None:
                    errors.append(CellError(0, 0, f"{where}: изображение «{name}» — {why}."))
            elif name not in stored:
                errors.append(
                    CellError(
                        0,
                        0,
                        f"{where}: нет изображения «{name}»; добавьте его в архив изображений.",
                    )
                )
    referenced = {n for r in rows for n in image_names(r.text) + image_names(r.answer)}
    errors.extend(
        CellError(0, 0, f"Архив изображений: «{name}» — {why}.")
        for name in sorted(set(new_images) - referenced)
        if (why := problem(name)) is not None
    )
    return errors
