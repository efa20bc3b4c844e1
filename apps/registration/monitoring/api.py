"""Monitoring of registration in the REST API: the same drill-down as the pages, scoped."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.params import int_param
from apps.registration.access import A, ScopedAPIMixin
from apps.registration.models import Municipality, Region, School
from apps.registration.monitoring import selectors as monitoring_selectors


class UnitProgressOutputSerializer(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=["region", "municipality", "school", "total"])
    id = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(allow_blank=True)
    name = serializers.CharField()
    schools = serializers.IntegerField(help_text="Действующих ОО")
    schools_with_account = serializers.IntegerField(help_text="ОО с учётной записью организатора")
    schools_logged_in = serializers.IntegerField(help_text="ОО, где кто-то входил хотя бы раз")
    schools_with_profile = serializers.IntegerField(help_text="ОО, заполнившие опросный лист")
    accounts = serializers.IntegerField(
        help_text="Учётных записей ОО (организаторы и техспециалисты)"
    )
    accounts_logged_in = serializers.IntegerField(help_text="Из них входили хотя бы раз")
    coordinators = serializers.IntegerField(help_text="Учётных записей координатора единицы")
    coordinators_logged_in = serializers.IntegerField()
    last_login = serializers.DateTimeField(allow_null=True)
    profile_filled_at = serializers.DateTimeField(allow_null=True)
    lagging = serializers.BooleanField(help_text="Есть невыполненный шаг регистрации")


class MonitoredUnitOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class ProgressOutputSerializer(serializers.Serializer[Any]):
    unit = MonitoredUnitOutputSerializer(allow_null=True, help_text="null — вся страна")
    child_level = serializers.ChoiceField(choices=["region", "municipality", "school"])
    totals = UnitProgressOutputSerializer()
    rows = UnitProgressOutputSerializer(many=True)


class LaggingSchoolOutputSerializer(serializers.ModelSerializer[School]):
    has_account = serializers.BooleanField()
    has_login = serializers.BooleanField()
    profile_filled_at = serializers.DateTimeField(allow_null=True)
    municipality_code = serializers.CharField(source="municipality.code")

    class Meta:
        model = School
        fields = [
            "id",
            "code",
            "short_name",
            "municipality",
            "municipality_code",
            "region",
            "has_account",
            "has_login",
            "profile_filled_at",
        ]


class _ProgressApi(ScopedAPIMixin, APIView):
    method_actions = {"GET": A.VIEW_MONITORING}

    def respond(
        self, *, region_id: int | None = None, municipality_id: int | None = None
    ) -> Response:
        # an invisible unit raises DoesNotExist: 404 from the one handler (core.drf)
        report = monitoring_selectors.registration_progress(
            actor=self.actor, region_id=region_id, municipality_id=municipality_id
        )
        return Response(ProgressOutputSerializer(report).data)


class RegistrationProgressApi(_ProgressApi):
    """The caller's own level: regions (federal), municipalities (regional), schools (municipal)."""

    scoped_model = School

    @extend_schema(summary="Мониторинг регистрации", responses=ProgressOutputSerializer)
    def get(self, request: Request) -> Response:
        return self.respond()


class RegionRegistrationProgressApi(_ProgressApi):
    scoped_model = Region

    @extend_schema(
        summary="Мониторинг регистрации: муниципалитеты региона", responses=ProgressOutputSerializer
    )
    def get(self, request: Request, pk: int) -> Response:
        return self.respond(region_id=pk)


class MunicipalityRegistrationProgressApi(_ProgressApi):
    scoped_model = Municipality

    @extend_schema(
        summary="Мониторинг регистрации: ОО муниципалитета", responses=ProgressOutputSerializer
    )
    def get(self, request: Request, pk: int) -> Response:
        return self.respond(municipality_id=pk)


@extend_schema(
    summary="ОО, не выполнившие шаг регистрации",
    parameters=[
        OpenApiParameter("kind", str, enum=list(monitoring_selectors.LAGGING_KINDS)),
        OpenApiParameter("region", int),
        OpenApiParameter("municipality", int),
    ],
)
class LaggingSchoolsApi(ScopedAPIMixin, generics.ListAPIView[School]):
    scoped_model = School
    method_actions = {"GET": A.VIEW_MONITORING}
    serializer_class = LaggingSchoolOutputSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        kind = params.get("kind", "login")
        if kind not in monitoring_selectors.LAGGING_KINDS:
            raise serializers.ValidationError(
                {"kind": "Допустимые значения: " + ", ".join(monitoring_selectors.LAGGING_KINDS)}
            )
        return monitoring_selectors.registration_lagging_list(
            actor=self.actor,
            kind=kind,
            region_id=int_param(params.get("region")),
            municipality_id=int_param(params.get("municipality")),
        )
