"""The operator's lists of works (item bank, builds): each work once, campaigns told apart by
their session, filters, sortable columns and pages that keep the filters."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from apps.campaigns.models import Session
from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.core.listing import PAGE_SIZE
from apps.materials.models import Kit
from apps.materials.tests.bank_data import load_bank
from apps.materials.tests.factories import SYSTEM, apply, generate

pytestmark = pytest.mark.django_db


def _works_shown(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-work="(\d+)"', html)]


def _spring_and_autumn():
    spring = CampaignFactory()
    autumn = CampaignFactory(year=spring.year, session=Session.AUTUMN, name=f"ВПР {spring.year}")
    return spring, autumn


@pytest.mark.parametrize("page", ["materials-bank", "materials-builds"])
def test_two_sessions_of_one_year_are_told_apart_and_each_work_is_listed_once(
    world, page: str
) -> None:
    # given the same work in the spring and the autumn campaign of one year, both named alike
    spring, autumn = _spring_and_autumn()
    works = [WorkFactory(campaign=spring), WorkFactory(campaign=autumn)]
    client = world.client_for("federal")
    # when the page is opened
    html = client.get(reverse(page)).content.decode()
    # then each work is listed once, and the two are named by their session
    assert sorted(_works_shown(html)) == sorted(w.pk for w in works)
    assert f"Русский язык 4 класс (ВПР {spring.year}, весна)" in html
    assert f"Русский язык 4 класс (ВПР {spring.year}, осень)" in html
    # and the campaign filter offers both sessions by their label
    assert f">ВПР {spring.year}, весна (текущая)</option>" in html
    assert f">ВПР {spring.year}, осень (текущая)</option>" in html


def test_the_bank_page_filters_by_campaign_subject_grade_and_state(world) -> None:
    # given works of two sessions, two subjects and two grades; one work has a full bank
    spring, autumn = _spring_and_autumn()
    math = SubjectFactory(code="math", name="Математика")
    russian4 = WorkFactory(campaign=spring)
    math5 = WorkFactory(campaign=spring, subject=math, grade=5)
    autumn4 = WorkFactory(campaign=autumn)
    load_bank(actor=SYSTEM, work=russian4)
    client = world.client_for("federal")
    url = reverse("materials-bank")

    def shown(query: str) -> set[int]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        return set(_works_shown(response.content.decode()))

    # when it is filtered, then only the matching works are shown
    assert shown(f"campaign={autumn.pk}") == {autumn4.pk}
    assert shown(f"subject={math.pk}") == {math5.pk}
    assert shown("grade=5") == {math5.pk}
    assert shown("status=ready") == {russian4.pk}
    assert shown("status=empty") == {math5.pk, autumn4.pk}
    assert shown(f"campaign={spring.pk}&grade=4") == {russian4.pk}
    # and the selected filter stays selected in the form
    html = client.get(f"{url}?campaign={autumn.pk}").content.decode()
    assert f'<option value="{autumn.pk}" selected>' in html


def test_the_bank_page_sorts_by_a_column_and_says_so(world) -> None:
    # given three works of which one has a bank (the largest count)
    spring, _autumn = _spring_and_autumn()
    math = SubjectFactory(code="math", name="Математика")
    small = WorkFactory(campaign=spring, grade=5)
    big = WorkFactory(campaign=spring, subject=math, grade=6)
    other = WorkFactory(campaign=spring, grade=7)
    load_bank(actor=SYSTEM, work=big)
    client = world.client_for("federal")
    # when sorted by the number of items, descending
    html = client.get(reverse("materials-bank") + "?sort=-total").content.decode()
    # then the work with a bank comes first and the header says the sort
    assert _works_shown(html)[0] == big.pk
    assert 'aria-sort="descending"' in html
    # and by work, ascending: grade order within the campaign
    html = client.get(reverse("materials-bank") + "?sort=work").content.decode()
    assert _works_shown(html) == [small.pk, big.pk, other.pk]
    assert 'aria-sort="ascending"' in html
    # and the work header now links to the descending order
    assert 'href="?sort=-work"' in html


def test_the_bank_page_pages_and_its_links_keep_the_filters(world) -> None:
    # given more works of one campaign than a page holds, and one of another session
    spring, autumn = _spring_and_autumn()
    subjects = [SubjectFactory(code=f"s{i}", name=f"Предмет {i:02d}") for i in range(4)]
    pairs = [(s, g) for s in subjects for g in range(4, 12)][: PAGE_SIZE + 2]
    works = [WorkFactory(campaign=spring, subject=s, grade=g) for s, g in pairs]
    WorkFactory(campaign=autumn)
    client = world.client_for("federal")
    url = reverse("materials-bank")
    # when the first page of the spring works is opened, sorted by work
    first = client.get(f"{url}?campaign={spring.pk}&sort=work").content.decode()
    # then it holds one page, and its «next» link keeps the campaign and the sort
    assert len(_works_shown(first)) == PAGE_SIZE
    assert "Страница 1 из 2" in first
    next_href = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(next_href).query) == {
        "campaign": [str(spring.pk)],
        "sort": ["work"],
        "page": ["2"],
    }
    # and the second page holds the rest of the spring works only
    second = client.get(url + next_href).content.decode()
    assert set(_works_shown(first) + _works_shown(second)) == {w.pk for w in works}
    assert f"Всего: {len(works)}" in second


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=name", "Нельзя упорядочить список по «name»"),
        ("page=x", "Неверный номер страницы «x»"),
        ("grade=3", "Неверное значение фильтра «класс»: «3»"),
        ("status=all", "Неверное значение фильтра «состояние»: «all»"),
    ],
)
def test_a_bad_list_parameter_is_a_russian_400(world, query: str, message: str) -> None:
    # given the operator
    client = world.client_for("federal")
    for page in ("materials-bank", "materials-builds"):
        # when a list is asked with a bad parameter
        response = client.get(f"{reverse(page)}?{query}")
        # then it answers 400 and says which value was wrong
        assert response.status_code == 400
        assert message in response.content.decode()


def test_the_builds_page_filters_by_state_and_sorts_by_readiness(world) -> None:
    # given two works applied for by a school: one built, one never formed
    spring, _autumn = _spring_and_autumn()
    built = WorkFactory(campaign=spring)
    waiting = WorkFactory(campaign=spring, grade=5)
    for work in (built, waiting):
        apply(world.schools["A1a"], work)
    load_bank(actor=SYSTEM, work=built)
    generate(built)
    Kit.objects.filter(work=built).update(status=Kit.Status.READY)
    client = world.client_for("federal")
    url = reverse("materials-builds")
    # when filtered by state, then only the work in it is shown
    assert _works_shown(client.get(f"{url}?status=ready").content.decode()) == [built.pk]
    assert _works_shown(client.get(f"{url}?status=none").content.decode()) == [waiting.pk]
    # and sorted by readiness, descending, the built work comes first; ascending last
    html = client.get(f"{url}?sort=-percent").content.decode()
    assert _works_shown(html) == [built.pk, waiting.pk]
    assert _works_shown(client.get(f"{url}?sort=percent").content.decode()) == [
        waiting.pk,
        built.pk,
    ]


def test_an_action_on_a_filtered_builds_page_returns_to_the_same_list(world) -> None:
    # given the builds page filtered to the autumn campaign, sorted, on its first page
    _spring, autumn = _spring_and_autumn()
    work = WorkFactory(campaign=autumn)
    client = world.client_for("federal")
    here = f"{reverse('materials-builds')}?campaign={autumn.pk}&sort=-work"
    # when a work's «Отменить ожидающие» form is posted (to the page's own URL)
    response = client.post(here, {"work": work.pk, "op": "cancel"})
    # then the operator is back on the same filtered, sorted list
    assert response.status_code == 302
    assert response["Location"] == here
