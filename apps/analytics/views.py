"""HTML pages and the xlsx/PDF downloads of the analytics reports (thin: one selector, render)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from apps.analytics import selectors as sel
from apps.analytics import xlsx
from apps.analytics.models import MARKS, WorkAggregate
from apps.core.scoping import Level
from apps.registration.access import A, ActorViewMixin, ScopedViewMixin

REPORTS = (
    ("analytics-marks", "Статистика по отметкам"),
    ("analytics-scores", "Распределение первичных баллов"),
    ("analytics-tasks", "Выполнение заданий"),
    ("analytics-journal", "Сравнение отметок с отметками по журналу"),
    ("analytics-topics", "Достижение планируемых результатов"),
    ("analytics-groups", "Выполнение заданий группами участников"),
    ("analytics-history", "Сравнение с прошлыми кампаниями"),
)

# The objectivity app (a layer above) shows a unit's marks with and without the schools whose
# results a re-check did not confirm («objectivity-recheck-results», computed with
# ``selectors.report_get(exclude_school_ids=...)``); the marks report links to it by name.
RECHECK_RESULTS = "objectivity.view_recheck_report"


def _shown(value: float | None) -> dict[str, Any]:
    """A percentage as the page prints it («83,3», «—») and as a CSS width («83.3»): formatted
    once here, because template filters on thousands of cells dominated the page's time."""
    if value is None:
        return {"value": None, "text": "—", "width": ""}
    return {"value": value, "text": f"{value:.1f}".replace(".", ","), "width": f"{value:.1f}"}


def _format_cells(table: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for line in table:
        line["cells"] = [
            {**cell, **_shown(cell["value"])} if isinstance(cell, dict) else _shown(cell)
            for cell in line["cells"]
        ]
    return table


def _downloads(kind: str, pk: int, cut: sel.Slice | None = None) -> list[dict[str, str]]:
    """The download links of a report page: its xlsx and PDF, and all reports in one PDF (with
    the page's cut: class, ОВЗ)."""
    from django.urls import reverse

    from apps.analytics.exports import KINDS

    if kind not in KINDS:
        return []
    query = cut.query() if cut is not None else ""
    number, title = KINDS[kind]
    links = [
        {
            "label": f"Ф{number}_{title}.xlsx",
            "url": reverse(f"analytics-{kind}-xlsx", args=[pk]) + query,
            "format": "xlsx",
        },
        {
            "label": "PDF",
            "url": reverse(f"analytics-{kind}-pdf", args=[pk]) + query,
            "format": "pdf",
        },
    ]
    if kind != "individual":
        links.append(
            {
                "label": "Все отчёты (PDF)",
                "url": reverse("analytics-pdf", args=[pk]) + query,
                "format": "pdf",
            }
        )
    return links


def _cuts(report: sel.Report) -> dict[str, Any]:
    """The page's filter links: ОВЗ (every level) and, at a school, by class."""
    cut = report.slice
    return {
        "cut": cut,
        "ovz_links": [
            {
                "label": label,
                "query": sel.Slice(ovz=key, classes=cut.classes).query(),
                "active": key == cut.ovz,
            }
            for key, label in sel.OVZ_FILTERS.items()
        ],
        "class_links": [
            {"label": "Вся ОО", "query": sel.Slice(ovz=cut.ovz).query(), "active": not cut.classes},
            {
                "label": "По классам",
                "query": sel.Slice(ovz=cut.ovz, classes=sel.ALL_CLASSES).query(),
                "active": cut.classes == sel.ALL_CLASSES,
            },
        ]
        if report.aggregate.level == Level.SCHOOL
        else [],
    }


class AnalyticsIndexView(ActorViewMixin, View):
    """The works with reports of the actor's unit and of the units just below it; filtered by
    ``?campaign=``, ``?work=``, ``?level=`` and ``?unit=`` as ``GET /api/v1/analytics/`` is."""

    api_routes = ("api-analytics-list",)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.actor.can(A.VIEW_ANALYTICS):
            return render(request, "analytics/index.html", {"aggregates": []})
        try:
            filters = sel.aggregate_filter_from(actor=self.actor, params=request.GET)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        return render(
            request,
            "analytics/index.html",
            {
                "aggregates": sel.aggregate_list(actor=self.actor, filters=filters),
                "levels": sel.LEVEL_LABELS,
                "filters": filters,
                **sel.aggregate_filter_options(actor=self.actor, filters=filters),
            },
        )


class ReportView(ScopedViewMixin, View):
    """One report of one unit's aggregate; an embargoed report shows when it opens."""

    scoped_model = WorkAggregate
    action = A.VIEW_ANALYTICS
    template_name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    kind: ClassVar[str] = ""  # the report's downloads (analytics-<kind>-xlsx / -pdf)

    def build(self, report: sel.Report) -> dict[str, Any]:
        return {}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            report = sel.report_get(actor=self.actor, pk=pk, slice=sel.slice_from(request.GET))
        except WorkAggregate.DoesNotExist as exc:
            raise Http404 from exc
        context: dict[str, Any] = {
            **_cuts(report),
            "report": report,
            "title": self.title,
            "reports": REPORTS,
            "marks": MARKS,
            "is_school": report.aggregate.level == Level.SCHOOL,
            "can_individual": self.actor.can(A.VIEW_INDIVIDUAL_RESULTS),
            "can_objectivity": self.actor.can(A.VIEW_OBJECTIVITY),
            "can_recheck_results": self.actor.can(RECHECK_RESULTS),
            "kind": self.kind,
        }
        if report.embargo_until is not None:
            return render(request, "analytics/embargo.html", context)
        context["downloads"] = _downloads(self.kind, report.aggregate.pk, report.slice)
        context.update(self.build(report))
        return render(request, self.template_name, context)


class MarksView(ReportView):
    kind = "marks"
    template_name = "analytics/marks.html"
    title = "Статистика по отметкам"

    def build(self, report: sel.Report) -> dict[str, Any]:
        return {"table": sel.marks_table(report)}


class ScoresView(ReportView):
    kind = "scores"
    template_name = "analytics/scores.html"
    title = "Распределение первичных баллов"

    def build(self, report: sel.Report) -> dict[str, Any]:
        return {"histogram": sel.histogram(report)}


class TasksView(ReportView):
    kind = "tasks"
    template_name = "analytics/tasks.html"
    title = "Выполнение заданий"

    def build(self, report: sel.Report) -> dict[str, Any]:
        return {"table": _format_cells(sel.tasks_table(report))}


class JournalView(ReportView):
    kind = "journal"
    template_name = "analytics/journal.html"
    title = "Сравнение отметок с отметками по журналу"

    def build(self, report: sel.Report) -> dict[str, Any]:
        gaps = sel.journal_gap_list(
            actor=self.actor, aggregate=report.aggregate, slice=report.slice
        )
        schools = sel.journal_gap_school_list(actor=self.actor, aggregate=report.aggregate)
        return {"table": sel.journal_table(report), "gaps": gaps, "gap_schools": schools}


class TopicsView(ReportView):
    kind = "topics"
    template_name = "analytics/topics.html"
    title = "Достижение планируемых результатов"

    def build(self, report: sel.Report) -> dict[str, Any]:
        return {"table": _format_cells(sel.topics_table(report))}


class GroupsView(ReportView):
    kind = "groups"
    template_name = "analytics/groups.html"
    title = "Выполнение заданий группами участников"

    def build(self, report: sel.Report) -> dict[str, Any]:
        return {"table": _format_cells(sel.groups_table(report))}


class IndividualView(ReportView):
    """Индивидуальные результаты: the school's own report, per participant code."""

    action = A.VIEW_INDIVIDUAL_RESULTS
    template_name = "analytics/individual.html"
    title = "Индивидуальные результаты"
    kind = "individual"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            aggregate = sel.aggregate_get(actor=self.actor, pk=pk, action=self.action)
        except WorkAggregate.DoesNotExist as exc:
            raise Http404 from exc
        if aggregate.level != Level.SCHOOL:
            raise Http404
        return super().get(request, pk)

    def build(self, report: sel.Report) -> dict[str, Any]:
        results = sel.individual_list(
            actor=self.actor, aggregate=report.aggregate, slice=report.slice
        )
        return {"results": results, "columns": report.columns}


class HistoryView(ReportView):
    """The unit's results in the same grade and subject of its earlier campaigns."""

    template_name = "analytics/history.html"
    title = "Сравнение с прошлыми кампаниями"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            report, lines = sel.campaign_history(
                actor=self.actor, pk=pk, slice=sel.slice_from(request.GET)
            )
        except WorkAggregate.DoesNotExist as exc:
            raise Http404 from exc
        context = {
            **_cuts(report),
            "class_links": [],
            "report": report,
            "title": self.title,
            "reports": REPORTS,
            "marks": MARKS,
            "lines": [
                {
                    "line": line,
                    "cells": [
                        {"count": c, "text": _shown(p)["text"]}
                        for c, p in zip(line.counts, line.percents, strict=True)
                    ],
                    "mean": _shown(line.mean_score)["text"],
                    "mean_percent": _shown(line.mean_percent),
                }
                for line in lines
            ],
            "can_individual": self.actor.can(A.VIEW_INDIVIDUAL_RESULTS),
            "can_objectivity": self.actor.can(A.VIEW_OBJECTIVITY),
        }
        if report.embargo_until is not None:
            return render(request, "analytics/embargo.html", context)
        return render(request, self.template_name, context)


class ObjectivityView(ReportView):
    """Objectivity markers of the schools under the unit (coordinators and federal only), cut
    like the report they sit on (ОВЗ; at a school, its classes)."""

    action = A.VIEW_OBJECTIVITY
    template_name = "analytics/objectivity.html"
    title = "Признаки необъективности результатов"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from apps.analytics import objectivity

        try:
            report, found = sel.objectivity_list(
                actor=self.actor, pk=pk, slice=sel.slice_from(request.GET)
            )
        except WorkAggregate.DoesNotExist as exc:
            raise Http404 from exc
        cut = report.slice
        context = {
            **_cuts(report),
            "report": report,
            "title": self.title,
            "reports": REPORTS,
            "found": found,
            "notes": objectivity.cut_notes(
                classes=any(item["is_class"] for item in found),
                ovz_label=sel.OVZ_FILTERS[cut.ovz] if cut.ovz else "",
            ),
            "is_school": report.aggregate.level == Level.SCHOOL,
            "can_individual": self.actor.can(A.VIEW_INDIVIDUAL_RESULTS),
            "can_objectivity": True,
        }
        if report.embargo_until is not None:
            return render(request, "analytics/embargo.html", context)
        return render(request, self.template_name, context)


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    """The file as an attachment named ``name`` (RFC 6266/5987: an ASCII ``filename`` for old
    clients, then the real Russian name as ``filename*``)."""
    from django.utils.encoding import escape_uri_path

    response = HttpResponse(content, content_type=content_type)
    stem, _, ext = name.rpartition(".")
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in stem)
    response["Content-Disposition"] = (
        f'attachment; filename="{fallback or "report"}.{ext}"; '
        f"filename*=UTF-8''{escape_uri_path(name)}"
    )
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportDownloadView(ScopedViewMixin, View):
    """One report of a unit as xlsx or PDF (``Ф<N>_<name>.xlsx``); the kind and the format come
    from the URL (one route per kind, so an unknown kind is a 404). Scoped like the page (404
    out of scope); before the release instant the embargo page (403) instead of the file."""

    scoped_model = WorkAggregate
    action = A.VIEW_ANALYTICS
    kind: str = "marks"
    fmt: str = "xlsx"

    def kinds(self) -> tuple[str, ...]:
        return (self.kind,)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from apps.analytics import exports, pdf

        # The page and the PDF list the schools with the largest journal gaps; the xlsx all.
        limit = None if self.fmt == "xlsx" else sel.GAP_SCHOOLS_SHOWN
        try:
            export = exports.report_export(
                actor=self.actor,
                pk=pk,
                kinds=self.kinds(),
                gap_limit=limit,
                slice=sel.slice_from(request.GET),
            )
        except WorkAggregate.DoesNotExist as exc:
            raise Http404 from exc
        if export.embargoed:
            title = exports.KINDS[self.kinds()[0]][1]
            # 403, not 200: a script that asked for a file must not take this page for one
            return render(
                request,
                "analytics/embargo.html",
                {"report": export.report, "title": title, "reports": REPORTS},
                status=403,
            )
        first = export.items[0]
        if self.fmt == "xlsx":
            return _download(xlsx.report_workbook(first), XLSX, xlsx.file_name(first))
        name = pdf.file_name(first) if len(export.items) == 1 else pdf.combined_file_name(first)
        return _download(pdf.report_pdf(export.items), "application/pdf", name)


class IndividualDownloadView(ReportDownloadView):
    """Ф1_Индивидуальные результаты: only for those who may open the individual results page
    (403 without the right, 404 above the school level or out of scope)."""

    action = A.VIEW_INDIVIDUAL_RESULTS
    kind = "individual"


class CombinedPdfView(ReportDownloadView):
    """The six reports of the unit's aggregate in one PDF (the individual results apart)."""

    fmt = "pdf"

    def kinds(self) -> tuple[str, ...]:
        from apps.analytics.exports import AGGREGATE_KINDS

        return AGGREGATE_KINDS
