"""REST endpoints of the analytics reports (JSON), scoped and embargoed like the pages.

``GET /api/v1/analytics/`` lists the aggregates the caller may open (the /analytics/ page's
selector and filters); ``GET /api/v1/analytics/{pk}/{report}/`` is one report of the unit's
aggregate ``pk``, ``GET /api/v1/analytics/{pk}/{report}.xlsx`` (or ``.pdf``) its file, the same
bytes as the page's download. Before the release instant a non-federal caller gets
``embargo_until`` and no numbers (a file: 403 ``embargo``). ``individual`` exists for school
aggregates only and needs the individual-results right, as its page does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.analytics import selectors as sel
from apps.analytics.messages import ReportEmbargoedError
from apps.analytics.models import WorkAggregate
from apps.core.api_errors import ErrorSerializer
from apps.core.api_filters import CAMPAIGN_PARAMETER, WORK_PARAMETER, choice_parameter
from apps.core.scoping import Level
from apps.registration.access import A, Actor, ScopedAPIMixin

# The reports of an aggregate a client reads next (``api-analytics-<slug>``).
REPORT_SLUGS = ("marks", "scores", "tasks", "journal", "topics", "groups", "history")

_AGGREGATE = inline_serializer(
    "AnalyticsAggregate",
    {
        "id": serializers.IntegerField(help_text="id агрегата: {id} в /api/v1/analytics/{id}/…"),
        "level": serializers.CharField(help_text="federal, region, municipality или school"),
        "level_label": serializers.CharField(),
        "unit_id": serializers.IntegerField(help_text="id региона, МО или ОО (0 — вся выборка)"),
        "unit": serializers.CharField(help_text="наименование единицы"),
        "campaign_id": serializers.IntegerField(),
        "campaign": serializers.CharField(),
        "work_id": serializers.IntegerField(),
        "subject": serializers.CharField(),
        "grade": serializers.IntegerField(),
        "participants": serializers.IntegerField(),
        "reports": serializers.DictField(child=serializers.URLField()),
    },
    many=True,
)
_LEVEL_PARAMETER = choice_parameter(
    "level", tuple(sel.LEVEL_NAMES), "Уровень агрегатов (без параметра — свой и следующий)."
)
_UNIT_PARAMETER = OpenApiParameter(
    "unit",
    int,
    description="id единицы уровня level (вместе с level); единица вне области видимости — 404.",
)


class AnalyticsListApi(ScopedAPIMixin, GenericAPIView):  # type: ignore[type-arg]
    """The aggregates the caller may open, as the /analytics/ page lists them (same selector
    and filters), each with its id and the URLs of its reports; paged (``?page=``)."""

    scoped_model = WorkAggregate
    method_actions: ClassVar[dict[str, str]] = {"GET": A.VIEW_ANALYTICS}

    @extend_schema(
        parameters=[CAMPAIGN_PARAMETER, WORK_PARAMETER, _LEVEL_PARAMETER, _UNIT_PARAMETER],
        responses={200: _AGGREGATE, 400: ErrorSerializer, 404: ErrorSerializer},
        summary="Агрегаты аналитики",
    )
    def get(self, request: Request) -> Response:
        filters = sel.aggregate_filter_from(actor=self.actor, params=request.query_params)
        page = self.paginate_queryset(sel.aggregate_rows(actor=self.actor, filters=filters))
        names = {v: k for k, v in sel.LEVEL_NAMES.items()}
        out = []
        for agg, unit in sel.aggregate_list(actor=self.actor, rows=page):
            work = agg.work
            out.append(
                {
                    "id": agg.pk,
                    "level": names[Level(agg.level)],
                    "level_label": sel.LEVEL_LABELS[Level(agg.level)],
                    "unit_id": agg.unit_id,
                    "unit": unit,
                    "campaign_id": work.campaign_id,
                    "campaign": work.campaign.label,
                    "work_id": work.pk,
                    "subject": work.subject.name,
                    "grade": work.grade,
                    "participants": agg.participants,
                    "reports": {
                        slug: request.build_absolute_uri(
                            reverse(f"api-analytics-{slug}", args=[agg.pk])
                        )
                        for slug in REPORT_SLUGS
                    },
                }
            )
        return self.get_paginated_response(out)


class ReportFileApi(ScopedAPIMixin, APIView):
    """One report of a unit as the page's download (``Ф<N>_<name>.xlsx`` or PDF), the same
    export underneath; 403 ``embargo`` with ``context.embargo_until`` before the release."""

    scoped_model = WorkAggregate
    method_actions: ClassVar[dict[str, str]] = {"GET": A.VIEW_ANALYTICS}
    kind: ClassVar[str] = "marks"
    fmt: ClassVar[str] = "xlsx"

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="Отчёт аналитики файлом (xlsx или PDF)",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        from apps.analytics import exports, pdf, xlsx
        from apps.analytics.views import XLSX, _download

        limit = None if self.fmt == "xlsx" else sel.GAP_SCHOOLS_SHOWN
        export = exports.report_export(
            actor=self.actor,
            pk=pk,
            kinds=(self.kind,),
            gap_limit=limit,
            slice=sel.slice_from(request.query_params),
        )
        if self.kind == "individual" and export.report.aggregate.level != Level.SCHOOL:
            raise NotFound
        if export.embargoed:
            raise ReportEmbargoedError(export.report.embargo_until)
        first = export.items[0]
        if self.fmt == "xlsx":
            return _download(xlsx.report_workbook(first), XLSX, xlsx.file_name(first))
        return _download(pdf.report_pdf(export.items), "application/pdf", pdf.file_name(first))


def report_file_api(kind: str, fmt: str) -> type[ReportFileApi]:
    action = A.VIEW_INDIVIDUAL_RESULTS if kind == "individual" else A.VIEW_ANALYTICS
    return type(
        f"ReportFileApi_{kind}_{fmt}",
        (ReportFileApi,),
        {"kind": kind, "fmt": fmt, "method_actions": {"GET": action}},
    )


def _unit(row: sel.Row) -> dict[str, Any]:
    return {
        "level": int(row.level),
        "level_label": row.level_label,
        "name": row.name,
        "aggregate_id": row.link_pk,
        "is_self": row.is_self,
        "is_class": row.is_class,
        "class_number": row.class_number,
        "participants": row.aggregate.participants,
        "small_group": row.small,
    }


def _marks(report: sel.Report) -> list[dict[str, Any]]:
    return [
        {
            **_unit(line["row"]),
            "schools": line["schools"],
            "marks": dict(zip(("2", "3", "4", "5"), line["counts"], strict=True)),
            "percents": dict(zip(("2", "3", "4", "5"), line["percents"], strict=True)),
        }
        for line in sel.marks_table(report)
    ]


def _scores(report: sel.Report) -> dict[str, Any]:
    hist = sel.histogram(report)
    return {
        "boundaries": hist["boundaries"],
        "small_histogram": hist["small"],
        "bars": [
            {k: b[k] for k in ("score", "count", "percent", "boundary", "mark")}
            for b in hist["bars"]
        ],
    }


def _tasks(report: sel.Report) -> dict[str, Any]:
    return {
        "units": [_unit(r) for r in report.rows],
        "tasks": [
            {
                "label": line["column"].label,
                "difficulty": line["column"].difficulty,
                "max_score": line["column"].max_score,
                "cells": line["cells"],
            }
            for line in sel.tasks_table(report)
        ],
    }


def _journal(report: sel.Report) -> list[dict[str, Any]]:
    return [
        {**_unit(line["row"]), **{k: v for k, v in line.items() if k != "row"}}
        for line in sel.journal_table(report)
    ]


def _journal_gaps(actor: Actor, report: sel.Report) -> dict[str, Any]:
    """The comparison per unit plus the 2+ gaps: codes at a school, schools above it."""
    schools = sel.journal_gap_school_list(actor=actor, aggregate=report.aggregate, limit=None)
    return {
        "units": _journal(report),
        "gap_codes": sel.journal_gap_list(
            actor=actor, aggregate=report.aggregate, slice=report.slice
        ),
        "gap_schools": {
            "schools": schools.schools,
            "with_gaps": schools.total,
            "rows": schools.rows,
        },
    }


def _individual(actor: Actor, report: sel.Report) -> dict[str, Any]:
    """Индивидуальные результаты by participant code (never names); X is null in ``scores``."""
    return {
        "tasks": [
            {"label": c.label, "difficulty": c.difficulty, "max_score": c.max_score}
            for c in report.columns
        ],
        "participants": [
            {
                "code": r.code,
                "class_number": r.class_number,
                "absent": r.absent,
                "variant": None if r.absent else r.variant,
                "scores": [] if r.absent else list(r.scores),
                "primary_score": None if r.absent else r.primary_score,
                "mark": None if r.absent else r.mark,
                "journal_mark": r.journal_mark or None,
            }
            for r in sel.individual_list(
                actor=actor, aggregate=report.aggregate, slice=report.slice
            )
        ],
    }


def _topics(report: sel.Report) -> dict[str, Any]:
    return {"units": [_unit(r) for r in report.rows], "topics": sel.topics_table(report)}


def _groups(report: sel.Report) -> dict[str, Any]:
    return {
        "tasks": [c.label for c in report.columns],
        "groups": sel.groups_table(report),
    }


class AnalyticsReportApi(ScopedAPIMixin, APIView):
    """One report of one unit's aggregate."""

    scoped_model = WorkAggregate
    method_actions: ClassVar[dict[str, str]] = {"GET": A.VIEW_ANALYTICS}
    build: ClassVar[Callable[[Actor, sel.Report], Any]]
    school_only: ClassVar[bool] = False

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        # 404 if invisible (core.drf); ?ovz=without|only and, at a school, ?class=all|<number>
        cut = sel.slice_from(request.query_params)
        report = sel.report_get(actor=self.actor, pk=pk, slice=cut)
        if self.school_only and report.aggregate.level != Level.SCHOOL:
            raise NotFound
        work = report.work
        data: dict[str, Any] = {
            "work": {
                "id": work.pk,
                "year": work.campaign.year,
                "subject": work.subject.name,
                "grade": work.grade,
                "max_score": work.max_score,
            },
            "unit": report.unit_name,
            "level": report.aggregate.level,
            "ovz": report.slice.ovz,
            "classes": report.slice.classes,
            "class": report.class_name,
            "embargo_until": report.embargo_until,
            "report": None,
        }
        if report.embargo_until is None:
            data["report"] = type(self).build(self.actor, report)
        return Response(data)


def _api(
    name: str,
    builder: Callable[[Actor, sel.Report], Any],
    *,
    action: str = A.VIEW_ANALYTICS,
    school_only: bool = False,
) -> type[AnalyticsReportApi]:
    attrs = {
        "build": staticmethod(builder),
        "method_actions": {"GET": action},
        "school_only": school_only,
    }
    return type(name, (AnalyticsReportApi,), attrs)


def _plain(builder: Callable[[sel.Report], Any]) -> Callable[[Actor, sel.Report], Any]:
    """A report that is the same for every caller who may see the unit."""
    return lambda _actor, report: builder(report)


MarksApi = _api("MarksApi", _plain(_marks))
ScoresApi = _api("ScoresApi", _plain(_scores))
TasksApi = _api("TasksApi", _plain(_tasks))
JournalApi = _api("JournalApi", _journal_gaps)
TopicsApi = _api("TopicsApi", _plain(_topics))
GroupsApi = _api("GroupsApi", _plain(_groups))
IndividualApi = _api(
    "IndividualApi", _individual, action=A.VIEW_INDIVIDUAL_RESULTS, school_only=True
)


class HistoryApi(ScopedAPIMixin, APIView):
    """The unit's results in the same grade and subject of this and earlier campaigns:
    participants, marks (counts and %) and the mean primary score per campaign (?ovz= filter)."""

    scoped_model = WorkAggregate
    method_actions: ClassVar[dict[str, str]] = {"GET": A.VIEW_ANALYTICS}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        cut = sel.slice_from(request.query_params)
        report, lines = sel.campaign_history(actor=self.actor, pk=pk, slice=cut)
        return Response(
            {
                "unit": report.unit_name,
                "level": report.aggregate.level,
                "ovz": report.slice.ovz,
                "embargo_until": report.embargo_until,
                "campaigns": [
                    {
                        "aggregate_id": line.aggregate.pk,
                        "campaign": line.campaign,
                        "year": line.year,
                        "current": line.is_current,
                        "participants": line.participants,
                        "small_group": line.small,
                        "marks": dict(zip(("2", "3", "4", "5"), line.counts, strict=True)),
                        "percents": dict(zip(("2", "3", "4", "5"), line.percents, strict=True)),
                        "mean_score": line.mean_score,
                        "mean_percent": line.mean_percent,
                    }
                    for line in lines
                ],
            }
        )
