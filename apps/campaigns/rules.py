"""The shape of a campaign's works as plain data, and every rule they must satisfy. Pure.

The HTML forms, the API, the xlsx and the JSON imports all build ``WorkSpec``s and run
``work_problems``; each caller maps a problem's ``field`` to where the user sees it (a form
field, an xlsx cell, a JSON path). Nothing is written unless there are no problems at all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from apps.campaigns import schedule

# The widest grades a work may have; which of them take part is the campaign's configuration
# (``CampaignGrade`` rows, 4–8 and 10 in 2026), checked by ``grade_problem``.
GRADES = (4, 5, 6, 7, 8, 9, 10, 11)
MIN_GRADE, MAX_GRADE = 4, 11
DIFFICULTIES = ("Б", "П", "В")
DIFFICULTY_LABELS = {"Б": "базовый", "П": "повышенный", "В": "высокий"}
# «1», «9.1», «4К1», «2.1К2»: a task number, an optional sub-number, an optional criterion.
LABEL_RE = re.compile(r"^\d{1,2}(\.\d{1,2})?(К\d{1,2})?$")
SUBJECT_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_COLUMN_SCORE = 50
MAX_WORK_SCORE = 200
MAX_DURATION = 300
MAX_VARIANTS = 10

FIELD_LABELS: dict[str, str] = {
    "subject_code": "Код предмета",
    "subject_name": "Предмет",
    "grade": "Класс",
    "max_score": "Максимальный первичный балл",
    "mark3_from": "«3» от балла",
    "mark4_from": "«4» от балла",
    "mark5_from": "«5» от балла",
    "duration_minutes": "Продолжительность, минут",
    "encrypted_archive": "Архив зашифрован",
    "variants_per_school": "Вариантов на ОО",
    "period_start": "Первый день периода",
    "period_end": "Последний день периода",
    "recommended_dates": "Рекомендуемые даты",
    "materials_publish_date": "Публикация материалов",
    "results_upload_deadline": "Последний день загрузки результатов",
    "results_release_date": "Публикация результатов",
    "checking_until": "Последний день проверки работ",
    "label": "Номер задания",
    "column_max": "Максимальный балл задания",
    "difficulty": "Уровень",
    "topic": "Планируемый результат",
    "columns": "Задания",
}


def normalize_label(raw: str) -> str:
    """'4k1' → '4К1' (a Latin K typed by mistake), spaces removed, comma as a dot."""
    value = "".join(raw.split()).replace(",", ".")
    return value.replace("K", "К").replace("k", "К").replace("к", "К")


def column_header(label: str, max_score: int) -> str:
    """The results-form header of a column, as ФИС ОКО writes it: '9.1 (1б)'."""
    return f"{label} ({max_score}б)"


@dataclass(frozen=True)
class ColumnSpec:
    label: str
    max_score: int
    difficulty: str = "Б"
    topic: str = ""


@dataclass(frozen=True)
class WorkSpec:
    """A work as data: everything a campaign file or form says about it."""

    subject_code: str
    subject_name: str
    grade: int
    max_score: int
    mark3_from: int
    mark4_from: int
    mark5_from: int
    duration_minutes: int
    encrypted_archive: bool
    variants_per_school: int
    period_start: dt.date
    period_end: dt.date
    recommended_dates: tuple[dt.date, ...]
    materials_publish_date: dt.date
    results_upload_deadline: dt.date
    results_release_date: dt.date
    columns: tuple[ColumnSpec, ...] = field(default_factory=tuple)
    # the last day the school's experts check the works (school-local); None: until the upload
    # deadline (apps/schoolday/checking/)
    checking_until: dt.date | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.subject_code, self.grade)

    @property
    def title(self) -> str:
        return f"{self.subject_name or self.subject_code}, {self.grade} класс"


@dataclass(frozen=True)
class CampaignSpec:
    year: int
    session: str
    name: str
    application_deadline: dt.date
    works: tuple[WorkSpec, ...] = ()


@dataclass(frozen=True)
class Problem:
    """One broken rule: ``field`` is a WorkSpec field (or 'label'/'column_max'/'difficulty'/
    'topic' with ``column`` = the 0-based index of the task column)."""

    field: str
    message: str
    column: int | None = None


def _d(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def scale_problems(max_score: int, m3: int, m4: int, m5: int) -> list[Problem]:
    problems = []
    if m3 < 1:
        problems.append(Problem("mark3_from", "порог «3» должен быть не меньше 1."))
    if m4 <= m3:
        problems.append(
            Problem("mark4_from", f"порог «4» ({m4}) должен быть больше порога «3» ({m3}).")
        )
    if m5 <= m4:
        problems.append(
            Problem("mark5_from", f"порог «5» ({m5}) должен быть больше порога «4» ({m4}).")
        )
    if m5 > max_score:
        problems.append(
            Problem(
                "mark5_from",
                f"порог «5» ({m5}) не может превышать максимальный балл ({max_score}).",
            )
        )
    return problems


def column_problems(columns: Iterable[ColumnSpec], max_score: int) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    total = 0
    cols = list(columns)
    if not cols:
        return [Problem("columns", "у работы должно быть хотя бы одно задание.")]
    for i, col in enumerate(cols):
        if not col.label:
            problems.append(Problem("label", "номер задания не указан.", i))
        elif not LABEL_RE.match(col.label):
            problems.append(
                Problem(
                    "label",
                    f"номер задания «{col.label}» записан неверно; допускаются номера вида "
                    "1, 9.1, 4К1.",
                    i,
                )
            )
        elif col.label in seen:
            problems.append(
                Problem(
                    "label",
                    f"номер задания «{col.label}» повторяется (уже есть в задании "
                    f"№ {seen[col.label] + 1} по порядку).",
                    i,
                )
            )
        else:
            seen[col.label] = i
        if not 1 <= col.max_score <= MAX_COLUMN_SCORE:
            problems.append(
                Problem(
                    "column_max",
                    f"максимальный балл задания должен быть от 1 до {MAX_COLUMN_SCORE}.",
                    i,
                )
            )
        total += col.max_score
        if col.difficulty not in DIFFICULTIES:
            problems.append(
                Problem("difficulty", "уровень должен быть одной из букв Б, П или В.", i)
            )
    if total != max_score:
        problems.append(
            Problem(
                "max_score",
                f"сумма максимальных баллов заданий ({total}) не равна максимальному "
                f"первичному баллу ({max_score}).",
            )
        )
    return problems


def plan_problems(spec: WorkSpec, application_deadline: dt.date | None) -> list[Problem]:
    """The plan-graph rules of one work: its period, recommended dates, publication, upload
    deadline and release dates in a consistent order."""
    problems: list[Problem] = []
    if spec.period_end < spec.period_start:
        problems.append(
            Problem(
                "period_end",
                f"последний день периода ({_d(spec.period_end)}) раньше первого "
                f"({_d(spec.period_start)}).",
            )
        )
    problems.extend(
        Problem("recommended_dates", f"рекомендуемая дата {_d(day)} вне периода проведения.")
        for day in spec.recommended_dates
        if not spec.period_start <= day <= spec.period_end
    )
    if len(set(spec.recommended_dates)) != len(spec.recommended_dates):
        problems.append(Problem("recommended_dates", "рекомендуемые даты повторяются."))
    latest = schedule.latest_materials_date(spec)
    if spec.materials_publish_date > latest:
        days = schedule.lead_days(spec)
        kind = "зашифрованного архива" if spec.encrypted_archive else "архива"
        problems.append(
            Problem(
                "materials_publish_date",
                f"публикация {kind} — не позднее чем за {days} дня до начала периода, "
                f"то есть не позднее {_d(latest)}.",
            )
        )
    if spec.results_upload_deadline < spec.period_end:
        problems.append(
            Problem(
                "results_upload_deadline",
                "последний день загрузки результатов не может быть раньше конца периода "
                f"({_d(spec.period_end)}).",
            )
        )
    if spec.checking_until is not None and spec.checking_until < spec.period_end:
        problems.append(
            Problem(
                "checking_until",
                "последний день проверки работ не может быть раньше конца периода "
                f"({_d(spec.period_end)}).",
            )
        )
    if spec.checking_until is not None and spec.checking_until > spec.results_upload_deadline:
        problems.append(
            Problem(
                "checking_until",
                "последний день проверки работ не может быть позже последнего дня загрузки "
                f"результатов ({_d(spec.results_upload_deadline)}).",
            )
        )
    if spec.results_release_date < spec.results_upload_deadline:
        problems.append(
            Problem(
                "results_release_date",
                "результаты публикуются не раньше последнего дня их загрузки "
                f"({_d(spec.results_upload_deadline)}).",
            )
        )
    if application_deadline is not None and spec.period_start <= application_deadline:
        problems.append(
            Problem(
                "period_start",
                f"период должен начинаться после последнего дня подачи заявок "
                f"({_d(application_deadline)}).",
            )
        )
    return problems


def grades_text(grades: Iterable[int]) -> str:
    """«4, 5, 6, 7, 8 и 10»."""
    names = [str(g) for g in sorted(grades)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} и {names[-1]}"


def grade_problem(grade: int, grades: Collection[int]) -> Problem | None:
    """A work's grade must be one of its campaign's grades (none configured: refused too)."""
    if grade in grades:
        return None
    if not grades:
        return Problem(
            "grade",
            "в кампании ещё не заданы участвующие параллели: сначала укажите их "
            "(«Параллели кампании»), затем добавляйте работы.",
        )
    return Problem(
        "grade",
        f"в кампании участвуют {grades_text(grades)} классы; работа {grade} класса в неё "
        "не входит.",
    )


def work_problems(
    spec: WorkSpec,
    application_deadline: dt.date | None,
    grades: Collection[int] | None = None,
) -> list[Problem]:
    """Every broken rule of one work; an empty list means the work may be saved.

    ``grades``: the campaign's grades, when the campaign is known (the file's own checks run
    before it is: the import checks the grades against the target campaign)."""
    problems: list[Problem] = []
    if not SUBJECT_CODE_RE.match(spec.subject_code):
        problems.append(
            Problem(
                "subject_code",
                "код предмета — латинские строчные буквы, цифры, «-» или «_» (например, russian).",
            )
        )
    if not MIN_GRADE <= spec.grade <= MAX_GRADE:
        problems.append(
            Problem("grade", f"класс должен быть от {MIN_GRADE} до {MAX_GRADE}, а не {spec.grade}.")
        )
    elif grades is not None and (wrong := grade_problem(spec.grade, grades)) is not None:
        problems.append(wrong)
    if spec.grade == 8 and not spec.encrypted_archive:
        problems.append(
            Problem(
                "encrypted_archive",
                "в 8 классе архив с материалами зашифрован (пароль — в день проведения).",
            )
        )
    if not 1 <= spec.max_score <= MAX_WORK_SCORE:
        problems.append(
            Problem("max_score", f"максимальный балл должен быть от 1 до {MAX_WORK_SCORE}.")
        )
    if not 1 <= spec.duration_minutes <= MAX_DURATION:
        problems.append(
            Problem(
                "duration_minutes", f"продолжительность должна быть от 1 до {MAX_DURATION} минут."
            )
        )
    if not 1 <= spec.variants_per_school <= MAX_VARIANTS:
        problems.append(
            Problem("variants_per_school", f"вариантов на ОО должно быть от 1 до {MAX_VARIANTS}.")
        )
    problems += scale_problems(spec.max_score, spec.mark3_from, spec.mark4_from, spec.mark5_from)
    problems += column_problems(spec.columns, spec.max_score)
    problems += plan_problems(spec, application_deadline)
    return problems


def campaign_problems(spec: CampaignSpec) -> list[tuple[int | None, Problem]]:
    """Rules of a whole campaign file: each work's rules, and no work twice.

    Returns (index of the work or None for the campaign itself, problem).
    """
    found: list[tuple[int | None, Problem]] = []
    if not 2000 <= spec.year <= 2100:
        found.append((None, Problem("year", "год кампании указан неверно.")))
    seen: dict[tuple[str, int], int] = {}
    for i, work in enumerate(spec.works):
        if work.key in seen:
            found.append(
                (
                    i,
                    Problem(
                        "grade",
                        f"работа «{work.title}» уже описана выше (работа № {seen[work.key] + 1}).",
                    ),
                )
            )
        else:
            seen[work.key] = i
        found += [(i, p) for p in work_problems(work, spec.application_deadline)]
    return found
