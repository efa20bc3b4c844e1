"""The application pages in the browser (Django test client)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.applications import services
from apps.applications.models import Application, Status
from apps.applications.tests.conftest import Chain, snapshot
from apps.registration.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def test_school_starts_fills_and_submits_its_application(chain: Chain, world: Any) -> None:
    client = world.client_for("school_organizer")
    school = chain.school()
    # given the school's menu entry
    landing = client.get("/applications/", follow=True)
    assert landing.redirect_chain[-1][0] == f"/applications/schools/{school.pk}/"
    assert "заявка не подана" in landing.content.decode()
    # when it starts the application
    opened = client.post("/applications/open/", {"campaign": chain.campaign.pk})
    app = Application.objects.get(school=school)
    assert opened["Location"] == f"/applications/{app.pk}/"
    # and posts the table with «Сохранить и подать заявку»
    response = client.post(
        f"/applications/{app.pk}/edit/",
        {
            f"tp-{chain.ru4.pk}": "да",
            f"p-{chain.ru4.pk}": "25",
            f"c-{chain.ru4.pk}": "1",
            f"tp-{chain.ma4.pk}": "нет",
            f"p-{chain.ma4.pk}": "0",
            f"c-{chain.ma4.pk}": "0",
            "then": "submit",
        },
        follow=True,
    )
    # then it is saved and submitted, and the page shows the history
    html = response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert "Заявка подана." in html
    assert "черновик → подана ОО" in html
    # and the menu entry now leads straight to it
    assert (
        client.get("/applications/", follow=True).redirect_chain[-1][0]
        == f"/applications/{app.pk}/"
    )


def test_errors_are_shown_next_to_the_row_and_nothing_is_saved(chain: Chain, world: Any) -> None:
    app = chain.open()
    client = world.client_for("school_organizer")
    before = snapshot()
    response = client.post(
        f"/applications/{app.pk}/edit/",
        {f"tp-{chain.ru4.pk}": "да", f"p-{chain.ru4.pk}": "много", f"c-{chain.ru4.pk}": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Заявка не сохранена: исправьте ошибки (1)." in html
    assert "Количество участников: Нужно целое число, а указано «много»." in html
    assert 'value="много"' in html  # what was typed stays in the field
    assert snapshot() == before


def test_coordinator_fills_for_a_school_that_did_not_apply(chain: Chain, world: Any) -> None:
    client = world.client_for("municipal")
    school = chain.school("A1b")
    page = client.get(f"/applications/schools/{school.pk}/").content.decode()
    assert "Заполнить заявку за ОО" in page
    client.post("/applications/open/", {"school": school.pk, "campaign": chain.campaign.pk})
    app = Application.objects.get(school=school)
    client.post(f"/applications/{app.pk}/confirm/", {"comment": "по телефону"})
    app.refresh_from_db()
    assert app.status == Status.CONFIRMED_MUNICIPALITY
    assert "по телефону" in client.get(f"/applications/{app.pk}/").content.decode()


def test_federal_operator_reads_but_does_not_edit(chain: Chain, world: Any) -> None:
    app = chain.submitted()
    client = world.client_for("federal")
    page = client.get(f"/applications/{app.pk}/").content.decode()
    assert "подана ОО" in page
    assert "Сохранить</button>" not in page
    assert "Подтвердить заявку" not in page
    assert client.post(f"/applications/{app.pk}/edit/", {}).status_code == 403
    assert client.post(f"/applications/{app.pk}/confirm/").status_code == 403


def test_other_schools_application_is_not_found(chain: Chain, world: Any) -> None:
    other = chain.open("A1b", role="municipal")
    client = world.client_for("school_organizer")
    assert client.get(f"/applications/{other.pk}/").status_code == 404
    assert client.post(f"/applications/{other.pk}/edit/", {}).status_code == 404
    assert client.get(f"/applications/{other.pk}/form.xlsx").status_code == 404


def test_summary_download_query_count_does_not_grow(chain: Chain, world: Any) -> None:
    muni = world.municipalities["A1"]
    actor = chain.actor("municipal")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            services.application_summary_file(
                actor=actor, unit_kind="municipality", unit_id=muni.pk
            )
        return len(ctx.captured_queries)

    chain.submitted()
    small = queries()
    for _ in range(15):
        school = SchoolFactory(municipality=muni)
        services.application_open(actor=chain.actor("municipal"), school_id=school.pk)
    assert queries() == small
    assert small <= 10
