"""Commission markers' accounts: issued at the actor's level with the right grant and a
one-time password, listed by scope, re-issued, revoked (the account stops at once)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from apps.core.models import AuditEvent
from apps.objectivity.audit import ObjectivityAudit
from apps.objectivity.commission import services
from apps.objectivity.commission.messages import CommissionInvalidError, CommissionNotFoundError
from apps.registration.access import actor_for_user
from apps.registration.constants import Role
from apps.registration.models import User
from conftest import World


def _actor(world: World, role: str) -> Any:
    return actor_for_user(world.users[role])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "prefix", "level"),
    [("federal", "fed_k", 0), ("regional", "reg", 1), ("municipal", "reg", 2)],
)
def test_issue_gives_a_marker_of_the_actors_level(
    world: World, role: str, prefix: str, level: int
) -> None:
    issued = services.marker_issue(actor=_actor(world, role), full_name="Иванова  Анна Петровна")
    user = User.objects.get(username=issued.login)
    # a login of the unit's commission and a one-time password that works once
    assert issued.login.startswith(prefix)
    assert issued.login.endswith("_k1")
    assert user.check_password(issued.password)
    assert user.must_change_password
    assert user.full_name == "Иванова Анна Петровна"
    # the marker role with a personal scope at the issuer's level
    marker = actor_for_user(user)
    assert marker.role == Role.MARKER
    assert marker.scope.user_id == user.pk
    assert int(marker.scope.level) == level
    # audited without the password
    event = AuditEvent.objects.get(action=ObjectivityAudit.MARKER_ACCOUNT_ISSUE)
    assert event.details["login"] == issued.login
    assert issued.password not in str(event.details)
    # the next one gets the next number
    second = services.marker_issue(actor=_actor(world, role), full_name="Петров Пётр")
    assert second.login == issued.login[:-1] + "2"


@pytest.mark.django_db
def test_regional_login_follows_the_region_and_municipal_the_municipality(world: World) -> None:
    regional = services.marker_issue(actor=_actor(world, "regional"), full_name="Эксперт Один")
    municipal = services.marker_issue(actor=_actor(world, "municipal"), full_name="Эксперт Два")
    assert regional.login == f"reg{world.regions['A'].code}_k1"
    assert municipal.login == f"{world.municipalities['A1'].code}_k1"


@pytest.mark.django_db
def test_lists_follow_the_scope(world: World) -> None:
    services.marker_issue(actor=_actor(world, "municipal"), full_name="Эксперт Муниципальный")
    services.marker_issue(actor=_actor(world, "federal"), full_name="Эксперт Федеральный")
    logins = {
        role: {m.user.username for m in services.markers_list(actor=_actor(world, role))}
        for role in ("federal", "regional", "municipal")
    }
    muni = f"{world.municipalities['A1'].code}_k1"
    # the world's t_marker is region A's commission
    assert logins["municipal"] == {muni}
    assert logins["regional"] == {muni, "t_marker"}
    assert {muni, "t_marker", "fed_k1"} <= logins["federal"]


@pytest.mark.django_db
def test_revoke_stops_the_account_and_frees_the_login(world: World) -> None:
    issued = services.marker_issue(actor=_actor(world, "regional"), full_name="Эксперт Один")
    user = issued.marker.user
    services.marker_revoke(actor=_actor(world, "regional"), user_id=user.pk)
    user.refresh_from_db()
    assert not user.is_active
    assert user.username == f"{issued.login}_old1"
    assert not user.has_usable_password()
    assert actor_for_user(user).role is None
    assert AuditEvent.objects.filter(action=ObjectivityAudit.MARKER_ACCOUNT_REVOKE).count() == 1
    # the login is issued again
    again = services.marker_issue(actor=_actor(world, "regional"), full_name="Эксперт Два")
    assert again.login == issued.login


@pytest.mark.django_db
def test_revoke_of_a_federal_marker_removes_the_global_permission(world: World) -> None:
    issued = services.marker_issue(actor=_actor(world, "federal"), full_name="Эксперт Один")
    services.marker_revoke(actor=_actor(world, "federal"), user_id=issued.marker.user.pk)
    user = User.objects.get(pk=issued.marker.user.pk)
    assert not user.user_permissions.exists()
    assert actor_for_user(user).role is None


@pytest.mark.django_db
def test_a_coordinator_cannot_touch_another_units_marker(world: World) -> None:
    other = services.marker_issue(actor=_actor(world, "federal"), full_name="Эксперт Федеральный")
    with pytest.raises(CommissionNotFoundError):
        services.marker_revoke(actor=_actor(world, "regional"), user_id=other.marker.user.pk)
    with pytest.raises(CommissionNotFoundError):
        services.marker_reissue(actor=_actor(world, "municipal"), user_id=world.users["marker"].pk)
    assert User.objects.get(pk=other.marker.user.pk).is_active


@pytest.mark.django_db
def test_reissue_gives_a_new_one_time_password(world: World) -> None:
    issued = services.marker_issue(actor=_actor(world, "regional"), full_name="Эксперт Один")
    again = services.marker_reissue(actor=_actor(world, "regional"), user_id=issued.marker.user.pk)
    user = User.objects.get(pk=issued.marker.user.pk)
    assert again.password != issued.password
    assert user.check_password(again.password)
    assert not user.check_password(issued.password)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "email", "text"),
    [("  ", "", "Укажите ФИО"), ("Эксперт", "не-почта", "электронной почты")],
)
def test_bad_input_is_refused_in_russian(world: World, name: str, email: str, text: str) -> None:
    before = User.objects.count()
    with pytest.raises(CommissionInvalidError) as refused:
        services.marker_issue(actor=_actor(world, "regional"), full_name=name, email=email)
    assert text in refused.value.message
    assert User.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["school_organizer", "school_tech", "expert", "marker"])
def test_schools_and_markers_cannot_issue(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.marker_issue(actor=_actor(world, role), full_name="Эксперт")


@pytest.mark.django_db
def test_revoke_takes_the_marker_out_of_its_reviews(world: World) -> None:
    from apps.core.scoping import Level, Scope
    from apps.objectivity import reviews
    from apps.objectivity.models import Review, ReviewMarker
    from tests.scoping.makers import _work

    review = reviews.review_create(
        actor=_actor(world, "regional"),
        kind=Review.Kind.RECHECK,
        work=_work(world, "A"),
        title="Перепроверка",
        unit_scope=Scope(level=Level.REGION, region_id=world.regions["A"].pk),
    )
    marker = world.users["marker"]
    ReviewMarker.objects.create(review=review, user=marker)
    services.marker_revoke(actor=_actor(world, "regional"), user_id=marker.pk)
    assert not ReviewMarker.objects.get(review=review, user=marker).active
