"""The API of the record of the day: one work day's rooms with their records (GET), the
hand-out and the return of a room's materials (POST). Refusals are the services' (409 before
the day, after it, a second hand-out, a return before the hand-out; 400 for counts that do not
add up or return packets not sealed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.registration.access import ScopedAPIMixin
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import DayRecord, Sitting
from apps.schoolday.placement.rules import parse_date
from apps.schoolday.record import selectors, services

_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class ClassCountSerializer(serializers.Serializer[Any]):
    school_class = serializers.CharField(help_text="Класс, например «4А»")
    participants = serializers.IntegerField()


class RecordSerializer(serializers.Serializer[Any]):
    record_state = serializers.ChoiceField(
        choices=list(selectors.STATE_LABELS), help_text="none / handed_out / returned"
    )
    record_label = serializers.CharField(help_text="«не выданы», «выданы», «возвращены»")
    handed_out_at = serializers.DateTimeField(allow_null=True, help_text="UTC")
    handed_out_by = serializers.CharField(allow_blank=True)
    returned_at = serializers.DateTimeField(allow_null=True, help_text="UTC")
    returned_by = serializers.CharField(allow_blank=True)
    used_kits = serializers.IntegerField(allow_null=True)
    unused_kits = serializers.IntegerField(allow_null=True)
    sealed = serializers.BooleanField(help_text="Возвратные пакеты запечатаны")
    note = serializers.CharField(allow_blank=True)


class RoomRecordSerializer(serializers.Serializer[Any]):
    sitting_id = serializers.IntegerField()
    room = serializers.CharField()
    organizer = serializers.CharField(allow_blank=True)
    classes = ClassCountSerializer(many=True)
    participants = serializers.IntegerField()
    kits = serializers.IntegerField(help_text="Комплектов в доставочном пакете аудитории")
    record = RecordSerializer()


class DayRecordsSerializer(serializers.Serializer[Any]):
    school_id = serializers.IntegerField()
    work_id = serializers.IntegerField()
    work = serializers.CharField()
    date = serializers.DateField()
    time_zone = serializers.CharField()
    opens_at = serializers.DateTimeField(help_text="Начало дня в часовом поясе ОО (UTC)")
    over_at = serializers.DateTimeField(help_text="Конец дня в часовом поясе ОО (UTC)")
    open = serializers.BooleanField(help_text="Запись о дне сейчас ведётся")
    rooms_handed_out = serializers.IntegerField()
    rooms_returned = serializers.IntegerField()
    summary = serializers.CharField(help_text="«—», «выдано n из m аудиторий», «возвращено …»")
    rooms = RoomRecordSerializer(many=True)


class ReturnInputSerializer(serializers.Serializer[Any]):
    used_kits = serializers.IntegerField(min_value=0, max_value=9999)
    unused_kits = serializers.IntegerField(min_value=0, max_value=9999)
    sealed = serializers.BooleanField(help_text="ВДП №1 и №2 запечатаны (обязательно true)")
    note = serializers.CharField(required=False, allow_blank=True, default="")


def _person(user: Any) -> str:
    return (user.full_name or user.username) if user is not None else ""


def _record(row: selectors.RoomRecord) -> dict[str, Any]:
    record = row.record
    return {
        "record_state": row.state,
        "record_label": row.state_label,
        "handed_out_at": record.handed_out_at if record else None,
        "handed_out_by": _person(record.handed_out_by) if record else "",
        "returned_at": record.returned_at if record else None,
        "returned_by": _person(record.returned_by) if record else "",
        "used_kits": record.used_kits if record else None,
        "unused_kits": record.unused_kits if record else None,
        "sealed": record.sealed if record else False,
        "note": record.note if record else "",
    }


def day_records_data(found: selectors.DayRecords, now: dt.datetime) -> dict[str, Any]:
    summary = found.summary
    return DayRecordsSerializer(
        {
            "school_id": found.school.pk,
            "work_id": found.work.pk,
            "work": found.title,
            "date": found.date,
            "time_zone": found.zone,
            "opens_at": found.opens_at,
            "over_at": found.over_at,
            "open": found.is_open(now),
            "rooms_handed_out": summary.handed_out,
            "rooms_returned": summary.returned,
            "summary": summary.label,
            "rooms": [
                {
                    "sitting_id": row.sitting.pk,
                    "room": row.sitting.room.name,
                    "organizer": row.sitting.organizer.full_name if row.sitting.organizer else "",
                    "classes": [
                        {"school_class": label, "participants": count}
                        for label, count in row.classes
                    ],
                    "participants": row.participants,
                    "kits": row.kits,
                    "record": _record(row),
                }
                for row in found.rooms
            ],
        }
    ).data


def _day_of(view: ScopedAPIMixin, record: DayRecord) -> Response:
    sitting = record.sitting
    found = selectors.day_records(
        actor=view.actor,
        school_id=sitting.school_id,
        work_id=sitting.work_id,
        date=sitting.date,
        action=A.RECORD_DAY,
    )
    return Response(day_records_data(found, timezone.now()))


class DayRecordApi(ScopedAPIMixin, APIView):
    """The record of one work day: every room with its participants, kits and confirmations."""

    scoped_model = Sitting
    method_actions = {"GET": A.VIEW_SCHOOL_DAY}

    @extend_schema(
        summary="Запись о дне проведения",
        parameters=[
            OpenApiParameter(
                "date", dt.date, description="День проведения; по умолчанию — первый день работы"
            )
        ],
        responses={200: DayRecordsSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, school_id: int, work_id: int) -> Response:
        found = selectors.day_records(
            actor=self.actor,
            school_id=school_id,
            work_id=work_id,
            date=parse_date(request.query_params.get("date")),
        )
        return Response(day_records_data(found, timezone.now()))


class HandOutApi(ScopedAPIMixin, APIView):
    """Confirm that the room's materials were handed out (once, on the day, school-local)."""

    scoped_model = Sitting
    method_actions = {"POST": A.RECORD_DAY}

    @extend_schema(
        summary="Материалы выданы в аудитории",
        request=None,
        responses={200: DayRecordsSerializer, **_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        record = services.day_record_hand_out(actor=self.actor, sitting_id=pk)
        return _day_of(self, record)


class ReturnApi(ScopedAPIMixin, APIView):
    """Confirm that the room's materials came back: used + unused kits equal the kits of the
    room's packet, the return packets sealed. A second confirmation on the day corrects it."""

    scoped_model = Sitting
    method_actions = {"POST": A.RECORD_DAY}

    @extend_schema(
        summary="Материалы возвращены, пакеты запечатаны",
        request=ReturnInputSerializer,
        responses={200: DayRecordsSerializer, **_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        self.get_queryset().get(pk=pk)  # out of scope (404) before the body is read
        body = ReturnInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        record = services.day_record_return(
            actor=self.actor,
            sitting_id=pk,
            used_kits=data["used_kits"],
            unused_kits=data["unused_kits"],
            sealed=data["sealed"],
            note=data["note"],
        )
        return _day_of(self, record)
