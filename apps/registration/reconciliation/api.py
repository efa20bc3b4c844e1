"""School-list reconciliation in the REST API: template, upload → preview, apply, discard, list.

The same services as the pages; every endpoint is scoped through ScopedAPIMixin.
"""

from __future__ import annotations

import io
from typing import Any

from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import XLSX_RESPONSE, XlsxRenderer
from apps.core.api_errors import ErrorSerializer
from apps.core.imports import DISCARD
from apps.core.models import ImportBatch
from apps.core.params import int_param
from apps.registration.access import A, ScopedAPIMixin
from apps.registration.import_views import ImportActionApi, ImportOutcomeSerializer
from apps.registration.models import School
from apps.registration.reconciliation import selectors as reconciliation_selectors
from apps.registration.reconciliation import services as reconciliation_services
from apps.registration.reconciliation.imports import SCHOOL_LIST
from apps.registration.reconciliation.rules import KIND, OUTCOME_LABELS


class CellErrorOutputSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(help_text="Строка листа (0 — ошибка файла целиком)")
    column = serializers.CharField(allow_blank=True, help_text="Столбец (буква), если есть")
    message = serializers.CharField()


class ChangeOutputSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    # DRF's metaclass pops declared fields, so this never shadows Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


class SchoolValuesOutputSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField()
    short_name = serializers.CharField()
    address = serializers.CharField(allow_blank=True)
    school_type = serializers.CharField()
    status = serializers.CharField()
    municipality_code = serializers.CharField()
    time_zone = serializers.CharField(allow_blank=True)


class PreviewRowOutputSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=list(OUTCOME_LABELS))
    outcome_label = serializers.CharField()
    code = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    school_id = serializers.IntegerField(allow_null=True)
    values = SchoolValuesOutputSerializer(allow_null=True)
    changes = ChangeOutputSerializer(many=True)
    # DRF's metaclass pops declared fields, so this never shadows Serializer.errors.
    errors = CellErrorOutputSerializer(many=True)  # type: ignore[assignment]
    note = serializers.CharField(allow_blank=True)


class UnitOutputSerializer(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=["region", "municipality"])
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class CountsOutputSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    missing = serializers.IntegerField(help_text="ОО единицы, которых нет в файле (не меняются)")


class CreatedSchoolOutputSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField()
    code = serializers.CharField(help_text="Присвоенный код ОО (он же логин)")
    name = serializers.CharField()
    id = serializers.IntegerField()


class ResultOutputSerializer(serializers.Serializer[Any]):
    created = CreatedSchoolOutputSerializer(many=True)
    changed = serializers.IntegerField()
    closed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    accounts_note = serializers.CharField(allow_blank=True)


class MissingOutputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class PreviewOutputSerializer(serializers.Serializer[Any]):
    unit = UnitOutputSerializer()
    counts = CountsOutputSerializer()
    rows = PreviewRowOutputSerializer(many=True)
    missing = MissingOutputSerializer(many=True)
    result = ResultOutputSerializer(required=False)


class BatchOutputSerializer(serializers.ModelSerializer[ImportBatch]):
    uploaded_by = serializers.CharField(source="actor.username")
    status_display = serializers.CharField(source="get_status_display")
    preview = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "status",
            "status_display",
            "original_name",
            "uploaded_by",
            "created_at",
            "applied_at",
            "region_id",
            "municipality_id",
            "preview",
        ]

    @extend_schema_field(PreviewOutputSerializer(allow_null=True))
    def get_preview(self, batch: ImportBatch) -> dict[str, Any] | None:
        if batch.kind != KIND:
            return None
        return dict(PreviewOutputSerializer(batch.preview).data)


class UploadInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="Файл выверки (.xlsx), скачанный из шаблона и заполненный",
        error_messages={
            "required": "Выберите файл для загрузки.",
            "empty": "Файл пустой.",
            "invalid": "Не удалось получить файл. Отправьте его как multipart/form-data.",
        },
    )


class _Scoped(ScopedAPIMixin, APIView):
    pass


class SchoolListTemplateApi(_Scoped):
    """The reconciliation xlsx of the caller's own unit (municipal or regional coordinator)."""

    scoped_model = School
    method_actions = {"GET": A.RECONCILE_SCHOOLS}
    renderer_classes = [JSONRenderer, XlsxRenderer]

    @extend_schema(summary="Скачать список ОО для выверки", responses={200: XLSX_RESPONSE})
    def get(self, request: Request) -> FileResponse:
        built = reconciliation_services.school_list_template(actor=self.actor)
        return FileResponse(io.BytesIO(built.content), as_attachment=True, filename=built.filename)


class SchoolListBatchListApi(ScopedAPIMixin, generics.ListAPIView[ImportBatch]):
    """Reconciliation uploads in scope (GET); upload a file for preview (POST)."""

    scoped_model = ImportBatch
    method_actions = {"GET": A.VIEW_SCHOOL_CHANGES, "POST": A.RECONCILE_SCHOOLS}
    serializer_class = BatchOutputSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return reconciliation_selectors.school_list_batch_list(
            actor=self.actor,
            region_id=int_param(params.get("region")),
            status=params.get("status", ""),
        )

    @extend_schema(
        summary="Загрузки выверки списка ОО",
        parameters=[
            OpenApiParameter("region", int, description="Регион (федеральный оператор)"),
            OpenApiParameter("status", str, enum=list(ImportBatch.Status.values)),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Загрузить файл выверки (предпросмотр; ничего не меняет)",
        request={"multipart/form-data": UploadInputSerializer},
        responses={201: BatchOutputSerializer, 400: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        data = UploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        # a refused file answers 400 with every error and the preview in ``context``
        batch = reconciliation_services.school_list_import_upload(
            actor=self.actor,
            file=upload,
            name=upload.name,
            size=upload.size,
        )
        return Response(BatchOutputSerializer(batch).data, status=status.HTTP_201_CREATED)


class SchoolListBatchDetailApi(_Scoped):
    scoped_model = ImportBatch
    method_actions = {"GET": A.VIEW_SCHOOL_CHANGES}

    @extend_schema(summary="Загрузка выверки и её предпросмотр", responses=BatchOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        batch = reconciliation_selectors.school_list_batch_get(actor=self.actor, batch_id=pk)
        return Response(BatchOutputSerializer(batch).data)


class SchoolListBatchApplyApi(ImportActionApi):
    """Apply a previewed upload: ``{"done", "message", "batch", "status"}``; a stale preview
    answers 409 ``import_stale`` with the rejected rows and the file as it reads today."""

    kind = SCHOOL_LIST

    @extend_schema(
        summary="Применить выверку (повторное применение ничего не меняет)",
        request=None,
        responses={200: ImportOutcomeSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class SchoolListBatchDiscardApi(ImportActionApi):
    kind = SCHOOL_LIST
    operation = DISCARD

    @extend_schema(
        summary="Отменить загрузку выверки",
        request=None,
        responses={200: ImportOutcomeSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)
