"""REST endpoints of results for families: the school's works with slips and marks, the slips
PDF, the marks that a class's families were informed (list, create, withdraw the same day), and
the overview of the levels above the schools. Every one is a ScopedAPIMixin."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.campaigns import selectors as campaigns
from apps.core.api_errors import ErrorSerializer
from apps.core.downloads import private_download
from apps.core.params import int_param
from apps.families import selectors, services
from apps.families.api import serializers as s
from apps.families.models import FamiliesInformed
from apps.registration.access import A, ScopedAPIMixin
from apps.registration.models import School
from apps.results.models import ResultSheet

_CAMPAIGN = OpenApiParameter("campaign", int, description="Кампания (id); по умолчанию — текущая")
_CLASS = OpenApiParameter(
    "class", int, description="Порядковый номер класса: бланки одного класса (по умолчанию — все)"
)
_WORK = OpenApiParameter(
    "work", int, description="Работа (id); по умолчанию — первая с результатами"
)
_WRITE_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


def _class_data(sheet_id: int, line: selectors.ClassLine) -> dict[str, Any]:
    url = reverse("api-families-slips", args=[sheet_id])
    return {
        "number": line.number,
        "label": line.label,
        "slips": line.slips,
        "absent": line.absent,
        "informed": line.informed,
        "slips_url": f"{url}?class={line.number}" if line.number and line.slips else None,
    }


class SchoolFamiliesApi(ScopedAPIMixin, APIView):
    """The school's works of a campaign with accepted results: per class the slips to print
    and the mark that its families were informed."""

    scoped_model = School
    method_actions = {"GET": A.PRINT_SLIPS}

    @extend_schema(
        parameters=[_CAMPAIGN],
        responses=s.FamiliesWorkOutputSerializer(many=True),
        summary="Бланки результатов для родителей: работы ОО с принятыми результатами",
    )
    def get(self, request: Request, school_id: int) -> Response:
        school = selectors.school_get(actor=self.actor, school_id=school_id)
        campaign = campaigns.campaign_chosen(
            actor=self.actor, campaign_id=int_param(request.query_params.get("campaign"))
        )
        works = selectors.school_works(actor=self.actor, school=school, campaign=campaign)
        data = [
            {
                "results": line.sheet.pk,
                "work": line.work.pk,
                "subject": line.work.subject.name,
                "grade": line.work.grade,
                "version": line.sheet.current_version.number if line.sheet.current_version else 0,
                "slips": line.slips,
                "slips_url": reverse("api-families-slips", args=[line.sheet.pk]),
                "informed_url": reverse("api-families-informed", args=[line.sheet.pk]),
                "classes": [_class_data(line.sheet.pk, c) for c in line.classes],
            }
            for line in works
        ]
        return Response(s.FamiliesWorkOutputSerializer(data, many=True).data)


class SlipsPdfApi(ScopedAPIMixin, APIView):
    """The slips of a school's accepted results of one work in one PDF (audited)."""

    scoped_model = ResultSheet
    method_actions = {"GET": A.PRINT_SLIPS}

    @extend_schema(
        parameters=[_CLASS],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="Бланки результатов для родителей (PDF)"
            ),
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        summary="Скачать бланки результатов для родителей (PDF)",
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        built = services.slips_pdf_download(
            actor=self.actor,
            sheet_id=pk,
            class_number=int_param(request.query_params.get("class")),
        )
        return private_download(built.content, built.name, "application/pdf")


class InformedListCreateApi(ScopedAPIMixin, APIView):
    """The marks that families of the school's classes were informed of one work's results
    (GET), and a new mark for a class (POST, the school organizer)."""

    scoped_model = ResultSheet
    method_actions = {"GET": A.VIEW_INFORMED, "POST": A.MARK_INFORMED}

    @extend_schema(
        responses=s.FamiliesInformedOutputSerializer(many=True),
        summary="Отметки об информировании родителей по классам",
    )
    def get(self, request: Request, pk: int) -> Response:
        sheet = selectors.sheet_get(actor=self.actor, sheet_id=pk, action=A.VIEW_INFORMED)
        marks = selectors.informed_list(actor=self.actor, sheet=sheet)
        return Response(s.FamiliesInformedOutputSerializer(marks, many=True).data)

    @extend_schema(
        request=s.FamiliesInformedInputSerializer,
        responses={201: s.FamiliesInformedOutputSerializer, **_WRITE_ERRORS},
        summary="Отметить, что родители класса проинформированы",
    )
    def post(self, request: Request, pk: int) -> Response:
        # Scope first: an invisible sheet is 404 whatever the body says.
        selectors.sheet_get(actor=self.actor, sheet_id=pk, action=A.MARK_INFORMED)
        body = s.FamiliesInformedInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        mark = services.families_informed_mark(
            actor=self.actor, sheet_id=pk, class_number=body.validated_data["class_number"]
        )
        return Response(
            s.FamiliesInformedOutputSerializer(mark).data, status=status.HTTP_201_CREATED
        )


class InformedUndoApi(ScopedAPIMixin, APIView):
    """Withdraw a mark on the school-local day it was made (409 afterwards)."""

    scoped_model = FamiliesInformed
    method_actions = {"DELETE": A.MARK_INFORMED}

    @extend_schema(
        responses={204: None, **_WRITE_ERRORS},
        summary="Отменить отметку об информировании родителей (в день отметки)",
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.families_informed_undo(actor=self.actor, informed_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FamiliesOverviewApi(ScopedAPIMixin, APIView):
    """Per school of a work in the caller's scope: classes with results and classes whose
    families were informed (the first ``OVERVIEW_ROWS`` schools, the fewest marks first)."""

    scoped_model = FamiliesInformed
    method_actions = {"GET": A.VIEW_INFORMED}

    @extend_schema(
        parameters=[_CAMPAIGN, _WORK],
        responses=s.FamiliesOverviewOutputSerializer,
        summary="Информирование родителей по ОО",
    )
    def get(self, request: Request) -> Response:
        campaign = campaigns.campaign_chosen(
            actor=self.actor, campaign_id=int_param(request.query_params.get("campaign"))
        )
        works = selectors.overview_works(actor=self.actor, campaign=campaign)
        work = selectors.overview_work(  # an unknown work: 400 naming it, as on the page
            actor=self.actor,
            campaign=campaign,
            works=works,
            work_id=int_param(request.query_params.get("work"), name="work"),
        )
        found = selectors.overview(actor=self.actor, work=work)
        data = {
            "work": work.pk if work is not None else None,
            "schools": found.schools,
            "schools_informed": found.schools_informed,
            "classes_informed": found.classes_informed,
            "rows": found.rows,
        }
        return Response(s.FamiliesOverviewOutputSerializer(data).data)
