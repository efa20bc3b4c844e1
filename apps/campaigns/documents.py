"""The campaign as a JSON document: CampaignSpec ↔ JSON bytes. Pure.

The document is what the export writes and the import reads::

    {"format": "vpr-portal/works", "version": 1,
     "campaign": {"year": 2026, "session": "spring", "name": "ВПР 2026",
                  "application_deadline": "2026-02-20"},
     "works": [{"subject_code": "russian", "subject_name": "Русский язык", "grade": 4,
                "max_score": 24, "mark3_from": 10, "mark4_from": 16, "mark5_from": 21, ...,
                "columns": [{"label": "1", "max_score": 2, "difficulty": "Б", "topic": "…"}]}]}

Every problem names its place («работа № 2 (math, 5 класс), задание № 3, поле max_score»).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from apps.campaigns import rules
from apps.campaigns.models import Session
from apps.campaigns.rules import CampaignSpec, ColumnSpec, Problem, WorkSpec
from apps.core import jsonsafe
from apps.core.uploads import MAX_UPLOAD_BYTES, CellError, UploadError, looks_like_formula

FORMAT = "vpr-portal/works"
VERSION = 1
WORK_INT_FIELDS = (
    "grade",
    "max_score",
    "mark3_from",
    "mark4_from",
    "mark5_from",
    "duration_minutes",
    "variants_per_school",
)
WORK_DATE_FIELDS = (
    "period_start",
    "period_end",
    "materials_publish_date",
    "results_upload_deadline",
    "results_release_date",
)
COLUMN_FIELD = {"label": "label", "column_max": "max_score", "difficulty": "difficulty"}


def work_document(work: WorkSpec) -> dict[str, Any]:
    return {
        "subject_code": work.subject_code,
        "subject_name": work.subject_name,
        "grade": work.grade,
        "max_score": work.max_score,
        "mark3_from": work.mark3_from,
        "mark4_from": work.mark4_from,
        "mark5_from": work.mark5_from,
        "duration_minutes": work.duration_minutes,
        "encrypted_archive": work.encrypted_archive,
        "variants_per_school": work.variants_per_school,
        "period_start": work.period_start.isoformat(),
        "period_end": work.period_end.isoformat(),
        "recommended_dates": [d.isoformat() for d in work.recommended_dates],
        "materials_publish_date": work.materials_publish_date.isoformat(),
        "results_upload_deadline": work.results_upload_deadline.isoformat(),
        "results_release_date": work.results_release_date.isoformat(),
        "checking_until": work.checking_until.isoformat() if work.checking_until else None,
        "columns": [
            {
                "label": c.label,
                "max_score": c.max_score,
                "difficulty": c.difficulty,
                "topic": c.topic,
            }
            for c in work.columns
        ],
    }


def campaign_document(spec: CampaignSpec) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "campaign": {
            "year": spec.year,
            "session": spec.session,
            "name": spec.name,
            "application_deadline": spec.application_deadline.isoformat(),
        },
        "works": [work_document(w) for w in spec.works],
    }


def build_json(spec: CampaignSpec) -> bytes:
    return json.dumps(campaign_document(spec), ensure_ascii=False, indent=2).encode("utf-8")


# --- reading ----------------------------------------------------------------------------------


class _Reader:
    def __init__(self) -> None:
        self.errors: list[CellError] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(CellError(0, 0, f"{where}: {message}" if where else message))

    def integer(self, obj: dict[str, Any], key: str, where: str) -> int:
        value = obj.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(f"{where}, поле {key}", "нужно целое число.")
            return 0
        return value

    def string(self, obj: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value: object = obj.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(f"{where}, поле {key}", "нужна строка.")
            return ""
        value = " ".join(value.split())
        if required and not value:
            self.error(f"{where}, поле {key}", "значение не заполнено.")
        if looks_like_formula(value):
            self.error(f"{where}, поле {key}", "значение не может начинаться со знака «=».")
            return ""
        return value

    def boolean(self, obj: dict[str, Any], key: str, where: str) -> bool:
        value = obj.get(key, False)
        if not isinstance(value, bool):
            self.error(f"{where}, поле {key}", "нужно true или false.")
            return False
        return value

    def date(self, value: Any, where: str) -> dt.date:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.error(where, f"«{value}» — не дата; нужна строка вида ГГГГ-ММ-ДД.")
        return dt.date(2000, 1, 1)


def _work_where(index: int, obj: Any) -> str:
    if isinstance(obj, dict):
        return (
            f"работа № {index + 1} ({obj.get('subject_code', '?')}, {obj.get('grade', '?')} класс)"
        )
    return f"работа № {index + 1}"


def _read_work(reader: _Reader, index: int, obj: Any) -> WorkSpec | None:
    where = _work_where(index, obj)
    if not isinstance(obj, dict):
        reader.error(where, "нужен объект с полями работы.")
        return None
    ints = {k: reader.integer(obj, k, where) for k in WORK_INT_FIELDS}
    dates = {k: reader.date(obj.get(k), f"{where}, поле {k}") for k in WORK_DATE_FIELDS}
    raw_dates = obj.get("recommended_dates", [])
    if not isinstance(raw_dates, list):
        reader.error(f"{where}, поле recommended_dates", "нужен список дат.")
        raw_dates = []
    recommended = tuple(
        reader.date(v, f"{where}, поле recommended_dates[{i}]") for i, v in enumerate(raw_dates)
    )
    raw_checking = obj.get("checking_until")
    checking_until = (
        None
        if raw_checking in (None, "")
        else reader.date(raw_checking, f"{where}, поле checking_until")
    )
    raw_columns = obj.get("columns", [])
    if not isinstance(raw_columns, list):
        reader.error(f"{where}, поле columns", "нужен список заданий.")
        raw_columns = []
    columns = []
    for j, col in enumerate(raw_columns):
        cwhere = f"{where}, задание № {j + 1}"
        if not isinstance(col, dict):
            reader.error(cwhere, "нужен объект с полями label, max_score, difficulty, topic.")
            continue
        columns.append(
            ColumnSpec(
                label=rules.normalize_label(reader.string(col, "label", cwhere)),
                max_score=reader.integer(col, "max_score", cwhere),
                difficulty=reader.string(col, "difficulty", cwhere).upper(),
                topic=reader.string(col, "topic", cwhere, required=False),
            )
        )
    return WorkSpec(
        subject_code=reader.string(obj, "subject_code", where),
        subject_name=reader.string(obj, "subject_name", where),
        encrypted_archive=reader.boolean(obj, "encrypted_archive", where),
        recommended_dates=recommended,
        columns=tuple(columns),
        grade=ints["grade"],
        max_score=ints["max_score"],
        mark3_from=ints["mark3_from"],
        mark4_from=ints["mark4_from"],
        mark5_from=ints["mark5_from"],
        duration_minutes=ints["duration_minutes"],
        variants_per_school=ints["variants_per_school"],
        period_start=dates["period_start"],
        period_end=dates["period_end"],
        materials_publish_date=dates["materials_publish_date"],
        results_upload_deadline=dates["results_upload_deadline"],
        results_release_date=dates["results_release_date"],
        checking_until=checking_until,
    )


def parse_json(content: bytes) -> CampaignSpec:
    """Read a campaign document; UploadError lists every problem with its place."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadError([CellError(0, 0, "Файл слишком большой.")])
    try:
        data = jsonsafe.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UploadError([CellError(0, 0, "Файл не в кодировке UTF-8.")]) from exc
    except json.JSONDecodeError as exc:
        raise UploadError(
            [
                CellError(
                    0,
                    0,
                    f"Файл не является документом JSON: ошибка в строке {exc.lineno}, "
                    f"позиция {exc.colno}.",
                )
            ]
        ) from exc
    return parse_document(data)


def parse_document(data: Any) -> CampaignSpec:
    """Validate an already decoded document (the API accepts it as a JSON body)."""
    reader = _Reader()
    if not isinstance(data, dict):
        raise UploadError([CellError(0, 0, "Документ должен быть объектом JSON.")])
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise UploadError(
            [
                CellError(
                    0,
                    0,
                    f'Неизвестный формат документа: нужны поля "format": "{FORMAT}" и '
                    f'"version": {VERSION}. Скачайте работы кампании в JSON и измените их.',
                )
            ]
        )
    camp = data.get("campaign")
    if not isinstance(camp, dict):
        raise UploadError([CellError(0, 0, "Нет объекта campaign с полями кампании.")])
    where = "кампания"
    year = reader.integer(camp, "year", where)
    session = camp.get("session", Session.SPRING.value)
    if session not in Session.values:
        reader.error(f"{where}, поле session", "нужно «spring» или «autumn».")
        session = Session.SPRING.value
    name = reader.string(camp, "name", where)
    deadline = reader.date(camp.get("application_deadline"), f"{where}, поле application_deadline")
    raw_works = data.get("works")
    if not isinstance(raw_works, list) or not raw_works:
        reader.error("", "Нет списка works с работами кампании.")
        raw_works = []
    works = [w for i, obj in enumerate(raw_works) if (w := _read_work(reader, i, obj)) is not None]
    if reader.errors:
        raise UploadError(reader.errors)
    spec = CampaignSpec(
        year=year, session=session, name=name, application_deadline=deadline, works=tuple(works)
    )
    problems = [_locate(spec, raw_works, i, p) for i, p in rules.campaign_problems(spec)]
    if problems:
        raise UploadError(problems)
    return spec


def _locate(spec: CampaignSpec, raw: list[Any], index: int | None, problem: Problem) -> CellError:
    if index is None:
        return CellError(0, 0, f"кампания, поле {problem.field}: {problem.message}")
    where = _work_where(index, raw[index])
    if problem.column is not None:
        label = spec.works[index].columns[problem.column].label
        key = COLUMN_FIELD.get(problem.field, problem.field)
        return CellError(
            0,
            0,
            f"{where}, задание № {problem.column + 1} («{label}»), поле {key}: {problem.message}",
        )
    return CellError(0, 0, f"{where}, поле {problem.field}: {problem.message}")
