"""An expert's first screen, «Работы на проверку»: per work, how many codes were given to it and
how many have scores entered, linked to its entry page; another expert's codes do not count."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.materials.models import ParticipantCode
from apps.registration.access import actor_for_user
from apps.registration.tests.factories import grant, make_user
from apps.results.models import ResultDraft
from apps.schoolday.models import ExpertAssignment
from conftest import PASSWORD, expert_person
from tests.scoping.makers import _expert_assignment


def _give(world: Any, base: ExpertAssignment, code: str, expert: Any) -> ExpertAssignment:
    school = world.schools["A1a"]
    row = ParticipantCode.objects.create(
        campaign=base.work.campaign,
        school=school,
        code=code,
        grade=base.work.grade,
        class_number=base.code.class_number,
        school_class=base.code.school_class,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    return ExpertAssignment.objects.create(
        work=base.work,
        code=row,
        expert=expert,
        school_id=school.pk,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )


@pytest.mark.django_db
def test_the_expert_sees_its_works_with_given_and_entered_counts(world: Any) -> None:
    school = world.schools["A1a"]
    # given the world's expert with codes 49001 and 49002 of a work, another expert with 48888
    own = _expert_assignment(world, "A1a")
    work = own.work
    _give(world, own, "49002", world.experts["A1a"])
    other_user = make_user("t_expert_b", "x-Password-123")
    grant(other_user, "expert", school)
    _give(world, own, "48888", expert_person(school, user=other_user, name="Эксперт Б"))
    # and a draft where 49001 and the other's 48888 have scores, 49002 only its class
    ResultDraft.objects.create(
        school=school,
        work=work,
        cells=[
            ["49001", "1", "2", "1", ""],
            ["49002", "", "", "1", ""],
            ["48888", "2", "1", "1", ""],
        ],
        saved_by=world.users["school_organizer"],
        municipality_id=school.municipality_id,
        region_id=school.region_id,
    )
    # when the expert logs in
    response = Client().post(
        reverse("login"), {"username": "t_expert", "password": PASSWORD}, follow=True
    )
    # then its cabinet is «Работы на проверку» with the work: 2 given, 1 entered, 1 left
    assert response.redirect_chain[-1][0] == reverse("cabinet")
    home = response.context["home"]
    assert [(w.work, w.given, w.entered, w.left) for w in home.works] == [(work, 2, 1, 1)]
    html = response.content.decode()
    assert "<h1>Работы на проверку</h1>" in html
    row = html[html.index(f'data-work="{work.pk}"') :]
    row = row[: row.index("</tr>")]
    cells = [c.split("<")[0] for c in row.split('<td class="num">')[1:]]
    assert cells == ["2", "1", "1"]
    # and the row links to the expert's entry page of the work
    assert f'href="{reverse("results-expert-entry", args=[school.pk, work.pk])}"' in row
    # while the other expert counts its own code only
    other = Client()
    other.force_login(other_user)
    other_home = other.get(reverse("cabinet")).context["home"]
    assert [(w.given, w.entered) for w in other_home.works] == [(1, 1)]


@pytest.mark.django_db
def test_an_expert_without_works_is_told_so_and_other_roles_keep_their_cabinet(
    world: Any,
) -> None:
    page = world.client_for("expert").get(reverse("cabinet"))
    assert page.status_code == 200
    assert "Работ на проверку пока нет" in page.content.decode()
    assert page.context["home"].school == world.schools["A1a"]
    assert actor_for_user(world.users["expert"]).scope.user_id == world.users["expert"].pk
    organizer = world.client_for("school_organizer").get(reverse("cabinet"))
    assert "Что сделать сейчас" in organizer.content.decode()
    assert "home" not in organizer.context
