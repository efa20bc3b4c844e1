"""Nothing in the application can change or delete an audit record: no route, no admin, no ORM."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.core.models import AuditEvent
from apps.core.services import audit_record
from apps.registration.access import actor_for_user

pytestmark = pytest.mark.django_db

WRITES = ("post", "put", "patch", "delete")
ROLES = ("federal", "regional", "municipal", "school_organizer", "school_tech")


def _routes(resolver: URLResolver | None = None, prefix: str = ""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def test_no_route_over_audit_events_accepts_a_write():
    # given every route of the application
    audit_routes = []
    for regex, pattern in _routes():
        view = getattr(pattern.callback, "cls", None) or getattr(
            pattern.callback, "view_class", None
        )
        if getattr(view, "scoped_model", None) is not AuditEvent and "audit" not in regex:
            continue
        if regex.startswith("admin/"):
            continue  # the admin is checked below
        audit_routes.append(regex)
        # then a route over audit events offers reads only
        actions = getattr(pattern.callback, "actions", None)
        if actions is not None:
            assert set(actions) <= {"get", "head", "options"}, f"{regex} maps {actions}"
        else:
            assert not any(hasattr(view, m) for m in WRITES), f"{regex} has a write method"
    # and the walk did find the log's routes (page, export, API list and export)
    assert len(audit_routes) >= 4, audit_routes


@pytest.mark.parametrize("role", ROLES)
def test_no_role_can_change_or_delete_a_record_over_http(world, role):
    # given a record in the role's own unit
    event = audit_record(
        actor=actor_for_user(world.users[role]), action="test.keep", details={"a": 1}
    )
    before = AuditEvent.objects.values().get(pk=event.pk)
    client = world.client_for(role)
    urls = [
        reverse("audit-list"),
        reverse("audit-export"),
        "/api/v1/audit-events/",
        f"/api/v1/audit-events/{event.pk}/",
        f"/audit/{event.pk}/",
        f"/audit/{event.pk}/delete/",
    ]
    for url in urls:
        for method in WRITES:
            # when it tries to write to any audit URL
            response = getattr(client, method)(
                url, {"action": "changed"}, content_type="application/json"
            )
            # then it is refused (not allowed, forbidden or no such route)
            assert response.status_code in (403, 404, 405), (
                f"{method} {url}: {response.status_code}"
            )
    # and the record is exactly as it was
    assert AuditEvent.objects.values().get(pk=event.pk) == before


def test_the_admin_cannot_change_or_delete_a_record(world):
    # given a record and the federal operator in the admin
    event = audit_record(actor=actor_for_user(world.users["federal"]), action="test.keep")
    before = AuditEvent.objects.values().get(pk=event.pk)
    client = world.client_for("federal")
    change = reverse("admin:core_auditevent_change", args=[event.pk])
    delete = reverse("admin:core_auditevent_delete", args=[event.pk])
    # when it opens the record, posts a change, and asks to delete it
    view = client.get(change)
    posted = client.post(change, {"action": "changed", "username": "x"})
    deleted = client.post(delete, {"post": "yes"})
    bulk = client.post(
        reverse("admin:core_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    # then it may read it but never change or delete it
    assert view.status_code == 200
    assert posted.status_code == 403
    assert deleted.status_code == 403
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.values().get(pk=event.pk) == before


def test_the_model_refuses_updates_and_deletes(world):
    # given a record
    event = audit_record(actor=actor_for_user(world.users["federal"]), action="test.keep")
    # when code tries to change or delete it, one by one or in bulk
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    # then it is unchanged
    assert AuditEvent.objects.get(pk=event.pk).action == "test.keep"
