"""Reads of the analytics app: a unit's aggregate, the comparison with the levels above it,
the embargo, and the seven ФИС ОКО reports built from aggregate rows only.

Report pages read a fixed number of rows: the unit's aggregate, its ancestors' (the comparison
ФИС ОКО shows every unit: Вся выборка → region → municipality), its children's, the names and
the work's columns. No page scans raw results except the school's own individual results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.utils import timezone

from apps.analytics.models import MARKS, WorkAggregate
from apps.campaigns import schedule
from apps.campaigns import selectors as campaign_selectors
from apps.campaigns.models import SchoolWorkDate
from apps.classes.actions import ClassActions
from apps.classes.models import SchoolClass
from apps.classes.timetable.days import class_days
from apps.core import instants
from apps.core.params import FilterValueError, choice_param, int_param
from apps.core.scoping import Level
from apps.registration.access import A, Actor
from apps.registration.models import Municipality, Region, School
from apps.results import selectors as results
from apps.results.models import ParticipantResult

if TYPE_CHECKING:
    from apps.analytics.objectivity import Marker

# ФИОКО's guidance: below these sizes a group or a histogram is too small to interpret.
SMALL_GROUP = 10
SMALL_HISTOGRAM = 20
# Task completion thresholds (percent of the maximum): (sufficient from, insufficient below).
THRESHOLDS = {"Б": (60.0, 57.0), "П": (30.0, 28.5), "В": (30.0, 28.5)}
LEVEL_LABELS = {
    Level.FEDERAL: "Вся выборка",
    Level.REGION: "Регион",
    Level.MUNICIPALITY: "Муниципалитет",
    Level.SCHOOL: "ОО",
}


# The ОВЗ filter of a report: "" every participant, "without" those without ОВЗ, "only" those
# with ОВЗ (the codes the school marked, apps/materials/ovz.py).
OVZ_FILTERS = {"": "Все участники", "without": "Без ОВЗ", "only": "Только с ОВЗ"}
_OVZ_SUBSET = {"without": "no_ovz", "only": "ovz"}
ALL_CLASSES = "all"


@dataclass(frozen=True)
class Slice:
    """How a report is cut: by ОВЗ (``ovz`` in OVZ_FILTERS) and, inside a school, by class
    (``classes``: "" none, "all" a row per class, or one class's «Порядковый номер класса»)."""

    ovz: str = ""
    classes: str = ""

    @property
    def class_number(self) -> int | None:
        return int(self.classes) if self.classes.isdigit() else None

    @property
    def plain(self) -> bool:
        return not self.ovz and not self.classes

    def query(self) -> str:
        """The slice as a query string («?ovz=only&class=2»; '' for the plain report)."""
        from urllib.parse import urlencode

        pairs = {k: v for k, v in (("ovz", self.ovz), ("class", self.classes)) if v}
        return f"?{urlencode(pairs)}" if pairs else ""


def slice_from(params: Any) -> Slice:
    """The slice a page or an endpoint was asked for (its GET parameters). An unknown value is
    refused with 400 naming the parameter (``FilterValueError``), in both channels alike."""
    ovz = choice_param(
        str(params.get("ovz") or ""), name="ovz", choices=[k for k in OVZ_FILTERS if k], default=""
    )
    classes = str(params.get("class") or "")
    if (
        classes
        and classes != ALL_CLASSES
        and not (classes.isascii() and classes.isdigit() and 0 < int(classes) <= 99)
    ):
        raise FilterValueError(
            "class", classes, f"ожидается «{ALL_CLASSES}» или номер класса от 1 до 99."
        )
    return Slice(ovz=ovz or "", classes=classes)


def class_label(number: int | None, labels: dict[int, str]) -> str:
    """A class as the reports name it: the register's «4А», else «класс № N»."""
    if number is None:
        return "класс не указан"
    return labels.get(number) or f"класс № {number}"


def _system() -> Actor:
    # Names and the ancestors' aggregates of a unit the actor may see: every report of a unit
    # compares it with its own municipality, region and the country (as ФИС ОКО does).
    return Actor.system(reason="analytics comparison")


def percent(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def completion_level(difficulty: str, value: float | None) -> str:
    """«sufficient», «uncertain» or «insufficient» by ФИОКО's thresholds ('' without data)."""
    if value is None:
        return ""
    good, bad = THRESHOLDS.get(difficulty, THRESHOLDS["Б"])
    if value >= good:
        return "sufficient"
    if value < bad:
        return "insufficient"
    return "uncertain"


@dataclass
class Row:
    """One unit in a report: its label, name, aggregate and whether the actor may open it."""

    level: Level
    name: str
    aggregate: WorkAggregate
    is_self: bool = False
    link_pk: int | None = None
    is_class: bool = False  # a class inside the school (``level`` stays the school's)
    class_number: int | None = None

    @property
    def level_label(self) -> str:
        return "Класс" if self.is_class else LEVEL_LABELS[self.level]

    @property
    def small(self) -> bool:
        return self.aggregate.participants < SMALL_GROUP

    @property
    def small_histogram(self) -> bool:
        return self.aggregate.participants < SMALL_HISTOGRAM


@dataclass
class Report:
    """Everything a report page of one unit needs."""

    aggregate: WorkAggregate
    work: Any
    columns: list[Any]
    rows: list[Row]
    unit_name: str
    embargo_until: dt.datetime | None = None
    time_zone: str = schedule.MOSCOW
    place: Any = None  # the unit whose clock the report's instants are shown on (None: Moscow)
    extra: dict[str, Any] = field(default_factory=dict)
    slice: Slice = field(default_factory=Slice)
    class_name: str = ""  # the class the report is of (a one-class slice), else ''

    @property
    def own(self) -> Row:
        return next(r for r in self.rows if r.is_self)


# The ``level`` filter of the aggregates list (``?level=``), by its API name.
LEVEL_NAMES = {
    "federal": Level.FEDERAL,
    "region": Level.REGION,
    "municipality": Level.MUNICIPALITY,
    "school": Level.SCHOOL,
}
_UNIT_MODELS: dict[Level, Any] = {
    Level.REGION: Region,
    Level.MUNICIPALITY: Municipality,
    Level.SCHOOL: School,
}
AGGREGATES_SHOWN = 500


@dataclass(frozen=True)
class AggregateFilter:
    """The filters of the aggregates list (the /analytics/ page and ``GET /api/v1/analytics/``),
    parsed once by ``aggregate_filter_from``: None is no filter."""

    campaign_id: int | None = None
    work_id: int | None = None
    level: Level | None = None
    unit_id: int | None = None

    @property
    def narrowed(self) -> bool:
        return self.level is not None


def aggregate_filter_from(*, actor: Actor, params: Any) -> AggregateFilter:
    """``?campaign=``, ``?work=``, ``?level=`` and ``?unit=`` of the aggregates list, read the
    same way for the page and the API. An unknown campaign, work or level is a 400 naming the
    parameter (``FilterValueError``); a ``unit`` without ``level`` too; a unit the actor does
    not see answers like one that does not exist (``DoesNotExist``: 404, the scoping rule)."""
    campaign_id = int_param(params.get("campaign"), name="campaign")
    campaign_selectors.campaign_filter_get(actor=actor, campaign_id=campaign_id)
    work_id = int_param(params.get("work"), name="work")
    campaign_selectors.work_filter_get(actor=actor, work_id=work_id, campaign_id=campaign_id)
    level_name = choice_param(params.get("level"), name="level", choices=tuple(LEVEL_NAMES))
    level = LEVEL_NAMES[level_name] if level_name else None
    unit_id = int_param(params.get("unit"), name="unit")
    if unit_id is not None:
        if level is None or level is Level.FEDERAL:
            raise FilterValueError(
                "unit", unit_id, "укажите и уровень: level=region, municipality или school."
            )
        model = _UNIT_MODELS[level]
        model.objects.for_actor(actor, A.VIEW_ANALYTICS).only("pk").get(pk=unit_id)
    return AggregateFilter(campaign_id, work_id, level, unit_id)


def aggregate_filter_options(*, actor: Actor, filters: AggregateFilter) -> dict[str, Any]:
    """What the /analytics/ page's filter form offers: campaigns, the works of the chosen
    campaign and the levels (by their ``?level=`` names)."""
    return {
        "filter_campaigns": campaign_selectors.campaign_list(actor=actor),
        "filter_works": campaign_selectors.work_list(
            actor=actor, campaign_id=filters.campaign_id
        ).prefetch_related(None)
        if filters.campaign_id is not None
        else [],
        "filter_levels": [(name, LEVEL_LABELS[level]) for name, level in LEVEL_NAMES.items()],
        "filter_level": next((n for n, lv in LEVEL_NAMES.items() if lv == filters.level), ""),
    }


def aggregate_rows(*, actor: Actor, filters: AggregateFilter | None = None) -> Any:
    """The aggregates of the list, ordered (newest campaign, grade, subject, level): without a
    ``level`` filter the actor's own level and the one below (deeper units are reached by
    drilling down), with it that level anywhere in the actor's scope."""
    f = filters or AggregateFilter()
    own = actor.scope.level
    rows = WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS)
    if f.level is not None:
        rows = rows.filter(level=f.level)
    else:
        rows = rows.filter(level__in=[own, min(own + 1, Level.SCHOOL)])
    if f.unit_id is not None:
        rows = rows.filter(unit_id=f.unit_id)
    if f.campaign_id is not None:
        rows = rows.filter(work__campaign_id=f.campaign_id)
    if f.work_id is not None:
        rows = rows.filter(work_id=f.work_id)
    return rows.select_related("work__subject", "work__campaign").order_by(
        "-work__campaign__year",
        "work__campaign__session",
        "work__grade",
        "work__subject__name",
        "level",
        "unit_id",
    )


def aggregate_list(
    *, actor: Actor, filters: AggregateFilter | None = None, rows: Any = None
) -> list[tuple[WorkAggregate, str]]:
    """The aggregates an actor opens from its index (``aggregate_rows``, at most
    ``AGGREGATES_SHOWN``; or the given ``rows``, e.g. one page of the API), each with the name
    of its unit."""
    if rows is None:
        rows = aggregate_rows(actor=actor, filters=filters)[:AGGREGATES_SHOWN]
    rows = list(rows)
    ids: dict[Level, set[int]] = {}
    for row in rows:
        ids.setdefault(Level(row.level), set()).add(row.unit_id)
    names = _names(ids)
    return [
        (
            row,
            _name(names[(Level(row.level), row.unit_id)])
            if (Level(row.level), row.unit_id) in names
            else "Российская Федерация",
        )
        for row in rows
    ]


def aggregate_get(*, actor: Actor, pk: int, action: str = A.VIEW_ANALYTICS) -> WorkAggregate:
    """One aggregate the actor may see (DoesNotExist otherwise: the view answers 404)."""
    return (
        WorkAggregate.objects.for_actor(actor, action)
        .select_related("work__subject", "work__campaign")
        .get(pk=pk)
    )


def _names(ids: dict[Level, set[int]]) -> dict[tuple[Level, int], Any]:

    system = _system()
    found: dict[tuple[Level, int], Any] = {}
    for level, model, action in (
        (Level.REGION, Region, A.VIEW_REGION),
        (Level.MUNICIPALITY, Municipality, A.VIEW_MUNICIPALITY),
        (Level.SCHOOL, School, A.VIEW_SCHOOL),
    ):
        if ids.get(level):
            for unit in model.objects.for_actor(system, action).filter(pk__in=ids[level]):
                found[(level, unit.pk)] = unit
    return found


def _name(unit: Any) -> str:
    return str(getattr(unit, "short_name", "") or getattr(unit, "name", "") or unit)


def release_instant(aggregate: WorkAggregate, unit: Any) -> dt.datetime:
    """When the unit's reports open: 00:00 unit-local on the work's results-release date (for a
    school whose upload came after the plan-graph deadline, moved by a reserve day after the
    period — for a school with a class register its last class day: ``campaigns.schedule.
    release_at`` decides)."""

    work = aggregate.work
    zone = getattr(unit, "time_zone", "") or schedule.MOSCOW
    chosen = None
    uploaded = None
    if aggregate.level == Level.SCHOOL:
        chosen = (
            SchoolWorkDate.objects.for_actor(_system(), A.VIEW_SCHEDULE)
            .filter(school_id=aggregate.unit_id, work_id=aggregate.work_id)
            .values_list("date", flat=True)
            .first()
        )
        uploaded = results.uploaded_at(
            actor=_system(), school_id=aggregate.unit_id, work_id=aggregate.work_id
        )
        # A school with a class register: the last class day (a class's late reserve day).
        days = class_days(
            actor=_system(),
            action=ClassActions.VIEW_CLASSES,
            school_id=aggregate.unit_id,
            work_ids=[aggregate.work_id],
        ).get(aggregate.work_id)
        if days is not None:
            return schedule.release_at(work, zone, days.first, uploaded, last=days.last)
    return schedule.release_at(work, zone, chosen, uploaded)


def report_get(
    *,
    actor: Actor,
    pk: int,
    slice: Slice | None = None,
    exclude_school_ids: frozenset[int] = frozenset(),
) -> Report:
    """The unit's aggregate with the comparison rows (ancestors, itself, its children in scope).
    Before the release instant only the federal operator gets the rows (embargo).

    ``slice`` cuts every row to the participants with or without ОВЗ (the stored subsets), and
    inside a school adds a row per class or makes one class the report's own row (computed from
    the school's stored results). The plain report reads exactly what it read before.

    ``exclude_school_ids`` (the plain report only) leaves those schools out of every row: each
    unit's aggregate minus the school aggregates of the excluded schools inside it, and their
    own school rows dropped (the objectivity app's «without re-checked schools»)."""
    if exclude_school_ids:
        report = _report_get(actor=actor, pk=pk)
        if report.embargo_until is None:
            _exclude_schools(report, exclude_school_ids)
        return report
    slice = slice or Slice()
    if slice.classes:
        probe = aggregate_get(actor=actor, pk=pk)
        if probe.level != Level.SCHOOL:
            slice = Slice(ovz=slice.ovz)
    report = _report_get(actor=actor, pk=pk)
    report.slice = slice
    if report.embargo_until is not None or slice.plain:
        return report
    if slice.ovz:
        key = _OVZ_SUBSET[slice.ovz]
        for row in report.rows:
            row.aggregate.work = report.work  # one work for every row: no query per row
            row.aggregate = _subset(row.aggregate, key)
        report.aggregate = report.own.aggregate
    if slice.classes:
        _add_classes(actor, report)
    return report


def _exclude_schools(report: Report, school_ids: frozenset[int]) -> None:
    """Take the schools ``school_ids`` out of every row of ``report`` (see ``report_get``).
    Every statistic of an aggregate is a sum over its schools, so a unit without some schools
    is its aggregate minus theirs."""
    excluded = list(
        WorkAggregate.objects.for_actor(_system(), A.VIEW_ANALYTICS).filter(
            work_id=report.aggregate.work_id, level=Level.SCHOOL, unit_id__in=school_ids
        )
    )
    kept = []
    for row in report.rows:
        level = Level(row.level)
        unit_id = row.aggregate.unit_id
        if level == Level.SCHOOL and unit_id in school_ids and not row.is_self:
            continue
        inside = [
            e
            for e in excluded
            if level == Level.FEDERAL
            or (level == Level.REGION and e.region_id == unit_id)
            or (level == Level.MUNICIPALITY and e.municipality_id == unit_id)
        ]
        if inside:
            row.aggregate.work = report.work
            row.aggregate = _minus(row.aggregate, inside)
        kept.append(row)
    report.rows = kept
    report.aggregate = report.own.aggregate


def _minus(source: WorkAggregate, parts: list[WorkAggregate]) -> WorkAggregate:
    """An unsaved aggregate of ``source`` without the school aggregates ``parts``."""
    from apps.analytics.services import COUNTS

    def _list(values: list[int], minus: list[list[int]]) -> list[int]:
        out = list(values)
        for other in minus:
            for i, n in enumerate(other[: len(out)]):
                out[i] -= n
        return out

    values: dict[str, Any] = {
        name: getattr(source, name) - sum(getattr(p, name) for p in parts) for name in COUNTS
    }
    values["histogram"] = _list(source.histogram, [p.histogram for p in parts])
    values["column_sums"] = _list(source.column_sums, [p.column_sums for p in parts])
    values["column_sums_by_mark"] = {
        m: _list(sums, [(p.column_sums_by_mark or {}).get(m, []) for p in parts])
        for m, sums in (source.column_sums_by_mark or {}).items()
    }
    return _derived(source, values)


def _derived(source: WorkAggregate, values: dict[str, Any]) -> WorkAggregate:
    """An unsaved aggregate of a part of ``source``'s participants: the same work, unit and pk
    (links and downloads still point at the unit), the part's statistics."""
    from apps.analytics.services import COUNTS

    fields = {name: values.get(name, 0) for name in COUNTS}
    derived = WorkAggregate(
        pk=source.pk,
        work_id=source.work_id,
        level=source.level,
        unit_id=source.unit_id,
        region_id=source.region_id,
        municipality_id=source.municipality_id,
        school_id=source.school_id,
        histogram=values.get("histogram") or [],
        column_sums=values.get("column_sums") or [],
        column_sums_by_mark=values.get("column_sums_by_mark") or {},
        **fields,
    )
    derived.work = source.work
    return derived


def _subset(aggregate: WorkAggregate, key: str) -> WorkAggregate:
    """The aggregate of the unit's participants with ОВЗ (``ovz``) or without (``no_ovz``).
    An aggregate computed before the split existed has none: then nobody with ОВЗ."""
    subsets = aggregate.subsets or {}
    if key in subsets:
        return _derived(aggregate, subsets[key])
    if key == "no_ovz":
        return aggregate
    return _derived(aggregate, {})


def _class_results(
    actor: Actor, aggregate: WorkAggregate, slice: Slice, *, action: str = A.VIEW_ANALYTICS
) -> Any:
    """The school's results of the work, cut to the slice's class and ОВЗ filter."""
    from apps.materials import ovz

    rows = ParticipantResult.objects.for_actor(actor, action).filter(
        work_id=aggregate.work_id, school_id=aggregate.unit_id
    )
    if slice.class_number is not None:
        rows = rows.filter(class_number=slice.class_number)
    if slice.ovz:
        codes = ovz.ovz_codes(school_id=aggregate.unit_id, campaign_id=aggregate.work.campaign_id)
        rows = (
            rows.exclude(code__in=codes) if slice.ovz == "without" else rows.filter(code__in=codes)
        )
    return rows


def class_labels(*, school_id: int, campaign_id: int, grade: int) -> dict[int, str]:
    """«Порядковый номер класса» → «4А» from the school's register (inactive classes too: the
    results of a class removed later still carry its number)."""
    rows = (
        SchoolClass.objects.for_actor(_system(), A.VIEW_CLASSES)
        .filter(school_id=school_id, campaign_id=campaign_id, grade=grade)
        .values_list("number", "grade", "letter")
    )
    return {number: f"{g}{letter}" for number, g, letter in rows}


def _add_classes(actor: Actor, report: Report) -> None:
    """Rows per class of the school (``class=all``) or the one class as the report's own row."""
    from apps.analytics.services import rows_values

    school = report.own
    work = report.work
    columns = len(report.columns)
    labels = class_labels(
        school_id=school.aggregate.unit_id, campaign_id=work.campaign_id, grade=work.grade
    )
    groups: dict[int | None, list[Any]] = {}
    for result in _class_results(actor, school.aggregate, report.slice):
        groups.setdefault(result.class_number, []).append(result)
    number = report.slice.class_number
    if number is not None:
        groups.setdefault(number, [])
    order = sorted(groups, key=lambda n: (n is None, n or 0))
    for key in order:
        aggregate = _derived(school.aggregate, rows_values(work, columns, groups[key]))
        aggregate.schools = 0
        report.rows.append(
            Row(
                level=Level.SCHOOL,
                name=class_label(key, labels),
                aggregate=aggregate,
                is_class=True,
                class_number=key,
            )
        )
    if number is not None:
        own = report.rows[-1]
        school.is_self = False
        own.is_self = True
        report.aggregate = own.aggregate
        report.class_name = own.name


def _report_get(*, actor: Actor, pk: int) -> Report:
    aggregate = aggregate_get(actor=actor, pk=pk)
    work = aggregate.work
    level = Level(aggregate.level)
    ancestors: list[tuple[Level, int]] = [(Level.FEDERAL, 0)]
    if level > Level.REGION:
        ancestors.append((Level.REGION, int(aggregate.region_id or 0)))
    if level > Level.MUNICIPALITY:
        ancestors.append((Level.MUNICIPALITY, int(aggregate.municipality_id or 0)))
    ancestors = ancestors[: int(level)]
    children: list[WorkAggregate] = []
    if level < Level.SCHOOL:
        path = {Level.REGION: "region_id", Level.MUNICIPALITY: "municipality_id"}.get(level)
        child_rows = WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS).filter(
            work_id=work.pk, level=level + 1
        )
        if path:
            child_rows = child_rows.filter(**{path: aggregate.unit_id})
        children = list(child_rows.order_by("unit_id"))
    upper: dict[tuple[int, int], WorkAggregate] = {}
    if ancestors:
        from django.db.models import Q

        query = Q()
        for lvl, unit_id in ancestors:
            query |= Q(level=lvl, unit_id=unit_id)
        upper = {
            (a.level, a.unit_id): a
            for a in WorkAggregate.objects.for_actor(_system(), A.VIEW_ANALYTICS)
            .filter(work_id=work.pk)
            .filter(query)
        }
    ids: dict[Level, set[int]] = {}
    for lvl, unit_id in [*ancestors, (level, aggregate.unit_id)]:
        ids.setdefault(lvl, set()).add(unit_id)
    for child in children:
        ids.setdefault(Level(child.level), set()).add(child.unit_id)
    names = _names(ids)
    unit = names.get((level, aggregate.unit_id))
    unit_name = _name(unit) if unit is not None else "Российская Федерация"
    columns = list(work.columns.all())
    report = Report(
        aggregate=aggregate,
        work=work,
        columns=columns,
        rows=[],
        unit_name=unit_name,
        time_zone=getattr(unit, "time_zone", "") or schedule.MOSCOW,
        place=unit if unit is not None else instants.FEDERAL,
    )
    if not actor.is_federal:
        opens = release_instant(aggregate, unit)
        if timezone.now() < opens:
            report.embargo_until = opens
            return report
    for lvl, unit_id in ancestors:
        found = upper.get((int(lvl), unit_id))
        if found is not None:
            name = _name(names[(lvl, unit_id)]) if lvl else "Вся выборка"
            report.rows.append(Row(level=lvl, name=name, aggregate=found))
    report.rows.append(
        Row(level=level, name=unit_name, aggregate=aggregate, is_self=True, link_pk=aggregate.pk)
    )
    for child in children:
        unit_child = names.get((Level(child.level), child.unit_id))
        report.rows.append(
            Row(
                level=Level(child.level),
                name=_name(unit_child) if unit_child else str(child.unit_id),
                aggregate=child,
                link_pk=child.pk,
            )
        )
    return report


# --- the reports (pure functions of a Report) -------------------------------------------------


def marks_table(report: Report) -> list[dict[str, Any]]:
    """Статистика по отметкам: schools, participants, % of each mark, per row. A class row
    counts no schools (``None``: «—» on the page, an empty cell in the files)."""
    table = []
    for row in report.rows:
        agg = row.aggregate
        table.append(
            {
                "row": row,
                "schools": None if row.is_class else agg.schools,
                "participants": agg.participants,
                "percents": [percent(agg.mark_count(m), agg.participants) for m in MARKS],
                "counts": [agg.mark_count(m) for m in MARKS],
            }
        )
    return table


def histogram(report: Report) -> dict[str, Any]:
    """Распределение первичных баллов of the unit, in % of participants, with the boundaries."""
    agg, work = report.aggregate, report.work
    total = agg.participants
    bars = [
        {
            "score": score,
            "count": count,
            "percent": percent(count, total) or 0.0,
            "boundary": score in (work.mark3_from, work.mark4_from, work.mark5_from),
            "mark": work.mark_for(score),
        }
        for score, count in enumerate(agg.histogram)
    ]
    top = max((b["percent"] for b in bars), default=0.0) or 1.0
    # SVG geometry in integers (a localised float «12,5» would break the attributes): bars
    # as wide as the page allows (a 6-point work gets broad bars, a 45-point one narrow).
    step = max(14, min(56, 840 // max(len(bars), 1)))
    left, base, tall = 36, 200, 160
    for i, bar in enumerate(bars):
        bar["height"] = round(tall * bar["percent"] / top)
        bar["x"] = left + step * i + 2
        bar["width"] = step - 4
        bar["y"] = base - bar["height"]
        bar["label_x"] = left + step * i + step // 2
        bar["value_y"] = bar["y"] - 4
    grid = []
    for k in range(5):
        value = top * k / 4
        grid.append({"y": base - round(tall * k / 4), "label": f"{value:.0f}".replace(".", ",")})
    lines = [
        {"mark": mark, "score": score, "x": left + step * score}
        for mark, score in zip(
            (3, 4, 5), (work.mark3_from, work.mark4_from, work.mark5_from), strict=True
        )
        if score is not None and 0 <= score < len(bars)
    ]
    return {
        "width": left + step * len(bars) + 8,
        "height": base + 40,
        "base": base,
        "top_y": base - tall - 22,
        "axis_x": left,
        "step": step,
        "grid": grid,
        "lines": lines,
        "bars": bars,
        "boundaries": [work.mark3_from, work.mark4_from, work.mark5_from],
        "small": total < SMALL_HISTOGRAM,
        "participants": total,
    }


def tasks_table(report: Report) -> list[dict[str, Any]]:
    """Выполнение заданий: per column, % of the maximum for each row, with the threshold level."""
    table = []
    for j, column in enumerate(report.columns):
        cells = []
        for row in report.rows:
            agg = row.aggregate
            sums = agg.column_sums[j] if j < len(agg.column_sums) else 0
            value = percent(sums, agg.participants * column.max_score)
            cells.append({"value": value, "level": completion_level(column.difficulty, value)})
        table.append({"column": column, "cells": cells})
    return table


def journal_table(report: Report) -> list[dict[str, Any]]:
    """Сравнение отметок с отметками по журналу: counts and % of those with a journal mark."""
    table = []
    for row in report.rows:
        agg = row.aggregate
        base = agg.journal_lower + agg.journal_equal + agg.journal_higher
        table.append(
            {
                "row": row,
                "lower": agg.journal_lower,
                "equal": agg.journal_equal,
                "higher": agg.journal_higher,
                "lower_pct": percent(agg.journal_lower, base),
                "equal_pct": percent(agg.journal_equal, base),
                "higher_pct": percent(agg.journal_higher, base),
                "missing": agg.journal_missing,
                "gap2": agg.journal_gap2,
                "small": base < SMALL_GROUP,
            }
        )
    return table


JOURNAL_GAP = 2
# The page and the PDF list at most this many schools with gaps (the largest shares); the xlsx
# lists them all.
GAP_SCHOOLS_SHOWN = 100


class GapCode(TypedDict):
    """A participant whose ВПР mark and journal mark differ by ``JOURNAL_GAP`` or more."""

    code: str
    mark: int
    journal_mark: int
    difference: int


def journal_gap_list(
    *, actor: Actor, aggregate: WorkAggregate, slice: Slice | None = None
) -> list[GapCode]:
    """The school's participant codes whose ВПР mark differs from the journal mark by two or
    more (codes only, never names: the codes are anonymous), for whoever may open the school's
    report; empty above the school level. Ordered by code. ``slice``: one class, ОВЗ filter."""

    if aggregate.level != Level.SCHOOL:
        return []
    rows = (
        _class_results(actor, aggregate, slice or Slice())
        .filter(absent=False)
        .filter(journal_mark__gte=2)
        .order_by("code")
        .values_list("code", "mark", "primary_score", "journal_mark")
    )
    gaps: list[GapCode] = []
    for code, mark, score, journal in rows:
        if journal is None:  # excluded by the filter above; narrows the type
            continue
        # The same mark the aggregate counted (the stored one, else by the work's scale).
        mark = mark or aggregate.work.mark_for(int(score or 0))
        if abs(mark - journal) >= JOURNAL_GAP:
            gaps.append(
                {"code": code, "mark": mark, "journal_mark": journal, "difference": mark - journal}
            )
    return gaps


@dataclass
class GapSchools:
    """The schools under a unit with ВПР-vs-journal gaps of two marks or more."""

    rows: list[dict[str, Any]]
    total: int  # schools with at least one such gap (``rows`` may be cut to a limit)
    schools: int  # schools of the unit with results, in the actor's scope


def journal_gap_school_list(
    *, actor: Actor, aggregate: WorkAggregate, limit: int | None = GAP_SCHOOLS_SHOWN
) -> GapSchools:
    """The schools of a municipality, region or Russia (those in the actor's scope) with their
    number and share of 2+ gaps, the largest share first (then the larger number, then the
    school's id). The share is of the participants with a journal mark. Read from the
    school-level aggregates in three queries whatever the number of schools."""
    from django.db.models import Count, ExpressionWrapper, F, FloatField, Q
    from django.db.models.functions import NullIf

    if aggregate.level == Level.SCHOOL:
        return GapSchools(rows=[], total=0, schools=0)
    schools = WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS).filter(
        work_id=aggregate.work_id, level=Level.SCHOOL
    )
    if aggregate.level != Level.FEDERAL:
        path = "region_id" if aggregate.level == Level.REGION else "municipality_id"
        schools = schools.filter(**{path: aggregate.unit_id})
    counts = schools.aggregate(schools=Count("pk"), total=Count("pk", filter=Q(journal_gap2__gt=0)))
    with_journal = F("journal_lower") + F("journal_equal") + F("journal_higher")
    share = ExpressionWrapper(
        F("journal_gap2") * 1.0 / NullIf(with_journal, 0), output_field=FloatField()
    )
    found = (
        schools.filter(journal_gap2__gt=0)
        .annotate(gap_share=share)
        .order_by(F("gap_share").desc(nulls_last=True), "-journal_gap2", "unit_id")
    )
    picked = list(found[:limit] if limit is not None else found)
    names = _names({Level.SCHOOL: {row.unit_id for row in picked}}) if picked else {}
    rows = []
    for row in picked:
        school = names.get((Level.SCHOOL, row.unit_id))
        base = row.journal_lower + row.journal_equal + row.journal_higher
        rows.append(
            {
                "aggregate_id": row.pk,
                "name": _name(school) if school is not None else str(row.unit_id),
                "with_journal": base,
                "gap2": row.journal_gap2,
                "gap2_pct": percent(row.journal_gap2, base),
                "small": base < SMALL_GROUP,
            }
        )
    return GapSchools(rows=rows, total=counts["total"], schools=counts["schools"])


def topics_table(report: Report) -> list[dict[str, Any]]:
    """Достижение планируемых результатов: completion grouped by each column's topic."""
    groups: dict[str, list[int]] = {}
    for j, column in enumerate(report.columns):
        groups.setdefault(column.topic or "(не указан)", []).append(j)
    table = []
    for topic, positions in groups.items():
        maximum = sum(report.columns[j].max_score for j in positions)
        cells = []
        for row in report.rows:
            agg = row.aggregate
            got = sum(agg.column_sums[j] for j in positions if j < len(agg.column_sums))
            cells.append(percent(got, agg.participants * maximum))
        labels = ", ".join(report.columns[j].label for j in positions)
        table.append({"topic": topic, "labels": labels, "max": maximum, "cells": cells})
    return table


def groups_table(report: Report) -> list[dict[str, Any]]:
    """Выполнение заданий группами участников: per mark group of the unit, % per column."""
    agg = report.aggregate
    table = []
    for mark in MARKS:
        count = agg.mark_count(mark)
        sums = agg.column_sums_by_mark.get(str(mark), [])
        cells = []
        for j, column in enumerate(report.columns):
            value = percent(sums[j] if j < len(sums) else 0, count * column.max_score)
            cells.append({"value": value, "level": completion_level(column.difficulty, value)})
        table.append({"mark": mark, "count": count, "small": count < SMALL_GROUP, "cells": cells})
    return table


def individual_list(
    *, actor: Actor, aggregate: WorkAggregate, slice: Slice | None = None
) -> list[Any]:
    """Индивидуальные результаты of a school: its participants by code (codes only, no names);
    ``slice``: one class, with or without ОВЗ."""

    return list(
        _class_results(
            actor, aggregate, slice or Slice(), action=A.VIEW_INDIVIDUAL_RESULTS
        ).order_by("code")
    )


class ObjectivityRow(TypedDict):
    """One school (or one class of it) of the objectivity list: its aggregate cut to the
    report's slice, its name and the markers that fire."""

    aggregate: WorkAggregate
    name: str
    is_class: bool
    query: str  # the cut the row's reports open with («?class=1&ovz=only», '' for none)
    markers: list[Marker]


def objectivity_list(
    *, actor: Actor, pk: int, slice: Slice | None = None
) -> tuple[Report, list[ObjectivityRow]]:
    """Objectivity markers of the schools under a unit (or of the school itself), from aggregate
    rows only. At the Russia level the list is empty: drill down to a region first.

    ``slice`` is the report's cut, and the markers follow it: with ОВЗ each school and the region
    it is compared with are that group's participants (schools without any are left out); at a
    school, ``class=all`` lists the school and then each class, ``class=N`` that class alone
    (a class never gets the markers of ``objectivity.CLASS_SKIPPED``)."""
    from apps.analytics import objectivity

    report = report_get(actor=actor, pk=pk, slice=slice)
    cut = report.slice
    agg = report.aggregate
    if report.embargo_until is not None or agg.level == Level.FEDERAL:
        return report, []
    schools = WorkAggregate.objects.for_actor(actor, A.VIEW_OBJECTIVITY).filter(
        work_id=agg.work_id, level=Level.SCHOOL
    )
    if agg.level == Level.SCHOOL:
        schools = schools.filter(pk=agg.pk)
    else:
        path = "region_id" if agg.level == Level.REGION else "municipality_id"
        schools = schools.filter(**{path: agg.unit_id})
    school_rows = list(schools.order_by("unit_id"))
    # Below the Russia level the unit always has a region; without one nothing would match.
    region = (
        WorkAggregate.objects.for_actor(_system(), A.VIEW_ANALYTICS)
        .filter(work_id=agg.work_id, level=Level.REGION, unit_id=agg.region_id)
        .first()
        if agg.region_id is not None
        else None
    )
    for one in [*school_rows, *([region] if region is not None else [])]:
        one.work = report.work  # one work for every row: a subset reads no row per school
    if region is not None and cut.ovz:
        region = _subset(region, _OVZ_SUBSET[cut.ovz])
    units = {
        s.pk: s
        for s in School.objects.for_actor(_system(), A.VIEW_SCHOOL).filter(
            pk__in=[r.unit_id for r in school_rows]
        )
    }
    found: list[ObjectivityRow] = []
    for row in school_rows:
        school = units.get(row.unit_id)
        school_type = getattr(school, "school_type", "")
        for entry in _objectivity_units(report, row, _name(school) if school else str(row.unit_id)):
            if cut.ovz and not entry.aggregate.participants:
                continue
            number = entry.class_number
            query = Slice(
                ovz=cut.ovz,
                classes=(str(number) if number is not None else ALL_CLASSES)
                if entry.is_class
                else "",
            ).query()
            flags = objectivity.markers(
                entry.aggregate,
                region,
                report.work,
                report.columns,
                school_type,
                for_class=entry.is_class,
            )
            found.append(
                {
                    "aggregate": entry.aggregate,
                    "name": entry.name,
                    "is_class": entry.is_class,
                    "query": query,
                    "markers": flags,
                }
            )
    if agg.level != Level.SCHOOL:
        found.sort(key=lambda f: (-len(f["markers"]), f["name"]))
    return report, found


def _objectivity_units(report: Report, school: WorkAggregate, name: str) -> list[Row]:
    """The units of a school the markers are computed for under the report's cut: the school
    (its ОВЗ subset if cut so); at a school's own report the class rows the cut asks for."""
    cut = report.slice
    if report.aggregate.level != Level.SCHOOL or not cut.classes:
        aggregate = _subset(school, _OVZ_SUBSET[cut.ovz]) if cut.ovz else school
        return [Row(level=Level.SCHOOL, name=name, aggregate=aggregate)]
    # The school's own report (with ``class=``): its rows are already cut (ОВЗ, classes).
    rows = [r for r in report.rows if r.level == Level.SCHOOL]
    if cut.class_number is not None:
        return [r for r in rows if r.is_self]
    return rows


# --- comparison with earlier campaigns --------------------------------------------------------


@dataclass
class CampaignLine:
    """One campaign's results of the unit in the work of the same grade and subject."""

    aggregate: WorkAggregate
    campaign: str
    year: int
    is_current: bool
    counts: list[int]
    percents: list[float | None]
    mean_score: float | None  # mean primary score of those who wrote
    mean_percent: float | None  # the same in % of the work's maximum (maxima may differ)

    @property
    def participants(self) -> int:
        return self.aggregate.participants

    @property
    def small(self) -> bool:
        return self.aggregate.participants < SMALL_GROUP


def mean_score(aggregate: WorkAggregate) -> float | None:
    """The mean primary score of the participants, from the histogram (one decimal)."""
    total = sum(score * int(count) for score, count in enumerate(aggregate.histogram))
    if not aggregate.participants:
        return None
    return round(float(total) / aggregate.participants, 1)


def campaign_history(
    *, actor: Actor, pk: int, slice: Slice | None = None
) -> tuple[Report, list[CampaignLine]]:
    """The unit's results in the work of the same grade and subject of every campaign (this one
    and the earlier ones), oldest first: marks distribution and mean score per campaign. Each
    campaign's numbers appear once its release instant for the unit has passed (the federal
    operator sees them all); ``slice`` applies the ОВЗ filter (the class cut does not apply)."""
    slice = Slice(ovz=(slice or Slice()).ovz)
    report = report_get(actor=actor, pk=pk, slice=slice)
    if report.embargo_until is not None:
        return report, []
    current = report.aggregate
    work = report.work
    found = (
        WorkAggregate.objects.for_actor(actor, A.VIEW_ANALYTICS)
        .filter(
            level=current.level,
            unit_id=current.unit_id,
            work__grade=work.grade,
            work__subject_id=work.subject_id,
            work__campaign__year__lte=work.campaign.year,
        )
        .select_related("work__campaign")
        .order_by("work__campaign__year", "work__campaign__id")
    )
    lines: list[CampaignLine] = []
    for row in found:
        is_current = row.pk == current.pk
        hidden = not is_current and not actor.is_federal
        if hidden and timezone.now() < release_instant(row, report.place):
            continue
        agg = current if is_current else row
        if slice.ovz and not is_current:
            agg = _subset(row, _OVZ_SUBSET[slice.ovz])
        mean = mean_score(agg)
        maximum = row.work.max_score
        lines.append(
            CampaignLine(
                aggregate=agg,
                campaign=str(row.work.campaign.name or row.work.campaign.year),
                year=row.work.campaign.year,
                is_current=is_current,
                counts=[agg.mark_count(m) for m in MARKS],
                percents=[percent(agg.mark_count(m), agg.participants) for m in MARKS],
                mean_score=mean,
                mean_percent=percent(mean, maximum) if mean is not None and maximum else None,
            )
        )
    return report, lines
