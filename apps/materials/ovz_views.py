"""The school organizer's ОВЗ marks on its participant codes: a page and an API (thin: the
service and selectors are in ``apps/materials/ovz.py``). Codes only, never names."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.campaigns import selectors as campaigns
from apps.classes.models import SchoolClass
from apps.core.errors import DomainError
from apps.materials import ovz
from apps.materials.messages import MESSAGES, MaterialsInvalidError
from apps.registration.access import A, Actor, ScopedAPIMixin, ScopedViewMixin
from apps.registration.models import School

NO_CAMPAIGN = MESSAGES["ovz_no_campaign"]


def _school(actor: Actor, pk: int) -> School:
    try:
        return School.objects.for_actor(actor, A.EDIT_CLASSES).get(pk=pk)
    except School.DoesNotExist as exc:
        raise Http404 from exc


def _rows(actor: Actor, school: School, campaign_id: int) -> list[dict[str, Any]]:
    labels = {
        (c.grade, c.number): c.label
        for c in SchoolClass.objects.for_actor(actor, A.VIEW_CLASSES).filter(
            school_id=school.pk, campaign_id=campaign_id, is_active=True
        )
    }
    return [
        {
            "code": c.code,
            "grade": c.grade,
            "class_number": c.current_class_number,
            "class_label": labels.get((c.grade, c.current_class_number or 0), ""),
            "reserve": c.reserve,
            "ovz": c.ovz,
            "accommodations": list(c.accommodations),
        }
        for c in ovz.ovz_code_list(actor=actor, school_id=school.pk, campaign_id=campaign_id)
    ]


class OvzMarksView(ScopedViewMixin, View):
    """The school's codes of the current campaign with their ОВЗ marks; POST saves the marks
    (each changed code through the service; refusals are listed, the others are saved)."""

    api_routes = ("api-school-ovz-marks",)
    scoped_model = School
    action = A.EDIT_CLASSES

    def _context(self, school: School, errors: list[str], saved: int) -> dict[str, Any]:
        campaign = campaigns.campaign_current(actor=self.actor)
        rows = _rows(self.actor, school, campaign.pk) if campaign else []
        return {
            "school": school,
            "campaign": campaign,
            "rows": rows,
            "accommodations": ovz.ACCOMMODATIONS,
            "errors": errors,
            "saved": saved,
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        school = _school(self.actor, pk)
        saved = int(request.GET.get("saved") or 0) if request.GET.get("saved", "").isdigit() else 0
        return render(request, "materials/ovz.html", self._context(school, [], saved))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        school = _school(self.actor, pk)
        campaign = campaigns.campaign_current(actor=self.actor)
        if campaign is None:
            context = self._context(school, [NO_CAMPAIGN], 0)
            return render(request, "materials/ovz.html", context, status=400)
        errors: list[str] = []
        saved = 0
        for row in _rows(self.actor, school, campaign.pk):
            code = row["code"]
            wanted_ovz = request.POST.get(f"ovz_{code}") == "on"
            wanted = [a for a in ovz.ACCOMMODATIONS if request.POST.get(f"acc_{code}_{a}") == "on"]
            if wanted_ovz == row["ovz"] and wanted == row["accommodations"]:
                continue
            try:
                ovz.participant_code_mark(
                    actor=self.actor,
                    school_id=school.pk,
                    campaign_id=campaign.pk,
                    code=code,
                    ovz=wanted_ovz,
                    accommodations=wanted,
                )
                saved += 1
            except DomainError as exc:  # the form shows every refused code in place
                errors.append(exc.message)
        if errors:
            return render(
                request, "materials/ovz.html", self._context(school, errors, saved), status=400
            )
        return redirect(f"{request.path}?saved={saved}")


_CHOICES = list(ovz.ACCOMMODATIONS)


class OvzMarkSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=5)
    ovz = serializers.BooleanField()
    accommodations = serializers.ListField(
        child=serializers.ChoiceField(choices=_CHOICES), required=False
    )


class OvzMarksApi(ScopedAPIMixin, APIView):
    """GET: the school's codes of the current campaign with their ОВЗ marks. POST ``{code, ovz,
    accommodations}``: mark one code (400 with the reason when refused)."""

    scoped_model = School
    method_actions = {"GET": A.EDIT_CLASSES, "POST": A.EDIT_CLASSES}

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Отметки ОВЗ на кодах участников")
    def get(self, request: Request, school_id: int) -> Response:
        school = _school(self.actor, school_id)
        campaign = campaigns.campaign_current(actor=self.actor)
        rows = _rows(self.actor, school, campaign.pk) if campaign else []
        return Response(
            {
                "campaign_id": campaign.pk if campaign else None,
                "accommodations": ovz.ACCOMMODATIONS,
                "codes": rows,
            }
        )

    @extend_schema(
        request=OvzMarkSerializer, responses=OpenApiTypes.OBJECT, summary="Отметить код ОВЗ"
    )
    def post(self, request: Request, school_id: int) -> Response:
        school = _school(self.actor, school_id)
        campaign = campaigns.campaign_current(actor=self.actor)
        if campaign is None:
            raise MaterialsInvalidError("ovz_no_campaign")
        data = OvzMarkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = ovz.participant_code_mark(
            actor=self.actor,
            school_id=school.pk,
            campaign_id=campaign.pk,
            code=data.validated_data["code"],
            ovz=data.validated_data["ovz"],
            accommodations=data.validated_data.get("accommodations", []),
        )
        return Response(
            {"code": row.code, "ovz": row.ovz, "accommodations": list(row.accommodations)}
        )
