"""The campaign pages: the federal operator's editing, the plan-graph for everyone, a school's
schedule and the reserve-day flow through the browser forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.campaigns import documents, selectors
from apps.campaigns.models import (
    Campaign,
    CampaignGrade,
    ReserveDayRequest,
    SchoolWorkDate,
    Work,
)
from apps.campaigns.tests.factories import (
    GRADES_2026,
    RUSSIAN_4_2026,
    SubjectFactory,
    WorkFactory,
)
from apps.registration.access import actor_for_user
from conftest import World

NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)


def work_post(subject_id: int, columns: list[tuple[str, int, str]], **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "subject": subject_id,
        "grade": 4,
        "max_score": sum(c[1] for c in columns),
        "mark3_from": 10,
        "mark4_from": 16,
        "mark5_from": 21,
        "duration_minutes": 45,
        "variants_per_school": 2,
        "period_start": "2026-04-13",
        "period_end": "2026-04-24",
        "recommended_dates": "14.04.2026, 15.04.2026",
        "materials_publish_date": "2026-04-09",
        "results_upload_deadline": "2026-05-01",
        "results_release_date": "2026-05-15",
        "columns-TOTAL_FORMS": len(columns) + 1,
        "columns-INITIAL_FORMS": 0,
        "columns-MIN_NUM_FORMS": 0,
        "columns-MAX_NUM_FORMS": 100,
    }
    for i, (label, maximum, level) in enumerate(columns):
        data[f"columns-{i}-label"] = label
        data[f"columns-{i}-max_score"] = maximum
        data[f"columns-{i}-difficulty"] = level
        data[f"columns-{i}-topic"] = f"Тема {label}"
    data[f"columns-{len(columns)}-difficulty"] = "Б"  # a blank extra row is ignored
    data.update(over)
    return data


@pytest.mark.django_db
def test_federal_operator_creates_a_campaign_and_a_work_in_its_cabinet(world: World) -> None:
    client = world.client_for("federal")
    subject = SubjectFactory()
    # given a new campaign made through the form
    response = client.post(
        "/campaigns/new/",
        {
            "year": 2026,
            "session": "spring",
            "name": "ВПР 2026",
            "application_deadline": "2026-02-20",
            "is_active": "on",
        },
    )
    campaign = Campaign.objects.get(year=2026)
    assert response.status_code == 302
    assert campaign.is_active
    # when a work is submitted before the campaign's grades are configured, it is refused
    response = client.post(
        f"/campaigns/{campaign.pk}/works/new/", work_post(subject.pk, RUSSIAN_4_2026)
    )
    assert response.status_code == 200
    assert "в кампании ещё не заданы участвующие параллели" in response.content.decode()
    assert not Work.objects.exists()
    # given its grades configured (4–8 and 10)
    CampaignGrade.objects.bulk_create(
        CampaignGrade(campaign=campaign, grade=g) for g in GRADES_2026
    )
    # when a work is submitted whose columns do not sum to the maximum
    bad = work_post(subject.pk, RUSSIAN_4_2026, max_score=25)
    response = client.post(f"/campaigns/{campaign.pk}/works/new/", bad)
    # then the page shows the Russian error and nothing is saved
    assert response.status_code == 200
    assert "сумма максимальных баллов заданий (24) не равна" in response.content.decode()
    assert not Work.objects.exists()
    # when the correct work is submitted
    response = client.post(
        f"/campaigns/{campaign.pk}/works/new/", work_post(subject.pk, RUSSIAN_4_2026)
    )
    # then it is saved with its 15 columns in order and levels
    assert response.status_code == 302
    work = Work.objects.get()
    columns = list(work.columns.order_by("position"))
    assert [c.label for c in columns][:3] == ["1", "2", "3"]
    assert len(columns) == 15
    assert {c.label for c in columns if c.difficulty == "П"} == {"9.1", "9.2", "10.1", "10.2"}
    assert work.recommended_dates == ["2026-04-14", "2026-04-15"]
    # and the edit form shows it back, and a materials date too late is refused
    assert client.get(f"/works/{work.pk}/edit/").status_code == 200
    late = work_post(subject.pk, RUSSIAN_4_2026, materials_publish_date="2026-04-10")
    response = client.post(f"/works/{work.pk}/edit/", late)
    assert "не позднее чем за 4 дня до начала периода" in response.content.decode()
    work.refresh_from_db()
    assert work.materials_publish_date == dt.date(2026, 4, 9)


@pytest.mark.django_db
def test_a_work_can_be_deleted_only_while_unused(world: World) -> None:
    # given a work a school has chosen a day for
    work = WorkFactory()
    SchoolWorkDate.objects.create(
        school=world.schools["A1a"],
        work=work,
        date=work.period_start,
        region_id=world.regions["A"].pk,
        municipality_id=world.municipalities["A1"].pk,
    )
    client = world.client_for("federal")
    # when the operator deletes it
    response = client.post(f"/works/{work.pk}/delete/", follow=True)
    # then it is refused in Russian and kept
    assert "нельзя удалить" in response.content.decode()
    assert Work.objects.filter(pk=work.pk).exists()


@pytest.mark.django_db
def test_everyone_sees_the_plan_graph_table_and_calendar(world: World) -> None:
    # given a campaign with a plain and an encrypted work
    WorkFactory()
    WorkFactory(
        grade=8,
        subject__code="math",
        subject__name="Математика",
        columns=[("1", 10, "Б"), ("2", 14, "П")],
    )
    for role in ("federal", "regional", "municipal", "school_organizer", "school_tech"):
        client = world.client_for(role)
        # when each role opens the table, the calendar of April 2026 and the structures
        table = client.get("/plan-graph/").content.decode()
        month = client.get("/plan-graph/calendar/?month=2026-04").content.decode()
        works = client.get("/works/").content.decode()
        # then it sees the dates, the grade-8 rules and the columns
        assert "11.04.2026 — 16.05.2026" in table
        assert "с 14:00 по московскому времени" in table
        assert "в 07:30 по местному времени" in table
        assert "Апрель 2026" in month
        assert "публикация материалов" in month
        assert "9.1 (1б)" in works
        assert "«5» — 21–24" in works
    # but only the federal operator opens the campaigns cabinet
    assert world.client_for("regional").get("/campaigns/").status_code == 403
    assert world.client_for("federal").get("/campaigns/").status_code == 200


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_school_picks_its_day_and_asks_for_a_reserve_day_which_its_region_approves(
    world: World,
) -> None:
    # given a work and the school A1a in Kamchatka time
    work = WorkFactory()
    school = world.schools["A1a"]
    school.time_zone = "Asia/Kamchatka"
    school.save()
    client = world.client_for("school_organizer")
    # when the school opens its schedule
    page = client.get(f"/schools/{school.pk}/schedule/").content.decode()
    # then it sees the period, the recommended date and local release times
    assert "11.04.2026 — 16.05.2026" in page
    assert "15.04.2026" in page
    assert "Архив материалов: 07.04.2026 00:00" in page
    # when it picks a day outside the period
    response = client.post(
        f"/schools/{school.pk}/schedule/set/", {"work": work.pk, "date": "2026-05-20"}, follow=True
    )
    # then the Russian refusal is shown and nothing is saved
    assert "вне периода проведения" in response.content.decode()
    assert not SchoolWorkDate.objects.exists()
    # when it picks a day inside the period
    client.post(f"/schools/{school.pk}/schedule/set/", {"work": work.pk, "date": "2026-04-15"})
    assert SchoolWorkDate.objects.get().date == dt.date(2026, 4, 15)
    # when it asks for a reserve day without a reason, then with one
    url = f"/schools/{school.pk}/reserve-days/new/"
    response = client.post(url, {"work": work.pk, "date": "2026-05-20", "reason": ""})
    assert "Укажите причину" in response.content.decode()
    client.post(url, {"work": work.pk, "date": "2026-05-20", "reason": "Карантин по гриппу"})
    req = ReserveDayRequest.objects.get()
    # then its regional coordinator sees it and approves it with a comment
    regional = world.client_for("regional")
    assert "Карантин по гриппу" in regional.get(f"/reserve-days/{req.pk}/").content.decode()
    regional.post(f"/reserve-days/{req.pk}/decide/", {"verdict": "approved", "comment": "Ок"})
    # and the school sees the decision and the reserve day as its day
    page = client.get(f"/schools/{school.pk}/schedule/").content.decode()
    assert "согласовано" in page
    assert "резервный день" in page
    assert SchoolWorkDate.objects.get().date == dt.date(2026, 5, 20)
    # and the municipal coordinator sees the school's day in its overview
    overview = world.client_for("municipal").get("/school-dates/").content.decode()
    assert "20.05.2026" in overview


@pytest.mark.django_db
def test_works_file_upload_preview_and_apply_through_the_cabinet(world: World) -> None:
    # given a campaign with Русский язык 4 and its JSON export with a changed duration
    work = WorkFactory()
    client = world.client_for("federal")
    exported = client.get(f"/campaigns/{work.campaign_id}/works.json")
    doc = documents.parse_json(b"".join(exported.streaming_content))
    changed = documents.campaign_document(doc)
    changed["works"][0]["duration_minutes"] = 60
    import json

    upload = SimpleUploadedFile("работы.json", json.dumps(changed).encode(), "application/json")
    # when it is uploaded
    response = client.post(f"/campaigns/{work.campaign_id}/import/", {"file": upload})
    # then the preview shows the change, and nothing has changed yet
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "будет заменена" in preview
    assert f"Загрузка работ: {work.campaign.label}" in preview  # the crumb names the campaign
    assert "Продолжительность, минут" in preview
    work.refresh_from_db()
    assert work.duration_minutes == 45
    # when it is applied
    applied = client.post(response["Location"] + "apply/", follow=True)
    # then the work changed and the page says so
    work.refresh_from_db()
    assert work.duration_minutes == 60
    assert applied.redirect_chain[-1][0] == response["Location"]
    assert "Изменения применены." in applied.content.decode()
    # and applying it again, or discarding it now, changes nothing and says why
    again = client.post(response["Location"] + "apply/", follow=True).content.decode()
    assert "Файл уже применён" in again
    late = client.post(response["Location"] + "discard/", follow=True).content.decode()
    assert "отменить его нельзя" in late
    assert client.post("/work-imports/999999/apply/").status_code == 404


@pytest.mark.django_db
def test_a_bad_works_file_shows_errors_by_row_and_column(world: World) -> None:
    # given the xlsx export with a broken threshold
    work = WorkFactory()
    client = world.client_for("federal")
    content = b"".join(client.get(f"/campaigns/{work.campaign_id}/works.xlsx").streaming_content)
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    wb["Работы"]["G2"] = 30
    out = io.BytesIO()
    wb.save(out)
    # when it is uploaded
    upload = SimpleUploadedFile("работы.xlsx", out.getvalue())
    response = client.post(f"/campaigns/{work.campaign_id}/import/", {"file": upload})
    # then the page lists the error with its row and column, and nothing changed
    page = response.content.decode()
    assert "не принят; ничего не изменено" in page
    assert "<td>2</td><td>G</td>" in page
    assert "не может превышать максимальный балл" in page
    work.refresh_from_db()
    assert work.mark5_from == 21
    spec = selectors.campaign_spec(
        actor=actor_for_user(world.users["federal"]), campaign_id=work.campaign_id
    )
    assert spec.works[0].mark5_from == 21


@pytest.mark.django_db
def test_menu_links_per_role(world: World) -> None:
    # given each role / when it opens its cabinet / then it has its campaign links
    school = world.client_for("school_organizer").get("/plan-graph/").content.decode()
    assert "План-график" in school
    assert "Расписание ВПР" in school
    federal = world.client_for("federal").get("/plan-graph/").content.decode()
    assert "Кампании и работы" in federal
    regional = world.client_for("regional").get("/plan-graph/").content.decode()
    assert "Резервные дни" in regional
    assert "Даты проведения" in regional
