"""The item-bank file formats (JSON and xlsx). Pure: bytes ↔ rows, or every error in Russian.

JSON (``format`` ``vpr-bank/1``)::

    {"format": "vpr-bank/1",
     "work": {"year": 2026, "subject": "russian", "grade": 4},
     "items": [{"code": "RU4-01-1", "column": "1", "text": "…", "answer": "…",
                "difficulty": 2, "topic": "…"}]}

xlsx: a sheet «Банк заданий» whose first row holds the headers of ``XLSX_HEADERS`` (any order).

The file is the whole bank of the work. Nothing here touches the database: the service
checks the rows against the work and the existing bank, then writes everything at once.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from apps.core.uploads import CellError, UploadError, file_error, read_workbook, text
from apps.core.xlsx import table_workbook
from apps.materials.markup import MarkupError, parse

FORMAT = "vpr-bank/1"
MAX_BANK_BYTES = 20 * 1024 * 1024
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


@dataclass(frozen=True)
class WorkKey:
    year: int
    subject: str
    grade: int


def _problem(where: str, message: str, row: int = 0, column: int = 0) -> CellError:
    if row:
        return CellError(row, column, message)
    return CellError(0, 0, f"{where}: {message}")


def _check_rows(
    raw: Iterable[tuple[str, dict[str, Any], int, dict[str, int]]],
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
        data = json.loads(content.decode("utf-8-sig"))
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
    if isinstance(meta, dict):
        theirs = (meta.get("year"), meta.get("subject"), meta.get("grade"))
        if theirs != (work.year, work.subject, work.grade):
            raise file_error(
                f"Файл относится к другой работе ({meta.get('subject')}, "
                f"{meta.get('grade')} класс, {meta.get('year')}), а загружается в "
                f"{work.subject}, {work.grade} класс, {work.year}."
            )
    raw = []
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


def read_bank_xlsx(content: bytes, *, columns: Sequence[str], variants: int) -> list[ItemRow]:
    """The items of an xlsx bank file, or UploadError naming row and column of each problem."""
    sheets = read_workbook(content)
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
    raw = []
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


def write_bank_xlsx(*, title: str, rows: Iterable[ItemRow]) -> bytes:
    return table_workbook(
        sheet_title=SHEET,
        headers=list(XLSX_HEADERS.values()),
        rows=([r.code, r.column, r.text, r.answer, r.difficulty, r.topic] for r in rows),
        widths=[14, 12, 70, 50, 10, 30],
    )
