"""Coordinators' summary files: every active school (applied or not), round trips, confirmations."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from apps.applications import services
from apps.applications.models import Application, ApplicationDecision, ApplicationLine, Status
from apps.applications.tests.conftest import Chain, edit_xlsx, snapshot, upload
from apps.core.uploads import UploadError
from apps.registration.constants import SchoolStatus
from apps.registration.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def _summary(chain: Chain, role: str = "municipal", unit: str = "A1") -> bytes:
    kind = "municipality" if len(unit) == 2 else "region"
    units = chain.world.municipalities if kind == "municipality" else chain.world.regions
    return services.application_summary_file(
        actor=chain.actor(role), unit_kind=kind, unit_id=units[unit].pk
    ).content


def _rows(content: bytes, sheet: str) -> list[list[Any]]:
    ws = load_workbook(io.BytesIO(content))[sheet]
    return [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=ws.max_row)]


def _round_trip(chain: Chain, role: str, unit: str) -> Any:
    content = _summary(chain, role, unit)
    batch = upload(chain.actor(role), content, name="Сводная заявка.xlsx")
    result = services.application_import_apply(actor=chain.actor(role), batch_id=batch.pk)
    return batch, result


def test_summary_lists_every_active_school_including_those_that_did_not_apply(chain: Chain) -> None:
    # given municipality A1: A1a submitted, A1b without an application, and a closed school
    chain.submitted("A1a")
    closed = SchoolFactory(
        municipality=chain.world.municipalities["A1"],
        status=SchoolStatus.CLOSED,
        short_name="Закрытая школа",
    )
    # when the municipal coordinator downloads the summary
    out = services.application_summary_file(
        actor=chain.actor("municipal"),
        unit_kind="municipality",
        unit_id=chain.world.municipalities["A1"].pk,
    )
    # then both active schools are there, the non-applicant marked «заявка не подана»
    a, b = chain.school("A1a"), chain.school("A1b")
    code = chain.world.municipalities["A1"].code
    assert out.filename == f"Сводная заявка ВПР 2026, весна {code}.xlsx"
    wb = load_workbook(io.BytesIO(out.content))
    assert wb.sheetnames[:3] == ["Инструкция", "ОО", "Заявки"]
    schools = _rows(out.content, "ОО")
    muni = chain.world.municipalities["A1"].name
    assert schools == [
        [a.code, a.short_name, muni, "подана ОО", "нет"],
        [b.code, b.short_name, muni, "заявка не подана", "нет"],
    ]
    assert all(closed.code != row[0] for row in schools)
    assert all(closed.code != row[0] for row in _rows(out.content, "Заявки"))
    lines = _rows(out.content, "Заявки")
    assert [row[:1] + row[2:] for row in lines] == [
        [a.code, 4, "Математика", "да", 24, 1],
        [a.code, 4, "Русский язык", "да", 25, 1],
        [a.code, 5, "Математика", "нет", 0, 0],
        [b.code, 4, "Математика", "нет", 0, 0],
        [b.code, 4, "Русский язык", "нет", 0, 0],
        [b.code, 5, "Математика", "нет", 0, 0],
    ]
    # and only «подтвердить» and the line inputs are unlocked
    ws = wb["ОО"]
    assert ws.protection.sheet
    assert [ws.cell(4, c).protection.locked for c in range(1, 6)] == [True] * 4 + [False]


def test_municipal_round_trip_changes_nothing(chain: Chain) -> None:
    # given a confirmed application, a draft made by the coordinator, and a school with none
    confirmed = chain.submitted("A1a")
    services.application_confirm(actor=chain.actor("municipal"), application_id=confirmed.pk)
    draft = chain.open("A1b", role="municipal")
    chain.fill(draft, role="municipal", lines={chain.ma5: ("да", 10, 1)})
    before = snapshot()
    # when the summary is downloaded, uploaded unchanged and applied
    batch, result = _round_trip(chain, "municipal", "A1")
    # then the preview showed no change, and nothing changed: statuses, lines, decisions
    assert batch.preview["counts"]["changed"] == 0
    assert batch.preview["schools"] == []
    assert result.done
    after = snapshot()
    assert after["apps"] == before["apps"]
    assert after["lines"] == before["lines"]
    assert after["decisions"] == before["decisions"]


def test_regional_round_trip_changes_nothing(chain: Chain) -> None:
    # given region A with a region-confirmed, a submitted and two untouched schools
    top = chain.submitted("A1a")
    services.application_confirm(actor=chain.actor("regional"), application_id=top.pk)
    chain.open("A2a", role="regional")
    before = snapshot()
    # when the region's summary makes the round trip
    batch, _result = _round_trip(chain, "regional", "A")
    # then it lists the four schools and changes nothing
    assert batch.preview["counts"] == {
        "schools": 4,
        "changed": 0,
        "unchanged": 4,
        "lines": 0,
        "submit": 0,
        "confirm": 0,
        "reopen": 0,
    }
    after = snapshot()
    assert (after["apps"], after["lines"], after["decisions"]) == (
        before["apps"],
        before["lines"],
        before["decisions"],
    )


def test_summary_edits_and_confirms_and_reopens(chain: Chain) -> None:
    # given A1a submitted and A1b not applied
    app = chain.submitted("A1a")
    content = _summary(chain)
    # when the coordinator confirms A1a, fills A1b's grade-5 maths and leaves it unconfirmed
    content = edit_xlsx(content, "ОО", {"E4": "да"})
    content = edit_xlsx(content, "Заявки", {"E9": "да", "F9": 15, "G9": 1})
    batch = upload(chain.actor("municipal"), content)
    # then the preview shows one confirmation and one new line
    assert batch.preview["counts"]["confirm"] == 1
    assert batch.preview["counts"]["lines"] == 1
    services.application_import_apply(actor=chain.actor("municipal"), batch_id=batch.pk)
    # and after applying A1a is confirmed (through xlsx) and A1b has a draft with the line
    app.refresh_from_db()
    assert app.status == Status.CONFIRMED_MUNICIPALITY
    last = ApplicationDecision.objects.filter(application=app).latest("at", "pk")
    assert (last.to_status, last.source, last.role) == (
        "confirmed_municipality",
        "xlsx",
        "municipal",
    )
    other = Application.objects.get(school=chain.school("A1b"))
    assert other.status == Status.DRAFT
    assert list(
        ApplicationLine.objects.filter(application=other).values_list(
            "work_id", "takes_part", "participants", "classes"
        )
    ) == [(chain.ma5.pk, True, 15, 1)]
    # when the next summary answers «нет» for A1a
    content = edit_xlsx(_summary(chain), "ОО", {"E4": "нет"})
    batch = upload(chain.actor("municipal"), content)
    services.application_import_apply(actor=chain.actor("municipal"), batch_id=batch.pk)
    # then the confirmation is taken back
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def test_municipal_changes_to_a_region_confirmed_row_are_refused(chain: Chain) -> None:
    # given A1a confirmed by the region
    app = chain.submitted("A1a")
    services.application_confirm(actor=chain.actor("regional"), application_id=app.pk)
    content = _summary(chain)
    assert _rows(content, "ОО")[0][3:] == ["подтверждена регионом", "да"]
    # when the municipality changes its line and unconfirms it anyway
    content = edit_xlsx(content, "Заявки", {"F5": 10})
    content = edit_xlsx(content, "ОО", {"E4": "нет"})
    before = snapshot()
    with pytest.raises(UploadError) as caught:
        upload(chain.actor("municipal"), content)
    # then the row is refused in Russian, and nothing changes
    code = chain.school("A1a").code
    assert [str(e) for e in caught.value.errors] == [
        f"строка 4, столбец E: Лист «ОО»: ОО {code}: Заявка подтверждена региональным "
        "координатором и закрыта для изменений. Изменить её или вернуть на доработку может "
        "только региональный координатор."
    ]
    assert snapshot() == before


def test_summary_of_another_level_or_unit_is_refused(chain: Chain, world: Any) -> None:
    region_file = _summary(chain, "regional", "A")
    # the municipality uploads the region's file
    with pytest.raises(UploadError) as caught:
        upload(chain.actor("municipal"), region_file)
    assert str(caught.value.errors[0]).startswith("Сводный файл сформирован для другого уровня")
    # a school uploads a summary
    with pytest.raises(UploadError) as caught:
        upload(chain.actor("school_organizer"), _summary(chain))
    assert str(caught.value.errors[0]).startswith("Это сводный файл координатора")
    # a row names a school of another municipality
    content = edit_xlsx(_summary(chain), "ОО", {"A5": world.schools["A2a"].code})
    with pytest.raises(UploadError) as caught:
        upload(chain.actor("municipal"), content)
    assert str(caught.value.errors[0]).startswith(
        f"строка 5, столбец A: Лист «ОО»: ОО {world.schools['A2a'].code} нет среди действующих ОО"
    )


def test_summary_download_in_the_browser(chain: Chain, world: Any) -> None:
    client = world.client_for("municipal")
    muni = world.municipalities["A1"]
    response = client.get(f"/applications/summary/municipalities/{muni.pk}.xlsx")
    assert response.status_code == 200
    disposition = unquote(response["Content-Disposition"])
    assert f"Сводная заявка ВПР 2026, весна {muni.code}.xlsx" in disposition
    # and the school may not download it
    assert (
        world.client_for("school_organizer")
        .get(f"/applications/summary/municipalities/{muni.pk}.xlsx")
        .status_code
        == 403
    )
