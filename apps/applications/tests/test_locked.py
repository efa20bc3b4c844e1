"""A confirmed application cannot be changed by the school — browser, xlsx or API; reopening
restores that."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.applications import services
from apps.applications.models import Application, Status
from apps.applications.tests.conftest import Chain, edit_xlsx, snapshot, upload
from apps.core.uploads import UploadError

pytestmark = pytest.mark.django_db

LOCKED = (
    "Заявка подтверждена муниципальным координатором и закрыта для изменений. Чтобы изменить её, "
    "обратитесь к муниципальному координатору: он может вернуть заявку на доработку."
)


@pytest.fixture
def confirmed(chain: Chain) -> Application:
    app = chain.submitted("A1a")
    services.application_confirm(actor=chain.actor("municipal"), application_id=app.pk)
    app.refresh_from_db()
    assert app.status == Status.CONFIRMED_MUNICIPALITY
    return app


def _browser_edit(client: Any, app: Application, chain: Chain, participants: int) -> Any:
    return client.post(
        f"/applications/{app.pk}/edit/",
        {f"tp-{chain.ru4.pk}": "да", f"p-{chain.ru4.pk}": participants, f"c-{chain.ru4.pk}": 1},
        follow=True,
    )


def _form_with(chain: Chain, app: Application, participants: int) -> bytes:
    content = services.application_form_file(
        actor=chain.actor("school_organizer"), application_id=app.pk
    ).content
    return edit_xlsx(content, "Заявка", {"D5": participants})  # row 5: Русский язык, 4 класс


def test_browser_refuses_the_school(chain: Chain, confirmed: Application, world: Any) -> None:
    client = world.client_for("school_organizer")
    # given the application page of a confirmed application
    page = client.get(f"/applications/{confirmed.pk}/").content.decode()
    # then it shows the lock, with disabled inputs and no save button
    assert LOCKED in page
    assert "disabled" in page
    assert "Сохранить</button>" not in page
    # when the school posts a change anyway
    before = snapshot()
    response = _browser_edit(client, confirmed, chain, 10)
    # then it is refused in Russian and nothing changes
    assert LOCKED in response.content.decode()
    assert snapshot() == before


def test_xlsx_refuses_the_school(chain: Chain, confirmed: Application, world: Any) -> None:
    content = _form_with(chain, confirmed, 10)
    before = snapshot()
    # when the school uploads a changed form (service and page)
    with pytest.raises(UploadError) as caught:
        upload(chain.actor("school_organizer"), content)
    response = world.client_for("school_organizer").post(
        "/applications/upload/", {"file": SimpleUploadedFile("Заявка.xlsx", content)}
    )
    # then both refuse it in Russian, and nothing changes
    assert [e.message for e in caught.value.errors] == [LOCKED]
    assert LOCKED in response.content.decode()
    assert snapshot() == before


def test_api_refuses_the_school(chain: Chain, confirmed: Application, world: Any) -> None:
    client = world.client_for("school_organizer")
    before = snapshot()
    # when the school PUTs a line through the API
    response = client.put(
        f"/api/v1/applications/{confirmed.pk}/lines/",
        {"lines": [{"work": chain.ru4.pk, "takes_part": True, "participants": 10, "classes": 1}]},
        content_type="application/json",
    )
    # then it gets 409 with the Russian reason, and nothing changes
    assert response.status_code == 409
    assert response.json() == {"detail": LOCKED, "code": "locked_municipality"}
    assert snapshot() == before


def test_reopening_restores_every_channel(chain: Chain, confirmed: Application, world: Any) -> None:
    # given the municipality reopens the application through the API
    coordinator = world.client_for("municipal")
    reopened = coordinator.post(
        f"/api/v1/applications/{confirmed.pk}/reopen/", {"comment": "исправьте"}
    )
    assert reopened.status_code == 200
    assert reopened.json()["application"]["status"] == "submitted"
    client = world.client_for("school_organizer")
    # when the school edits through the browser, the API and an uploaded form
    _browser_edit(client, confirmed, chain, 11)
    by_browser = confirmed.lines.get(work=chain.ru4).participants
    api = client.put(
        f"/api/v1/applications/{confirmed.pk}/lines/",
        {"lines": [{"work": chain.ru4.pk, "takes_part": True, "participants": 12, "classes": 1}]},
        content_type="application/json",
    )
    by_api = confirmed.lines.get(work=chain.ru4).participants
    batch = upload(chain.actor("school_organizer"), _form_with(chain, confirmed, 13))
    services.application_import_apply(actor=chain.actor("school_organizer"), batch_id=batch.pk)
    # then each change went through
    assert api.status_code == 200
    assert (by_browser, by_api, confirmed.lines.get(work=chain.ru4).participants) == (11, 12, 13)
    history = [
        d["to_status"]
        for d in client.get(f"/api/v1/applications/{confirmed.pk}/").json()["decisions"]
    ]
    assert history == ["submitted", "confirmed_municipality", "submitted"]
