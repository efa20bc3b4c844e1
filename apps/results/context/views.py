"""Pages of the context-data form: the school's page (state, versions, download, upload)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import View
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.campaigns import selectors as campaigns
from apps.core.params import int_param
from apps.core.uploads import UploadError, file_error
from apps.registration.access import A, ScopedAPIMixin, ScopedViewMixin
from apps.registration.models import School
from apps.results.context import selectors as ctx_sel
from apps.results.context import services as ctx_services
from apps.results.context import xlsx as cx
from apps.results.models import ContextUpload, Source
from apps.results.views import _download, read_upload


class ContextView(ScopedViewMixin, View):
    """The school's context data for the campaign: current data, versions, download, upload."""

    scoped_model = School
    action = A.VIEW_RESULTS

    def get(self, request: HttpRequest, school_id: int) -> HttpResponse:
        return _page(self, request, school_id)


def _page(
    view: ScopedViewMixin, request: HttpRequest, school_id: int, errors: list[Any] | None = None
) -> HttpResponse:
    """The context page (404 outside the actor's scope); 400 when showing refused upload."""
    actor = view.actor
    try:
        school = ctx_sel.context_school_get(actor=actor, school_id=school_id)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    campaign = ctx_sel.context_campaign_get(
        actor=actor, campaign_id=int_param(request.GET.get("campaign"))
    )
    sheet = (
        ctx_sel.context_sheet_get(actor=actor, school_id=school.pk, campaign_id=campaign.pk)
        if campaign is not None
        else None
    )
    uploads = list(ctx_sel.context_upload_list(actor=actor, sheet=sheet)) if sheet else []
    current = sheet.current_upload if sheet else None
    labels = {f.key: f.label for f in cx.SCHOOL_FIELDS}
    return render(
        request,
        "results/context.html",
        {
            "school": school,
            "place": school,
            "campaign": campaign,
            # The picker: a school writes spring and autumn alike, and the page keeps the one
            # it was opened for (``?campaign=``) across download, upload and versions.
            "campaigns": campaigns.campaign_list(actor=actor),
            "current": current,
            "school_rows": [
                (labels[key], value) for key, value in (current.school_data or {}).items()
            ]
            if current
            else [],
            "uploads": uploads,
            "errors": errors or [],
            "can_upload": actor.can(A.UPLOAD_RESULTS),
        },
        status=400 if errors else 200,
    )


def _back(request: HttpRequest, school_id: int) -> HttpResponseRedirect:
    """Back to the context page of the campaign the request was about (never another one)."""
    url = reverse("results-context", kwargs={"school_id": school_id})
    campaign_id = int_param(request.GET.get("campaign"))
    return HttpResponseRedirect(url if campaign_id is None else f"{url}?campaign={campaign_id}")


class ContextVersionView(ScopedViewMixin, View):
    """One context upload and what changed against the previous (or a chosen) upload."""

    scoped_model = ContextUpload
    action = A.VIEW_RESULTS

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = self.actor
        try:
            upload = ctx_sel.context_upload_get(actor=actor, upload_id=pk)
        except ContextUpload.DoesNotExist as exc:
            raise Http404 from exc
        base, diff = ctx_sel.context_upload_diff(
            actor=actor, upload=upload, against_number=int_param(request.GET.get("against"))
        )
        school = upload.sheet.school
        return render(
            request,
            "results/context_version.html",
            {
                "upload": upload,
                "school": school,
                "campaign": upload.sheet.campaign,
                "place": school,
                "base": base,
                "diff": diff,
                "people": diff.participants,
                "uploads": list(ctx_sel.context_upload_list(actor=actor, sheet=upload.sheet)),
            },
        )


class ContextUploadView(ScopedViewMixin, View):
    """Upload a filled context-data form (the page again with every error on refusal)."""

    api_routes = ("api-school-context",)
    scoped_model = School
    action = A.UPLOAD_RESULTS

    def post(self, request: HttpRequest, school_id: int) -> HttpResponseBase:
        try:
            ctx_sel.context_school_get(
                actor=self.actor, school_id=school_id, action=A.UPLOAD_RESULTS
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Приложите файл формы сбора контекстных данных (.xlsx).")
            return _back(request, school_id)
        try:
            accepted = ctx_services.context_upload(
                actor=self.actor,
                school_id=school_id,
                content=read_upload(upload),
                filename=upload.name or "",
                campaign_id=int_param(request.GET.get("campaign")),
                source=Source.XLSX,
            )
        except UploadError as exc:
            messages.error(request, "Файл не принят: исправьте ошибки. Ничего не изменено.")
            return _page(self, request, school_id, exc.errors)
        messages.success(
            request,
            f"Контекстные данные приняты: версия {accepted.number}, участников "
            f"{accepted.participants}.",
        )
        return _back(request, school_id)


class ContextFormView(ScopedViewMixin, View):
    """The school's blank context-data form (codes prefilled)."""

    scoped_model = School
    action = A.UPLOAD_RESULTS

    def get(self, request: HttpRequest, school_id: int) -> HttpResponseBase:
        try:
            out = ctx_services.context_form_download(
                actor=self.actor,
                school_id=school_id,
                campaign_id=int_param(request.GET.get("campaign")),
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        except UploadError as exc:
            # No campaign yet: back to the page, which says so (not an error of the request).
            messages.error(request, str(exc))
            return _back(request, school_id)
        return _download(out.name, out.content)


# --- API ------------------------------------------------------------------------------------


class ContextUploadInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="Заполненная форма сбора контекстных данных (.xlsx)")
    campaign = serializers.IntegerField(required=False, help_text="Кампания (по умолчанию текущая)")


def _upload_data(upload: ContextUpload | None) -> dict[str, Any] | None:
    if upload is None:
        return None
    return {
        "id": upload.pk,
        "number": upload.number,
        "uploaded_at": upload.uploaded_at,
        "uploaded_by": getattr(upload.uploaded_by, "username", None),
        "source": upload.source,
        "file_sha256": upload.file_sha256,
        "participants": upload.participants,
        "school": upload.school_data,
    }


class ContextApi(ScopedAPIMixin, APIView):
    """``GET`` the school's context-data state; ``POST`` a filled form (multipart ``file``):
    201 with the new version, or 400 with every error as ``{row, column, message}``."""

    scoped_model = School
    method_actions = {"GET": A.VIEW_RESULTS, "POST": A.UPLOAD_RESULTS}
    parser_classes = [MultiPartParser, FormParser]
    body_required_methods = frozenset({"POST"})

    @extend_schema(
        summary="Контекстные данные ОО и участников: текущая версия и загрузки",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, school_id: int) -> Response:
        school = ctx_sel.context_school_get(actor=self.actor, school_id=school_id)
        campaign = ctx_sel.context_campaign_get(
            actor=self.actor, campaign_id=int_param(request.query_params.get("campaign"))
        )
        sheet = (
            ctx_sel.context_sheet_get(
                actor=self.actor, school_id=school.pk, campaign_id=campaign.pk
            )
            if campaign is not None
            else None
        )
        uploads = ctx_sel.context_upload_list(actor=self.actor, sheet=sheet) if sheet else []
        return Response(
            {
                "school": {"id": school.pk, "code": school.code},
                "campaign": campaign.pk if campaign is not None else None,
                "current": _upload_data(sheet.current_upload if sheet else None),
                "uploads": [_upload_data(u) for u in uploads],
            }
        )

    @extend_schema(
        request={"multipart/form-data": ContextUploadInputSerializer},
        responses={201: OpenApiTypes.OBJECT},
        summary="Загрузить заполненную форму сбора контекстных данных",
    )
    def post(self, request: Request, school_id: int) -> Response:
        # Scope first: an invisible school is 404 whatever the body says.
        ctx_sel.context_school_get(actor=self.actor, school_id=school_id, action=A.UPLOAD_RESULTS)
        upload = request.FILES.get("file")
        if upload is None:
            raise file_error("Приложите файл формы сбора контекстных данных (.xlsx).")
        accepted = ctx_services.context_upload(
            actor=self.actor,
            school_id=school_id,
            content=read_upload(upload),
            filename=upload.name or "",
            campaign_id=int_param(str(request.POST.get("campaign", ""))),
            source=Source.API,
        )  # UploadError: 400 with every error by row and column
        return Response(
            {
                "detail": f"Контекстные данные приняты: версия {accepted.number}.",
                "version": _upload_data(accepted),
            },
            status=status.HTTP_201_CREATED,
        )
