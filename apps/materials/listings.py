"""The federal lists of works (the item bank, the builds): their filters and sortable columns,
parsed by ``core.listing``. Each work appears once; campaigns are told apart by their label."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from apps.campaigns import selectors as campaigns
from apps.campaigns.models import Work
from apps.core.listing import Column, Filter, Listing
from apps.materials.selectors import BANK_STATUSES, BUILD_STATUSES, TRACKED_LABELS, work_list
from apps.registration.access import Actor


def listing_grades(request: HttpRequest) -> tuple[str, ...]:
    """The grade filter's choices: the grades of the campaign the list is filtered by (its
    ``CampaignGrade`` rows), else those of the current campaign."""
    raw = request.GET.get("campaign", "")
    chosen = campaigns.campaign_grade_numbers(int(raw)) if raw.isdecimal() else ()
    return tuple(str(g) for g in chosen or campaigns.current_campaign_grades())


def work_order(work: Work) -> tuple[Any, ...]:
    """Newest campaign first (its later session first), then grade and subject."""
    return (-work.campaign.year, work.campaign.session, work.grade, work.subject.name)


def _filters(statuses: dict[str, str], grades: tuple[str, ...]) -> list[Filter]:
    return [
        Filter("campaign", "кампания"),
        Filter("subject", "предмет"),
        Filter("grade", "класс", kind="choice", choices=grades),
        Filter("status", "состояние", kind="choice", choices=tuple(statuses)),
    ]


BANK_COLUMNS = (
    Column("work", "Работа", value=lambda b: work_order(b.work)),
    Column("revision", "Версия банка"),
    Column("total", "Заданий"),
    Column("kits", "Комплектов"),
)
BUILD_COLUMNS = (
    Column("work", "Работа", value=lambda p: work_order(p.work)),
    Column("percent", "Готовность"),
    Column("total", "Комплектов"),
    Column("failed", "Ошибки сборки"),
)


def bank_listing(request: HttpRequest) -> Listing:
    return Listing(request, BANK_COLUMNS, "work", _filters(BANK_STATUSES, listing_grades(request)))


def build_listing(request: HttpRequest) -> Listing:
    return Listing(
        request, BUILD_COLUMNS, "work", _filters(BUILD_STATUSES, listing_grades(request))
    )


def filtered_works(*, actor: Actor, listing: Listing, action: str) -> QuerySet[Work]:
    """The works the list's campaign / subject / grade filters leave, each once (an unknown
    campaign is a 400 naming the parameter, not an empty list)."""
    campaigns.campaign_filter_get(actor=actor, campaign_id=listing.filters["campaign"])
    grade = listing.filters["grade"]
    return work_list(
        actor=actor,
        action=action,
        campaign_id=listing.filters["campaign"],
        subject_id=listing.filters["subject"],
        grade=int(grade) if grade else None,
    )


def filter_options(*, actor: Actor, statuses: dict[str, str], listing: Listing) -> dict[str, Any]:
    """What the filter form offers: campaigns (by label), subjects, the grades of the listed
    campaign and states."""
    grades = next(f.choices for f in listing.filter_specs if f.name == "grade")
    return {
        "filter_campaigns": campaigns.campaign_list(actor=actor),
        "filter_subjects": campaigns.subject_list(actor=actor),
        "filter_grades": tuple(grades),
        "filter_statuses": statuses,
    }


def download_listing(request: HttpRequest, items: list[str]) -> Listing:
    """The schools of the download monitoring: by code, or when each item was first
    downloaded (the items of the work: the password only for grade 8)."""
    columns = [
        Column("school", "ОО", value=lambda r: r.school.code),
    ]
    for index, item in enumerate(items):
        columns.append(Column(item, TRACKED_LABELS[item], value=_first_at(index)))
    return Listing(request, columns, "school")


def _first_at(index: int) -> Callable[[Any], Any]:
    """When a school first downloaded the report's ``index``-th item (None: not yet)."""

    def value(row: Any) -> Any:
        cell = row.cells[index]
        return cell.at if cell else None

    return value
