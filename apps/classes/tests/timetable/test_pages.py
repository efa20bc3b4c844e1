"""The timetable page by class, its posts, the menu item and the printable plan-graph (PDF)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
import time_machine
from django.urls import reverse

from apps.classes.audit import ClassesAudit
from apps.classes.models import ClassWork
from apps.classes.tests.timetable.conftest import (
    KAMCHATKA,
    Works,
    ZonedSchool,
    class_work,
    clock,
    school_class,
)
from apps.core.models import AuditEvent
from conftest import World, need_service

ONE = dt.timedelta(days=1)
MOSCOW = "Europe/Moscow"


def _d(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


@pytest.mark.django_db
def test_the_organizer_sees_each_class_with_its_works_and_labelled_instants(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given 4А with Русский язык on a chosen day and Математика without one, and 8А's encrypted work
    klass = school_class(works, kamchatka.school, 4, "А", 1)
    day = works.start + 2 * ONE
    class_work(klass, works.russian4, date=day)
    class_work(klass, works.math4)
    class_work(school_class(works, kamchatka.school, 8, "А", 2), works.math8, date=day)
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        # when the organizer opens the page
        page = kamchatka.client().get(reverse("class-timetable", args=[kamchatka.school.pk]))
    html = page.content.decode()
    # then each class with its works, the chosen day and its weekday are shown
    assert page.status_code == 200
    for text in ("4А класс", "8А класс", "Русский язык", "Математика", _d(day)):
        assert text in html
    # and the release instants are on the school's clock, labelled with its zone
    assert "(МСК+9, время ОО)" in html
    assert f"Пароль к архиву: {_d(day)} 07:30 (МСК+9, время ОО)" in html
    # and every row has its date and form inputs; computer only where the work allows it
    assert html.count('type="hidden" name="class_work"') == 3
    assert html.count('value="computer"') == 1
    assert "План-график ОО по классам" in html  # the menu item


@pytest.mark.django_db
def test_the_technical_specialist_reads_the_page_but_cannot_set_days(
    world: World, works: Works
) -> None:
    # given A1a's class 4А with Русский язык
    cw = class_work(school_class(works, world.schools["A1a"], 4, "А", 1), works.russian4)
    url = reverse("class-timetable", args=[world.schools["A1a"].pk])
    with time_machine.travel(clock(works.start - 5 * ONE, 9, MOSCOW), tick=False):
        client = world.client_for("school_tech")
        # when the technical specialist opens the page and posts a day
        page = client.get(url)
        post = client.post(
            reverse("class-timetable-save", args=[world.schools["A1a"].pk]),
            {"class_work": cw.pk, "date": works.start.isoformat(), "form": "paper"},
        )
    # then it sees the works without forms, and its post is forbidden
    assert page.status_code == 200
    assert "Русский язык" in page.content.decode()
    assert 'name="class_work"' not in page.content.decode()
    assert post.status_code == 403
    cw.refresh_from_db()
    assert cw.date is None


@pytest.mark.django_db
def test_a_row_is_saved_from_the_page_and_a_bad_day_is_explained(
    kamchatka: ZonedSchool, works: Works
) -> None:
    # given 4А with Математика (computer allowed)
    cw = class_work(school_class(works, kamchatka.school, 4, "А", 1), works.math4)
    url = reverse("class-timetable-save", args=[kamchatka.school.pk])
    day = works.start + ONE
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        client = kamchatka.client()
        # when the organizer saves a day and the computer form
        ok = client.post(
            url, {"class_work": cw.pk, "date": day.isoformat(), "form": "computer"}, follow=True
        )
        # and then a day after the period, and a date that is not a date
        bad = client.post(
            url,
            {"class_work": cw.pk, "date": (works.end + ONE).isoformat(), "form": "computer"},
            follow=True,
        )
        garbled = client.post(
            url, {"class_work": cw.pk, "date": "31.02.x", "form": "paper"}, follow=True
        )
    # then the first is saved and said so
    assert "Сохранено: 4А, Математика, 4 класс" in ok.content.decode()
    # and the others are explained in Russian and change nothing
    assert "вне периода проведения" in bad.content.decode()
    assert "Укажите дату в виде ДД.ММ.ГГГГ." in garbled.content.decode()
    cw.refresh_from_db()
    assert (cw.date, cw.form) == (day, ClassWork.Form.COMPUTER)


@pytest.mark.django_db
def test_a_row_of_another_school_answers_404(world: World, works: Works) -> None:
    # given a class work of the sibling school A1b
    other = class_work(school_class(works, world.schools["A1b"], 4, "А", 1), works.russian4)
    with time_machine.travel(clock(works.start - 5 * ONE, 9, MOSCOW), tick=False):
        client = world.client_for("school_organizer")
        # when A1a's organizer posts it through its own school's page
        response = client.post(
            reverse("class-timetable-save", args=[world.schools["A1a"].pk]),
            {"class_work": other.pk, "date": works.start.isoformat(), "form": "paper"},
        )
    # then it is as good as missing
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.date is None


@pytest.mark.django_db
def test_one_day_for_all_classes_from_the_page(kamchatka: ZonedSchool, works: Works) -> None:
    # given 4А and 4Б with Русский язык
    rows = [
        class_work(school_class(works, kamchatka.school, 4, letter, n), works.russian4)
        for n, letter in enumerate("АБ", start=1)
    ]
    day = works.start + 3 * ONE
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        client = kamchatka.client()
        page = client.get(reverse("class-timetable", args=[kamchatka.school.pk])).content.decode()
        # when the organizer gives both one day
        response = client.post(
            reverse("class-timetable-bulk", args=[kamchatka.school.pk]),
            {"work": works.russian4.pk, "date": day.isoformat()},
            follow=True,
        )
    # then the page offered it, and both classes have the day
    assert "Русский язык, 4 класс (4А, 4Б)" in page
    assert f"Дата {_d(day)} назначена классам: 4А, 4Б." in response.content.decode()
    assert {ClassWork.objects.get(pk=r.pk).date for r in rows} == {day}


@pytest.mark.django_db
def test_the_menu_item_is_the_schools_own(world: World) -> None:
    # given the world's roles
    # when each opens its home page
    organizer = world.client_for("school_organizer").get("/", follow=True).content.decode()
    municipal = world.client_for("municipal").get("/", follow=True).content.decode()
    # then only the school sees its plan-graph by class, linked to its own school
    link = reverse("class-timetable", args=[world.schools["A1a"].pk])
    assert "План-график ОО по классам" in organizer
    assert link in organizer
    assert "План-график ОО по классам" not in municipal


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    need_service("pdftotext", shutil.which("pdftotext") is not None, "install poppler-utils")
    path = tmp_path / "timetable.pdf"
    path.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return out.stdout


@pytest.mark.django_db
def test_the_printable_plan_graph_lists_every_class_and_work(
    kamchatka: ZonedSchool, works: Works, tmp_path: Path
) -> None:
    # given 4А and 4Б with Русский язык on their days, 4А's Математика on computer, 8А's encrypted
    # Математика on a day
    a = school_class(works, kamchatka.school, 4, "А", 1)
    b = school_class(works, kamchatka.school, 4, "Б", 2)
    day_a, day_b, day_8 = works.start + ONE, works.start + 2 * ONE, works.start + 3 * ONE
    class_work(a, works.russian4, date=day_a)
    class_work(a, works.math4, form=ClassWork.Form.COMPUTER)
    class_work(b, works.russian4, date=day_b)
    class_work(school_class(works, kamchatka.school, 8, "А", 3), works.math8, date=day_8)
    with time_machine.travel(clock(works.start - 5 * ONE, 9, KAMCHATKA), tick=False):
        # when the organizer downloads the plan-graph
        response = kamchatka.client().get(
            reverse("class-timetable-pdf", args=[kamchatka.school.pk])
        )
    # then it is a PDF with a Russian file name
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert "План-график ВПР_Гимназия Камчатки" in unquote(response["Content-Disposition"])
    content = b"".join(response.streaming_content)
    text = _pdf_text(content, tmp_path)
    # titled with the school and the campaign
    assert f"План-график проведения ВПР в Гимназия Камчатки ({works.campaign.label})" in text
    # with every class, subject, day, weekday and form, and the instants on the school's clock
    for piece in ("4А", "4Б", "8А", "Русский язык", "Математика", "компьютерная", "не назначена"):
        assert piece in text
    for day in (day_a, day_b, day_8):
        assert _d(day) in text
    assert f"{_d(day_8)} 07:30" in text  # the grade-8 password on the class's day
    assert "МСК+9, время ОО" in text
    # and the download is audited
    event = AuditEvent.objects.get(action=ClassesAudit.TIMETABLE_DOWNLOAD)
    assert event.school_id == kamchatka.school.pk
    assert event.details["rows"] == 4
