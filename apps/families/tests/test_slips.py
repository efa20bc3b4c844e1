"""The slips PDF: its numbers equal the school's Ф1 (individual results) and Ф4 (task completion
of the class and the region), read back from the file with ``pdftotext``; before the release the
percentages are absent; the absent get no slip; scoping, roles, refusals and the audit row."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.urls import reverse

from apps.analytics import selectors as analytics
from apps.analytics.models import WorkAggregate
from apps.core.models import AuditEvent
from apps.core.scoping import Level
from apps.families.audit import FamiliesAudit
from apps.families.pdf import percent_text
from apps.families.tests.factories import A1A, ABSENT, put_results, two_classes, work_written
from apps.registration.access import actor_for_user
from conftest import World

pytestmark = pytest.mark.django_db

SLIP = "Результаты всероссийской проверочной работы"
ROW = re.compile(r"^\s*(\S+)\s+(X|\d+)\s+(\d+)(.*)$")


def _text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "slips.pdf"
    path.write_bytes(content)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode()


def _slips(text: str, tasks: int) -> dict[str, dict[str, Any]]:
    """Every slip of the file by code: class, task rows (score, maximum, the rest), primary
    score and mark, and the slip's whole text."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in text.split(SLIP)[1:]:
        head = re.search(r"Код участника:\s*(\d{5})\s+Класс:\s*(\S+)", chunk)
        assert head is not None, chunk
        lines = chunk.splitlines()
        start = next(i for i, line in enumerate(lines) if line.strip().startswith("Задание"))
        rows = [ROW.match(line) for line in lines[start + 1 : start + 1 + tasks]]
        assert all(rows), lines[start : start + 1 + tasks]
        total = re.search(r"Первичный балл:\s*(\d+) из (\d+)\s+Отметка:\s*«(\d)»", chunk)
        assert total is not None, chunk
        found[head.group(1)] = {
            "class": head.group(2),
            "rows": [(m.group(1), m.group(2), m.group(3), m.group(4).split()) for m in rows if m],
            "primary": int(total.group(1)),
            "max": int(total.group(2)),
            "mark": int(total.group(3)),
            "text": chunk,
        }
    return found


def _school_aggregate(work: Any, school: Any) -> WorkAggregate:
    return WorkAggregate.objects.get(work=work, level=Level.SCHOOL, unit_id=school.pk)


def test_slip_numbers_equal_the_schools_f1_and_f4_after_the_release(
    world: World, time_machine: Any, tmp_path: Path
) -> None:
    # given A1a's accepted results in «4А» and «4Б», released
    work, dates, sheet = two_classes(world)
    time_machine.move_to(dates.after_release, tick=False)
    client = world.client_for("school_organizer")
    # when its organizer downloads all the slips
    response = client.get(reverse("families-slips", args=[sheet.pk]))
    # then a PDF comes, streamed under its Russian name
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response.streaming
    name = unquote(response["Content-Disposition"].split("filename*=utf-8''")[1])
    assert name == f"Результаты для родителей_Русский язык 4 класс_{work.campaign.label}.pdf"
    content = b"".join(response.streaming_content)
    text = _text(content, tmp_path)
    slips = _slips(text, tasks=len(work.columns.all()))
    # and its slips are exactly the school's Ф1 participants who wrote the work
    actor = actor_for_user(world.users["school_organizer"])
    aggregate = _school_aggregate(work, world.schools["A1a"])
    f1 = analytics.individual_list(actor=actor, aggregate=aggregate)
    assert sorted(slips) == sorted(r.code for r in f1 if not r.absent)
    assert sorted(slips) == ["40001", "40002", "40003", "40005", "40006"]
    labels = {1: "4А", 2: "4Б"}
    columns = list(work.columns.all())
    for result in (r for r in f1 if not r.absent):
        slip = slips[result.code]
        # each task's score against its maximum («X» as in Ф1), the primary score and the mark
        assert slip["class"] == labels[result.class_number]
        assert [(label, score, maximum) for label, score, maximum, _ in slip["rows"]] == [
            (c.label, "X" if s is None else str(s), str(c.max_score))
            for c, s in zip(columns, result.scores, strict=True)
        ]
        assert (slip["primary"], slip["max"], slip["mark"]) == (
            result.primary_score,
            work.max_score,
            result.mark,
        )
        # and the class's and the region's completion per task are Ф4 at ?class=N
        report = analytics.report_get(
            actor=actor, pk=aggregate.pk, slice=analytics.Slice(classes=str(result.class_number))
        )
        own = next(i for i, row in enumerate(report.rows) if row.is_self)
        region = next(i for i, row in enumerate(report.rows) if row.level == Level.REGION)
        table = analytics.tasks_table(report)
        assert [rest for *_, rest in slip["rows"]] == [
            [
                percent_text(line["cells"][own]["value"]),
                percent_text(line["cells"][region]["value"]),
            ]
            for line in table
        ]
    # and the hand counts agree: «4А» scored 5 of 3 × 2 points in task 1 («83,3»)
    assert slips["40001"]["rows"][0][3][0] == "83,3"
    # and the absent get no slip: the cover sheet lists their codes per class
    cover = text.split(SLIP)[0]
    assert "40004" in cover
    assert "40007" in cover
    assert "Бланков в файле: 5" in cover
    # and no name is printed: only the empty line to fill in by hand
    assert text.count("Фамилия, имя обучающегося: ____") == 5


def test_before_the_release_the_percentages_are_absent(
    world: World, time_machine: Any, tmp_path: Path
) -> None:
    # given A1a's accepted results, not yet released
    work, dates, sheet = two_classes(world)
    client = world.client_for("school_organizer")
    # when its organizer downloads the slips
    response = client.get(reverse("families-slips", args=[sheet.pk]))
    # then every slip has the scores, the primary score and the mark
    assert response.status_code == 200
    text = _text(b"".join(response.streaming_content), tmp_path)
    slips = _slips(text, tasks=len(work.columns.all()))
    assert len(slips) == 5
    assert (slips["40005"]["primary"], slips["40005"]["mark"]) == (1, 2)
    # and instead of any percentage says when they come (the release date, school's clock)
    day = f"{dates.release:%d.%m.%Y}"
    for slip in slips.values():
        assert not re.search(r"\d,\d", slip["text"]), slip["text"]
        assert f"будет доступно после {day} 00:00" in " ".join(slip["text"].split())
    # and the audit row says so
    event = AuditEvent.objects.get(action=FamiliesAudit.SLIPS_DOWNLOAD)
    assert event.details["percents_released"] is False
    assert event.details["slips"] == 5
    assert event.school_id == world.schools["A1a"].pk


def test_one_class_and_a_page_as_an_image(world: World, time_machine: Any, tmp_path: Path) -> None:
    # given the released results of two classes
    work, dates, sheet = two_classes(world)
    time_machine.move_to(dates.after_release, tick=False)
    client = world.client_for("school_tech")
    # when the technical specialist prints «4Б» only
    response = client.get(reverse("families-slips", args=[sheet.pk]) + "?class=2")
    # then the file holds «4Б»'s two slips and is named after the class
    assert response.status_code == 200
    assert unquote(response["Content-Disposition"]).endswith("_4Б.pdf")
    content = b"".join(response.streaming_content)
    slips = _slips(_text(content, tmp_path), tasks=len(work.columns.all()))
    assert sorted(slips) == ["40005", "40006"]
    # and its page of slips renders as an image (looked at by hand when the layout changes)
    (tmp_path / "one.pdf").write_bytes(content)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "2",
            "-l",
            "2",
            str(tmp_path / "one.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=60,
    )
    image = next(tmp_path.glob("page*.png"))
    assert image.read_bytes().startswith(b"\x89PNG")
    # and a class without results is refused by name
    missing = client.get(reverse("families-slips", args=[sheet.pk]) + "?class=7")
    assert missing.status_code == 400
    assert "класса № 7" in missing.content.decode()


def test_slips_are_refused_before_the_results_are_processed(world: World) -> None:
    # given A1a's accepted results whose statistics job has not run yet
    work, _dates = work_written()
    sheet = put_results(world.schools["A1a"], work, A1A)
    client = world.client_for("school_organizer")
    # when the organizer asks for the slips
    response = client.get(reverse("api-families-slips", args=[sheet.pk]))
    # then 409 with the Russian reason
    assert response.status_code == 409
    assert response.json()["code"] == "results_processing"
    # and a sheet without an accepted version is refused as not accepted
    sheet.current_version = None
    sheet.save(update_fields=["current_version"])
    response = client.get(reverse("api-families-slips", args=[sheet.pk]))
    assert response.status_code == 409
    assert response.json()["code"] == "results_not_accepted"
    assert not AuditEvent.objects.filter(action=FamiliesAudit.SLIPS_DOWNLOAD).exists()


def test_slips_are_the_schools_own(world: World) -> None:
    # given the accepted results of A1a and of A2a
    work, _dates, sheet = two_classes(world)
    other = put_results(world.schools["A1b"], work, [("40001", 1, [1, 1, 1, 1])])
    # when the organizer of A1a asks for A1b's slips
    client = world.client_for("school_organizer")
    # then they do not exist for it (page and API)
    assert client.get(reverse("families-slips", args=[other.pk])).status_code == 404
    assert client.get(reverse("api-families-slips", args=[other.pk])).status_code == 404
    # and no coordinator gets a pupil's slip, not even of its own schools
    for role in ("municipal", "regional", "federal"):
        coordinator = world.client_for(role)
        assert coordinator.get(reverse("families-slips", args=[sheet.pk])).status_code == 403
        assert coordinator.get(reverse("api-families-slips", args=[sheet.pk])).status_code == 403


def test_the_school_page_lists_classes_with_slips_and_absent(world: World) -> None:
    # given A1a's accepted results of two classes
    work, _dates, sheet = two_classes(world)
    client = world.client_for("school_organizer")
    # when the organizer opens its families page for the work's campaign
    url = reverse("families-school", args=[world.schools["A1a"].pk])
    html = client.get(url, {"campaign": work.campaign_id}).content.decode()
    # then each class is listed with its slips and a link to its PDF
    assert "4А" in html
    assert "4Б" in html
    assert reverse("families-slips", args=[sheet.pk]) + "?class=1" in html
    # and the API lists the same: 3 slips and 1 absent in «4А», 2 and 1 in «4Б»
    data = client.get(
        reverse("api-families-school", args=[world.schools["A1a"].pk]),
        {"campaign": work.campaign_id},
    ).json()
    assert [(c["class_label"], c["slips"], c["absent"]) for c in data[0]["classes"]] == [
        ("4А", 3, 1),
        ("4Б", 2, 1),
    ]
    assert data[0]["slips"] == sum(1 for _c, _n, s in A1A if s != ABSENT)
