"""REST endpoints of notices: the list (unread first), one notice with its file versions,
marking it read, downloading a file version; for the author's side publishing a notice, a new
version of its document and the read receipts. Every one is a ScopedAPIMixin."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.notices import selectors, services
from apps.notices.api import serializers as s
from apps.notices.models import Notice, NoticeFile
from apps.registration.access import A, ScopedAPIMixin

# As the page: the first readers (the counts per level cover everyone).
READERS_LIMIT = 500


class NoticeViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet[Notice]):
    """Notices the caller sees: its own unit's and those addressed to it from above. Unread
    ones come first. Reading a notice here does not mark it read: POST …/read/ does.
    POST publishes a notice from the caller's unit to the levels below it."""

    scoped_model = Notice
    method_actions = {"GET": A.VIEW_NOTICES, "POST": A.PUBLISH_NOTICES}
    serializer_class = s.NoticeListOutputSerializer

    def get_queryset(self) -> QuerySet[Notice]:
        return selectors.notice_list(actor=self.actor)

    @extend_schema(
        summary="Опубликовать объявление",
        request={
            "multipart/form-data": s.NoticePublishInputSerializer,
            "application/json": s.NoticePublishInputSerializer,
        },
        responses={201: s.NoticeDetailOutputSerializer, 400: ErrorSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.NoticePublishInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        notice = services.notice_publish(
            actor=self.actor,
            title=v["title"],
            body=v["body"],
            for_regions=v["for_regions"],
            for_municipalities=v["for_municipalities"],
            for_schools=v["for_schools"],
            campaign_id=v["campaign"],
            upload=v["file"],
        )
        return Response(_detail(self.actor, notice.pk), status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        notice = self.get_object()
        files = selectors.notice_files(actor=self.actor, notice=notice)
        data = s.NoticeDetailOutputSerializer(notice, context={"files": files}).data
        return Response(data)


class NoticeReadApi(ScopedAPIMixin, APIView):
    """Mark a notice read by the caller (recorded once; only for notices addressed to it)."""

    scoped_model = Notice
    method_actions = {"POST": A.VIEW_NOTICES}

    @extend_schema(request=None, responses=s.NoticeReadOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        try:
            read = services.notice_mark_read(actor=self.actor, notice_id=pk)
        except ObjectDoesNotExist as exc:
            raise NotFound("Объявление не найдено.") from exc
        data = {"notice": pk, "read": read is not None, "read_at": getattr(read, "read_at", None)}
        return Response(s.NoticeReadOutputSerializer(data).data)


def _detail(actor: Any, notice_id: int, action: str = A.VIEW_NOTICES) -> Any:
    notice = selectors.notice_get(actor=actor, notice_id=notice_id, action=action)
    files = selectors.notice_files(actor=actor, notice=notice)
    return s.NoticeDetailOutputSerializer(notice, context={"files": files}).data


class NoticeFileAddApi(ScopedAPIMixin, APIView):
    """A new version of a notice's document (the author's side); earlier versions stay."""

    scoped_model = Notice
    method_actions = {"POST": A.PUBLISH_NOTICES}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Загрузить новую версию документа объявления",
        request={"multipart/form-data": s.NoticeFileInputSerializer},
        responses={201: s.NoticeFileOutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        try:  # out of the author's side: 404 before the file is looked at, as on the page
            selectors.notice_get(actor=self.actor, notice_id=pk, action=A.PUBLISH_NOTICES)
        except ObjectDoesNotExist as exc:
            raise NotFound("Объявление не найдено.") from exc
        data = s.NoticeFileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        nf = services.notice_file_add(
            actor=self.actor, notice_id=pk, upload=data.validated_data["file"]
        )
        return Response(s.NoticeFileOutputSerializer(nf).data, status=status.HTTP_201_CREATED)


class NoticeReadsApi(ScopedAPIMixin, APIView):
    """The author's read receipts: per audience level who read it, and the readers."""

    scoped_model = Notice
    method_actions = {"GET": A.PUBLISH_NOTICES}

    @extend_schema(
        summary="Кто прочитал объявление",
        responses={200: s.NoticeReadsOutputSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        try:
            notice = selectors.notice_get(actor=self.actor, notice_id=pk, action=A.PUBLISH_NOTICES)
        except ObjectDoesNotExist as exc:
            raise NotFound("Объявление не найдено.") from exc
        data = {
            "notice": notice.pk,
            "stats": selectors.notice_read_stats(actor=self.actor, notice=notice),
            "readers": selectors.notice_readers(actor=self.actor, notice=notice)[:READERS_LIMIT],
        }
        return Response(s.NoticeReadsOutputSerializer(data).data)


class NoticeFileApi(ScopedAPIMixin, APIView):
    """One version of a notice's document (the file itself)."""

    scoped_model = NoticeFile
    method_actions = {"GET": A.VIEW_NOTICES}

    @extend_schema(responses={200: OpenApiResponse(description="Файл документа")})
    def get(self, request: Request, pk: int) -> FileResponse:
        try:
            nf, handle = services.notice_file_open(actor=self.actor, file_id=pk)
        except ObjectDoesNotExist as exc:
            raise NotFound("Файл не найден.") from exc
        return FileResponse(handle, as_attachment=True, filename=nf.original_name)
