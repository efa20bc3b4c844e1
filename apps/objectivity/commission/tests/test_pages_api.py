"""Commission accounts' pages and API: issue shows the password once (never cached), the list
follows the scope, revoke stops the account; a marker's login lands on its marking home."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.registration.models import User
from conftest import World


@pytest.mark.django_db
def test_regional_issues_a_marker_on_the_page_and_sees_the_password_once(world: World) -> None:
    client = world.client_for("regional")
    page = client.get(reverse("objectivity-commission"))
    assert page.status_code == 200
    assert "t_marker" in page.content.decode()
    response = client.post(reverse("objectivity-commission"), {"full_name": "Сидорова Ольга"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    user = User.objects.get(full_name="Сидорова Ольга")
    html = response.content.decode()
    login = f"reg{world.regions['A'].code}_k1"
    assert user.username == login
    assert f"<code data-login>{login}</code>" in html
    password = html.split("<code data-password>")[1].split("</code>")[0]
    assert user.check_password(password)
    # the list shows the login, never the password again
    listed = client.get(reverse("objectivity-commission")).content.decode()
    assert login in listed
    assert password not in listed
    assert not AuditEvent.objects.filter(details__icontains=password).exists()


@pytest.mark.django_db
def test_empty_name_is_refused(world: World) -> None:
    client = world.client_for("municipal")
    before = User.objects.count()
    response = client.post(reverse("objectivity-commission"), {"full_name": "  "})
    assert response.status_code == 400
    assert User.objects.count() == before


@pytest.mark.django_db
def test_revoke_on_the_page(world: World) -> None:
    marker = world.users["marker"]
    client = world.client_for("regional")
    response = client.post(reverse("objectivity-commission-revoke", args=[marker.pk]))
    assert response.status_code == 302
    marker.refresh_from_db()
    assert not marker.is_active
    # a municipal coordinator cannot reach the region's marker
    other = world.client_for("municipal").post(
        reverse("objectivity-commission-password", args=[marker.pk])
    )
    assert other.status_code == 404


@pytest.mark.django_db
def test_api_issue_list_password_revoke(world: World) -> None:
    client = world.client_for("federal")
    issued = client.post(
        "/api/v1/objectivity/commission/markers/",
        {"full_name": "Федеральный Эксперт", "email": "f@example.org"},
        content_type="application/json",
    )
    assert issued.status_code == 201
    assert issued["Cache-Control"] == "private, no-store"
    data = issued.json()
    assert data["login"] == "fed_k1"
    assert data["level"] == "federal"
    user = User.objects.get(pk=data["id"])
    assert user.check_password(data["password"])
    listed = client.get("/api/v1/objectivity/commission/markers/").json()
    assert {"fed_k1", "t_marker"} <= {m["login"] for m in listed}
    assert all("password" not in m for m in listed)
    again = client.post(f"/api/v1/objectivity/commission/markers/{user.pk}/password/").json()
    user.refresh_from_db()
    assert user.check_password(again["password"])
    revoked = client.post(f"/api/v1/objectivity/commission/markers/{user.pk}/revoke/")
    assert revoked.status_code == 200
    user.refresh_from_db()
    assert not user.is_active
    # a regional coordinator does not see the federal commission
    regional = world.client_for("regional").get("/api/v1/objectivity/commission/markers/").json()
    assert {m["login"] for m in regional} == {"t_marker"}


@pytest.mark.django_db
def test_api_bad_email_is_400_in_russian(world: World) -> None:
    response = world.client_for("regional").post(
        "/api/v1/objectivity/commission/markers/",
        {"full_name": "Эксперт", "email": "нет"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "электронной почты" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["school_organizer", "expert", "marker"])
def test_schools_and_markers_have_no_commission_pages(world: World, role: str) -> None:
    client = world.client_for(role)
    assert client.get(reverse("objectivity-commission")).status_code == 403
    assert client.get("/api/v1/objectivity/commission/markers/").status_code == 403


@pytest.mark.django_db
def test_a_markers_cabinet_is_its_marking_home(world: World) -> None:
    response = world.client_for("marker").get(reverse("cabinet"))
    assert response.status_code == 302
    assert response["Location"] == reverse("objectivity-marking")
