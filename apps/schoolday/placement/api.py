"""The API of a school's work days: the list with what each has assigned, one day's placement
(read; replace; the automatic proposal saved) and its organizers and observers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.core.params import int_param
from apps.registration.access import ScopedAPIMixin
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import MAX_SEATS, Person, Seat
from apps.schoolday.overview.api import DayReadinessSerializer, day_readiness_data
from apps.schoolday.overview.selectors import readiness
from apps.schoolday.placement import selectors, services
from apps.schoolday.placement.rules import Move, parse_date
from apps.schoolday.selectors import school_get

_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
_DATE = OpenApiParameter(
    "date", dt.date, description="День проведения; по умолчанию — первый день работы в ОО"
)
_CAMPAIGN = OpenApiParameter("campaign", int, description="Кампания (id); по умолчанию — текущая")


class PersonRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class RunSerializer(serializers.Serializer[Any]):
    class_work = serializers.IntegerField(help_text="Работа класса (id)")
    school_class = serializers.CharField(help_text="Класс, например «4А»")
    room = serializers.IntegerField(help_text="Аудитория (id)")
    offset = serializers.IntegerField(
        help_text="С какого участника класса (0 — первый, по порядку кодов)"
    )
    count = serializers.IntegerField(help_text="Сколько участников класса в аудитории")
    codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Коды участников этой части класса (пусто, пока коды не выданы)",
    )


class PlacementRoomSerializer(serializers.Serializer[Any]):
    room = serializers.IntegerField()
    name = serializers.CharField()
    seats = serializers.IntegerField()
    computers = serializers.IntegerField()
    placed = serializers.IntegerField(help_text="Участников в аудитории")
    organizer = PersonRefSerializer(allow_null=True)
    observers = PersonRefSerializer(many=True)
    runs = RunSerializer(many=True)


class PlacementClassSerializer(serializers.Serializer[Any]):
    class_work = serializers.IntegerField()
    school_class = serializers.CharField()
    form = serializers.CharField(help_text="paper — бумажная; computer — компьютерная")
    participants = serializers.IntegerField()
    placed = serializers.IntegerField()


class PlacementOutputSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField()
    work = serializers.IntegerField()
    date = serializers.DateField()
    dates = serializers.ListField(
        child=serializers.DateField(), help_text="Все дни работы в ОО (по классам)"
    )
    saved = serializers.BooleanField(
        help_text="false — рассадки ещё нет, показано автоматическое предложение (не сохранено)"
    )
    over = serializers.BooleanField(help_text="День закончился в часовом поясе ОО: не меняется")
    over_at = serializers.DateTimeField(help_text="Когда день заканчивается в часовом поясе ОО")
    proposal_error = serializers.CharField(help_text="Почему предложение составить нельзя")
    participants = serializers.IntegerField()
    placed = serializers.IntegerField()
    rooms = PlacementRoomSerializer(many=True)
    classes = PlacementClassSerializer(many=True)


class MoveSerializer(serializers.Serializer[Any]):
    class_work = serializers.IntegerField(help_text="Работа класса (id)")
    room = serializers.IntegerField(help_text="Аудитория (id)")
    count = serializers.IntegerField(min_value=0, max_value=MAX_SEATS)


class PlacementInputSerializer(serializers.Serializer[Any]):
    date = serializers.DateField(help_text="День проведения")
    runs = serializers.ListField(
        child=MoveSerializer(),
        help_text="Участники классов по аудиториям; коды класса заполняют его строки по порядку",
    )


class DateInputSerializer(serializers.Serializer[Any]):
    date = serializers.DateField(help_text="День проведения")


class StaffRoomSerializer(serializers.Serializer[Any]):
    room = serializers.IntegerField(help_text="Аудитория рассадки этого дня (id)")
    organizer = serializers.IntegerField(
        allow_null=True, help_text="Организатор в аудитории (id); null — не назначен"
    )
    observers = serializers.ListField(
        child=serializers.IntegerField(), default=list, help_text="Общественные наблюдатели (id)"
    )


class StaffInputSerializer(serializers.Serializer[Any]):
    date = serializers.DateField(help_text="День проведения")
    rooms = serializers.ListField(
        child=StaffRoomSerializer(), help_text="Аудитории (не названные остаются как есть)"
    )


def _ref(person: Person | None) -> dict[str, Any] | None:
    return None if person is None else {"id": person.pk, "full_name": person.full_name}


def placement_data(p: selectors.Placement) -> dict[str, Any]:
    def run(r: selectors.RunView) -> dict[str, Any]:
        return {
            "class_work": r.class_work.pk,
            "school_class": r.label,
            "room": r.room.pk,
            "offset": r.offset,
            "count": r.count,
            "codes": r.codes,
        }

    return PlacementOutputSerializer(
        {
            "school": p.school.pk,
            "work": p.work.pk,
            "date": p.date,
            "dates": p.dates,
            "saved": p.saved,
            "over": p.over,
            "over_at": p.over_at,
            "proposal_error": p.proposal_error,
            "participants": p.participants,
            "placed": p.placed,
            "rooms": [
                {
                    "room": row.room.pk,
                    "name": row.room.name,
                    "seats": row.room.seats,
                    "computers": row.room.computers,
                    "placed": row.placed,
                    "organizer": _ref(row.organizer),
                    "observers": [_ref(o) for o in row.observers],
                    "runs": [run(r) for r in row.runs if not r.stale],
                }
                for row in p.rooms
                if row.used or row.room.is_active
            ],
            "classes": [
                {
                    "class_work": c.class_work.pk,
                    "school_class": c.label,
                    "form": c.class_work.form,
                    "participants": c.participants,
                    "placed": c.placed,
                }
                for c in p.classes
            ],
        }
    ).data


class _DayApi(ScopedAPIMixin, APIView):
    scoped_model = Seat

    def _placement(self, school_id: int, work_id: int, date: dt.date | None) -> dict[str, Any]:
        return placement_data(
            selectors.placement(actor=self.actor, school_id=school_id, work_id=work_id, date=date)
        )


class WorkDayListApi(ScopedAPIMixin, APIView):
    """The school's work days with what each has assigned (rooms, organizers, observers,
    experts)."""

    scoped_model = Seat
    method_actions = {"GET": A.VIEW_SCHOOL_DAY}

    @extend_schema(
        summary="Дни проведения ОО и их готовность",
        parameters=[_CAMPAIGN],
        responses={200: DayReadinessSerializer(many=True), **_ERRORS},
    )
    def get(self, request: Request, school_id: int) -> Response:
        school = school_get(actor=self.actor, school_id=school_id)
        overview = readiness(
            actor=self.actor,
            campaign_id=int_param(request.query_params.get("campaign")),
            school_id=school.pk,
        )
        return Response([day_readiness_data(r) for r in overview.rows])


class PlacementApi(_DayApi):
    """One work day's placement (GET, ``?date=``); the school organizer replaces it (PUT)."""

    method_actions = {"GET": A.VIEW_SCHOOL_DAY, "PUT": A.EDIT_SCHOOL_DAY}

    @extend_schema(
        summary="Рассадка дня проведения",
        parameters=[_DATE],
        responses={200: PlacementOutputSerializer, **_ERRORS},
    )
    def get(self, request: Request, school_id: int, work_id: int) -> Response:
        date = parse_date(request.query_params.get("date"))
        return Response(self._placement(school_id, work_id, date))

    @extend_schema(
        summary="Изменить рассадку (организатор ОО)",
        request=PlacementInputSerializer,
        responses={200: PlacementOutputSerializer, **_ERRORS},
    )
    def put(self, request: Request, school_id: int, work_id: int) -> Response:
        school_get(actor=self.actor, school_id=school_id, action=A.EDIT_SCHOOL_DAY)  # 404 first
        data = PlacementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.placement_save(
            actor=self.actor,
            school_id=school_id,
            work_id=work_id,
            date=values["date"],
            moves=[Move(m["class_work"], m["room"], m["count"]) for m in values["runs"]],
        )
        return Response(self._placement(school_id, work_id, values["date"]))


class PlacementProposeApi(_DayApi):
    """Save the automatic proposal as the day's placement (the school organizer)."""

    method_actions = {"POST": A.EDIT_SCHOOL_DAY}

    @extend_schema(
        summary="Составить рассадку автоматически (организатор ОО)",
        request=DateInputSerializer,
        responses={200: PlacementOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, school_id: int, work_id: int) -> Response:
        school_get(actor=self.actor, school_id=school_id, action=A.EDIT_SCHOOL_DAY)  # 404 first
        data = DateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        date = data.validated_data["date"]
        services.placement_propose(
            actor=self.actor, school_id=school_id, work_id=work_id, date=date
        )
        return Response(self._placement(school_id, work_id, date))


class StaffApi(_DayApi):
    """Organizers and observers of the day's rooms (the school organizer)."""

    method_actions = {"PUT": A.EDIT_SCHOOL_DAY}

    @extend_schema(
        summary="Назначить организаторов и наблюдателей (организатор ОО)",
        request=StaffInputSerializer,
        responses={200: PlacementOutputSerializer, **_ERRORS},
    )
    def put(self, request: Request, school_id: int, work_id: int) -> Response:
        school_get(actor=self.actor, school_id=school_id, action=A.EDIT_SCHOOL_DAY)  # 404 first
        data = StaffInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.staff_save(
            actor=self.actor,
            school_id=school_id,
            work_id=work_id,
            date=values["date"],
            staff=[
                services.StaffInput(r["room"], r["organizer"], tuple(r.get("observers") or ()))
                for r in values["rooms"]
            ],
        )
        return Response(self._placement(school_id, work_id, values["date"]))
