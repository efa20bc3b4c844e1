"""The application's history shows what each save of its lines changed, not only transitions."""

from __future__ import annotations

from typing import Any

import pytest

from apps.applications import selectors, services
from apps.applications.models import ApplicationLineChange
from apps.applications.rules import RawLine
from apps.applications.tests.conftest import Chain

pytestmark = pytest.mark.django_db


def test_history_shows_the_coordinators_change_before_and_after(chain: Chain, world: Any) -> None:
    # given a school's submitted application with 48 participants in Математика 4
    app = chain.open()
    chain.fill(app, lines={chain.ru4: ("да", 25, 1), chain.ma4: ("да", 48, 2)})
    services.application_submit(actor=chain.actor("school_organizer"), application_id=app.pk)
    # when the municipal coordinator corrects it to 46
    services.application_lines_save(
        actor=chain.actor("municipal"),
        application_id=app.pk,
        lines={chain.ma4.pk: RawLine("да", 46, 2)},
    )
    # then the change is stored with who made it and the values before and after
    last = ApplicationLineChange.objects.filter(application=app).latest("at", "pk")
    assert last.actor == world.users["municipal"]
    assert last.changes == [
        {"work": last.changes[0]["work"], "old": [True, 48, 2], "new": [True, 46, 2]}
    ]
    # and the page's history lists it, field by field, after the submission
    page = selectors.application_page(actor=chain.actor("school_organizer"), application_id=app.pk)
    whats = [(h.who, h.what, h.changes) for h in page.history]
    assert whats[-1][0].startswith("t_municipal")
    assert whats[-1][1] == "Изменены строки заявки"
    assert whats[-1][2] == [f"{last.changes[0]['work']}: участников 48 → 46"]
    assert "Математика" in last.changes[0]["work"]
    assert [w[1] for w in whats] == [
        "Изменены строки заявки",
        "черновик → подана ОО",
        "Изменены строки заявки",
    ]
    # and the school sees it on its page
    html = world.client_for("school_organizer").get(f"/applications/{app.pk}/").content.decode()
    assert "участников 48 → 46" in html


def test_line_change_text_names_each_changed_field() -> None:
    from apps.applications.rules import LineValues

    yes = LineValues(True, 48, 2)
    assert selectors.line_change_text("Ма 4", yes, LineValues(True, 48, 3)) == (
        "Ма 4: классов 2 → 3"
    )
    assert selectors.line_change_text("Ма 4", yes, LineValues(True, 46, 1)) == (
        "Ма 4: участников 48 → 46, классов 2 → 1"
    )
    assert selectors.line_change_text("Ма 4", yes, LineValues()).startswith("Ма 4: да")
