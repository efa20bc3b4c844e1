"""REST endpoints of the print planner and the delivery packets (under /api/v1/). Every one is
scoped through ScopedAPIMixin; refusals are the services' (409 before the release instant with
``context.available_from``, 409 for a packet not built or stale)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.core.downloads import private_download
from apps.core.params import int_param
from apps.registration.access import ScopedAPIMixin
from apps.registration.models import School
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import Packet
from apps.schoolday.packets import constants, planner, selectors, services
from apps.schoolday.packets.views import parse_day, parse_required_day

# --- serializers ---------------------------------------------------------------------------------


class PrintLineSerializer(serializers.Serializer[Any]):
    rooms = serializers.IntegerField()
    participants = serializers.IntegerField()
    kits = serializers.IntegerField()
    kit_pages = serializers.IntegerField(help_text="Страниц всех ИК (по оценке на один ИК).")
    cover_pages = serializers.IntegerField()
    protocol_pages = serializers.IntegerField()
    code_sheet_pages = serializers.IntegerField()
    label_pages = serializers.IntegerField()
    packet_pages = serializers.IntegerField(help_text="Страниц PDF доставочных пакетов.")
    drafts = serializers.IntegerField(help_text="Листов черновиков (не менее 2 на участника).")
    return_packets = serializers.IntegerField(help_text="ВДП: 2 на аудиторию.")
    printed_pages = serializers.IntegerField()
    sheets = serializers.IntegerField(help_text="Листов А4: печать односторонняя, и черновики.")
    toner_cartridges = serializers.FloatField(help_text="Доля одного картриджа (5 % заполнения).")


class PacketStateSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(allow_null=True)
    state = serializers.ChoiceField(choices=list(selectors.PacketState.LABELS))
    state_label = serializers.CharField()
    pages = serializers.IntegerField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    built_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField()
    download_url = serializers.CharField(allow_null=True)


class RoomPlanSerializer(serializers.Serializer[Any]):
    sitting_id = serializers.IntegerField()
    room = serializers.CharField()
    organizer = serializers.CharField(allow_blank=True)
    missing_codes = serializers.ListField(child=serializers.CharField())
    line = PrintLineSerializer()
    packet = PacketStateSerializer()


class DayPlanSerializer(serializers.Serializer[Any]):
    work_id = serializers.IntegerField()
    work = serializers.CharField()
    date = serializers.DateField()
    kit_pages = serializers.IntegerField(help_text="Страниц одного ИК (оценка по заданиям).")
    unplaced = serializers.IntegerField(
        help_text="Участников дня, не распределённых по аудиториям."
    )
    available_from = serializers.DateTimeField(allow_null=True)
    released = serializers.BooleanField()
    rooms_to_build = serializers.IntegerField()
    ready = serializers.IntegerField()
    progress_percent = serializers.IntegerField()
    rooms = RoomPlanSerializer(many=True)
    total = PrintLineSerializer()


class AssumptionsSerializer(serializers.Serializer[Any]):
    kit_title_pages = serializers.IntegerField()
    kit_tasks_per_page = serializers.IntegerField()
    draft_sheets_per_participant = serializers.IntegerField()
    return_packets_per_room = serializers.IntegerField()
    toner_coverage_percent = serializers.IntegerField()
    toner_pages_per_cartridge = serializers.IntegerField()


class PrintPlanOutputSerializer(serializers.Serializer[Any]):
    school_id = serializers.IntegerField()
    assumptions = AssumptionsSerializer()
    days = DayPlanSerializer(many=True)


class PacketsBuildInputSerializer(serializers.Serializer[Any]):
    work_id = serializers.IntegerField(min_value=1)
    date = serializers.CharField(help_text="День проведения: ГГГГ-ММ-ДД или ДД.ММ.ГГГГ.")


class PacketsBuildOutputSerializer(serializers.Serializer[Any]):
    queued = serializers.IntegerField()
    up_to_date = serializers.IntegerField()
    day = DayPlanSerializer()


# --- shaping -------------------------------------------------------------------------------------


def _line(line: planner.PrintLine) -> dict[str, Any]:
    names: list[str] = list(PrintLineSerializer().fields)
    return {name: getattr(line, name) for name in names}


def _packet(request: Request, room: selectors.RoomPlan, released: bool) -> dict[str, Any]:
    packet = room.packet
    url = None
    if packet is not None and room.state == selectors.PacketState.READY and released:
        url = request.build_absolute_uri(reverse("api-schoolday-packet-download", args=[packet.pk]))
    return {
        "id": packet.pk if packet is not None else None,
        "state": room.state,
        "state_label": room.state_label,
        "pages": packet.pages if packet is not None else 0,
        "size": packet.size if packet is not None else 0,
        "sha256": packet.sha256 if packet is not None else "",
        "built_at": packet.built_at if packet is not None else None,
        "error": packet.error if packet is not None else "",
        "download_url": url,
    }


def _day(request: Request, plan: selectors.DayPlan, now: dt.datetime) -> dict[str, Any]:
    released = plan.release.is_open(now)
    return {
        "work_id": plan.work.pk,
        "work": plan.title,
        "date": plan.date,
        "kit_pages": plan.kit_pages,
        "unplaced": plan.unplaced,
        "available_from": plan.release.at,
        "released": released,
        "rooms_to_build": plan.to_build,
        "ready": plan.ready,
        "progress_percent": plan.progress_percent,
        "rooms": [
            {
                "sitting_id": room.sitting.pk,
                "room": room.sitting.room.name,
                "organizer": room.sitting.organizer.full_name if room.sitting.organizer else "",
                "missing_codes": list(room.missing),
                "line": _line(room.line),
                "packet": _packet(request, room, released),
            }
            for room in plan.rooms
        ],
        "total": _line(plan.total),
    }


ASSUMPTIONS = {
    "kit_title_pages": planner.KIT_TITLE_PAGES,
    "kit_tasks_per_page": planner.KIT_TASKS_PER_PAGE,
    "draft_sheets_per_participant": constants.DRAFT_SHEETS_PER_PARTICIPANT,
    "return_packets_per_room": constants.RETURN_PACKETS_PER_ROOM,
    "toner_coverage_percent": planner.TONER_COVERAGE_PERCENT,
    "toner_pages_per_cartridge": planner.TONER_PAGES_PER_CARTRIDGE,
}

_FILTERS = [
    OpenApiParameter("campaign", int, description="Кампания (по умолчанию текущая)."),
    OpenApiParameter("work", int, description="Только эта работа."),
    OpenApiParameter("date", str, description="Только этот день (ГГГГ-ММ-ДД)."),
]


def _plans(view: ScopedAPIMixin, request: Request, school_id: int, action: str) -> Response:
    query = request.query_params
    school, _days, plans = selectors.print_plan(
        actor=view.actor,
        school_id=school_id,
        campaign_id=int_param(query.get("campaign")),
        work_id=int_param(query.get("work")),
        day=parse_day(query.get("date")),
        action=action,
    )
    now = timezone.now()
    data = {
        "school_id": school.pk,
        "assumptions": ASSUMPTIONS,
        "days": [_day(request, plan, now) for plan in plans],
    }
    return Response(PrintPlanOutputSerializer(data).data)


# --- endpoints -----------------------------------------------------------------------------------


class PrintPlanApi(ScopedAPIMixin, APIView):
    """What the school prints per work day: per room and in total (kits, pages, code sheets,
    protocols, drafts, return packets, sheets, toner)."""

    scoped_model = School
    method_actions = {"GET": A.VIEW_SCHOOL_DAY}

    @extend_schema(parameters=_FILTERS, responses=PrintPlanOutputSerializer, summary="Что печатать")
    def get(self, request: Request, school_id: int) -> Response:
        return _plans(self, request, school_id, A.VIEW_SCHOOL_DAY)


class PacketsApi(ScopedAPIMixin, APIView):
    """The delivery packets of the school's work days: state and progress (GET); the build of
    one work day's packets (POST, idempotent: packets built from the current inputs stay)."""

    scoped_model = School
    method_actions = {"GET": A.PRINT_PACKETS, "POST": A.PRINT_PACKETS}

    @extend_schema(
        parameters=_FILTERS,
        responses=PrintPlanOutputSerializer,
        summary="Доставочные пакеты: состояние сборки",
    )
    def get(self, request: Request, school_id: int) -> Response:
        return _plans(self, request, school_id, A.PRINT_PACKETS)

    @extend_schema(
        request=PacketsBuildInputSerializer,
        responses={202: PacketsBuildOutputSerializer, 409: ErrorSerializer},
        summary="Собрать доставочные пакеты дня",
    )
    def post(self, request: Request, school_id: int) -> Response:
        self.get_queryset().get(pk=school_id)  # out of scope (404) before the body is read
        body = PacketsBuildInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        day = parse_required_day(body.validated_data["date"])
        work_id = body.validated_data["work_id"]
        result = services.packets_build_request(
            actor=self.actor, school_id=school_id, work_id=work_id, day=day
        )
        plan = selectors.day_plan_get(
            actor=self.actor, school_id=school_id, work_id=work_id, day=day, action=A.PRINT_PACKETS
        )
        data = {
            "queued": result.queued,
            "up_to_date": result.up_to_date,
            "day": _day(request, plan, timezone.now()),
        }
        return Response(PacketsBuildOutputSerializer(data).data, status=status.HTTP_202_ACCEPTED)


class PacketDownloadApi(ScopedAPIMixin, APIView):
    """A room's delivery packet (PDF), from the release instant of the school's code sheet."""

    scoped_model = Packet
    method_actions = {"GET": A.PRINT_PACKETS}

    @extend_schema(
        responses={200: bytes, 409: ErrorSerializer}, summary="Скачать доставочный пакет"
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        download = services.packet_download(actor=self.actor, packet_id=pk)
        return private_download(download.open(), download.name, download.content_type)
