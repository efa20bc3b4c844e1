"""The approval chain through the services: transitions, decisions, audit rows, deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from apps.applications import selectors, services
from apps.applications.messages import ChainError
from apps.applications.models import Application, ApplicationDecision, Source, Status
from apps.applications.rules import RawLine
from apps.applications.tests.conftest import AFTER_DEADLINE, Chain, snapshot
from apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _decisions(app: Application) -> list[tuple[str, str, str, str, str]]:
    return list(
        ApplicationDecision.objects.filter(application=app)
        .order_by("at", "pk")
        .values_list("actor__username", "role", "from_status", "to_status", "source")
    )


def test_school_fills_and_submits_then_municipality_and_region_confirm(chain: Chain) -> None:
    # given a school's new application
    app = chain.open()
    assert app.status == Status.DRAFT
    # when the school fills it and submits, the municipality confirms, the region confirms
    saved = chain.fill(app)
    services.application_submit(actor=chain.actor("school_organizer"), application_id=app.pk)
    services.application_confirm(actor=chain.actor("municipal"), application_id=app.pk)
    services.application_confirm(
        actor=chain.actor("regional"), application_id=app.pk, source=Source.API, comment="ок"
    )
    # then every transition is a decision row: who, role, from → to, how
    app.refresh_from_db()
    assert saved.changed
    assert app.status == Status.CONFIRMED_REGION
    assert _decisions(app) == [
        ("t_school", "school_organizer", "draft", "submitted", "browser"),
        ("t_municipal", "municipal", "submitted", "confirmed_municipality", "browser"),
        ("t_regional", "regional", "confirmed_municipality", "confirmed_region", "api"),
    ]
    # and one audit row each
    actions = list(
        AuditEvent.objects.filter(target_id=str(app.pk), action__startswith="application.")
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "application.open",
        "application.lines_save",
        "application.submit",
        "application.confirm",
        "application.confirm",
    ]


def test_lines_are_stored_and_shown_for_every_work(chain: Chain) -> None:
    # given a filled application
    app = chain.open()
    chain.fill(app)
    # when its page is read
    page = selectors.application_page(actor=chain.actor("school_tech"), application_id=app.pk)
    # then every work of the campaign has a row, the untouched one «нет»
    assert [(r.work.label, r.values.takes_part, r.values.participants) for r in page.rows] == [
        ("Математика, 4 класс", True, 24),
        ("Русский язык, 4 класс", True, 25),
        ("Математика, 5 класс", False, 0),
    ]
    assert page.can_edit
    assert page.can_submit


def test_bad_lines_are_refused_and_change_nothing(chain: Chain) -> None:
    # given a draft
    app = chain.open()
    before = snapshot()
    # when the school sends more participants than pupils in the grade and a negative count
    with pytest.raises(services.LinesInvalidError) as caught:
        chain.fill(app, lines={chain.ru4: ("да", 51, 1), chain.ma5: ("да", -1, 1)})
    # then each problem is named, and nothing is stored
    issues = [(i.work_id, i.field, i.message) for i in caught.value.issues]
    assert (
        chain.ma5.pk,
        "participants",
        "Число не может быть отрицательным (указано -1).",
    ) in issues
    assert (
        chain.ru4.pk,
        "participants",
        "Участников (51) больше, чем обучающихся 4 классов по опросному листу ОО (50).",
    ) in issues
    assert caught.value.message == "Заявка не сохранена: исправьте ошибки (2)."
    assert snapshot() == before


def test_school_cannot_edit_after_municipal_confirmation_until_reopened(chain: Chain) -> None:
    # given an application confirmed by the municipality
    app = chain.submitted()
    services.application_confirm(actor=chain.actor("municipal"), application_id=app.pk)
    before = snapshot()
    # when the school tries to change it
    with pytest.raises(ChainError) as caught:
        chain.fill(app, lines={chain.ru4: ("да", 20, 1)})
    # then it is refused in Russian and nothing changes
    assert caught.value.message.startswith("Заявка подтверждена муниципальным координатором")
    assert snapshot() == before
    # when the municipality reopens it, the school can edit again
    out = services.application_reopen(actor=chain.actor("municipal"), application_id=app.pk)
    assert out.changed
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert chain.fill(app, lines={chain.ru4: ("да", 20, 1)}).changed


def test_municipality_is_locked_by_the_region_and_region_reopens_to_municipal(chain: Chain) -> None:
    # given an application confirmed by the municipality and then the region
    app = chain.submitted()
    services.application_confirm(actor=chain.actor("municipal"), application_id=app.pk)
    services.application_confirm(actor=chain.actor("regional"), application_id=app.pk)
    # when the municipality tries to edit or to reopen
    with pytest.raises(ChainError, match="locked_region"):
        chain.fill(app, role="municipal", lines={chain.ru4: ("да", 20, 1)})
    with pytest.raises(ChainError, match="locked_region"):
        services.application_reopen(actor=chain.actor("municipal"), application_id=app.pk)
    # then the region can reopen: back to the municipality's confirmation
    services.application_reopen(actor=chain.actor("regional"), application_id=app.pk)
    app.refresh_from_db()
    assert app.status == Status.CONFIRMED_MUNICIPALITY
    # and the municipality can act again
    assert chain.fill(app, role="municipal", lines={chain.ru4: ("да", 20, 1)}).changed
    assert _decisions(app)[-1][2:4] == ("confirmed_region", "confirmed_municipality")


def test_repeated_transitions_change_nothing(chain: Chain) -> None:
    # given a submitted application
    app = chain.submitted()
    before = snapshot()
    # when it is submitted again and reopened though not confirmed
    again = services.application_submit(
        actor=chain.actor("school_organizer"), application_id=app.pk
    )
    reopen = services.application_reopen(actor=chain.actor("municipal"), application_id=app.pk)
    # then nothing happens (and the caller is told so)
    assert not again.changed
    assert not reopen.changed
    assert snapshot() == before


def test_coordinator_confirms_for_a_school_that_did_not_apply(chain: Chain) -> None:
    # given a school with no application
    # when the municipal coordinator opens one, fills it and confirms it
    app = chain.open("A1b", role="municipal")
    chain.fill(app, role="municipal", lines={chain.ma4: ("да", 12, 1)})
    services.application_confirm(actor=chain.actor("municipal"), application_id=app.pk)
    # then it stands confirmed, straight from the draft
    app.refresh_from_db()
    assert app.status == Status.CONFIRMED_MUNICIPALITY
    assert _decisions(app) == [
        ("t_municipal", "municipal", "draft", "confirmed_municipality", "browser")
    ]
    # and a municipal reopen returns it to the draft it was
    services.application_reopen(actor=chain.actor("municipal"), application_id=app.pk)
    app.refresh_from_db()
    assert app.status == Status.DRAFT


def test_roles_without_the_action_are_refused(chain: Chain) -> None:
    app = chain.submitted()
    with pytest.raises(PermissionDenied):
        services.application_confirm(actor=chain.actor("school_organizer"), application_id=app.pk)
    with pytest.raises(PermissionDenied):
        services.application_submit(actor=chain.actor("municipal"), application_id=app.pk)
    with pytest.raises(PermissionDenied):
        chain.fill(app, role="federal")


def test_other_units_see_no_application(chain: Chain, world: Any) -> None:
    # given an application of school A1a
    app = chain.submitted()
    from apps.registration.access import actor_for_user
    from apps.registration.tests.factories import grant, make_user

    sibling = make_user("t_sibling", "x-Password-1")
    grant(sibling, "municipal", world.municipalities["A2"])
    # when a coordinator of another municipality tries to confirm it
    # then it does not exist for it
    with pytest.raises(Application.DoesNotExist):
        services.application_confirm(actor=actor_for_user(sibling), application_id=app.pk)


def test_deadline_is_the_end_of_the_day_in_the_schools_zone(
    chain: Chain, time_machine: Any
) -> None:
    # given two schools far apart: Kamchatka (UTC+12) and Kaliningrad (UTC+2)
    east, west = chain.school("A1a"), chain.school("A1b")
    east.time_zone, west.time_zone = "Asia/Kamchatka", "Europe/Kaliningrad"
    east.save(update_fields=["time_zone"])
    west.save(update_fields=["time_zone"])
    app_east = chain.open("A1a")
    from apps.registration.access import actor_for_user
    from apps.registration.tests.factories import grant, make_user

    west_user = make_user("t_west", "x-Password-1")
    grant(west_user, "school_organizer", west)
    west_actor = actor_for_user(west_user)
    app_west = services.application_open(actor=west_actor, school_id=west.pk)
    # when it is 15:00 UTC on the deadline day: 03:00 next day in Kamchatka, 17:00 in Kaliningrad
    time_machine.move_to(dt.datetime(2026, 2, 20, 15, 0, tzinfo=dt.UTC), tick=False)
    # then Kamchatka can no longer edit or submit, Kaliningrad still can
    with pytest.raises(ChainError) as caught:
        chain.fill(app_east, lines={chain.ru4: ("да", 20, 1)})
    assert caught.value.message.startswith(
        "Приём заявок от ОО завершён: последний день — 20.02.2026"
    )
    assert services.application_lines_save(
        actor=west_actor, application_id=app_west.pk, lines={chain.ru4.pk: RawLine("да", 20, 1)}
    ).changed
    services.application_submit(actor=west_actor, application_id=app_west.pk)
    with pytest.raises(ChainError, match="deadline_passed"):
        services.application_submit(
            actor=chain.actor("school_organizer"), application_id=app_east.pk
        )
    # and the coordinator may still edit and confirm the late one
    assert chain.fill(app_east, role="municipal", lines={chain.ru4: ("да", 20, 1)}).changed
    services.application_confirm(actor=chain.actor("municipal"), application_id=app_east.pk)


def test_after_the_deadline_everywhere_schools_are_read_only(
    chain: Chain, time_machine: Any
) -> None:
    # given a draft
    app = chain.open()
    # when the deadline has passed
    time_machine.move_to(AFTER_DEADLINE, tick=False)
    page = selectors.application_page(actor=chain.actor("school_organizer"), application_id=app.pk)
    # then the page says so and offers no editing
    assert not page.can_edit
    assert not page.can_submit
    assert "Приём заявок от ОО завершён" in page.lock_message
    # while the coordinator may edit
    coordinator = selectors.application_page(actor=chain.actor("municipal"), application_id=app.pk)
    assert coordinator.can_edit
    assert coordinator.can_confirm


def test_applied_works_for_the_school_schedule(chain: Chain) -> None:
    # given a draft: the campaigns app cannot be told which works the school holds
    app = chain.open()
    chain.fill(app)
    actor = chain.actor("school_organizer")
    ids = {"school_id": chain.school().pk, "campaign_id": chain.campaign.pk}
    assert selectors.applied_work_ids(actor=actor, **ids) is None
    # when it is submitted, the works it takes part in are named
    services.application_submit(actor=actor, application_id=app.pk)
    assert selectors.applied_work_ids(actor=actor, **ids) == {chain.ru4.pk, chain.ma4.pk}
