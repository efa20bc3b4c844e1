"""REST endpoints of materials. Every one is scoped through ScopedAPIMixin; release gates are
the services' (409 with ``context.available_from`` before the instant)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.core.api_filters import CAMPAIGN_PARAMETER
from apps.core.params import int_param
from apps.materials import selectors, services
from apps.materials.api.serializers import (
    PasswordOutputSerializer,
    SchoolMaterialsOutputSerializer,
    VariantLookupOutputSerializer,
)
from apps.materials.models import Kit, Variant
from apps.materials.views import stream_download
from apps.registration.access import A, ScopedAPIMixin
from apps.registration.models import School

_ITEMS = (
    ("archive", "archive", "api-kit-archive"),
    ("codes", "archive", "api-kit-codes"),
    ("protocol", "archive", "api-kit-protocol"),
    ("criteria", "criteria", "api-kit-criteria"),
    ("password", "password", "api-kit-password"),
)


class SchoolMaterialsApi(ScopedAPIMixin, APIView):
    """A school's materials with their status and opening instant (school-local offset)."""

    scoped_model = School
    method_actions = {"GET": A.VIEW_MATERIALS}

    @extend_schema(
        responses={
            200: SchoolMaterialsOutputSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        parameters=[CAMPAIGN_PARAMETER],
        summary="Материалы ОО",
    )
    def get(self, request: Request, school_id: int) -> Response:
        school = selectors.school_get(actor=self.actor, school_id=school_id)  # 404 if invisible
        now = timezone.now()
        items = []
        campaign_id = int_param(request.query_params.get("campaign"), name="campaign")
        for view in selectors.kit_views(actor=self.actor, school=school, campaign_id=campaign_id):
            for what, release_name, url_name in _ITEMS:
                if what == "password" and not view.work.encrypted_archive:
                    continue
                release = getattr(view.releases, release_name)
                items.append(
                    {
                        "kit_id": view.kit.pk,
                        "work_id": view.work.pk,
                        "work": f"{view.work.subject.name}, {view.work.grade} класс",
                        "grade": view.work.grade,
                        "item": what,
                        "status": view.status(what, now),
                        "available_from": release.iso(),
                        "url": request.build_absolute_uri(reverse(url_name, args=[view.kit.pk])),
                    }
                )
        data = {"school_id": school.pk, "time_zone": school.time_zone, "items": items}
        return Response(SchoolMaterialsOutputSerializer(data).data)


class _KitFileApi(ScopedAPIMixin, APIView):
    scoped_model = Kit
    method_actions = {"GET": A.DOWNLOAD_MATERIALS}

    def download(self, request: Request, pk: int) -> services.Download:
        raise NotImplementedError

    @extend_schema(responses={200: bytes, 409: ErrorSerializer}, summary="Скачать файл")
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        # NotReleasedError 409 with context.available_from; MaterialsError 409 (not built yet)
        return stream_download(self.download(request, pk))


class KitArchiveApi(_KitFileApi):
    """The kit's archive (.zip, or .7z for grade 8), from its publication instant."""

    def download(self, request: Request, pk: int) -> services.Download:
        return services.kit_archive_download(actor=self.actor, kit_id=pk)


class KitCriteriaApi(_KitFileApi):
    """The kit's criteria, from the plan-graph instant."""

    def download(self, request: Request, pk: int) -> services.Download:
        return services.kit_criteria_download(actor=self.actor, kit_id=pk)


class KitCodesApi(_KitFileApi):
    """The participant-code sheet (PDF), from the archive's publication instant."""

    def download(self, request: Request, pk: int) -> services.Download:
        return services.kit_sheet_download(actor=self.actor, kit_id=pk, sheet="codes")


class KitProtocolApi(_KitFileApi):
    """The paper-protocol template (PDF), from the archive's publication instant."""

    def download(self, request: Request, pk: int) -> services.Download:
        return services.kit_sheet_download(actor=self.actor, kit_id=pk, sheet="protocol")


class KitPasswordApi(ScopedAPIMixin, APIView):
    """The grade-8 archive password, from 07:30 school-local on the school's day."""

    scoped_model = Kit
    method_actions = {"GET": A.VIEW_ARCHIVE_PASSWORD}

    @extend_schema(
        responses={200: PasswordOutputSerializer, 409: ErrorSerializer},
        summary="Пароль к архиву (8 класс)",
    )
    def get(self, request: Request, pk: int) -> Response:
        # NotReleasedError 409 before 07:30; MaterialsNotFoundError 404 for a plain archive
        kit, password = services.kit_password_reveal(actor=self.actor, kit_id=pk)
        response = Response(PasswordOutputSerializer({"kit_id": kit.pk, "password": password}).data)
        response["Cache-Control"] = "private, no-store"
        return response


class VariantLookupApi(ScopedAPIMixin, APIView):
    """Federal: the school that received the variant with a printed identifier."""

    scoped_model = Variant
    method_actions = {"GET": A.LOOKUP_VARIANT}

    @extend_schema(
        parameters=[OpenApiParameter("uid", str, required=True)],
        responses=VariantLookupOutputSerializer,
        summary="Поиск ОО по идентификатору варианта (пустой список, если не найден)",
    )
    def get(self, request: Request) -> Response:
        found = services.variant_lookup(actor=self.actor, uid=request.query_params.get("uid", ""))
        results: list[dict[str, Any]] = []
        if found is not None:
            results.append(
                {
                    "uid": found.variant.uid,
                    "variant_number": found.variant.number,
                    "work": str(found.work),
                    "school_id": found.school.pk,
                    "school_code": found.school.code,
                    "school_name": found.school.short_name,
                    "municipality": found.school.municipality.name,
                    "region": found.school.region.name,
                }
            )
        return Response(VariantLookupOutputSerializer({"results": results}).data)
