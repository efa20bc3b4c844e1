"""The seven ФИС ОКО reports as downloadable tables: what the xlsx and the PDF of a report show.

``report_export`` reads (through the selectors, so scoped and embargoed like the pages) and
turns a report into an ``ExportReport``: the header block, one or more table sections with
optional threshold fills, notes and chart data. ``xlsx.report_workbook`` and ``pdf.report_pdf``
are pure writers of that one shape, so no report has a writer of its own.

The numbering of the forms (Ф1…Ф7) is documented in docs/analytics-reports.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.analytics import selectors as sel
from apps.analytics.models import MARKS, WorkAggregate
from apps.core.scoping import Level
from apps.registration.access import A, Actor

# kind (the URL's slug) → (form number, report name); the order is the forms' order.
KINDS: dict[str, tuple[int, str]] = {
    "individual": (1, "Индивидуальные результаты"),
    "scores": (2, "Распределение первичных баллов"),
    "marks": (3, "Статистика по отметкам"),
    "tasks": (4, "Выполнение заданий"),
    "journal": (5, "Сравнение отметок с отметками по журналу"),
    "topics": (6, "Достижение планируемых результатов"),
    "groups": (7, "Выполнение заданий группами участников"),
}
# The reports of a unit's aggregate (all but the school's individual results), in form order.
AGGREGATE_KINDS = tuple(k for k in KINDS if k != "individual")

SUBJECT_ABBREVIATIONS = {
    "russian": "РУ",
    "math": "МА",
    "mathematics": "МА",
    "world": "ОМ",
    "history": "ИС",
    "biology": "БИ",
    "geography": "ГЕ",
    "social": "ОБ",
    "physics": "ФИ",
    "chemistry": "ХИ",
    "english": "АЯ",
    "german": "НЯ",
    "french": "ФЯ",
    "informatics": "ИН",
    "literature": "ЛИ",
}
SMALL_NOTE = "менее 10 участников: результаты малоинформативны"
THRESHOLDS_NOTE = (
    "Процент от максимального балла. Базовые задания (Б): ≥ 60 % — достаточно (зелёный), "
    "57–60 % — неопределённо (жёлтый), < 57 % — недостаточно (красный); повышенные и высокие "
    "(П, В): ≥ 30 %, 28,5–30 %, < 28,5 %."
)


def subject_abbreviation(code: str, name: str) -> str:
    return SUBJECT_ABBREVIATIONS.get(code) or name[:2].upper()


@dataclass(frozen=True)
class Section:
    """One table: header rows, data rows (numbers stay numbers, None is an empty cell) and,
    per data row, the completion level of each cell ('' for none) that colours it."""

    header: Sequence[Sequence[Any]]
    rows: Sequence[Sequence[Any]]
    caption: str = ""
    levels: Sequence[Sequence[str]] = ()
    key_columns: int = 1  # leading columns repeated when a PDF splits a wide table


@dataclass(frozen=True)
class HistogramChart:
    """Bars (score, count, % of participants, mark) and the scale's boundaries (mark, score)."""

    bars: Sequence[tuple[int, int, float, int]]
    boundaries: Sequence[tuple[int, int]]


@dataclass(frozen=True)
class MarksChart:
    """Per compared unit, its label and the % of marks «2»..«5»."""

    rows: Sequence[tuple[str, Sequence[float | None]]]


@dataclass(frozen=True)
class ExportReport:
    """A report ready to write: header block, sections, notes, optional chart."""

    kind: str
    number: int
    title: str
    work_line: str  # «ВПР 2026, весна Русский язык 4 класс»
    unit_line: str
    max_score: int
    generated_on: dt.date
    sheet_prefix: str  # «РУ 4»
    sections: Sequence[Section]
    notes: Sequence[str] = ()
    chart: HistogramChart | MarksChart | None = None
    file_work: str = ""  # «Математика 4»
    file_unit: str = ""  # «МО Белоярский», «ОО 660101», «РФ»

    @property
    def file_stem(self) -> str:
        """«Ф3_Статистика по отметкам_Математика 4_МО Белоярский»: safe in any file system."""
        parts = [f"Ф{self.number}", self.title, self.file_work, self.file_unit]
        return safe_file_name("_".join(p for p in parts if p))

    @property
    def sheet_title(self) -> str:
        return f"{self.sheet_prefix} {self.title}"[:31]


@dataclass
class Export:
    """What a download view gets: the report (for the embargo page) and, after the release,
    the export of each requested kind."""

    report: sel.Report
    items: list[ExportReport]

    @property
    def embargoed(self) -> bool:
        return self.report.embargo_until is not None


def report_export(
    *,
    actor: Actor,
    pk: int,
    kinds: Sequence[str],
    gap_limit: int | None = None,
    slice: sel.Slice | None = None,
) -> Export:
    """The exports of ``kinds`` for the aggregate ``pk`` as ``actor`` may see them. Raises
    ``WorkAggregate.DoesNotExist`` out of scope (404), and for the individual results above the
    school level or without the right to see them (the view checks the action first: 403)."""
    if "individual" in kinds:
        agg = sel.aggregate_get(actor=actor, pk=pk, action=A.VIEW_INDIVIDUAL_RESULTS)
        if agg.level != Level.SCHOOL:
            raise WorkAggregate.DoesNotExist
    report = sel.report_get(actor=actor, pk=pk, slice=slice)
    export = Export(report=report, items=[])
    if export.embargoed:
        return export
    for kind in kinds:
        extra: dict[str, Any] = {}
        if kind == "individual":
            extra["results"] = sel.individual_list(
                actor=actor, aggregate=report.aggregate, slice=report.slice
            )
        elif kind == "journal":
            extra["codes"] = sel.journal_gap_list(
                actor=actor, aggregate=report.aggregate, slice=report.slice
            )
            extra["schools"] = sel.journal_gap_school_list(
                actor=actor, aggregate=report.aggregate, limit=gap_limit
            )
        export.items.append(build(kind, report, **extra))
    return export


def build(kind: str, report: sel.Report, **extra: Any) -> ExportReport:
    """The export of one kind from a report that is not embargoed (pure)."""
    number, title = KINDS[kind]
    work = report.work
    sections, notes, chart = _BUILDERS[kind](report, **extra)
    return ExportReport(
        kind=kind,
        number=number,
        title=title,
        work_line=f"{work.campaign.label} {work.subject.name} {work.grade} класс",
        unit_line=unit_line(report),
        max_score=work.max_score,
        generated_on=timezone.now().astimezone(ZoneInfo(report.time_zone)).date(),
        sheet_prefix=f"{subject_abbreviation(work.subject.code, work.subject.name)} {work.grade}",
        sections=sections,
        notes=notes,
        chart=chart,
        file_work=f"{work.subject.name} {work.grade}",
        file_unit=file_unit(report),
    )


# Characters no common file system (Windows above all) takes in a file name.
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
MAX_STEM = 150


def safe_file_name(stem: str) -> str:
    """``stem`` with characters unsafe in file names replaced, spaces collapsed, length capped."""
    cleaned = " ".join(_UNSAFE.sub(" ", stem).split()).strip(" .")
    return cleaned[:MAX_STEM].rstrip(" .") or "Отчёт"


def unit_line(report: sel.Report) -> str:
    """The unit of the header, with the report's cut («…, класс 4А, без ОВЗ»)."""
    parts = [report.unit_name]
    if report.class_name:
        parts.append(f"класс {report.class_name}")
    elif report.slice.classes:
        parts.append("по классам")
    if report.slice.ovz:
        parts.append(sel.OVZ_FILTERS[report.slice.ovz].lower())
    return ", ".join(parts)


def file_unit(report: sel.Report) -> str:
    """The unit of a report as its files name it: «ОО 660101», «МО Белоярский», the region."""
    level = Level(report.aggregate.level)
    code: Any = getattr(report.place, "code", None)
    if level == Level.SCHOOL and code:
        return f"ОО {code}"
    if level == Level.MUNICIPALITY:
        return f"МО {report.unit_name}"
    if level == Level.REGION:
        return report.unit_name
    return "РФ"


Built = tuple[list[Section], list[str], HistogramChart | MarksChart | None]


def _unit_label(row: sel.Row) -> str:
    """A unit as a column header or a chart label: «ОО: …», a class by its own label («4А»)."""
    if row.level == Level.FEDERAL or row.is_class:
        return row.name
    return f"{row.level_label}: {row.name}"


def _small_units(report: sel.Report) -> list[str]:
    small = [_unit_label(r) for r in report.rows if r.small]
    return (
        [f"Менее 10 участников (результаты малоинформативны): {'; '.join(small)}."] if small else []
    )


def _marks(report: sel.Report) -> Built:
    table = sel.marks_table(report)
    header = ["Уровень", "Наименование", "Кол-во ОО", "Кол-во участников"]
    header += [f"«{m}», %" for m in MARKS] + ["Примечание"]
    rows = [
        [
            line["row"].level_label,
            line["row"].name,
            line["schools"],
            line["participants"],
            *line["percents"],
            SMALL_NOTE if line["row"].small else None,
        ]
        for line in table
    ]
    chart = MarksChart(
        rows=[
            (_unit_label(line["row"]), line["percents"])
            for line in table
            if line["row"].link_pk is None or line["row"].is_self
        ]
    )
    notes = ["Проценты — от числа участников, выполнявших работу; отсутствовавшие не учитываются."]
    return [Section(header=[header], rows=rows, key_columns=2)], notes, chart


def _scores(report: sel.Report) -> Built:
    hist = sel.histogram(report)
    boundaries = dict(zip(hist["boundaries"], (3, 4, 5), strict=True))
    rows = [
        [
            bar["score"],
            bar["mark"],
            f"начало «{boundaries[bar['score']]}»" if bar["boundary"] else None,
            bar["count"],
            bar["percent"],
        ]
        for bar in hist["bars"]
    ]
    header = ["Первичный балл", "Отметка", "Граница шкалы", "Кол-во участников", "% участников"]
    notes = [
        "Границы шкалы (первичный балл, с которого ставится отметка): "
        + ", ".join(f"«{m}» — {s}" for s, m in boundaries.items())
        + ". Пики распределения на границах шкалы — возможный признак необъективного оценивания."
    ]
    if hist["small"]:
        notes.insert(
            0,
            f"Участников меньше 20 ({hist['participants']}): распределение малоинформативно.",
        )
    chart = HistogramChart(
        bars=[(b["score"], b["count"], b["percent"], b["mark"]) for b in hist["bars"]],
        boundaries=[(line["mark"], line["score"]) for line in hist["lines"]],
    )
    return [Section(header=[header], rows=rows)], notes, chart


def _tasks(report: sel.Report) -> Built:
    table = sel.tasks_table(report)
    header = ["Задание", "Уровень", "Макс. балл"] + [_unit_label(r) for r in report.rows]
    rows = [
        [line["column"].label, line["column"].difficulty, line["column"].max_score]
        + [c["value"] for c in line["cells"]]
        for line in table
    ]
    levels = [["", "", ""] + [c["level"] for c in line["cells"]] for line in table]
    rows.append(["Кол-во участников", None, None] + [r.aggregate.participants for r in report.rows])
    levels.append([])
    section = Section(header=[header], rows=rows, levels=levels, key_columns=3)
    return [section], [THRESHOLDS_NOTE, *_small_units(report)], None


def _journal(
    report: sel.Report,
    codes: Sequence[dict[str, Any]] = (),
    schools: sel.GapSchools | None = None,
) -> Built:
    table = sel.journal_table(report)
    header = [
        "Уровень",
        "Наименование",
        "Понизили, кол-во",
        "Понизили, %",
        "Подтвердили, кол-во",
        "Подтвердили, %",
        "Повысили, кол-во",
        "Повысили, %",
        "Без отметки по журналу",
        "Расхождение на 2 и более",
        "Примечание",
    ]
    rows = [
        [
            line["row"].level_label,
            line["row"].name,
            line["lower"],
            line["lower_pct"],
            line["equal"],
            line["equal_pct"],
            line["higher"],
            line["higher_pct"],
            line["missing"],
            line["gap2"],
            SMALL_NOTE if line["small"] else None,
        ]
        for line in table
    ]
    sections = [Section(header=[header], rows=rows, key_columns=2)]
    notes = [
        "Понизили — отметка за ВПР ниже отметки по журналу; подтвердили — равна; повысили — "
        "выше. Проценты — от участников с отметкой по журналу; участники без неё показаны "
        "отдельно."
    ]
    if report.aggregate.level == Level.SCHOOL:
        sections.append(
            Section(
                caption="Расхождение с отметкой по журналу на 2 и более: коды участников",
                header=[["Код участника", "Отметка за ВПР", "Отметка по журналу", "Разница"]],
                rows=[[g["code"], g["mark"], g["journal_mark"], g["difference"]] for g in codes],
            )
        )
        if not codes:
            notes.append("Участников с расхождением на 2 и более нет.")
    elif schools is not None:
        sections.append(
            Section(
                caption="ОО с расхождением отметок на 2 и более (по убыванию доли)",
                header=[
                    [
                        "ОО",
                        "Участников с отметкой по журналу",
                        "Расхождение на 2 и более, кол-во",
                        "Расхождение на 2 и более, %",
                        "Примечание",
                    ]
                ],
                rows=[
                    [
                        s["name"],
                        s["with_journal"],
                        s["gap2"],
                        s["gap2_pct"],
                        SMALL_NOTE if s["small"] else None,
                    ]
                    for s in schools.rows
                ],
            )
        )
        notes.append(
            f"ОО с расхождением на 2 и более: {schools.total} из {schools.schools}"
            + (
                f"; показаны {len(schools.rows)} с наибольшей долей."
                if len(schools.rows) < schools.total
                else "."
            )
        )
    return sections, notes, None


def _topics(report: sel.Report) -> Built:
    table = sel.topics_table(report)
    header = ["Планируемый результат", "Задания", "Макс. балл"]
    header += [_unit_label(r) for r in report.rows]
    rows = [[line["topic"], line["labels"], line["max"], *line["cells"]] for line in table]
    notes = ["Процент от максимального балла по заданиям, проверяющим планируемый результат."]
    return [Section(header=[header], rows=rows, key_columns=3)], notes + _small_units(report), None


def _groups(report: sel.Report) -> Built:
    table = sel.groups_table(report)
    header = ["Группа участников", "Кол-во участников"]
    header += [f"{c.label} ({c.difficulty})" for c in report.columns] + ["Примечание"]
    rows = [
        [f"«{line['mark']}»", line["count"]]
        + [c["value"] for c in line["cells"]]
        + [SMALL_NOTE if line["small"] else None]
        for line in table
    ]
    levels = [["", ""] + [c["level"] for c in line["cells"]] + [""] for line in table]
    notes = [
        f"{report.unit_name}: процент от максимального балла по каждому заданию в группах "
        "участников, получивших «2», «3», «4», «5».",
        THRESHOLDS_NOTE,
    ]
    return [Section(header=[header], rows=rows, levels=levels, key_columns=2)], notes, None


def _individual(report: sel.Report, results: Sequence[Any] = ()) -> Built:
    columns = report.columns
    difficulty = ["Уровень сложности", None, None] + [c.difficulty for c in columns]
    header = ["Код участника", "Класс", "Вариант"]
    header += [f"{c.label} ({c.max_score}б)" for c in columns]
    header += ["Первичный балл", "Отметка", "Отметка по журналу"]
    rows: list[list[Any]] = []
    for r in results:
        if r.absent:
            rows.append([r.code, r.class_number, "отсутствовал"])
            continue
        scores = [("X" if s is None else s) for s in r.scores]
        journal = r.journal_mark if r.journal_mark else "нет отметки"
        rows.append([r.code, r.class_number, r.variant, *scores, r.primary_score, r.mark, journal])
    notes = [
        "Результаты по кодам участников (ФИО на портале не хранятся: сверяйте коды с бумажным "
        "протоколом ОО). «X» — участник не приступал к заданию (0 баллов)."
    ]
    section = Section(header=[difficulty, header], rows=rows, key_columns=1)
    return [section], notes, None


_BUILDERS: dict[str, Any] = {
    "individual": _individual,
    "scores": _scores,
    "marks": _marks,
    "tasks": _tasks,
    "journal": _journal,
    "topics": _topics,
    "groups": _groups,
}
