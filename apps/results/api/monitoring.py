"""The table of the results-upload monitoring page in the API: per work totals of a unit, and
for the chosen work (none: all works) a row per unit one level down, with the same counts, the
same filters (400 on an unknown campaign or work) and the same scope as the page. The schools
of a unit by state are at ``GET /api/v1/results/monitoring/regions/{id}/works/{work}/schools/``
(and ``municipalities/{id}/…``: ``apps/results/monitoring/api.py``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.core.api_filters import (
    CAMPAIGN_PARAMETER,
    MUNICIPALITY_PARAMETER,
    REGION_PARAMETER,
    WORK_PARAMETER,
)
from apps.core.params import int_param
from apps.registration.access import A, ScopedAPIMixin
from apps.results.models import ResultSheet
from apps.results.monitoring import selectors as mon


def _counts(counts: mon.Counts) -> dict[str, Any]:
    return {
        **dataclasses.asdict(counts),
        "uploaded": counts.uploaded,
        "waiting": counts.waiting,
    }


def _work(work: Any) -> dict[str, Any] | None:
    if work is None:
        return None
    return {"id": work.pk, "subject": work.subject.name, "grade": work.grade}


class MonitoringOutputSerializer(serializers.Serializer[Any]):
    unit = serializers.DictField(help_text="level (0 страна, 1 регион, 2 муниципалитет), id, name")
    campaign = serializers.DictField(allow_null=True)
    work = serializers.DictField(allow_null=True, help_text="Выбранная работа (null — все)")
    works = serializers.ListField(child=serializers.DictField(), help_text="Итоги по работам")
    all_works = serializers.DictField(help_text="Итог по всем работам кампании")
    rows = serializers.ListField(
        child=serializers.DictField(), help_text="Единицы уровнем ниже с их счётчиками"
    )
    total = serializers.DictField()


class ResultsMonitoringApi(ScopedAPIMixin, APIView):
    """The monitoring of the caller's unit, or of ``region`` / ``municipality`` (404 outside
    the caller's scope), for the campaign and the work asked."""

    scoped_model = ResultSheet
    method_actions = {"GET": A.MONITOR_RESULTS}

    @extend_schema(
        parameters=[CAMPAIGN_PARAMETER, WORK_PARAMETER, REGION_PARAMETER, MUNICIPALITY_PARAMETER],
        responses={200: MonitoringOutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        summary="Мониторинг загрузки результатов: итоги единицы и единиц уровнем ниже",
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        unit = mon.monitoring_unit_get(
            actor=self.actor,
            region_id=int_param(params.get("region"), name="region"),
            municipality_id=int_param(params.get("municipality"), name="municipality"),
        )
        query = mon.monitoring_query(actor=self.actor, params=params)
        data = mon.monitoring_get(
            actor=self.actor,
            unit=unit,
            campaign=query.campaign,
            work_id=query.work.pk if query.work is not None else None,
        )
        campaign = data.campaign
        return Response(
            {
                "unit": {"level": int(unit.level), "id": unit.pk, "name": unit.name},
                "campaign": (
                    {"id": campaign.pk, "year": campaign.year, "name": str(campaign)}
                    if campaign is not None
                    else None
                ),
                "work": _work(data.work),
                "works": [{"work": _work(r.work), "counts": _counts(r.counts)} for r in data.works],
                "all_works": _counts(data.all_works),
                "rows": [
                    {
                        "level": int(r.level),
                        "id": r.pk,
                        "code": r.code,
                        "name": r.name,
                        "state": r.counts.state,
                        "counts": _counts(r.counts),
                    }
                    for r in data.rows
                ],
                "total": _counts(data.total),
            }
        )
