"""Every route that accepts an xlsx file refuses the malicious ones in Russian and changes nothing.

Two attacks, posted to each upload route (HTML and API, uploads and dry runs):

* a 1.5 KB workbook whose only cells are A1 and XFD1048576 — python-calamine tried to allocate
  512 GiB for it and the process aborted;
* a zip bomb: a workbook with a part that inflates to 300 MiB from 300 KB.

The guards live in ``apps.core.uploads.read_workbook`` / ``apps.core.untrusted``; this matrix
proves each route goes through them before anything is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.campaigns.models import SchoolWorkDate
from apps.campaigns.tests.factories import WorkFactory
from apps.core.models import AuditEvent
from apps.core.tests.bad_files import cell_range_bomb, padded, workbook
from apps.core.tests.bad_files import sheet as sheet_xml
from apps.registration.accounts.rules import AccountFileKind
from apps.results.tests.conftest import issue_codes
from conftest import World

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Inside the results upload window of the default work (as apps/results/tests/conftest.py).
IN_WINDOW = dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Post:
    """Who posts what where: the role's client, the URL and the form fields besides the file."""

    role: str
    url: str
    data: dict[str, Any]
    filename: str = "форма.xlsx"


def _results(world: World, time_machine: Any) -> Any:
    """Русский язык 4 класс with codes and a chosen day at A1a, the clock inside the window."""
    time_machine.move_to(IN_WINDOW, tick=False)
    work = WorkFactory()
    school = world.schools["A1a"]
    issue_codes(school, work, 4, range(1, 4), class_number=1)
    SchoolWorkDate.objects.create(
        school=school,
        work=work,
        date=dt.date(2026, 4, 15),
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    return work


def _results_html(check: bool) -> Callable[[World, Any], Post]:
    def make(world: World, time_machine: Any) -> Post:
        work = _results(world, time_machine)
        kwargs = {"school_id": world.schools["A1a"].pk, "work_id": work.pk}
        data = {"check" if check else "upload": "1"}
        return Post("school_organizer", reverse("results-upload", kwargs=kwargs), data)

    return make


def _results_api(dry_run: bool) -> Callable[[World, Any], Post]:
    def make(world: World, time_machine: Any) -> Post:
        work = _results(world, time_machine)
        kwargs = {"school_id": world.schools["A1a"].pk, "work_id": work.pk}
        data = {"dry_run": "true"} if dry_run else {}
        return Post("school_tech", reverse("api-school-results", kwargs=kwargs), data)

    return make


def _context(api: bool) -> Callable[[World, Any], Post]:
    def make(world: World, time_machine: Any) -> Post:
        work = _results(world, time_machine)
        school_id = world.schools["A1a"].pk
        if api:
            url = reverse("api-school-context", kwargs={"school_id": school_id})
            return Post("school_organizer", url, {"campaign": work.campaign_id})
        url = reverse("results-context-upload", kwargs={"school_id": school_id})
        return Post("school_organizer", f"{url}?campaign={work.campaign_id}", {})

    return make


def _applications(world: World, time_machine: Any) -> Post:
    return Post("school_organizer", reverse("application-upload"), {})


def _municipal_coordinators(world: World, time_machine: Any) -> Post:
    url = reverse("municipal-coordinators", args=[world.regions["A"].pk])
    return Post("regional", url, {})


def _school_organizers(world: World, time_machine: Any) -> Post:
    url = reverse("school-organizers", args=[world.municipalities["A1"].pk])
    return Post("municipal", url, {})


def _accounts_api(world: World, time_machine: Any) -> Post:
    data = {
        "kind": AccountFileKind.MUNICIPAL_COORDINATORS.value,
        "unit_id": world.regions["A"].pk,
    }
    return Post("regional", reverse("api-account-imports"), data)


def _school_list(world: World, time_machine: Any) -> Post:
    return Post("municipal", reverse("reconciliation-upload"), {})


def _school_list_api(world: World, time_machine: Any) -> Post:
    return Post("municipal", reverse("api-school-list-batches"), {})


def _works_import(world: World, time_machine: Any) -> Post:
    work = WorkFactory()
    return Post("federal", reverse("campaign-import", args=[work.campaign_id]), {})


def _works_import_api(world: World, time_machine: Any) -> Post:
    work = WorkFactory()
    return Post("federal", reverse("api-work-imports"), {"campaign": work.campaign_id})


def _item_bank(world: World, time_machine: Any) -> Post:
    work = WorkFactory()
    return Post("federal", reverse("materials-bank"), {"work": work.pk}, filename="банк.xlsx")


ROUTES: dict[str, Callable[[World, Any], Post]] = {
    "results-upload": _results_html(check=False),
    "results-check": _results_html(check=True),
    "results-api-upload": _results_api(dry_run=False),
    "results-api-dry-run": _results_api(dry_run=True),
    "context-upload": _context(api=False),
    "context-api": _context(api=True),
    "applications-upload": _applications,
    "municipal-coordinators": _municipal_coordinators,
    "school-organizers": _school_organizers,
    "account-imports-api": _accounts_api,
    "school-list-upload": _school_list,
    "school-list-api": _school_list_api,
    "works-import": _works_import,
    "works-import-api": _works_import_api,
    "item-bank": _item_bank,
}


def _zip_bomb() -> bytes:
    # 300 MiB of zeros in 300 KB next to a readable sheet (the issue's 316 KB results form).
    return padded(workbook(sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')), 300)


ATTACKS: dict[str, tuple[Callable[[], bytes], tuple[str, ...]]] = {
    # (the file, fragments the refusal must show)
    "cell-range-bomb": (cell_range_bomb, ("Лист «Лист1» слишком велик", "XFD1048576", "не более")),
    "zip-bomb": (_zip_bomb, ("Файл слишком велик после распаковки", "не более")),
}


def _state() -> dict[str, int]:
    """Row counts of every table but the audit log (a refusal is audited, nothing else)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in django_apps.get_models()
        if model is not AuditEvent
    }


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("route", ROUTES)
def test_a_malicious_workbook_is_refused_on_every_upload_route(
    world: World, time_machine: Any, route: str, attack: str
) -> None:
    # given a route that takes an xlsx file, its user, and a malicious workbook
    post = ROUTES[route](world, time_machine)
    build, fragments = ATTACKS[attack]
    client: Client = world.client_for(post.role)
    before = _state()
    # when the file is posted
    response = client.post(
        post.url,
        {**post.data, "file": SimpleUploadedFile(post.filename, build(), content_type=XLSX)},
    )
    # then the refusal names the problem and its limit, in Russian, and nothing changed
    body = response.content.decode()
    assert response.status_code in (200, 400), (response.status_code, body[:500])
    for fragment in fragments:
        assert fragment in body, f"{route}: {fragment!r} not in the answer:\n{body[:3000]}"
    assert _state() == before
