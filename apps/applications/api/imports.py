"""Application files and the not-applied list in the API (the upload page and the monitoring's
«не подали» list of the cabinet, through the same services and selectors).

``POST /api/v1/application-imports/`` uploads a school's form or a coordinator's summary
(multipart ``file``, optional ``school`` and ``campaign``) and answers its preview (201) or
every error by row and column (400, nothing stored); ``…/{id}/apply/`` and ``…/{id}/discard/``
are the import framework's apply and discard, as on the preview page.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.applications import selectors, services
from apps.applications.imports import APPLICATIONS
from apps.core.api_errors import ErrorSerializer
from apps.core.api_filters import CAMPAIGN_PARAMETER, MUNICIPALITY_PARAMETER, REGION_PARAMETER
from apps.core.imports import DISCARD
from apps.core.models import ImportBatch
from apps.core.params import int_param
from apps.registration.access import A, ScopedAPIMixin
from apps.registration.import_views import ImportActionApi
from apps.registration.models import School

MAX_TEXT = 100


class ApplicationImportInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="Форма-заявка ОО или сводная заявка (.xlsx)")
    school = serializers.IntegerField(required=False, allow_null=True, help_text="ОО (id)")
    campaign = serializers.IntegerField(
        required=False, allow_null=True, help_text="Кампания (id); по умолчанию — текущая"
    )


class ApplicationImportOutputSerializer(serializers.ModelSerializer[ImportBatch]):
    class Meta:
        model = ImportBatch
        fields = ["id", "kind", "status", "original_name", "preview", "created_at", "applied_at"]


class NotAppliedSchoolSerializer(serializers.ModelSerializer[School]):
    municipality = serializers.CharField(source="municipality.name")

    class Meta:
        model = School
        fields = ["id", "code", "short_name", "municipality_id", "municipality"]


class ApplicationImportListApi(ScopedAPIMixin, GenericAPIView):  # type: ignore[type-arg]
    """The caller's application uploads (newest first); POST uploads a file for its preview."""

    scoped_model = ImportBatch
    method_actions = {"GET": A.IMPORT_APPLICATIONS, "POST": A.IMPORT_APPLICATIONS}
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = None

    @extend_schema(
        responses=ApplicationImportOutputSerializer(many=True),
        summary="Мои загрузки заявок",
    )
    def get(self, request: Request) -> Response:
        batches = selectors.import_batch_list(actor=self.actor)
        return Response(ApplicationImportOutputSerializer(batches, many=True).data)

    @extend_schema(
        request={"multipart/form-data": ApplicationImportInputSerializer},
        responses={201: ApplicationImportOutputSerializer, 400: ErrorSerializer},
        summary="Загрузить файл заявки (предпросмотр изменений)",
    )
    def post(self, request: Request) -> Response:
        data = ApplicationImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        # UploadError: 400 with every error by row and column; nothing stored
        batch = services.application_import_upload(
            actor=self.actor,
            file=upload,
            name=upload.name or "",
            size=upload.size or 0,
            campaign_id=data.validated_data.get("campaign"),
            school_id=data.validated_data.get("school"),
        )
        return Response(
            ApplicationImportOutputSerializer(batch).data, status=status.HTTP_201_CREATED
        )


class ApplicationImportDetailApi(ScopedAPIMixin, GenericAPIView):  # type: ignore[type-arg]
    """One application upload with its preview (or its result once applied)."""

    scoped_model = ImportBatch
    method_actions = {"GET": A.IMPORT_APPLICATIONS}

    @extend_schema(
        responses={200: ApplicationImportOutputSerializer, 404: ErrorSerializer},
        summary="Предпросмотр загрузки заявки",
    )
    def get(self, request: Request, pk: int) -> Response:
        batch = selectors.import_batch_get(actor=self.actor, batch_id=pk)
        return Response(ApplicationImportOutputSerializer(batch).data)


@extend_schema(summary="Применить загрузку заявки")
class ApplicationImportApplyApi(ImportActionApi):
    kind = APPLICATIONS


@extend_schema(summary="Отменить загрузку заявки")
class ApplicationImportDiscardApi(ImportActionApi):
    kind = APPLICATIONS
    operation = DISCARD


class NotAppliedApi(ScopedAPIMixin, GenericAPIView):  # type: ignore[type-arg]
    """Active schools of the caller's unit (or of ``region``/``municipality``) without a
    submitted application for the campaign; paged, ``q`` searches code and name."""

    scoped_model = School
    method_actions = {"GET": A.MONITOR_APPLICATIONS}
    serializer_class = NotAppliedSchoolSerializer

    @extend_schema(
        parameters=[
            CAMPAIGN_PARAMETER,
            REGION_PARAMETER,
            MUNICIPALITY_PARAMETER,
            OpenApiParameter("q", str, description="Поиск по коду и названию ОО"),
        ],
        responses={
            200: NotAppliedSchoolSerializer(many=True),
            400: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="ОО, не подавшие заявку",
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        campaign = selectors.campaign_get(
            actor=self.actor, campaign_id=int_param(params.get("campaign"))
        )
        action = A.MONITOR_APPLICATIONS
        if (muni := int_param(params.get("municipality"))) is not None:
            unit = selectors.unit_get(
                actor=self.actor, kind="municipality", unit_id=muni, action=action
            )
        elif (region := int_param(params.get("region"))) is not None:
            unit = selectors.unit_get(
                actor=self.actor, kind="region", unit_id=region, action=action
            )
        else:
            unit = selectors.own_unit(actor=self.actor, action=action)
        schools: Any = []
        if campaign is not None:  # no campaign yet: nobody is expected to apply
            schools = selectors.not_applied_list(
                actor=self.actor, campaign=campaign, unit=unit, q=params.get("q", "")[:MAX_TEXT]
            )
            schools = schools if schools.ordered else schools.order_by("code")
        page = self.paginate_queryset(schools)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
