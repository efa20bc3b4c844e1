"""The API of the scans: a school × work's uploads (list; a multipart upload queues the job),
one upload with its pages, booklets and report, the participant code of a booklet, and a
page's normalised image (or its code box)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.core.downloads import NO_STORE
from apps.core.drf import BoundedJSONParser
from apps.objectivity.actions import ObjectivityActions as A
from apps.objectivity.models import Booklet, ScanBatch, ScanPage
from apps.objectivity.scans import selectors, services
from apps.registration.access import ScopedAPIMixin
from apps.registration.models import School

_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
PNG = "image/png"


class PngRenderer(BaseRenderer):
    """Lets an endpoint answer with a PNG image (the view returns an HttpResponse)."""

    media_type = PNG
    format = "png"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> Any:
        return data


class ScanReportEntrySerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=["foreign", "unreadable", "blank", "duplicate", "missing"],
        help_text="Что найдено: чужая, нераспознанная, пустая, повтор страницы, нет страниц",
    )
    page = serializers.IntegerField(allow_null=True, help_text="Страница файла (с 1)")
    booklet = serializers.IntegerField(allow_null=True, help_text="Номер работы в загрузке")
    detail = serializers.CharField(help_text="Что сделать, по-русски")


class ScanBatchSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    school = serializers.IntegerField(source="school_id")
    work = serializers.IntegerField(source="work_id")
    status = serializers.ChoiceField(choices=ScanBatch.Status.choices)
    file_name = serializers.CharField()
    file_size = serializers.IntegerField(help_text="Байт")
    file_sha256 = serializers.CharField()
    created_at = serializers.DateTimeField(help_text="Загружена (UTC)")
    processed_at = serializers.DateTimeField(allow_null=True, help_text="Обработана (UTC)")
    pages = serializers.IntegerField(help_text="Страниц в файле")
    identified = serializers.IntegerField(help_text="Страниц опознано")
    blank = serializers.IntegerField(help_text="Пустых страниц")
    foreign = serializers.IntegerField(help_text="Чужих страниц")
    unreadable = serializers.IntegerField(help_text="Страниц, где метка не прочитана")
    error = serializers.CharField(allow_blank=True, help_text="Почему обработка не удалась")
    report = ScanReportEntrySerializer(many=True)


class BookletSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    batch = serializers.IntegerField(source="batch_id")
    seq = serializers.IntegerField(help_text="Номер работы в загрузке")
    variant = serializers.IntegerField(source="variant.number", help_text="Номер варианта")
    pages_expected = serializers.IntegerField(help_text="Страниц в варианте")
    missing_pages = serializers.ListField(child=serializers.IntegerField())
    code = serializers.CharField(allow_blank=True, help_text="Код участника (пусто — не введён)")
    status = serializers.ChoiceField(choices=Booklet.Status.choices)


class ScanPageSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    index = serializers.IntegerField(help_text="Страница файла (с 1)")
    status = serializers.ChoiceField(choices=ScanPage.Status.choices)
    booklet = serializers.IntegerField(source="booklet_id", allow_null=True)
    page_number = serializers.IntegerField(allow_null=True, help_text="Страница варианта")
    mark = serializers.CharField(allow_blank=True, help_text="Прочитанная метка (QR)")
    rotation = serializers.IntegerField(help_text="Поворот при выравнивании, °")
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class ScanBatchDetailSerializer(ScanBatchSerializer):
    booklets = BookletSerializer(many=True)
    scan_pages = ScanPageSerializer(many=True)


class ScanUploadInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="Сканы: PDF, PNG, JPEG или TIFF (формат — по содержимому)",
        error_messages={
            "required": "Выберите файл сканов (PDF, PNG, JPEG или TIFF).",
            "empty": "Файл пустой.",
            "invalid": "Не удалось получить файл. Отправьте его как multipart/form-data.",
        },
    )


class BookletCodeInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=20, help_text="Код участника из бланка (5 цифр)")


class ScanBatchListApi(ScopedAPIMixin, APIView):
    """A school × work's uploads of scans (GET); upload a file (POST, multipart): 201, queued."""

    scoped_model = School
    method_actions = {"GET": A.VIEW_SCANS, "POST": A.UPLOAD_SCANS}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Загрузки сканов работы ОО",
        responses={200: ScanBatchSerializer(many=True), **_ERRORS},
    )
    def get(self, request: Request, school_id: int, work_id: int) -> Response:
        try:
            selectors.school_get(actor=self.actor, school_id=school_id)
            selectors.work_get(actor=self.actor, work_id=work_id)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        rows = selectors.batches(actor=self.actor, school_id=school_id, work_id=work_id)
        return Response(ScanBatchSerializer(rows, many=True).data)

    @extend_schema(
        summary="Загрузить сканы работы ОО (обработка — в фоне)",
        request={"multipart/form-data": ScanUploadInputSerializer},
        responses={201: ScanBatchSerializer, **_ERRORS},
    )
    def post(self, request: Request, school_id: int, work_id: int) -> Response:
        selectors.school_get(  # 404 before the body is looked at
            actor=self.actor, school_id=school_id, action=A.UPLOAD_SCANS
        )
        data = ScanUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        batch = services.scans_upload(
            actor=self.actor,
            school_id=school_id,
            work_id=work_id,
            file=upload,
            size=upload.size or 0,
            filename=upload.name or "",
        )
        batch.refresh_from_db()
        return Response(ScanBatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class UnitScanBatchSerializer(ScanBatchSerializer):
    school_code = serializers.CharField(source="school.code")
    school_name = serializers.CharField(source="school.short_name")
    work_title = serializers.SerializerMethodField()

    def get_work_title(self, batch: ScanBatch) -> str:
        return selectors.work_title(batch.work)


class SchoolScansRowSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField(source="work.pk")
    title = serializers.CharField()
    batches = serializers.IntegerField(help_text="Загрузок сканов")
    latest = ScanBatchSerializer(allow_null=True, help_text="Последняя загрузка")
    waiting = serializers.IntegerField(help_text="Работ ждут ввода кода участника")


class UnitScansApi(ScopedAPIMixin, APIView):
    """The latest uploads of scans in the caller's unit, newest first (as «Сканы работ»)."""

    scoped_model = ScanBatch
    method_actions = {"GET": A.VIEW_SCANS}

    @extend_schema(
        summary="Последние загрузки сканов в моей единице",
        responses={200: UnitScanBatchSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.unit_batches(actor=self.actor)
        return Response(UnitScanBatchSerializer(rows, many=True).data)


class SchoolScansApi(ScopedAPIMixin, APIView):
    """A school's works with kits and the state of their scans."""

    scoped_model = School
    method_actions = {"GET": A.VIEW_SCANS}

    @extend_schema(
        summary="Работы ОО и состояние их сканов",
        responses={200: SchoolScansRowSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request, school_id: int) -> Response:
        school = selectors.school_get(actor=self.actor, school_id=school_id)  # 404 outside
        rows = selectors.school_works(actor=self.actor, school=school)
        return Response(SchoolScansRowSerializer(rows, many=True).data)


class ScanBatchDetailApi(ScopedAPIMixin, APIView):
    """One upload: its pages, booklets and report."""

    scoped_model = ScanBatch
    method_actions = {"GET": A.VIEW_SCANS}

    @extend_schema(
        summary="Загрузка сканов: страницы, работы участников, отчёт",
        responses={200: ScanBatchDetailSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, scan_batch_id: int) -> Response:
        batch = selectors.batch_get(actor=self.actor, scan_batch_id=scan_batch_id)
        data = {
            **ScanBatchSerializer(batch).data,
            "booklets": BookletSerializer(
                selectors.booklets_of(actor=self.actor, batch=batch), many=True
            ).data,
            "scan_pages": ScanPageSerializer(
                selectors.pages_of(actor=self.actor, batch=batch), many=True
            ).data,
        }
        return Response(data)


class ScanBatchReprocessApi(ScopedAPIMixin, APIView):
    """Queue an upload's processing again: 202 with the queued batch."""

    scoped_model = ScanBatch
    method_actions = {"POST": A.UPLOAD_SCANS}

    @extend_schema(
        summary="Обработать загрузку сканов заново",
        request=None,
        responses={202: ScanBatchSerializer, **_ERRORS},
    )
    def post(self, request: Request, scan_batch_id: int) -> Response:
        batch = services.scans_reprocess(actor=self.actor, scan_batch_id=scan_batch_id)
        return Response(ScanBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


class BookletApi(ScopedAPIMixin, APIView):
    """One booklet (GET); its participant code typed by a person (PATCH)."""

    scoped_model = Booklet
    method_actions = {"GET": A.VIEW_SCANS, "PATCH": A.IDENTIFY_BOOKLETS}
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="Работа участника (скан)", responses={200: BookletSerializer, 404: ErrorSerializer}
    )
    def get(self, request: Request, booklet_id: int) -> Response:
        booklet = selectors.booklet_get(actor=self.actor, booklet_id=booklet_id)
        return Response(BookletSerializer(booklet).data)

    @extend_schema(
        summary="Ввести код участника работы (по полю «Код участника» на скане)",
        request=BookletCodeInputSerializer,
        responses={200: BookletSerializer, **_ERRORS},
    )
    def patch(self, request: Request, booklet_id: int) -> Response:
        selectors.booklet_get(  # 404 before the body is looked at
            actor=self.actor, booklet_id=booklet_id, action=A.IDENTIFY_BOOKLETS
        )
        data = BookletCodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.booklet_code_set(
            actor=self.actor, booklet_id=booklet_id, code=data.validated_data["code"]
        )
        booklet = selectors.booklet_get(actor=self.actor, booklet_id=booklet_id)
        return Response(BookletSerializer(booklet).data)


class ScanPageImageApi(ScopedAPIMixin, APIView):
    """A page's normalised image (PNG, greyscale, upright); ``crop=code`` — its code box."""

    scoped_model = ScanPage
    method_actions = {"GET": A.VIEW_SCANS}
    renderer_classes = [JSONRenderer, PngRenderer]

    @extend_schema(
        summary="Изображение страницы скана (PNG)",
        parameters=[
            OpenApiParameter(
                "crop",
                str,
                enum=["code", "thumb"],
                description="code — только поле «Код участника»; thumb — уменьшенная страница",
            )
        ],
        responses={(200, PNG): OpenApiResponse(OpenApiTypes.BINARY), 404: ErrorSerializer},
    )
    def get(self, request: Request, scan_page_id: int) -> HttpResponse:
        page = selectors.page_get(actor=self.actor, scan_page_id=scan_page_id)
        content = selectors.page_png(page, crop=request.query_params.get("crop", ""))
        response = HttpResponse(content, content_type=PNG)
        response["Cache-Control"] = NO_STORE
        return response
