"""REST endpoints of notices: the list (unread first), one notice with its file versions,
marking it read, downloading a file version. Every one is a ScopedAPIMixin."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.notices import selectors, services
from apps.notices.api import serializers as s
from apps.notices.models import Notice, NoticeFile
from apps.registration.access import A, ScopedAPIMixin


class NoticeViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet[Notice]):
    """Notices the caller sees: its own unit's and those addressed to it from above. Unread
    ones come first. Reading a notice here does not mark it read: POST …/read/ does."""

    scoped_model = Notice
    method_actions = {"GET": A.VIEW_NOTICES}
    serializer_class = s.NoticeListOutputSerializer

    def get_queryset(self) -> QuerySet[Notice]:
        return selectors.notice_list(actor=self.actor)

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
