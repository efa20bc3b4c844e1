"""Pages of the print planner and the delivery packets: «Что печатать» of a school (per work
day), the build request and the packet download. Parse, call one selector or service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from apps.core.downloads import private_download
from apps.core.params import int_param
from apps.registration.access import ScopedViewMixin
from apps.registration.models import School
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.messages import SchoolDayInvalidError
from apps.schoolday.models import Packet
from apps.schoolday.packets import constants, planner, selectors, services


def parse_day(raw: str | None) -> dt.date | None:
    """A day from a query or form value: ГГГГ-ММ-ДД (a date input) or ДД.ММ.ГГГГ; None if
    empty; a malformed value is refused (400)."""
    value = (raw or "").strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a plain day
        except ValueError:
            continue
    raise SchoolDayInvalidError("packet_day_required")


def parse_required_day(raw: str | None) -> dt.date:
    day = parse_day(raw)
    if day is None:
        raise SchoolDayInvalidError("packet_day_required")
    return day


def parse_work(raw: str | None) -> int:
    work_id = int_param(raw)
    if work_id is None:
        raise SchoolDayInvalidError("packet_day_required")
    return work_id


class PrintPlanView(ScopedViewMixin, TemplateView):
    """«Что печатать»: per work day of the school, each room's kits, sheets, drafts, return
    packets and toner and the total; the packets' build state and downloads."""

    api_routes = ("api-schoolday-print-plan",)

    scoped_model = School
    action = A.VIEW_SCHOOL_DAY
    template_name = "schoolday/print_plan.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET
        try:
            page = selectors.print_page(
                actor=self.actor,
                school_id=kwargs["school_id"],
                campaign_id=int_param(query.get("campaign")),
                work_id=int_param(query.get("work")),
                day=parse_day(query.get("date")),
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        now = timezone.now()
        chosen = page.chosen
        context.update(
            page=page,
            school=page.school,
            plan=chosen,
            released=chosen is not None and chosen.release.is_open(now),
            can_print=self.actor.can(A.PRINT_PACKETS),
            building=chosen is not None and chosen.count(selectors.PacketState.QUEUED) > 0,
            assumptions={
                "kit_first": planner.KIT_TITLE_PAGES,
                "tasks_per_page": planner.KIT_TASKS_PER_PAGE,
                "coverage": planner.TONER_COVERAGE_PERCENT,
                "cartridge": planner.TONER_PAGES_PER_CARTRIDGE,
                "drafts": constants.DRAFT_SHEETS_PER_PARTICIPANT,
            },
        )
        return context


class PacketsBuildView(ScopedViewMixin, View):
    """Queue the delivery packets of one work day (form post from «Что печатать»)."""

    api_routes = ("api-schoolday-packets",)

    scoped_model = School
    action = A.PRINT_PACKETS

    def post(self, request: HttpRequest, school_id: int) -> HttpResponse:
        if not self.get_queryset().filter(pk=school_id).exists():
            raise Http404  # out of scope before the form is even read
        work_id = parse_work(request.POST.get("work"))
        day = parse_required_day(request.POST.get("date"))
        try:
            result = services.packets_build_request(
                actor=self.actor, school_id=school_id, work_id=work_id, day=day
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        if result.queued:
            messages.success(request, f"Пакеты поставлены в очередь на сборку: {result.queued}.")
        else:
            messages.info(request, "Все пакеты этого дня уже собраны по текущей рассадке.")
        target = reverse("schoolday-print", args=[school_id])
        return redirect(f"{target}?work={work_id}&date={day.isoformat()}")


class PacketDownloadView(ScopedViewMixin, View):
    """A room's delivery packet (PDF), from the release instant of the code sheet."""

    api_routes = ("api-schoolday-packet-download",)

    scoped_model = Packet
    action = A.PRINT_PACKETS

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        try:
            download = services.packet_download(actor=self.actor, packet_id=pk)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        return private_download(download.open(), download.name, download.content_type)
