"""The API of the coordinators' readiness overview (counts per unit below, rows per school and
work day)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.core.params import choice_param, int_param
from apps.registration.access import ScopedAPIMixin
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import Seat
from apps.schoolday.overview import selectors
from apps.schoolday.record.selectors import STATE_LABELS


class DayReadinessSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField()
    school_name = serializers.CharField()
    municipality = serializers.IntegerField()
    work = serializers.IntegerField()
    work_title = serializers.CharField()
    date = serializers.DateField()
    classes = serializers.IntegerField()
    participants = serializers.IntegerField()
    placed = serializers.IntegerField(help_text="Рассажено по аудиториям")
    rooms = serializers.IntegerField(help_text="Аудиторий в рассадке")
    rooms_with_organizer = serializers.IntegerField()
    rooms_with_observer = serializers.IntegerField()
    experts = serializers.IntegerField(help_text="Экспертов ОО по предмету работы")
    classes_with_expert = serializers.IntegerField(
        help_text="Классов, у которых есть эксперт по предмету, не преподающий в классе"
    )
    codes = serializers.IntegerField(help_text="Кодов участников классов дня")
    codes_given = serializers.IntegerField(help_text="Из них переданы экспертам на проверку")
    placed_ok = serializers.BooleanField()
    organizers_ok = serializers.BooleanField()
    observers_ok = serializers.BooleanField()
    experts_ok = serializers.BooleanField(help_text="Все коды участников переданы экспертам")
    ready = serializers.BooleanField()
    record_state = serializers.ChoiceField(
        choices=list(STATE_LABELS),
        help_text="Запись дня: none — не выданы; handed_out — выданы; returned — возвращены везде",
    )
    rooms_handed_out = serializers.IntegerField(help_text="Аудиторий, где материалы выданы")
    rooms_returned = serializers.IntegerField(help_text="Аудиторий, где материалы возвращены")
    record_label = serializers.CharField(help_text="«—», «выдано n из m аудиторий», …")


class UnitCountsSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    schools = serializers.IntegerField(help_text="ОО с днями проведения")
    days = serializers.IntegerField(help_text="Дней проведения (ОО × работа × дата)")
    placed = serializers.IntegerField()
    organizers = serializers.IntegerField()
    observers = serializers.IntegerField()
    experts = serializers.IntegerField()
    ready = serializers.IntegerField()


class ReadinessOutputSerializer(serializers.Serializer[Any]):
    campaign = serializers.IntegerField(allow_null=True)
    work = serializers.IntegerField(allow_null=True)
    unit_level = serializers.CharField(help_text="Уровень строк units: «Регион», «Муниципалитет»")
    total = UnitCountsSerializer()
    units = UnitCountsSerializer(many=True)
    days = DayReadinessSerializer(many=True)


def day_readiness_data(row: selectors.DayReadiness) -> dict[str, Any]:
    return DayReadinessSerializer(
        {
            "school": row.school_id,
            "school_name": row.school_name,
            "municipality": row.municipality_id,
            "work": row.work.pk,
            "work_title": row.work_title,
            "date": row.date,
            "record_state": row.record.state,
            "rooms_handed_out": row.record.handed_out,
            "rooms_returned": row.record.returned,
            "record_label": row.record.label,
            **{
                name: getattr(row, name)
                for name in (
                    "classes",
                    "participants",
                    "placed",
                    "rooms",
                    "rooms_with_organizer",
                    "rooms_with_observer",
                    "experts",
                    "classes_with_expert",
                    "codes",
                    "codes_given",
                    "placed_ok",
                    "organizers_ok",
                    "observers_ok",
                    "experts_ok",
                    "ready",
                )
            },
        }
    ).data


def _unit(counts: selectors.UnitCounts) -> dict[str, Any]:
    return {
        "id": counts.id,
        "name": counts.name,
        "schools": counts.schools,
        "days": counts.days,
        "placed": counts.placed,
        "organizers": counts.organizers,
        "observers": counts.observers,
        "experts": counts.experts,
        "ready": counts.ready,
    }


class ReadinessApi(ScopedAPIMixin, APIView):
    """Readiness of the schools in scope for their work days."""

    scoped_model = Seat
    method_actions = {"GET": A.VIEW_SCHOOL_DAY}

    @extend_schema(
        summary="Готовность ОО ко дню проведения",
        parameters=[
            OpenApiParameter("campaign", int, description="Кампания (id); по умолчанию — текущая"),
            OpenApiParameter("work", int, description="Только эта работа (id)"),
            OpenApiParameter(
                "state", str, enum=list(selectors.STATES), description="Только готовые / не готовые"
            ),
        ],
        responses={200: ReadinessOutputSerializer, 400: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        # an unknown state is a 400 naming the parameter, as on the page
        state = choice_param(
            request.query_params.get("state"), name="state", choices=tuple(selectors.STATES)
        )
        state = state or ""
        overview = selectors.readiness(
            actor=self.actor,
            campaign_id=int_param(request.query_params.get("campaign")),
            work_id=int_param(request.query_params.get("work")),
            state=state,
        )
        return Response(
            ReadinessOutputSerializer(
                {
                    "campaign": overview.campaign.pk if overview.campaign else None,
                    "work": overview.work.pk if overview.work else None,
                    "unit_level": overview.unit_label,
                    "total": _unit(overview.total),
                    "units": [_unit(u) for u in overview.units],
                    "days": [day_readiness_data(r) for r in overview.rows],
                }
            ).data
        )
