"""The operator's bank page, the download monitoring and the archive check in the API.

Same services as the pages: a bank file is uploaded for its preview and applied or discarded
through the import framework (``/api/v1/materials/bank-imports/``), accompanying files are
attached to a work and detached, the current bank is exported; the monitoring lists who
downloaded each archive; anyone logged in may check an archive's signed manifest.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.core.imports import DISCARD, ImportOutcome
from apps.core.models import ImportBatch
from apps.core.params import choice_param, int_param, unknown_id
from apps.materials import files as bankfiles
from apps.materials import listings, selectors, services, signing
from apps.materials.imports import BANK, images_message
from apps.materials.models import Kit, MaterialFile, WorkBank
from apps.registration.access import A, ScopedAPIMixin
from apps.registration.import_views import ImportActionApi, ImportOutcomeSerializer

EXPORT_FORMATS = {"json": "application/json", "xlsx": None, "images": "application/zip"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _work(work: Any) -> dict[str, Any]:
    return {
        "id": work.pk,
        "subject": work.subject.name,
        "grade": work.grade,
        "year": work.campaign.year,
        "session": work.campaign.session,
    }


# --- the bank ----------------------------------------------------------------------------------


class BankOutputSerializer(serializers.Serializer[Any]):
    work = serializers.DictField()
    status = serializers.ChoiceField(choices=list(selectors.BANK_STATUSES.items()))
    revision = serializers.IntegerField(help_text="Версия банка (0 — банк не загружен)")
    total = serializers.IntegerField(help_text="Заданий в действующей версии")
    per_column = serializers.ListField(child=serializers.DictField())
    short_columns = serializers.ListField(child=serializers.CharField())
    kits = serializers.IntegerField(help_text="Комплектов сформировано")
    images = serializers.IntegerField()
    attachments = serializers.ListField(child=serializers.DictField())


def _file(f: MaterialFile) -> dict[str, Any]:
    return {
        "id": f.pk,
        "name": f.name,
        "item": f.item.code if f.item_id and f.item else "",
        "sha256": f.sha256,
        "size": f.size,
    }


def _bank(b: selectors.BankSummary) -> dict[str, Any]:
    return {
        "work": _work(b.work),
        "status": b.status,
        "revision": b.revision,
        "total": b.total,
        "per_column": [{"column": label, "items": n} for label, n in b.per_column],
        "short_columns": b.short_columns,
        "kits": b.kits,
        "images": b.images,
        "attachments": [_file(f) for f in b.attachments],
    }


class BankListApi(ScopedAPIMixin, GenericAPIView):  # type: ignore[type-arg]
    """Every work with its bank (revision, items per column, attachments), as the page lists
    them: the same filters, sort and 400 on an unknown value; paged."""

    scoped_model = WorkBank
    method_actions = {"GET": A.MANAGE_BANK}

    @extend_schema(
        parameters=[
            OpenApiParameter("campaign", int, description="Кампания (id)"),
            OpenApiParameter("subject", int, description="Предмет (id)"),
            OpenApiParameter("grade", str, description="Класс"),
            OpenApiParameter(
                "status", str, enum=list(selectors.BANK_STATUSES), description="Состояние банка"
            ),
            OpenApiParameter("sort", str, description="work, revision, total, kits (-: убыв.)"),
        ],
        responses={200: BankOutputSerializer(many=True), 400: ErrorSerializer},
        summary="Банк заданий: работы и их банки",
    )
    def get(self, request: Request) -> Response:
        listing = listings.bank_listing(request._request)
        works = listings.filtered_works(actor=self.actor, listing=listing, action=A.MANAGE_BANK)
        banks = selectors.bank_overview(actor=self.actor, works=works)
        if wanted := listing.filters["status"]:
            banks = [b for b in banks if b.status == wanted]
        page = self.paginate_queryset(listing.order(banks))
        rows = list(page if page is not None else banks)
        data = [_bank(b) for b in rows]
        return self.get_paginated_response(data) if page is not None else Response(data)


class BankImportInputSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField(help_text="Работа (id)")
    file = serializers.FileField(help_text="Банк заданий работы (.json или .xlsx)")
    images = serializers.FileField(
        required=False, help_text="Архив .zip изображений, на которые ссылаются задания"
    )


class BankImportOutputSerializer(serializers.ModelSerializer[ImportBatch]):
    class Meta:
        model = ImportBatch
        fields = ["id", "kind", "status", "original_name", "preview", "created_at", "applied_at"]


class BankImportListApi(ScopedAPIMixin, APIView):
    """Upload a work's bank file (and its images): validated whole, previewed, not applied."""

    scoped_model = ImportBatch
    method_actions = {"POST": A.MANAGE_BANK}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": BankImportInputSerializer},
        responses={201: BankImportOutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        summary="Загрузить банк заданий работы (предпросмотр изменений)",
    )
    def post(self, request: Request) -> Response:
        data = BankImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        images = data.validated_data.get("images")
        # UploadError: 400 with every error by row and column, nothing stored
        batch = services.bank_import_upload(
            actor=self.actor,
            work_id=data.validated_data["work"],
            name=upload.name or "",
            file=upload,
            size=upload.size or 0,
            images=(images.read(bankfiles.MAX_IMAGES_ZIP_BYTES + 1) if images else None),
        )
        return Response(BankImportOutputSerializer(batch).data, status=status.HTTP_201_CREATED)


class BankImportDetailApi(ScopedAPIMixin, APIView):
    """One bank upload with its preview (per column: added, changed, retired, unchanged)."""

    scoped_model = ImportBatch
    method_actions = {"GET": A.MANAGE_BANK}

    @extend_schema(
        responses={200: BankImportOutputSerializer, 404: ErrorSerializer},
        summary="Предпросмотр загрузки банка",
    )
    def get(self, request: Request, pk: int) -> Response:
        batch = services.bank_import_get(actor=self.actor, batch_id=pk)
        return Response(BankImportOutputSerializer(batch).data)


class BankImportOutcomeSerializer(ImportOutcomeSerializer):
    images = serializers.CharField(
        allow_blank=True, help_text="Сколько изображений добавило применение"
    )


class _BankImportActionApi(ImportActionApi):
    kind = BANK
    output_serializer = BankImportOutcomeSerializer

    def outcome_data(self, outcome: ImportOutcome) -> Any:
        result = outcome.result
        added = images_message(result) if isinstance(result, services.BankImportResult) else ""
        return {**ImportOutcomeSerializer(outcome).data, "images": added}


@extend_schema(
    responses={200: BankImportOutcomeSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    summary="Применить загрузку банка",
)
class BankImportApplyApi(_BankImportActionApi):
    pass


@extend_schema(
    responses={200: BankImportOutcomeSerializer, 404: ErrorSerializer},
    summary="Отменить загрузку банка",
)
class BankImportDiscardApi(_BankImportActionApi):
    operation = DISCARD


class BankExportApi(ScopedAPIMixin, APIView):
    """The current bank of a work as JSON or xlsx, or the zip of its images (audited); the
    page's ``format`` is ``kind`` here (DRF keeps ``format`` for content negotiation)."""

    scoped_model = WorkBank
    method_actions = {"GET": A.MANAGE_BANK}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kind",
                str,
                enum=list(EXPORT_FORMATS),
                description="json (по умолчанию), xlsx или images (архив изображений)",
            )
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="Файл банка (вложение)"
            ),
            400: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="Выгрузить банк заданий работы",
    )
    def get(self, request: Request, work_id: int) -> HttpResponse:
        fmt = choice_param(
            request.query_params.get("kind"),
            name="kind",
            choices=list(EXPORT_FORMATS),
            default="json",
        )
        name, content = services.bank_export(actor=self.actor, work_id=work_id, fmt=str(fmt))
        response = HttpResponse(content, content_type=EXPORT_FORMATS[str(fmt)] or XLSX)
        response["Content-Disposition"] = content_disposition_header(True, name)
        response["Cache-Control"] = "private, no-store"
        return response


class MaterialFileInputSerializer(serializers.Serializer[Any]):
    attachment = serializers.FileField(help_text="Сопровождающий файл (аудио, PDF)")
    item_code = serializers.CharField(
        required=False, allow_blank=True, help_text="Шифр задания банка (пусто — вся работа)"
    )


class MaterialFileOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    item = serializers.CharField(allow_blank=True)
    sha256 = serializers.CharField()
    size = serializers.IntegerField()


class MaterialFileListApi(ScopedAPIMixin, APIView):
    """Attach an accompanying file to a work (or one bank item): archives built afterwards
    hold it; a file of the same name is replaced."""

    scoped_model = MaterialFile
    method_actions = {"POST": A.MANAGE_BANK}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": MaterialFileInputSerializer},
        responses={
            201: MaterialFileOutputSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="Прикрепить сопровождающий файл к работе",
    )
    def post(self, request: Request, work_id: int) -> Response:
        # Scope first: an invisible work is 404 whatever the body says.
        selectors.work_get(actor=self.actor, work_id=work_id)
        data = MaterialFileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["attachment"]
        row = services.material_file_attach(
            actor=self.actor,
            work_id=work_id,
            name=upload.name or "",
            content=upload.read(bankfiles.MAX_ATTACHMENT_BYTES + 1),
            item_code=data.validated_data.get("item_code", ""),
        )
        return Response(_file(row), status=status.HTTP_201_CREATED)


class MaterialFileApi(ScopedAPIMixin, APIView):
    """Detach an accompanying file (archives built later no longer hold it)."""

    scoped_model = MaterialFile
    method_actions = {"DELETE": A.MANAGE_BANK}

    @extend_schema(
        responses={204: None, 404: ErrorSerializer}, summary="Открепить сопровождающий файл"
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.material_file_remove(actor=self.actor, file_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the download monitoring -------------------------------------------------------------------


class DownloadMonitoringOutputSerializer(serializers.Serializer[Any]):
    work = serializers.DictField()
    works = serializers.ListField(child=serializers.DictField())
    items = serializers.ListField(child=serializers.CharField())
    below = serializers.CharField(allow_blank=True)
    units = serializers.ListField(child=serializers.DictField())
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = serializers.ListField(child=serializers.DictField())


def _first(cell: Any) -> dict[str, Any] | None:
    if cell is None:
        return None
    return {"username": cell.username, "at": cell.at, "count": cell.count}


class DownloadMonitoringApi(ScopedAPIMixin, GenericAPIView):  # type: ignore[type-arg]
    """Who downloaded each archive, code sheet and (grade 8) password of a work, per unit below
    the caller's (``region`` / ``municipality`` drill down, as on the page); the schools paged,
    sorted by ``sort`` as on the page. Without ``work``: the newest work with kits."""

    scoped_model = Kit
    method_actions = {"GET": A.VIEW_MATERIALS}

    @extend_schema(
        parameters=[
            OpenApiParameter("work", int, description="Работа (id); неизвестная — ошибка 400"),
            OpenApiParameter("region", int, description="Регион (id)"),
            OpenApiParameter("municipality", int, description="Муниципалитет (id)"),
            OpenApiParameter("sort", str, description="school или элемент (archive, codes…)"),
        ],
        responses={200: DownloadMonitoringOutputSerializer, 400: ErrorSerializer},
        summary="Мониторинг скачивания материалов",
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        works = selectors.monitored_works(actor=self.actor, action=A.VIEW_MATERIALS)
        work_id = int_param(params.get("work"), name="work")
        if work_id is not None and all(w.pk != work_id for w in works):
            raise unknown_id("work", work_id, "работы")
        work = next((w for w in works if w.pk == work_id), works[0] if works else None)
        if work is None:
            return Response({"work": None, "works": [], "items": [], "below": "", "units": []})
        report = selectors.download_monitoring(
            actor=self.actor,
            work_id=work.pk,
            region_id=int_param(params.get("region"), name="region"),
            municipality_id=int_param(params.get("municipality"), name="municipality"),
            action=A.VIEW_MATERIALS,
        )
        listing = listings.download_listing(request._request, report.items)
        page = self.paginate_queryset(listing.order(report.schools)) or []
        schools = [
            {
                "school": {"id": s.school.pk, "code": s.school.code, "name": s.school.short_name},
                "kit_id": s.kit_id,
                "downloads": {
                    item: _first(c) for item, c in zip(report.items, s.cells, strict=True)
                },
            }
            for s in page
        ]
        response = self.get_paginated_response(schools)
        response.data = {
            "work": _work(work),
            "works": [_work(w) for w in works],
            "items": report.items,
            "below": report.below,
            "units": [
                {"id": u.unit_id, "name": u.name, "schools": u.schools, "done": u.done}
                for u in report.units
            ],
            **response.data,
        }
        return response


# --- the archive check -------------------------------------------------------------------------


class VerifyInputSerializer(serializers.Serializer[Any]):
    archive = serializers.FileField(required=False, help_text="Архив комплекта (.zip)")
    manifest = serializers.FileField(required=False, help_text="manifest.json")
    signature = serializers.FileField(required=False, help_text="manifest.sig")


class VerifyOutputSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField(help_text="Подпись верна и файлы совпадают с манифестом")
    signature_ok = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())
    manifest = serializers.DictField(allow_null=True)


class PublicKeyOutputSerializer(serializers.Serializer[Any]):
    public_key = serializers.CharField(help_text="Открытый ключ подписи манифестов (PEM)")


class ManifestVerifyApi(APIView):
    """GET the portal's public signing key; POST an archive (or a manifest with its signature)
    to check it. Anyone logged in; nothing is stored."""

    permission_classes = (permissions.IsAuthenticated,)
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=PublicKeyOutputSerializer, summary="Открытый ключ подписи манифестов")
    def get(self, request: Request) -> Response:
        return Response({"public_key": signing.public_key_pem()})

    @extend_schema(
        request={"multipart/form-data": VerifyInputSerializer},
        responses={200: VerifyOutputSerializer, 400: ErrorSerializer},
        summary="Проверить архив: подпись манифеста и контрольные суммы файлов",
    )
    def post(self, request: Request) -> Response:
        # UploadError 400: nothing to check, a broken zip, past the archive's limits
        check = services.manifest_verify(
            archive=request.FILES.get("archive"),
            manifest=request.FILES.get("manifest"),
            signature=request.FILES.get("signature"),
        )
        return Response(
            {
                "ok": check.ok,
                "signature_ok": check.signature_ok,
                "problems": list(check.problems),
                "manifest": check.data,
            }
        )
