"""The assignment in the REST API: the campaign's grade configuration and works' participation
(federal), the run and its publication (federal), the distribution of a unit (coordinators and
the federal operator) as JSON and xlsx."""

from __future__ import annotations

import io
from typing import Any

from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.campaigns import grades as campaign_grades
from apps.campaigns import selectors as campaign_selectors
from apps.campaigns.models import Campaign, Work
from apps.classes.assignment import selectors, services
from apps.classes.messages import ClassesInvalidError
from apps.classes.models import AssignmentRun, ClassWork
from apps.core.api import XLSX_RESPONSE, XlsxRenderer
from apps.core.api_errors import ErrorSerializer
from apps.core.params import int_param
from apps.registration.access import A, ScopedAPIMixin

_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
# Plain strings, not an enum: the same choice set is ClassWork.Source elsewhere in the schema.
_PARTICIPATION = "compulsory (обязательная) или assigned (по распределению)"
_UNIT_PARAMS = [
    OpenApiParameter("campaign", int, description="Кампания (id); по умолчанию — текущая"),
    OpenApiParameter("region", int, description="Регион внутри своего охвата (id)"),
    OpenApiParameter("municipality", int, description="Муниципалитет внутри своего охвата (id)"),
]


class _Api(ScopedAPIMixin, APIView):
    pass


# --- configuration ----------------------------------------------------------------------------


class WorkBriefOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    subject = serializers.CharField(source="subject.name")
    participation = serializers.CharField(help_text=_PARTICIPATION)
    computer_allowed = serializers.BooleanField()


class GradeConfigOutputSerializer(serializers.Serializer[Any]):
    grade = serializers.IntegerField()
    assigned_count = serializers.IntegerField()
    compulsory = WorkBriefOutputSerializer(many=True)
    assigned = WorkBriefOutputSerializer(many=True)
    pool_ok = serializers.BooleanField()
    problem = serializers.CharField()


class GradesInputSerializer(serializers.Serializer[Any]):
    grades = serializers.DictField(
        child=serializers.IntegerField(
            min_value=0,
            max_value=campaign_grades.MAX_ASSIGNED,
            error_messages={"invalid": "Число предметов — целое число."},
        ),
        help_text='Параллель → предметов по распределению на класс: {"4": 1, "5": 2}. '
        "Параллель, которой нет в списке, исключается из кампании.",
    )


class ParticipationInputSerializer(serializers.Serializer[Any]):
    participation = serializers.CharField(max_length=16, help_text=_PARTICIPATION)
    computer_allowed = serializers.BooleanField()


class AssignmentConfigApi(_Api):
    """The campaign's grades, their works and counts (GET); set the grades (PUT)."""

    scoped_model = Campaign
    method_actions = {"GET": A.MANAGE_CAMPAIGNS, "PUT": A.MANAGE_CAMPAIGNS}

    def _out(self, campaign_id: int) -> Response:
        configs = campaign_grades.grade_config_list(
            actor=self.actor, campaign_id=campaign_id, action=A.MANAGE_CAMPAIGNS
        )
        return Response(GradeConfigOutputSerializer(configs, many=True).data)

    @extend_schema(
        summary="Параллели кампании и работы по распределению",
        responses={200: GradeConfigOutputSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request, campaign_id: int) -> Response:
        self.get_queryset().get(pk=campaign_id)
        return self._out(campaign_id)

    @extend_schema(
        summary="Задать параллели кампании и число предметов по распределению",
        request=GradesInputSerializer,
        responses={200: GradeConfigOutputSerializer(many=True), **_ERRORS},
    )
    def put(self, request: Request, campaign_id: int) -> Response:
        self.get_queryset().get(pk=campaign_id)
        data = GradesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grades: dict[Any, int] = {}
        for raw, count in data.validated_data["grades"].items():
            try:
                grades[int(raw)] = count
            except ValueError as exc:
                raise serializers.ValidationError(
                    {"grades": [f"Параллель «{raw}» — не число."]}
                ) from exc
        campaign_grades.campaign_grades_save(
            actor=self.actor, campaign_id=campaign_id, grades=grades
        )
        return self._out(campaign_id)


class WorkParticipationApi(_Api):
    """A work's participation (compulsory or assigned) and whether it may be on computer."""

    scoped_model = Work
    method_actions = {"PUT": A.MANAGE_CAMPAIGNS}

    @extend_schema(
        summary="Участие работы: обязательная или по распределению",
        request=ParticipationInputSerializer,
        responses={200: WorkBriefOutputSerializer, **_ERRORS},
    )
    def put(self, request: Request, work_id: int) -> Response:
        self.get_queryset().get(pk=work_id)
        data = ParticipationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        work = campaign_grades.work_participation_set(
            actor=self.actor, work_id=work_id, **data.validated_data
        )
        return Response(WorkBriefOutputSerializer(work).data)


# --- the run ----------------------------------------------------------------------------------


class RunOutputSerializer(serializers.ModelSerializer[AssignmentRun]):
    seed = serializers.CharField(help_text="Целое число (строкой: до 2^63 − 1).")
    run_by = serializers.CharField(source="run_by.username", allow_null=True, default=None)

    class Meta:
        model = AssignmentRun
        fields = ["id", "campaign", "seed", "status", "publish_on", "published_at", "run_by"]
        fields += ["created_at", "stats"]


class RunInputSerializer(serializers.Serializer[Any]):
    seed = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=services.MAX_SEED,
        help_text="Зерно; без него портал выберет случайное и запишет его.",
    )
    publish_on = serializers.DateField(
        required=False,
        help_text="День публикации для ОО; по умолчанию — за неделю до первого периода.",
    )


class PublishInputSerializer(serializers.Serializer[Any]):
    publish_on = serializers.DateField(
        required=False, help_text="По умолчанию — день, указанный при запуске."
    )


def _publish_on(actor: Any, campaign_id: int, given: Any) -> Any:
    day = given or selectors.default_publish_on(actor=actor, campaign_id=campaign_id)
    if day is None:
        raise ClassesInvalidError("publish_on_required")
    return day


class AssignmentRunListApi(_Api):
    """The campaign's runs, newest first (GET); run the assignment, replacing a draft (POST)."""

    scoped_model = Campaign
    method_actions = {"GET": A.RUN_ASSIGNMENT, "POST": A.RUN_ASSIGNMENT}

    @extend_schema(
        summary="Запуски распределения по кампании",
        responses={200: RunOutputSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request, campaign_id: int) -> Response:
        self.get_queryset().get(pk=campaign_id)
        runs = selectors.run_list(actor=self.actor, campaign_id=campaign_id)
        return Response(RunOutputSerializer(runs, many=True).data)

    @extend_schema(
        summary="Выполнить распределение предметов по классам (черновик)",
        request=RunInputSerializer,
        responses={201: RunOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, campaign_id: int) -> Response:
        self.get_queryset().get(pk=campaign_id)
        data = RunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.assignment_run(
            actor=self.actor,
            campaign_id=campaign_id,
            seed=data.validated_data.get("seed"),
            publish_on=_publish_on(self.actor, campaign_id, data.validated_data.get("publish_on")),
        )
        return Response(RunOutputSerializer(run).data, status=status.HTTP_201_CREATED)


class AssignmentPublishApi(_Api):
    """Publish the campaign's latest draft run (final)."""

    scoped_model = Campaign
    method_actions = {"POST": A.RUN_ASSIGNMENT}

    @extend_schema(
        summary="Опубликовать распределение для ОО",
        request=PublishInputSerializer,
        responses={200: RunOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, campaign_id: int) -> Response:
        self.get_queryset().get(pk=campaign_id)
        data = PublishInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        latest = selectors.run_latest(actor=self.actor, campaign_id=campaign_id)
        if latest is None:
            raise ClassesInvalidError("assignment_not_run")
        run = services.assignment_publish(
            actor=self.actor,
            run_id=latest.pk,
            publish_on=data.validated_data.get("publish_on") or latest.publish_on,
        )
        return Response(RunOutputSerializer(run).data)


# --- the distribution -------------------------------------------------------------------------


class DistributionRowOutputSerializer(serializers.Serializer[Any]):
    grade = serializers.IntegerField()
    work_id = serializers.IntegerField()
    subject = serializers.CharField()
    basis = serializers.SerializerMethodField(
        help_text="Основание: compulsory (обязательная) или assigned (по распределению)"
    )
    classes = serializers.IntegerField()
    pupils = serializers.IntegerField()
    pupils_ovz = serializers.IntegerField()

    def get_basis(self, row: Any) -> str:
        return str(row.source)


class UnitRowOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    classes = serializers.IntegerField()
    pupils = serializers.IntegerField()
    assigned = serializers.IntegerField()


class DistributionOutputSerializer(serializers.Serializer[Any]):
    campaign = serializers.IntegerField(source="campaign.pk")
    unit = serializers.CharField(source="unit_label")
    run_status = serializers.CharField(source="run.status", allow_null=True, default=None)
    assigned_visible = serializers.BooleanField()
    child_kind = serializers.CharField(
        help_text="Уровень строк children: region, municipality или school"
    )
    assigned = DistributionRowOutputSerializer(many=True)
    compulsory = DistributionRowOutputSerializer(many=True)
    children = UnitRowOutputSerializer(many=True)


def _unit_args(request: Request) -> dict[str, int | None]:
    params = request.query_params
    return {
        "region_id": int_param(params.get("region")),
        "municipality_id": int_param(params.get("municipality")),
    }


def _campaign_id(actor: Any, request: Request) -> int:
    campaign = campaign_selectors.campaign_chosen(
        actor=actor, campaign_id=int_param(request.query_params.get("campaign"))
    )
    if campaign is None:
        raise Campaign.DoesNotExist("Кампания не найдена.")
    return int(campaign.pk)


class DistributionApi(_Api):
    """Classes and pupils per grade and work in the caller's unit (or a unit inside it)."""

    scoped_model = ClassWork
    method_actions = {"GET": A.VIEW_DISTRIBUTION}

    @extend_schema(
        summary="Распределение предметов по классам",
        parameters=_UNIT_PARAMS,
        responses={200: DistributionOutputSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        found = selectors.distribution(
            actor=self.actor,
            campaign_id=_campaign_id(self.actor, request),
            **_unit_args(request),
        )
        return Response(DistributionOutputSerializer(found).data)


class DistributionExportApi(_Api):
    """The distribution as an xlsx file (audited)."""

    scoped_model = ClassWork
    method_actions = {"GET": A.VIEW_DISTRIBUTION}
    renderer_classes = [JSONRenderer, XlsxRenderer]

    @extend_schema(
        summary="Скачать распределение предметов по классам (.xlsx)",
        parameters=_UNIT_PARAMS,
        responses={200: XLSX_RESPONSE, 404: ErrorSerializer},
    )
    def get(self, request: Request) -> FileResponse:
        filename, content = services.distribution_export(
            actor=self.actor,
            campaign_id=_campaign_id(self.actor, request),
            **_unit_args(request),
        )
        return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename)
