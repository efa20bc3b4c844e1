"""Monitoring of uploads (coordinators): the drill-down country → region → municipality → school,
per work or for all works of a campaign, with the late list, xlsx exports and the reminder.

Thin: resolve the unit (404 outside the scope), call the selectors, render or stream."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import View

from apps.campaigns import selectors as campaigns
from apps.core.listing import Column as SortColumn
from apps.core.listing import Listing
from apps.core.params import int_param
from apps.core.scoping import Level
from apps.core.xlsx import table_workbook
from apps.registration.access import A, ScopedViewMixin
from apps.registration.models import Municipality, Region
from apps.results import services
from apps.results.models import ResultSheet
from apps.results.monitoring import selectors as mon
from apps.results.views import _download

# The columns of every monitoring table and export: (Counts attribute, group, short label on
# the page under its group, full header in xlsx).
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("schools", "", "ОО по заявкам", "ОО по заявкам"),
    ("expected", "", "Ожидается загрузок", "Ожидается загрузок (ОО × работа)"),
    ("on_time", "Загрузили", "в срок", "Загрузили в срок"),
    ("late", "Загрузили", "после срока", "Загрузили после срока"),
    ("overdue", "Не загрузили", "срок истёк", "Не загрузили, срок истёк"),
    ("waiting", "Не загрузили", "срок не истёк", "Не загрузили, срок не истёк"),
    ("context", "", "Контекстные данные", "ОО с контекстными данными"),
    ("planned", "Участники", "по заявкам", "Участников по заявкам"),
    ("present", "Участники", "выполняли", "Выполняли работу"),
    ("absent", "Участники", "отсутствовали", "Отсутствовали"),
)
LINKED = ("overdue", "waiting")
# The sortable columns of the list of schools (the late list).
SCHOOL_COLUMNS = (
    SortColumn("school", "ОО", value=lambda p: p.school.code),
    SortColumn(
        "municipality", "Муниципалитет", value=lambda p: (p.school.municipality.name, p.school.code)
    ),
    SortColumn("planned", "По заявке"),
    SortColumn("deadline", "Последний день", value=lambda p: p.window.deadline_day),
    SortColumn("state", "Состояние", value=lambda p: p.state_label),
)
Column = tuple[str, str, str, str]


def _columns(all_works: bool, schools: bool = False) -> list[Column]:
    """Per work the expected uploads equal the schools, so that column is left out; a row per
    school leaves out the count of schools."""
    return [
        c
        for c in COLUMNS
        if (all_works or c[0] != "expected") and not (schools and c[0] == "schools")
    ]


def _head(
    cols: list[Column], listing: Listing | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two header rows: groups spanning their columns, and the short labels under them; with a
    ``listing`` each column's header links to sorting by it."""
    top: list[dict[str, Any]] = []
    sub: list[dict[str, Any]] = []
    for key, group, short, _full in cols:
        sort = listing.headers[key] if listing is not None else None
        if not group:
            top.append({"label": short, "rows": 2, "cols": 1, "sort": sort})
        elif top and top[-1]["label"] == group and top[-1]["rows"] == 1:
            top[-1]["cols"] += 1
            sub.append({"label": short, "sort": sort})
        else:
            top.append({"label": group, "rows": 1, "cols": 1, "sort": None})
            sub.append({"label": short, "sort": sort})
    return top, sub


def _unit_columns(cols: list[Column], with_state: bool) -> list[SortColumn]:
    """The sortable columns of the table of units (or schools) one level down."""
    out = [
        SortColumn("code", "Код", value=lambda r: r["code"]),
        SortColumn("name", "Наименование", value=lambda r: (r["name"], r["code"])),
    ]
    if with_state:
        out.append(SortColumn("state", "Состояние", value=lambda r: r["state_label"] or ""))
    out += [SortColumn(c[0], c[3], value=_cell_value(i)) for i, c in enumerate(cols)]
    return out


def _cell_value(index: int) -> Any:
    def value(row: dict[str, Any]) -> Any:
        return row["cells"][index]["value"]

    return value


def unit_url(level: Level, pk: int | None, **query: Any) -> str:
    if level is Level.REGION:
        base = reverse("results-monitoring-region", kwargs={"region_id": pk})
    elif level is Level.MUNICIPALITY:
        base = reverse("results-monitoring-municipality", kwargs={"municipality_id": pk})
    else:
        base = reverse("results-monitoring")
    clean = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{base}?{urlencode(clean)}" if clean else base


def work_label(work: Any) -> str:
    return f"{work.subject.name}, {work.grade} класс" if work is not None else "Все работы"


def _crumbs(view: ScopedViewMixin, unit: mon.Unit, query: dict[str, Any]) -> list[Any]:
    """Links up to the level the actor serves; the last one is the page itself."""
    level = view.actor.scope.level
    out: list[tuple[str, str]] = []
    if level is Level.FEDERAL:
        out.append((mon.COUNTRY, unit_url(Level.FEDERAL, None, **query)))
    if unit.region is not None and level <= Level.REGION:
        out.append((unit.region.name, unit_url(Level.REGION, unit.region.pk, **query)))
    if unit.municipality is not None:
        out.append(
            (unit.municipality.name, unit_url(Level.MUNICIPALITY, unit.municipality.pk, **query))
        )
    return out


class _MonitoringPage(ScopedViewMixin, View):
    """One page of the drill-down; ``?work=`` picks a work (none: all works of the campaign),
    ``?state=`` shows the unit's schools in that state with contacts, ``?format=xlsx``
    downloads the table shown (the unit rows, or that list)."""

    api_routes = (
        "api-results-monitoring",
        "api-results-monitoring-region-schools",
        "api-results-monitoring-municipality-schools",
    )
    action = A.MONITOR_RESULTS

    def page(
        self,
        request: HttpRequest,
        *,
        region_id: int | None = None,
        municipality_id: int | None = None,
    ) -> HttpResponseBase:
        actor = self.actor
        try:
            unit = mon.monitoring_unit_get(
                actor=actor, region_id=region_id, municipality_id=municipality_id
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        # an unknown campaign, work or state is a 400 naming it, as in the API
        query = mon.monitoring_query(actor=actor, params=request.GET)
        data = mon.monitoring_get(
            actor=actor,
            unit=unit,
            campaign=query.campaign,
            work_id=query.work.pk if query.work is not None else None,
        )
        work = data.work
        # A work opened from the table shows its schools that have not uploaded at once (the
        # late list); ``?state=`` picks another list.
        state = (query.state or mon.UploadState.MISSING) if work is not None else ""
        q = request.GET.get("q", "")
        schools = (
            mon.monitoring_schools(actor=actor, work=work, state=state, q=q, unit=unit)
            if work is not None and state
            else []
        )
        if request.GET.get("format") == "xlsx":
            # Only an explicit ``?state=`` asks for the list; without it the unit table.
            if state and "state" in request.GET:
                return _download(
                    f"ОО по состоянию загрузки, {unit.name}, {work_label(work)}.xlsx",
                    schools_xlsx(data, schools, mon.UploadState.FILTERS[state]),
                )
            return _download(
                f"Мониторинг загрузки результатов, {unit.name}, {work_label(work)}.xlsx",
                units_xlsx(data),
            )
        return render(request, "results/monitoring.html", self._context(data, state, q, schools))

    def _context(
        self, data: mon.Monitoring, state: str, q: str, schools: list[mon.SchoolProgress]
    ) -> dict[str, Any]:
        unit, work, campaign = data.unit, data.work, data.campaign
        campaign_id = campaign.pk if campaign is not None else None
        here = {"campaign": campaign_id, "work": work.pk if work is not None else None}
        child = data.child_level
        cols = _columns(work is None, schools=child is Level.SCHOOL)

        def cells(counts: mon.Counts, link: dict[str, Any] | None, keys: Any) -> list[Any]:
            out = []
            for key, *_labels in keys:
                value = getattr(counts, key)
                url = ""
                if link is not None and key in LINKED and value:
                    url = unit_url(**link, state=key if key == "overdue" else "missing")
                out.append({"value": value, "url": url, "key": key})
            return out

        works = [
            {
                "label": "Все работы",
                "url": unit_url(unit.level, unit.pk, campaign=campaign_id),
                "current": work is None,
                "cells": cells(data.all_works, None, COLUMNS),
            }
        ] + [
            {
                "label": work_label(r.work),
                "url": unit_url(
                    unit.level,
                    unit.pk,
                    campaign=campaign_id,
                    work=r.work.pk,
                    state=mon.UploadState.MISSING,
                ),
                "current": work is not None and r.work.pk == work.pk,
                "cells": cells(
                    r.counts,
                    {
                        "level": unit.level,
                        "pk": unit.pk,
                        "campaign": campaign_id,
                        "work": r.work.pk,
                    },
                    COLUMNS,
                ),
            }
            for r in data.works
        ]
        rows = []
        for r in data.rows:
            if child is Level.SCHOOL:
                url = (
                    reverse("results-work", kwargs={"school_id": r.pk, "work_id": work.pk})
                    if work is not None
                    else reverse("results-school", kwargs={"school_id": r.pk})
                    + (f"?campaign={campaign_id}" if campaign_id else "")
                )
                link = None
            else:
                url = unit_url(child, r.pk, **here)
                link = {"level": child, "pk": r.pk, **here} if work is not None else None
            rows.append(
                {
                    "code": r.code,
                    "name": r.name,
                    "url": url,
                    "cells": cells(r.counts, link, cols),
                    "state": r.counts.state,
                    "state_label": r.counts.state_label,
                }
            )
        # The table of units sorts by its own parameter (``units``), the list of schools by
        # ``sort``: both tables of the page keep each other's order.
        units = Listing(
            self.request,
            _unit_columns(cols, child is Level.SCHOOL and work is not None),
            "code",
            param="units",
        )
        ordered_rows = units.order(rows)
        listing = Listing(self.request, SCHOOL_COLUMNS, "municipality", page_size=100)
        page = listing.paginate(schools)
        return {
            "data": data,
            "unit": unit,
            "work": work,
            "work_label": work_label(work),
            "campaign": campaign,
            "campaigns": campaigns.campaign_list(actor=self.actor),
            "crumbs": _crumbs(self, unit, here),
            "child_title": mon.LEVEL_TITLES.get(child, ("", ""))[0],
            "by_child": mon.LEVEL_TITLES.get(child, ("", ""))[1],
            "child_is_school": child is Level.SCHOOL,
            "works_head": _head(list(COLUMNS)),
            "head": _head(cols, units),
            "units": units,
            "works": works,
            "rows": ordered_rows,
            "total": cells(data.total, None, cols),
            "here": here,
            "unit_ids": _unit_ids(unit),
            "xlsx_url": unit_url(unit.level, unit.pk, **here, format="xlsx"),
            "list_url": unit_url(unit.level, unit.pk, **here, state="missing"),
            "state": state,
            "states": mon.UploadState.FILTERS,
            "q": q,
            "page": page,
            "listing": listing,
            "list_xlsx_url": unit_url(unit.level, unit.pk, **here, state=state, q=q, format="xlsx"),
            "can_remind": self.actor.can(A.REMIND_RESULTS),
        }


def _unit_ids(unit: mon.Unit) -> dict[str, int]:
    if unit.level is Level.MUNICIPALITY and unit.pk is not None:
        return {"municipality": unit.pk}
    if unit.level is Level.REGION and unit.pk is not None:
        return {"region": unit.pk}
    return {}


class ResultsMonitoringView(_MonitoringPage):
    """The monitoring of the unit the actor serves (the country, its region, its
    municipality)."""

    scoped_model = ResultSheet

    def get(self, request: HttpRequest) -> HttpResponseBase:
        return self.page(request)


class MonitoringRegionView(_MonitoringPage):
    """One region: a row per municipality."""

    scoped_model = Region

    def get(self, request: HttpRequest, region_id: int) -> HttpResponseBase:
        return self.page(request, region_id=region_id)


class MonitoringMunicipalityView(_MonitoringPage):
    """One municipality: a row per school."""

    scoped_model = Municipality

    def get(self, request: HttpRequest, municipality_id: int) -> HttpResponseBase:
        return self.page(request, municipality_id=municipality_id)


def units_xlsx(data: mon.Monitoring) -> bytes:
    """The unit rows of a page, with the page's columns, and the total line."""
    schools = data.child_level is Level.SCHOOL
    cols = _columns(data.work is None, schools=schools)
    title, _by = mon.LEVEL_TITLES[data.child_level]
    with_state = schools and data.work is not None
    head = ["Код", title, *(["Состояние"] if with_state else [])]

    def line(code: str, name: str, counts: mon.Counts, state: str) -> list[Any]:
        return [
            code,
            name,
            *([state] if with_state else []),
            *(getattr(counts, k) for k, *_ in cols),
        ]

    rows = [line(r.code, r.name, r.counts, r.counts.state_label) for r in data.rows]
    rows.append(line("", "Итого", data.total, ""))
    campaign = data.campaign
    return table_workbook(
        sheet_title="Мониторинг",
        title=f"Загрузка результатов {campaign.label if campaign else 'ВПР'}: "
        f"{data.unit.name}, {work_label(data.work)}",
        headers=[*head, *(full for _k, _g, _s, full in cols)],
        rows=rows,
        widths=[14, 40, *([26] if with_state else []), *([14] * len(cols))],
    )


def schools_xlsx(data: mon.Monitoring, schools: list[mon.SchoolProgress], what: str) -> bytes:
    work = data.work
    return table_workbook(
        sheet_title="ОО",
        title=f"{what}: {data.unit.name}, {work_label(work)}",
        headers=[
            "Муниципалитет",
            "Код ОО",
            "ОО",
            "Участников по заявке",
            "Состояние",
            "Последний день загрузки",
            "Версия",
            "Выполняли",
            "Отсутствовали",
            "Телефон",
            "Эл. почта",
        ],
        rows=[
            [
                p.school.municipality.name,
                p.school.code,
                p.school.short_name,
                p.planned,
                p.state_label,
                f"{p.window.deadline_day:%d.%m.%Y}",
                p.version.number if p.version else "",
                p.version.participants if p.version else "",
                p.version.absent if p.version else "",
                p.phone,
                p.email,
            ]
            for p in schools
        ],
        widths=[28, 12, 40, 12, 26, 14, 8, 10, 10, 18, 28],
    )


class ResultsRemindView(ScopedViewMixin, View):
    """E-mail every school of the unit shown (default: the actor's whole scope) that has not
    uploaded the chosen work's results."""

    api_routes = ("api-results-remind",)
    scoped_model = ResultSheet
    action = A.REMIND_RESULTS

    def post(self, request: HttpRequest) -> HttpResponse:
        work_id = int_param(request.POST.get("work"))
        region_id = int_param(request.POST.get("region"))
        municipality_id = int_param(request.POST.get("municipality"))
        if municipality_id is not None:
            level, pk = Level.MUNICIPALITY, municipality_id
        elif region_id is not None:
            level, pk = Level.REGION, region_id
        else:
            level, pk = Level.FEDERAL, None
        campaign = int_param(request.POST.get("campaign"))
        if work_id is None:
            messages.error(request, "Выберите работу.")
            return redirect(unit_url(level, pk, campaign=campaign))
        try:
            out = services.results_remind(
                actor=self.actor,
                work_id=work_id,
                region_id=region_id,
                municipality_id=municipality_id,
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        text = f"Напоминания поставлены в очередь отправки: {out.queued}."
        if out.without_email:
            text += (
                f" Без адреса электронной почты (опросный лист не заполнен): {out.without_email}."
            )
        messages.success(request, text)
        return redirect(unit_url(level, pk, campaign=campaign, work=work_id, state="missing"))
