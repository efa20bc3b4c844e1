"""«Запись о дне проведения»: per work day of a school, each room with its organizer,
participants and kits, and the confirmations of the day (materials handed out; returned with the
counts of used and unused kits, return packets sealed, a note). Parse, call one selector or
service, render."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import View

from apps.core.errors import DomainError
from apps.core.instants import format_instant
from apps.registration.access import ScopedViewMixin
from apps.registration.constants import time_zone_label
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import Sitting
from apps.schoolday.placement.rules import parse_date
from apps.schoolday.record import selectors, services


def record_url(school_id: int, work_id: int, date: dt.date | None) -> str:
    url = reverse("schoolday-record", args=[school_id, work_id])
    return url + ("?" + urlencode({"date": date.isoformat()}) if date is not None else "")


def count_value(raw: str | None) -> int | None:
    """A count from a form field: a whole number from 0, else None (the service refuses)."""
    value = (raw or "").strip()
    return int(value) if value.isdigit() and len(value) < 5 else None


class RecordView(ScopedViewMixin, View):
    """The record of one work day (``?date=``; default: the school's first day of the work)."""

    api_routes = ("api-schoolday-record",)

    scoped_model = Sitting
    action = A.VIEW_SCHOOL_DAY

    def get(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponse:
        try:
            found = selectors.day_records(
                actor=self.actor,
                school_id=school_id,
                work_id=work_id,
                date=parse_date(request.GET.get("date")),
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        now = timezone.now()
        ctx = {
            "r": found,
            "school": found.school,
            "place": found.school,
            "is_open": found.is_open(now),
            "before": now < found.opens_at,
            "can_record": (
                self.actor.can(A.RECORD_DAY)
                and self.actor.scope.school_id == found.school.pk
                and found.is_open(now)
            ),
            "zone_label": time_zone_label(found.zone),
            "opens_text": format_instant(found.opens_at, found.school),
            "over_text": format_instant(found.over_at, found.school),
        }
        return render(request, "schoolday/record.html", ctx)


class _RecordPostView(ScopedViewMixin, View):
    scoped_model = Sitting
    action = A.RECORD_DAY

    def save(self, request: HttpRequest, pk: int) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        sitting = self.get_queryset().filter(pk=pk).first()
        if sitting is None:
            raise Http404  # out of scope before the form is even read
        try:
            text = self.save(request, pk)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        except DomainError as exc:
            messages.error(request, exc.message)  # nothing was saved
        else:
            messages.success(request, text)
        target = record_url(sitting.school_id, sitting.work_id, sitting.date)
        return redirect(f"{target}#room-{sitting.pk}")


class HandOutView(_RecordPostView):
    """POST: the room's materials were handed out."""

    api_routes = ("api-schoolday-record-hand-out",)

    def save(self, request: HttpRequest, pk: int) -> str:
        record = services.day_record_hand_out(actor=self.actor, sitting_id=pk)
        return f"Выдача материалов подтверждена: аудитория «{record.sitting.room.name}»."


class ReturnView(_RecordPostView):
    """POST ``used``, ``unused``, ``sealed``, ``note``: the room's materials came back."""

    api_routes = ("api-schoolday-record-return",)

    def save(self, request: HttpRequest, pk: int) -> str:
        record = services.day_record_return(
            actor=self.actor,
            sitting_id=pk,
            used_kits=count_value(request.POST.get("used")),
            unused_kits=count_value(request.POST.get("unused")),
            sealed=request.POST.get("sealed") in ("on", "1", "true"),
            note=request.POST.get("note", ""),
        )
        return (
            f"Возврат материалов подтверждён: аудитория «{record.sitting.room.name}», "
            f"использовано {record.used_kits}, не использовано {record.unused_kits}."
        )
