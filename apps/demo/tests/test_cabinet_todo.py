"""The «what to do now» lines of each role (apps.cabinet) on the demo, the clock pinned."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.cabinet import selectors
from apps.cabinet.selectors import TodoItem, Urgency
from apps.demo.calendar import DemoCalendar
from apps.demo.campaigns import demo_campaigns_seed
from apps.demo.tests.conftest import PINNED_DAY
from apps.registration.access import actor_for_user
from apps.registration.models import User
from conftest import World

pytestmark = pytest.mark.django_db


def _todo(user: User) -> selectors.Todo:
    todo = selectors.todo_get(actor=actor_for_user(user))
    assert todo is not None
    return todo


def _lines(todo: selectors.Todo) -> dict[str, list[TodoItem]]:
    out: dict[str, list[TodoItem]] = {}
    for item in todo.items:
        out.setdefault(item.title, []).append(item)
    return out


# --- pure parts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "state", "text"),
    [
        (-2, Urgency.OVERDUE, "просрочено на 2 дня"),
        (0, Urgency.TODAY, "сегодня"),
        (1, Urgency.SOON, "завтра"),
        (5, Urgency.SOON, "осталось 5 дней"),
        (21, Urgency.LATER, "осталось 21 день"),
        (3, Urgency.DONE, ""),
    ],
)
def test_left_text_counts_days_in_russian(days: int, state: str, text: str) -> None:
    # given a line due in ``days`` days
    item = TodoItem("Работа", "загрузить", state, "/", days_left=days)
    # then it says how many days are left, in Russian
    assert item.left_text == text


def test_urgency_follows_the_days_left() -> None:
    # a deadline today is «сегодня», within a week «скоро», further «позже», a passed one overdue
    assert selectors._urgency(0) == Urgency.TODAY
    assert selectors._urgency(selectors.SOON_DAYS) == Urgency.SOON
    assert selectors._urgency(selectors.SOON_DAYS + 1) == Urgency.LATER
    assert selectors._urgency(3, passed=True) == Urgency.OVERDUE


# --- the test world with the demo campaigns (no applications yet) ---------------------------------


def test_current_campaigns_are_those_not_over(world: World, pinned: DemoCalendar) -> None:
    # given the three demo campaigns (finished spring, live one, upcoming one)
    made = demo_campaigns_seed(pinned)
    actor = actor_for_user(world.users["school_organizer"])
    # when the current campaigns are read on the pinned day
    current = selectors.current_campaigns(actor=actor, today=pinned.today)
    # then the live and the upcoming campaigns are current, the finished one is not
    assert [c.pk for c in current] == [made.current.pk, made.upcoming.pk]
    assert str(current[0]) == f"ВПР {pinned.current.year}, осень"


def test_school_without_application_is_asked_to_apply(world: World, pinned: DemoCalendar) -> None:
    # given the demo campaigns and a school that applied to none
    made = demo_campaigns_seed(pinned)
    school = world.schools["A1a"]
    # when its organizer opens the page
    todo = _todo(world.users["school_organizer"])
    # then the live campaign's application is overdue, the upcoming one is due on its deadline
    apps = {i.campaign: i for i in _lines(todo)["Заявка"]}
    live, upcoming = apps[str(made.current)], apps[str(made.upcoming)]
    assert live.state == Urgency.OVERDUE
    assert live.text == "не подана, срок подачи истёк"
    assert upcoming.due_date == made.upcoming.application_deadline
    assert upcoming.days_left == (made.upcoming.application_deadline - pinned.today).days
    assert upcoming.url == f"/applications/schools/{school.pk}/?campaign={made.upcoming.pk}"
    # and the unfilled questionnaire is a line, the school is the page's unit
    assert _lines(todo)["Опросный лист ОО"][0].url == "/profile/"
    assert todo.unit == school
    # and nothing about works: before an application there is one task, to submit it
    assert not [i for i in todo.items if "класс" in i.title]


@pytest.mark.parametrize(
    ("role", "missing", "total"),
    [("municipal", 2, 2), ("regional", 4, 4)],
)
def test_coordinators_see_their_schools_that_did_not_apply(
    world: World, pinned: DemoCalendar, role: str, missing: int, total: int
) -> None:
    # given the demo campaigns and the world's 8 schools, none of which applied
    made = demo_campaigns_seed(pinned)
    # when the coordinator opens the page
    todo = _todo(world.users[role])
    # then it counts only the schools of its own unit, per campaign, with the deadline
    lines = {i.campaign: i for i in _lines(todo)["Заявки: не подали"]}
    assert lines[str(made.current)].text == f"{missing} ОО из {total} без поданной заявки"
    assert lines[str(made.current)].state == Urgency.OVERDUE
    assert lines[str(made.upcoming)].due_date == made.upcoming.application_deadline
    assert lines[str(made.upcoming)].url.endswith(f"?campaign={made.upcoming.pk}")


def test_federal_operator_sees_national_progress(world: World, pinned: DemoCalendar) -> None:
    # given the demo campaigns and the world's 8 schools
    made = demo_campaigns_seed(pinned)
    # when the federal operator opens the page
    todo = _todo(world.users["federal"])
    # then it sees the country's application progress per campaign, and no confirmation task
    lines = {i.campaign: i for i in _lines(todo)["Заявки по стране"]}
    assert lines[str(made.current)].text == "подали 0 из 8 ОО, подтверждено регионами 0"
    assert "Заявки: подтвердить" not in _lines(todo)


# --- the seeded demo: a live campaign around the pinned day -------------------------------------


@pytest.fixture
def demo(pinned: DemoCalendar) -> DemoCalendar:
    call_command("seed_demo", verbosity=0, today=PINNED_DAY)
    return pinned


def _user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.mark.parametrize("username", ["edu660101", "edu660101_t1"])
def test_demo_school_sees_its_day_password_and_uploads(demo: DemoCalendar, username: str) -> None:
    # when the demo school's organizer or technical specialist opens the page
    todo = _todo(_user(username))
    lines = _lines(todo)
    # then the grade-8 password is tomorrow at 07:30 on the school's clock (МСК+2)
    password = lines["Пароль к архиву: Русский язык 8 класс"][0]
    assert password.state == Urgency.SOON
    assert password.left_text == "завтра"
    assert password.due_text == f"{demo.tomorrow:%d.%m.%Y} 07:30 (МСК+2, время ОО)"
    # and Математика 4 класс has no day yet, its reserve day waiting for the region
    math = lines["Математика 4 класс"][0]
    assert math.text.startswith("день не выбран; резервный день")
    assert math.url.startswith(f"/schools/{todo.unit.pk}/schedule/")
    # and yesterday's Русский язык 4 класс is to be uploaded (an open window is never «позже»)
    upload = lines["Результаты: Русский язык 4 класс"][0]
    assert upload.text == "загрузить"
    assert upload.state in (Urgency.SOON, Urgency.TODAY)
    assert upload.due_date is not None
    assert upload.due_date > demo.today
    assert (
        upload.left_text == f"осталось {selectors.days_word((upload.due_date - demo.today).days)}"
    )
    # and the confirmed application and tomorrow's days are done
    done = {(i.title, i.text) for i in todo.items if i.state == Urgency.DONE}
    assert ("Заявка", "подтверждена регионом") in done
    assert ("Окружающий мир 4 класс", f"день проведения — {demo.tomorrow:%d.%m.%Y}") in done
    # and the lines run from the most urgent to done
    order = [Urgency.ORDER[i.state] for i in todo.items]
    assert order == sorted(order)


def test_demo_regional_coordinator_decides_the_reserve_day(demo: DemoCalendar) -> None:
    # when the regional coordinator opens the page
    lines = _lines(_todo(_user("reg66")))
    # then the pending reserve day is a task of today, linked to the pending list
    reserve = lines["Резервные дни: решить"][0]
    assert reserve.state == Urgency.TODAY
    assert reserve.text == "запросов на рассмотрении: 1"
    assert reserve.url == "/reserve-days/?status=pending"
    # and the uploads its schools owe are waiting (the demo school's application lines: per work,
    # or, where it follows the class register, every work its classes write)
    owed = lines["Результаты: ждём загрузки"][0].text
    assert re.match(r"загружено 0 из \d+", owed), owed
    assert not owed.startswith("загружено 0 из 0")


def test_demo_municipal_coordinator_does_not_decide_reserve_days(demo: DemoCalendar) -> None:
    # when the municipal coordinator opens the page
    lines = _lines(_todo(_user("reg66_m001")))
    # then there is no reserve-day task (the region decides), but its non-applicants are listed
    assert "Резервные дни: решить" not in lines
    assert lines["Заявки: не подали"][0].text.endswith("без поданной заявки")
    # and the work its school has no archive of, past its plan-graph publication day
    math = lines["Материалы: Математика 4 класс"][0]
    assert math.state == Urgency.OVERDUE
    assert math.url == "/materials/monitoring/"
    assert math.due_date is not None
    assert math.due_date < demo.today


def test_demo_federal_operator_sees_materials_not_built_by_publication(
    demo: DemoCalendar,
) -> None:
    # given the demo, whose Математика 4 класс has no kit for the demo school (no day yet) and
    # whose builds were queued but not run (the test's transaction never commits)
    # when the federal operator opens the page
    lines = _lines(_todo(_user("federal")))
    # then a work published before today without a ready kit is overdue, linked to the builds
    math = lines["Материалы: Математика 4 класс"][0]
    assert math.state == Urgency.OVERDUE
    assert math.text == "не собраны для 1 ОО к дате публикации"
    assert math.url == "/materials/builds/"
    # judged by the materials app's build state, shown on the plan-graph's publication day
    assert math.due_at is None
    assert math.due_date is not None
    assert math.due_date < timezone.localdate()
    assert math.due_text == f"до {math.due_date:%d.%m.%Y}"
    assert math.left_text.startswith("просрочено на")


def test_demo_page_renders_each_role_in_bounded_queries(
    demo: DemoCalendar, client: Any, django_assert_max_num_queries: Any
) -> None:
    for username in ("federal", "reg66", "reg66_m001", "edu660101", "edu660101_t1"):
        # given a logged-in demo account
        client.force_login(_user(username))
        client.get("/cabinet/")
        # when it opens its first screen / then a bounded number of queries renders it
        with django_assert_max_num_queries(80):
            response = client.get("/cabinet/")
        assert response.status_code == 200
        body = response.content.decode()
        assert "Что сделать сейчас" in body
        for group in ("Сейчас", "Скоро", "Сделано"):
            assert f">{group} <" in body


def test_upload_due_date_matches_the_results_window(demo: DemoCalendar) -> None:
    # the results line's date is the results app's own deadline day, not a recomputation
    from apps.campaigns.models import Campaign
    from apps.results import selectors as results

    user = _user("edu660101")
    actor = actor_for_user(user)
    todo = _todo(user)
    school = todo.unit
    campaign = Campaign.objects.get(is_active=True)
    windows = {
        (s.work.subject.name, s.work.grade): s.window
        for s in results.school_results(actor=actor, school=school, campaign=campaign)
    }
    line = _lines(todo)["Результаты: Русский язык 4 класс"][0]
    assert line.due_date == windows[("Русский язык", 4)].deadline_day
    assert line.due_date - dt.timedelta(days=1) >= demo.yesterday
