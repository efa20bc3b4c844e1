"""Results-upload monitoring in the REST API: the schools of a unit by upload state for a work
(the late list of the monitoring page: the same selectors, the same filters, the same scope)."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api_errors import ErrorSerializer
from apps.core.api_filters import choice_parameter
from apps.registration.access import A, ScopedAPIMixin
from apps.registration.models import School
from apps.results.monitoring import selectors as mon


class MonitoredSchoolOutputSerializer(serializers.Serializer[Any]):
    school_id = serializers.IntegerField(source="school.pk")
    code = serializers.CharField(source="school.code")
    name = serializers.CharField(source="school.short_name")
    municipality_id = serializers.IntegerField(source="school.municipality_id")
    municipality = serializers.CharField(source="school.municipality.name")
    state = serializers.ChoiceField(choices=list(mon.UploadState.LABELS))
    state_label = serializers.CharField()
    planned = serializers.IntegerField(help_text="Участников по заявке")
    deadline_at = serializers.DateTimeField(
        source="window.deadline_at", help_text="Срок загрузки (UTC)"
    )
    version = serializers.IntegerField(
        source="version.number", allow_null=True, default=None, help_text="Текущая версия"
    )
    uploaded_at = serializers.DateTimeField(
        source="version.created_at", allow_null=True, default=None
    )
    phone = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)


_STATE = choice_parameter(
    "state",
    tuple(mon.UploadState.FILTERS),
    "Состояние загрузки (по умолчанию missing — не загрузили; all — все ОО).",
)
_Q = OpenApiParameter("q", str, description="Поиск по коду или наименованию ОО")


class ResultsMonitoringSchoolsApi(ScopedAPIMixin, GenericAPIView):  # type: ignore[type-arg]
    """The schools of a region or a municipality (in the caller's scope; else 404, as the
    drill-down pages) expected for the work ``work_id`` (the pages' ``?work=``), with their
    upload state, deadline and contacts: by default those that have not uploaded
    (``state=missing``; ``overdue`` — the deadline has passed). Paged (``?page=``)."""

    scoped_model = School
    method_actions: ClassVar[dict[str, str]] = {"GET": A.MONITOR_RESULTS}

    @extend_schema(
        parameters=[_STATE, _Q],
        responses={
            200: MonitoredSchoolOutputSerializer(many=True),
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="ОО по состоянию загрузки результатов",
    )
    def get(
        self,
        request: Request,
        work_id: int,
        region_id: int | None = None,
        municipality_id: int | None = None,
    ) -> Response:
        unit = mon.monitoring_unit_get(  # DoesNotExist outside the scope: 404
            actor=self.actor, region_id=region_id, municipality_id=municipality_id
        )
        work = mon.monitoring_work_get(actor=self.actor, work_id=work_id)  # none such: 404
        # ?state= read as on the pages: an unknown state is a 400 naming it
        query = mon.monitoring_query(
            actor=self.actor, params={"state": request.query_params.get("state", "")}
        )
        schools = mon.monitoring_schools(
            actor=self.actor,
            work=work,
            state=query.state or mon.UploadState.MISSING,
            q=str(request.query_params.get("q", ""))[:100],
            unit=unit,
        )
        page = self.paginate_queryset(schools)
        return self.get_paginated_response(MonitoredSchoolOutputSerializer(page, many=True).data)
