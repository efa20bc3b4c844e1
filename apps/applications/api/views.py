"""REST endpoints of applications. Every one is a ScopedAPIMixin with an action per method."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.applications import selectors, services
from apps.applications.api import serializers as s
from apps.applications.models import Application, Source, Status
from apps.applications.rules import RawLine
from apps.core.api_errors import ErrorSerializer
from apps.core.params import int_param
from apps.registration.access import A, Actor, ScopedAPIMixin
from apps.registration.models import Municipality, Region

_CAMPAIGN = OpenApiParameter("campaign", int, description="Кампания (id); по умолчанию — текущая")


def class_line_data(row: selectors.ClassLineRow) -> dict[str, Any]:
    return {
        "class_work": row.class_work_id,
        "school_class": row.class_label,
        "class_number": row.class_number,
        "grade": row.grade,
        "pupils": row.pupils,
        "work": row.work.id,
        "subject": row.work.subject,
        "source": row.source,
        "participants": row.participants,
        "form": row.form,
        "computer_allowed": row.computer_allowed,
        "confirmed": row.confirmed,
    }


def application_data(actor: Actor, application_id: int) -> dict[str, Any]:
    page = selectors.application_page(actor=actor, application_id=application_id)
    app, school, campaign = page.application, page.school, page.campaign
    return {
        "id": app.pk,
        "campaign": {"id": campaign.pk, "year": campaign.year, "name": campaign.name},
        "school": {"id": school.pk, "code": school.code, "short_name": school.short_name},
        "status": app.status,
        "status_display": app.get_status_display(),
        "deadline": page.deadline.ends_at,
        "deadline_passed": page.deadline.passed,
        "lock_message": page.lock_message,
        "allowed": {
            "edit": page.can_edit,
            "submit": page.can_submit,
            "confirm": page.can_confirm,
            "reopen": page.can_reopen,
        },
        "lines": [
            {
                "work": r.work.id,
                "grade": r.work.grade,
                "subject": r.work.subject,
                "takes_part": r.values.takes_part,
                "participants": r.values.participants,
                "classes": r.values.classes,
            }
            for r in page.rows
        ],
        "by_class": page.by_class,
        "class_lines": [class_line_data(r) for r in page.class_rows],
        "decisions": [
            {
                "at": d.at_utc,
                "who": d.who,
                "role": d.role,
                "from_status": d.from_status,
                "to_status": d.to_status,
                "source": d.source_value,
                "comment": d.comment,
            }
            for d in page.decisions
        ],
    }


class _Scoped(ScopedAPIMixin, APIView):
    """Errors are answered by the one handler (core.drf): broken chain rules 409 (ChainError),
    bad lines 400 (LinesInvalidError, one item per line and field in ``errors``)."""


@extend_schema(
    parameters=[
        _CAMPAIGN,
        OpenApiParameter("status", str, enum=list(Status.values)),
        OpenApiParameter("municipality", int),
        OpenApiParameter("school", int),
    ]
)
class ApplicationListApi(ScopedAPIMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """Applications in the caller's scope; POST starts (or finds) a school's application."""

    scoped_model = Application
    method_actions = {"GET": A.VIEW_APPLICATION, "POST": A.EDIT_APPLICATION}
    serializer_class = s.ApplicationListOutputSerializer

    def get_queryset(self) -> QuerySet[Application]:
        params = self.request.query_params
        campaign = None
        if (campaign_id := int_param(params.get("campaign"), name="campaign")) is not None:
            # an unknown campaign is a 400 naming the parameter (not the current campaign)
            campaign = selectors.campaign_get(actor=self.actor, campaign_id=campaign_id)
        return selectors.application_list(
            actor=self.actor,
            campaign=campaign,
            status=params.get("status", ""),
            municipality_id=int_param(params.get("municipality")),
            school_id=int_param(params.get("school")),
        )

    @extend_schema(
        request=s.ApplicationOpenInputSerializer,
        responses={200: s.ApplicationOutputSerializer, 409: ErrorSerializer},
        summary="Начать заявку ОО (или получить существующую)",
    )
    def post(self, request: Request) -> Response:
        data = s.ApplicationOpenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        app = services.application_open(
            actor=self.actor,
            school_id=data.validated_data["school"],
            campaign_id=data.validated_data.get("campaign"),
        )
        return Response(application_data(self.actor, app.pk))


class ApplicationDetailApi(_Scoped):
    scoped_model = Application
    method_actions = {"GET": A.VIEW_APPLICATION}

    @extend_schema(
        responses=s.ApplicationOutputSerializer, summary="Заявка ОО со строками и историей"
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(application_data(self.actor, pk))


class ApplicationLinesApi(_Scoped):
    scoped_model = Application
    method_actions = {"GET": A.VIEW_APPLICATION, "PUT": A.EDIT_APPLICATION}

    @extend_schema(responses=s.ApplicationLineOutputSerializer(many=True), summary="Строки заявки")
    def get(self, request: Request, pk: int) -> Response:
        return Response(application_data(self.actor, pk)["lines"])

    @extend_schema(
        request=s.ApplicationLinesInputSerializer,
        responses={
            200: s.ApplicationOutputSerializer,
            400: ErrorSerializer,
            409: ErrorSerializer,
        },
        summary="Изменить строки заявки (названные работы)",
    )
    def put(self, request: Request, pk: int) -> Response:
        data = s.ApplicationLinesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lines = {
            item["work"]: RawLine(item["takes_part"], item["participants"], item["classes"])
            for item in data.validated_data["lines"]
        }
        services.application_lines_save(
            actor=self.actor,
            application_id=pk,
            lines=lines,
            source=Source.API,
        )
        return Response(application_data(self.actor, pk))


class ApplicationClassLinesApi(_Scoped):
    """The application by class: each work of each class with its confirmed participants and
    form (a school with a class register; see ``by_class`` of the application)."""

    scoped_model = Application
    method_actions = {"GET": A.VIEW_APPLICATION, "PUT": A.EDIT_APPLICATION}

    @extend_schema(
        responses=s.ClassLineOutputSerializer(many=True), summary="Строки заявки по классам"
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(application_data(self.actor, pk)["class_lines"])

    @extend_schema(
        request=s.ClassLinesInputSerializer,
        responses={
            200: s.ApplicationOutputSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        summary="Подтвердить участников и формы проведения работ классов",
    )
    def put(self, request: Request, pk: int) -> Response:
        # an application out of scope answers 404 before its body is read
        selectors.application_get(actor=self.actor, application_id=pk, action=A.EDIT_APPLICATION)
        data = s.ClassLinesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lines = [
            services.ParticipationInput(
                class_work_id=item["class_work"],
                participants=item["participants"],
                form=item.get("form"),
            )
            for item in data.validated_data["lines"]
        ]
        # a class work that is not the school's is ClassWork.DoesNotExist: the handler's 404
        services.application_class_lines_save(
            actor=self.actor, application_id=pk, lines=lines, source=Source.API
        )
        return Response(application_data(self.actor, pk))


class _TransitionApi(_Scoped):
    scoped_model = Application
    service: Any = None

    @extend_schema(
        request=s.DecisionCommentInputSerializer,
        responses={
            200: s.ApplicationTransitionOutputSerializer,
            400: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.DecisionCommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = type(self).service(
            actor=self.actor,
            application_id=pk,
            source=Source.API,
            comment=data.validated_data["comment"],
        )
        return Response(
            {
                "changed": outcome.changed,
                "message": outcome.message,
                "application": application_data(self.actor, pk),
            }
        )


@extend_schema(summary="Подать заявку (ОО)")
class ApplicationSubmitApi(_TransitionApi):
    method_actions = {"POST": A.SUBMIT_APPLICATION}
    service = staticmethod(services.application_submit)


@extend_schema(summary="Подтвердить заявку (муниципальный или региональный координатор)")
class ApplicationConfirmApi(_TransitionApi):
    method_actions = {"POST": A.CONFIRM_APPLICATION}
    service = staticmethod(services.application_confirm)


@extend_schema(summary="Снять подтверждение заявки (вернуть на доработку)")
class ApplicationReopenApi(_TransitionApi):
    method_actions = {"POST": A.REOPEN_APPLICATION}
    service = staticmethod(services.application_reopen)


def summary_data(actor: Actor, unit: selectors.Unit, campaign_id: int | None) -> dict[str, Any]:
    campaign = selectors.campaign_get(actor=actor, campaign_id=campaign_id)
    data = selectors.monitoring_get(actor=actor, campaign=campaign, unit=unit)

    def counts(r: selectors.MonitoringRow) -> dict[str, Any]:
        return {
            "kind": r.kind,
            "id": r.id,
            "code": r.code,
            "name": r.name,
            "schools": r.schools,
            "applied": r.applied,
            "not_applied": r.not_applied,
            "confirmed_municipality": r.confirmed_municipality,
            "confirmed_region": r.confirmed_region,
            "participants": r.participants,
            "status": r.status,
            "application_id": r.application_id,
        }

    return {
        "campaign": (
            {"id": campaign.pk, "year": campaign.year, "name": campaign.name} if campaign else None
        ),
        "unit": {"kind": unit.kind, "id": unit.id, "code": unit.code, "name": unit.name},
        "total": counts(data.total),
        "children": [counts(r) for r in data.rows],
        "works": [
            {
                "work": t.work.id,
                "grade": t.work.grade,
                "subject": t.work.subject,
                "schools": t.schools,
                "participants": t.participants,
                "classes": t.classes,
            }
            for t in data.works
        ],
    }


class ApplicationSummaryApi(_Scoped):
    """Progress of the caller's own unit (the federal operator: the country by region)."""

    scoped_model = Application
    method_actions = {"GET": A.MONITOR_APPLICATIONS}

    @extend_schema(
        parameters=[_CAMPAIGN],
        responses={200: s.SummaryOutputSerializer, 409: ErrorSerializer},
        summary="Сводка заявок своей единицы",
    )
    def get(self, request: Request) -> Response:
        unit = selectors.own_unit(actor=self.actor, action=A.MONITOR_APPLICATIONS)
        return Response(
            summary_data(self.actor, unit, int_param(request.query_params.get("campaign")))
        )


class _UnitSummaryApi(_Scoped):
    method_actions = {"GET": A.MONITOR_APPLICATIONS}
    unit_kind = ""

    @extend_schema(
        parameters=[_CAMPAIGN],
        responses={200: s.SummaryOutputSerializer, 409: ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        unit = selectors.unit_get(
            actor=self.actor, kind=self.unit_kind, unit_id=pk, action=A.MONITOR_APPLICATIONS
        )
        return Response(
            summary_data(self.actor, unit, int_param(request.query_params.get("campaign")))
        )


@extend_schema(summary="Сводка заявок региона (по муниципалитетам)")
class RegionSummaryApi(_UnitSummaryApi):
    scoped_model = Region
    unit_kind = "region"


@extend_schema(summary="Сводка заявок муниципалитета (по ОО)")
class MunicipalitySummaryApi(_UnitSummaryApi):
    scoped_model = Municipality
    unit_kind = "municipality"
