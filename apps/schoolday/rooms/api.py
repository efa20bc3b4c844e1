"""The API of a school's rooms and adults of the day: list and add (per school), read, change
and remove (per object). A room or person a past day used is kept inactive on removal."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.registration.access import ScopedAPIMixin
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.messages import SchoolDayInvalidError
from apps.schoolday.models import MAX_SEATS, Person, Room
from apps.schoolday.rooms import selectors, services
from apps.schoolday.selectors import school_get

_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class RoomOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    school = serializers.IntegerField(source="school_id")
    name = serializers.CharField(help_text="Аудитория, например «Кабинет 12»")
    seats = serializers.IntegerField(help_text="Мест для участников")
    computers = serializers.IntegerField(help_text="Компьютеров для участников")


class RoomInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=64, help_text="Аудитория, например «Кабинет 12»")
    seats = serializers.IntegerField(
        min_value=1, max_value=MAX_SEATS, help_text="Мест для участников"
    )
    computers = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=MAX_SEATS,
        help_text="Компьютеров для участников (для компьютерной формы)",
    )


class PersonOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    school = serializers.IntegerField(source="school_id")
    duty = serializers.ChoiceField(
        choices=Person.Duty.choices,
        help_text="organizer — организатор в аудитории; observer — общественный наблюдатель; "
        "expert — эксперт по проверке; technician — технический специалист",
    )
    full_name = serializers.CharField(help_text="ФИО (только взрослые участники дня)")
    contact = serializers.CharField(help_text="Телефон или почта")
    subjects = serializers.ListField(
        child=serializers.IntegerField(), help_text="Предметы эксперта (id)"
    )
    teaches = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Классы, в которых преподаёт (id): эксперт не проверяет их работы",
    )


class PersonInputSerializer(serializers.Serializer[Any]):
    duty = serializers.ChoiceField(choices=Person.Duty.choices)
    full_name = serializers.CharField(max_length=150)
    contact = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    subjects = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Предметы эксперта (id); для эксперта — хотя бы один",
    )
    teaches = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Классы ОО, в которых эксперт преподаёт (id)",
    )


class RemovedOutputSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(
        choices=[
            (services.DELETED, "удалён(а)"),
            (services.DEACTIVATED, "убран(а) из списка, сохранён(а) в истории"),
        ]
    )


def _room_data(room: Room) -> dict[str, Any]:
    return RoomOutputSerializer(room).data


def _person_data(person: Person) -> dict[str, Any]:
    return PersonOutputSerializer(
        {
            "id": person.pk,
            "school_id": person.school_id,
            "duty": person.duty,
            "full_name": person.full_name,
            "contact": person.contact,
            "subjects": sorted(s.pk for s in person.subjects.all()),
            "teaches": sorted(c.pk for c in person.teaches.all()),
        }
    ).data


def _room_input(data: dict[str, Any]) -> services.RoomInput:
    return services.RoomInput(data["name"], data["seats"], data.get("computers") or 0)


def _person_input(data: dict[str, Any]) -> services.PersonInput:
    return services.PersonInput(
        duty=data["duty"],
        full_name=data["full_name"],
        contact=data.get("contact") or "",
        subject_ids=tuple(data.get("subjects") or ()),
        class_ids=tuple(data.get("teaches") or ()),
    )


class RoomListApi(ScopedAPIMixin, APIView):
    """A school's active rooms (GET); the school organizer adds one (POST)."""

    scoped_model = Room
    method_actions = {"GET": A.VIEW_SCHOOL_DAY, "POST": A.EDIT_SCHOOL_DAY}

    @extend_schema(
        summary="Аудитории ОО",
        responses={200: RoomOutputSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request, school_id: int) -> Response:
        rooms = selectors.room_list(actor=self.actor, school_id=school_id)
        return Response([_room_data(r) for r in rooms])

    @extend_schema(
        summary="Добавить аудиторию (организатор ОО)",
        request=RoomInputSerializer,
        responses={201: RoomOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, school_id: int) -> Response:
        school_get(actor=self.actor, school_id=school_id, action=A.EDIT_SCHOOL_DAY)  # 404 first
        data = RoomInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room = services.room_create(
            actor=self.actor, school_id=school_id, data=_room_input(data.validated_data)
        )
        return Response(_room_data(room), status=status.HTTP_201_CREATED)


class RoomDetailApi(ScopedAPIMixin, APIView):
    """One room: read, change (the organizer), remove (deleted, or kept inactive once used)."""

    scoped_model = Room
    method_actions = {
        "GET": A.VIEW_SCHOOL_DAY,
        "PUT": A.EDIT_SCHOOL_DAY,
        "DELETE": A.EDIT_SCHOOL_DAY,
    }

    @extend_schema(summary="Аудитория", responses={200: RoomOutputSerializer, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_room_data(selectors.room_get(actor=self.actor, room_id=pk)))

    @extend_schema(
        summary="Изменить аудиторию (организатор ОО)",
        request=RoomInputSerializer,
        responses={200: RoomOutputSerializer, **_ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        selectors.room_get(actor=self.actor, room_id=pk, action=A.EDIT_SCHOOL_DAY)  # 404 first
        data = RoomInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room = services.room_update(
            actor=self.actor, room_id=pk, data=_room_input(data.validated_data)
        )
        return Response(_room_data(room))

    @extend_schema(
        summary="Убрать аудиторию (организатор ОО)",
        responses={200: RemovedOutputSerializer, **_ERRORS},
    )
    def delete(self, request: Request, pk: int) -> Response:
        removed = services.room_remove(actor=self.actor, room_id=pk)
        return Response(RemovedOutputSerializer({"outcome": removed.outcome}).data)


_DUTY = OpenApiParameter(
    "duty", str, enum=Person.Duty.values, description="Только участники этой роли"
)


class PersonListApi(ScopedAPIMixin, APIView):
    """A school's active adults of the day (GET, ``?duty=``); the organizer adds one (POST)."""

    scoped_model = Person
    method_actions = {"GET": A.VIEW_SCHOOL_DAY, "POST": A.EDIT_SCHOOL_DAY}

    @extend_schema(
        summary="Участники дня проведения ОО (взрослые)",
        parameters=[_DUTY],
        responses={200: PersonOutputSerializer(many=True), **_ERRORS},
    )
    def get(self, request: Request, school_id: int) -> Response:
        duty = request.query_params.get("duty") or None
        if duty is not None and duty not in Person.Duty.values:
            raise SchoolDayInvalidError("person_duty_unknown", duty=duty[:40])
        people = selectors.person_list(actor=self.actor, school_id=school_id, duty=duty)
        return Response([_person_data(p) for p in people])

    @extend_schema(
        summary="Добавить участника дня проведения (организатор ОО)",
        request=PersonInputSerializer,
        responses={201: PersonOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request, school_id: int) -> Response:
        school_get(actor=self.actor, school_id=school_id, action=A.EDIT_SCHOOL_DAY)  # 404 first
        data = PersonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.person_create(
            actor=self.actor, school_id=school_id, data=_person_input(data.validated_data)
        )
        return Response(_person_data(person), status=status.HTTP_201_CREATED)


class PersonDetailApi(ScopedAPIMixin, APIView):
    """One adult of the day: read, change, remove."""

    scoped_model = Person
    method_actions = {
        "GET": A.VIEW_SCHOOL_DAY,
        "PUT": A.EDIT_SCHOOL_DAY,
        "DELETE": A.EDIT_SCHOOL_DAY,
    }

    @extend_schema(
        summary="Участник дня проведения",
        responses={200: PersonOutputSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_person_data(selectors.person_get(actor=self.actor, person_id=pk)))

    @extend_schema(
        summary="Изменить участника дня проведения (организатор ОО)",
        request=PersonInputSerializer,
        responses={200: PersonOutputSerializer, **_ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        selectors.person_get(actor=self.actor, person_id=pk, action=A.EDIT_SCHOOL_DAY)
        data = PersonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.person_update(
            actor=self.actor, person_id=pk, data=_person_input(data.validated_data)
        )
        return Response(_person_data(person))

    @extend_schema(
        summary="Убрать участника дня проведения (организатор ОО)",
        responses={200: RemovedOutputSerializer, **_ERRORS},
    )
    def delete(self, request: Request, pk: int) -> Response:
        removed = services.person_remove(actor=self.actor, person_id=pk)
        return Response(RemovedOutputSerializer({"outcome": removed.outcome}).data)
