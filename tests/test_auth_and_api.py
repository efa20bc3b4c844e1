"""Login, throttling, the token API, /api/v1/me/ and the Russian error pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, World

WRONG = "Неверный логин или пароль"


@pytest.mark.django_db
def test_each_role_lands_in_its_own_cabinet(world: World) -> None:
    expected = {
        "federal": reverse("region-list"),
        "regional": reverse("region-detail", args=[world.regions["A"].pk]),
        "municipal": reverse("municipality-detail", args=[world.municipalities["A1"].pk]),
        "school_organizer": reverse("school-detail", args=[world.schools["A1a"].pk]),
        "school_tech": reverse("school-detail", args=[world.schools["A1a"].pk]),
    }
    for role, user in world.users.items():
        # given a user of the role
        client = Client()
        # when it logs in through the form
        response = client.post(
            reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
        )
        # then it ends on «Что сделать сейчас», whose side card leads to its own unit's page (an
        # expert: on its works to check; a commission's marker: on its marking)
        if role == "marker":
            assert response.redirect_chain[-1][0] == reverse("objectivity-marking")
            assert response.status_code == 200
            assert "Проверка работ на экране" in response.content.decode()
            continue
        assert response.redirect_chain[-1][0] == reverse("cabinet"), role
        assert response.status_code == 200
        html = response.content.decode()
        assert "Выйти" in html
        if role == "expert":
            # an expert's home is its works to check; it has no page of its school to lead to
            assert "Работы на проверку" in html
            school_page = reverse("school-detail", args=[world.schools["A1a"].pk])
            assert f'href="{school_page}"' not in html
            continue
        assert "Что сделать сейчас" in html
        assert f'href="{expected[role]}"' in html, role


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["password", "username"])
def test_wrong_login_gives_one_russian_message(world: World, which: str) -> None:
    # given a wrong password, or an unknown login
    data = {"username": world.users["municipal"].username, "password": PASSWORD}
    data[which] = data[which] + "x"
    # when the login form is sent
    response = Client().post(reverse("login"), data)
    # then the same Russian message comes back, naming neither part
    html = response.content.decode()
    assert response.status_code == 200
    assert WRONG in html
    assert "пароль неверный" not in html.lower()
    assert "не найден" not in html.lower()


@pytest.mark.django_db
def test_repeated_failures_are_throttled(world: World) -> None:
    # given five failed attempts for one login from one address
    client = Client()
    username = world.users["regional"].username
    for _ in range(5):
        client.post(reverse("login"), {"username": username, "password": "wrong-one"})
    # when even the right password is tried next
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    # then the login is locked with a Russian message and nobody is logged in
    assert response.status_code == 429
    assert "Слишком много неудачных попыток" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # and another login from the same address is not affected
    other = client.post(
        reverse("login"), {"username": world.users["municipal"].username, "password": PASSWORD}
    )
    assert other.status_code == 302


@pytest.mark.django_db
def test_token_login_and_me(world: World) -> None:
    # given the API with no session
    client = Client()
    # when a token is requested with the right credentials
    response = client.post(
        "/api/v1/auth/token/",
        {"username": world.users["municipal"].username, "password": PASSWORD},
    )
    assert response.status_code == 200
    token = response.json()["token"]
    # then /me/ with that token names the user, its role and its unit
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert me["username"] == world.users["municipal"].username
    assert me["role"] == "municipal"
    assert me["role_display"] == "Муниципальный координатор"
    assert me["org_unit"]["id"] == world.municipalities["A1"].pk
    assert me["org_unit"]["level"] == "municipality"
    # and the token sees only its own municipality's schools
    schools = client.get("/api/v1/schools/", HTTP_AUTHORIZATION=f"Token {token}").json()
    codes = {s["code"] for s in schools["results"]}
    assert codes == {world.schools["A1a"].code, world.schools["A1b"].code}


@pytest.mark.django_db
def test_token_wrong_password_is_russian(world: World) -> None:
    # when a token is requested with a wrong password
    response = Client().post(
        "/api/v1/auth/token/", {"username": world.users["federal"].username, "password": "nope"}
    )
    # then 400 with the one Russian message
    assert response.status_code == 400
    assert WRONG in response.content.decode()


@pytest.mark.django_db
def test_api_without_credentials_is_401() -> None:
    response = Client().get("/api/v1/schools/")
    assert response.status_code == 401


@pytest.mark.django_db
def test_unknown_url_is_a_russian_404(world: World) -> None:
    # given a logged-in coordinator
    client = world.client_for("regional")
    # when it opens a page that does not exist, and a school of another region
    missing = client.get("/no-such-page/")
    foreign = client.get(reverse("school-detail", args=[world.schools["B1a"].pk]))
    # then both are the same Russian 404 page
    for response in (missing, foreign):
        assert response.status_code == 404
        assert "Страница не найдена" in response.content.decode()


@pytest.mark.django_db
def test_federal_api_lists_are_paginated(world: World) -> None:
    client = world.client_for("federal")
    data = client.get("/api/v1/schools/").json()
    assert data["count"] == 8
    assert len(data["results"]) == 8
    assert set(data) >= {"count", "next", "previous", "results"}
