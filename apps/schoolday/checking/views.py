"""«Проверка работ»: the coordinators' progress per school and work, the school's works to check
and one work's page (classes, codes, the expert of each code, the automatic distribution and a
manual reassignment); an expert's account sees only the codes given to it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import View

from apps.campaigns import selectors as campaign_selectors
from apps.core.errors import DomainError
from apps.core.listing import Column, Filter, Listing
from apps.core.params import int_param
from apps.registration.access import ScopedViewMixin
from apps.registration.constants import time_zone_label
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.checking import selectors, services
from apps.schoolday.messages import SchoolDayInvalidError
from apps.schoolday.models import ExpertAssignment
from apps.schoolday.selectors import school_get

COLUMNS = (
    Column("school", "ОО", value=lambda r: (r.school_name, r.work.grade, r.work.subject.name)),
    Column("work", "Работа", value=lambda r: (r.work.grade, r.work.subject.name, r.school_name)),
    Column("given", "Передано", value=lambda r: (r.given / r.codes if r.codes else 0, r.codes)),
)
FILTERS = (Filter("campaign", "Кампания"), Filter("work", "Работа"))


class CheckingProgressView(ScopedViewMixin, View):
    """«Ход проверки работ» (coordinators): per school and work, codes to check, given to
    experts, experts of the subject and the window."""

    api_routes = ("api-schoolday-checking-progress",)

    scoped_model = ExpertAssignment
    action = A.VIEW_CHECKING

    def get(self, request: HttpRequest) -> HttpResponse:
        listing = Listing(request, COLUMNS, "work", FILTERS)
        progress = selectors.checking_progress(
            actor=self.actor,
            campaign_id=listing.filters["campaign"],
            work_id=listing.filters["work"],
        )
        ctx = {
            "progress": progress,
            "listing": listing,
            "page": listing.paginate(progress.rows),
            "campaigns": campaign_selectors.campaign_list(actor=self.actor),
        }
        return render(request, "schoolday/checking_progress.html", ctx)


class SchoolCheckingView(ScopedViewMixin, View):
    """«Проверка работ» of a school: its works with what is given to experts (an expert: its
    own codes)."""

    api_routes = ("api-schoolday-checking-progress",)

    scoped_model = ExpertAssignment
    action = A.VIEW_CHECKING

    def get(self, request: HttpRequest, school_id: int) -> HttpResponse:
        try:
            school = school_get(actor=self.actor, school_id=school_id, action=self.action)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        progress = selectors.checking_progress(
            actor=self.actor,
            campaign_id=int_param(request.GET.get("campaign")),
            school_id=school.pk,
        )
        ctx = {
            "school": school,
            "place": school,
            "progress": progress,
            "personal": self.actor.scope.user_id is not None,
            "campaigns": campaign_selectors.campaign_list(actor=self.actor, action=self.action),
        }
        return render(request, "schoolday/checking_school.html", ctx)


class CheckingView(ScopedViewMixin, View):
    """One work at a school: classes, codes and their experts; the organizer's forms."""

    api_routes = ("api-schoolday-checking",)

    scoped_model = ExpertAssignment
    action = A.VIEW_CHECKING

    def get(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponse:
        try:
            state = selectors.checking_get(actor=self.actor, school_id=school_id, work_id=work_id)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        can_assign = (
            self.actor.can(A.ASSIGN_EXPERTS)
            and self.actor.scope.school_id == state.school.pk
            and not state.over
            and bool(state.classes)
        )
        load = state.load
        ctx: dict[str, Any] = {
            "c": state,
            "school": state.school,
            "place": state.school,
            "zone_label": time_zone_label(state.zone),
            "can_assign": can_assign,
            "experts": [(e, load.get(e.pk, 0), selectors.taught_labels(e)) for e in state.experts],
            "problems": [(row, state.problem(row)) for row in state.classes if state.problem(row)],
        }
        return render(request, "schoolday/checking.html", ctx)


class _CheckingPostView(ScopedViewMixin, View):
    scoped_model = ExpertAssignment
    action = A.ASSIGN_EXPERTS

    def save(self, request: HttpRequest, school_id: int, work_id: int) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, school_id: int, work_id: int) -> HttpResponse:
        try:
            school_get(actor=self.actor, school_id=school_id, action=self.action)
            text = self.save(request, school_id, work_id)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        except DomainError as exc:
            # back to the work's page, which shows the refusal; nothing was saved
            messages.error(request, exc.message)
        else:
            messages.success(request, text)
        return redirect(reverse("schoolday-checking", args=[school_id, work_id]))


class CheckingAutoView(_CheckingPostView):
    """POST: give every code nobody checks yet to the experts, evenly."""

    api_routes = ("api-schoolday-checking-auto",)

    def save(self, request: HttpRequest, school_id: int, work_id: int) -> str:
        given = services.checking_auto_assign(
            actor=self.actor, school_id=school_id, work_id=work_id
        )
        if not given:
            return "Новых работ для распределения нет: все коды уже у экспертов."
        return f"Работы распределены экспертам автоматически: передано кодов — {given}."


class CheckingAssignView(_CheckingPostView):
    """POST ``expert`` and ``codes`` (one or more): give the codes to that expert."""

    api_routes = ("api-schoolday-checking-assign",)

    def save(self, request: HttpRequest, school_id: int, work_id: int) -> str:
        expert_id = (request.POST.get("expert") or "").strip()
        if not expert_id.isdigit():
            raise SchoolDayInvalidError("checking_expert_unknown", expert=expert_id[:20] or "—")
        codes = request.POST.getlist("codes")
        saved = services.checking_assign(
            actor=self.actor,
            school_id=school_id,
            work_id=work_id,
            expert_id=int(expert_id),
            codes=codes,
        )
        name = saved[0].expert.full_name if saved else ""
        return f"Эксперту {name} переданы коды: {', '.join(sorted(a.code.code for a in saved))}."


class CheckingUnassignView(_CheckingPostView):
    """POST ``codes``: take them back from their experts."""

    api_routes = ("api-schoolday-checking-unassign",)

    def save(self, request: HttpRequest, school_id: int, work_id: int) -> str:
        taken = services.checking_unassign(
            actor=self.actor,
            school_id=school_id,
            work_id=work_id,
            codes=request.POST.getlist("codes"),
        )
        return f"Снято с экспертов кодов: {taken}."
