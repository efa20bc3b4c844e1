"""The school's day pages: «Аудитории и рассадка» (its work days and what each has assigned) and
one work day's placement (the proposal, the table of places per class and room, organizers and
observers per room), with the organizer's three posts."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import View

from apps.campaigns import selectors as campaign_selectors
from apps.classes.models import ClassWork
from apps.core.errors import DomainError
from apps.core.params import int_param
from apps.registration.access import ScopedViewMixin
from apps.registration.constants import time_zone_label
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.messages import SchoolDayInvalidError
from apps.schoolday.models import Seat
from apps.schoolday.overview.selectors import readiness
from apps.schoolday.placement import selectors, services
from apps.schoolday.placement.rules import Move, parse_date
from apps.schoolday.selectors import school_get


def _count(raw: str, where: str) -> int:
    value = (raw or "").strip()
    if not value:
        return 0
    if not value.isdigit() or int(value) > 60:
        raise PlacementFormError(f"{where}: укажите целое число участников от 0 до 60.")
    return int(value)


class PlacementFormError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _day_url(school_id: int, work_id: int, date: dt.date | None, anchor: str = "") -> str:
    url = reverse("schoolday-placement", args=[school_id, work_id])
    if date is not None:
        url += "?" + urlencode({"date": date.isoformat()})
    return url + (f"#{anchor}" if anchor else "")


class SchoolDayView(ScopedViewMixin, View):
    """«Аудитории и рассадка»: the school's work days and what each has assigned."""

    api_routes = ("api-schoolday-days",)

    scoped_model = Seat
    action = A.VIEW_SCHOOL_DAY

    def get(self, request: HttpRequest, school_id: int) -> HttpResponse:
        try:
            school = school_get(actor=self.actor, school_id=school_id)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        campaign_id = int_param(request.GET.get("campaign"))
        overview = readiness(actor=self.actor, campaign_id=campaign_id, school_id=school.pk)
        ctx = {
            "school": school,
            "overview": overview,
            "campaigns": campaign_selectors.campaign_list(actor=self.actor),
        }
        return render(request, "schoolday/school_day.html", ctx)


class PlacementView(ScopedViewMixin, View):
    """One work day's placement (``?date=``; default: the school's first day of the work)."""

    api_routes = ("api-schoolday-placement",)

    scoped_model = Seat
    action = A.VIEW_SCHOOL_DAY

    def get(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponse:
        try:
            found = selectors.placement(
                actor=self.actor,
                school_id=school_id,
                work_id=work_id,
                date=parse_date(request.GET.get("date")),
            )
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        can_edit = (
            self.actor.can(A.EDIT_SCHOOL_DAY)
            and self.actor.scope.school_id == found.school.pk
            and not found.over
            and bool(found.classes)
        )
        matrix_rooms = [row.room for row in found.rooms if row.room.is_active]
        ctx: dict[str, Any] = {
            "p": found,
            "matrix_rooms": matrix_rooms,
            "matrix": [
                (c, [(room, c.count_in(room.pk)) for room in matrix_rooms]) for c in found.classes
            ],
            "school": found.school,
            "can_edit": can_edit,
            "zone_label": time_zone_label(found.zone),
            "computer": ClassWork.Form.COMPUTER,
        }
        return render(request, "schoolday/placement.html", ctx)


class _PlacementPostView(ScopedViewMixin, View):
    scoped_model = Seat
    action = A.EDIT_SCHOOL_DAY
    anchor = ""

    def save(self, request: HttpRequest, school_id: int, work_id: int, date: Any) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponse:
        try:
            school_get(actor=self.actor, school_id=school_id, action=self.action)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        date = parse_date(request.POST.get("date"))
        if date is None:
            raise SchoolDayInvalidError("date_required")  # the error hook answers
        try:
            text = self.save(request, school_id, work_id, date)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        except (PlacementFormError, DomainError) as exc:
            # back to the day's page, where the form shows the refusal; nothing was saved
            messages.error(request, exc.message)
        else:
            messages.success(request, text)
        return redirect(_day_url(school_id, work_id, date, self.anchor))


class PlacementProposeView(_PlacementPostView):
    """POST: save the automatic proposal as the day's placement."""

    api_routes = ("api-schoolday-placement-propose",)

    def save(self, request: HttpRequest, school_id: int, work_id: int, date: Any) -> str:
        sittings = services.placement_propose(
            actor=self.actor, school_id=school_id, work_id=work_id, date=date
        )
        return f"Рассадка составлена автоматически: аудиторий — {len(sittings)}."


class PlacementSaveView(_PlacementPostView):
    """POST the table of places: ``n-<class work>-<room>`` = participants of the class there;
    each class's codes fill its rooms in room order."""

    api_routes = ("api-schoolday-placement",)

    anchor = "seats"

    def save(self, request: HttpRequest, school_id: int, work_id: int, date: Any) -> str:
        found = selectors.placement(
            actor=self.actor, school_id=school_id, work_id=work_id, date=date, action=self.action
        )
        moves = []
        for row in found.classes:
            for room_row in found.rooms:
                if not room_row.room.is_active:
                    continue
                where = f"Класс {row.label}, аудитория «{room_row.room.name}»"
                key = f"n-{row.class_work.pk}-{room_row.room.pk}"
                moves.append(
                    Move(
                        row.class_work.pk,
                        room_row.room.pk,
                        _count(request.POST.get(key, ""), where),
                    )
                )
        services.placement_save(
            actor=self.actor, school_id=school_id, work_id=work_id, date=date, moves=moves
        )
        return "Рассадка сохранена."


class StaffSaveView(_PlacementPostView):
    """POST organizers and observers: ``organizer-<room>`` and ``observers-<room>`` for every
    room of the day's placement."""

    api_routes = ("api-schoolday-staff",)

    anchor = "staff"

    def save(self, request: HttpRequest, school_id: int, work_id: int, date: Any) -> str:
        found = selectors.placement(
            actor=self.actor, school_id=school_id, work_id=work_id, date=date, action=self.action
        )
        staff = []
        for row in found.used_rooms:
            room_id = row.room.pk
            organizer = (request.POST.get(f"organizer-{room_id}") or "").strip()
            observers = request.POST.getlist(f"observers-{room_id}")
            try:
                staff.append(
                    services.StaffInput(
                        room_id,
                        int(organizer) if organizer else None,
                        tuple(int(o) for o in observers if o),
                    )
                )
            except ValueError as exc:
                raise PlacementFormError(
                    f"Аудитория «{row.room.name}»: выберите людей из списков."
                ) from exc
        services.staff_save(
            actor=self.actor, school_id=school_id, work_id=work_id, date=date, staff=staff
        )
        return "Организаторы и наблюдатели сохранены."
