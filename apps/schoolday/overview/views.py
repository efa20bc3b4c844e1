"""«Готовность ОО ко дню проведения»: the coordinators' readiness overview (counts per unit one
level below, and the list per school and work day)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import View

from apps.campaigns import selectors as campaign_selectors
from apps.core.listing import Column, Filter, Listing
from apps.registration.access import ScopedViewMixin
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import Seat
from apps.schoolday.overview import selectors

COLUMNS = (
    Column("date", "Дата", value=lambda r: (r.date, r.school_name)),
    Column("school", "ОО", value=lambda r: (r.school_name, r.date)),
    Column("work", "Работа", value=lambda r: (r.work.grade, r.work.subject.name, r.school_name)),
)
FILTERS = (
    Filter("campaign", "Кампания"),
    Filter("work", "Работа"),
    Filter("state", "Готовность", kind="choice", choices=selectors.STATES),
)


class ReadinessView(ScopedViewMixin, View):
    """Per school and work day: placed, organizers, observers, experts; counted per unit."""

    api_routes = ("api-schoolday-readiness",)

    scoped_model = Seat
    action = A.VIEW_SCHOOL_DAY

    def get(self, request: HttpRequest) -> HttpResponse:
        listing = Listing(request, COLUMNS, "date", FILTERS)
        overview = selectors.readiness(
            actor=self.actor,
            campaign_id=listing.filters["campaign"],
            work_id=listing.filters["work"],
            state=listing.filters["state"] or "",
        )
        page = listing.paginate(overview.rows)
        ctx = {
            "overview": overview,
            "listing": listing,
            "page": page,
            "state": listing.filters["state"] or "",
            "campaigns": campaign_selectors.campaign_list(actor=self.actor),
        }
        return render(request, "schoolday/readiness.html", ctx)
