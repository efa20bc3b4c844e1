"""The results form the portal issues: the ФИС ОКО layout, and filled forms that round-trip."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from apps.core.models import AuditEvent
from apps.results import xlsx
from apps.results.tests.conftest import PARTICIPANTS, Env
from conftest import need_service

HEADERS_RU4 = [
    "Код участника",
    "Вариант",
    "1 (2б)",
    "2 (1б)",
    "3 (2б)",
    "4 (3б)",
    "5 (2б)",
    "6 (1б)",
    "7 (1б)",
    "8 (2б)",
    "9.1 (1б)",
    "9.2 (2б)",
    "10.1 (1б)",
    "10.2 (2б)",
    "11 (1б)",
    "12.1 (2б)",
    "12.2 (1б)",
    "Порядковый номер класса",
    "Отметка за предыдущий триместр/ четверть/полугодие",
    "Итого баллов",
]


def _validations(ws: object) -> dict[str, tuple[str, str]]:
    """Data validations of a sheet: first cell of each range → (formula, ranges)."""
    out = {}
    for dv in ws.data_validations.dataValidation:  # type: ignore[attr-defined]
        for rng in str(dv.sqref).split():
            out[rng.split(":")[0]] = (dv.formula1, rng)
    return out


@pytest.mark.django_db
def test_the_form_has_the_fis_oko_layout(env: Env) -> None:
    # given a school with issued codes for Русский язык 4 класс 2026
    # when its organizer downloads the results form
    out = env.blank()
    name = env.spec().file_name
    wb = load_workbook(io.BytesIO(out))
    ws = wb["Протокол"]
    # then the file, sheets and headers are those of ФИС ОКО, in order, with no names column
    assert name == "Форма сбора результатов Русский язык 4 класс ВПР 2026, весна.xlsx"
    assert wb.sheetnames == ["Протокол", "Служебный", "Порядковый номер класса"]
    assert [c.value for c in ws[1]] == HEADERS_RU4
    assert not any("ФИО" in str(c.value) or "Фамилия" in str(c.value) for c in ws[1])
    # and a formatted row per issued code (main codes first, reserve codes last), codes as text
    codes = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert codes == env.codes + env.reserve
    assert ws.max_row == PARTICIPANTS + 2 + 1
    assert ws.cell(row=2, column=1).data_type == "s"
    assert ws.cell(row=2, column=18).value == 1  # the class of a per-class code
    assert ws.cell(row=2, column=2).value is None  # nothing else is filled in
    # and the class numbers sheet lists 1..50
    classes = wb["Порядковый номер класса"]
    assert [classes.cell(row=r, column=1).value for r in range(2, 52)] == list(range(1, 51))


@pytest.mark.django_db
def test_the_total_is_the_only_formula_and_x_counts_zero(env: Env) -> None:
    # given the issued form
    wb = load_workbook(io.BytesIO(env.blank()))
    # when every cell of every sheet is inspected
    formulas = [
        (ws.title, cell.coordinate, cell.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    # then the only formulas are the totals in column T, summing the score columns (SUM skips X)
    assert {(t, c[0]) for t, c, _ in formulas} == {("Протокол", "T")}
    assert len(formulas) == PARTICIPANTS + 2
    assert formulas[0][2] == '=IF(COUNTA(C2:Q2)=0,"",SUM(C2:Q2))'


@pytest.mark.django_db
def test_the_form_has_dropdowns_for_variant_scores_class_and_mark(env: Env) -> None:
    # given the issued form
    wb = load_workbook(io.BytesIO(env.blank()))
    ws, service = wb["Протокол"], wb["Служебный"]
    found = _validations(ws)
    last = PARTICIPANTS + 3

    def listed(formula: str) -> list[object]:
        sheet, area = formula.split("!")
        first, end = area.replace("$", "").split(":")
        col = first[0]
        return [
            wb[sheet.strip("'")][f"{col}{r}"].value for r in range(int(first[1:]), int(end[1:]) + 1)
        ]

    # then the variant column offers 1..K or «отсутствовал»
    formula, area = found["B2"]
    assert area == f"B2:B{last}"
    assert listed(formula) == [1, 2, "отсутствовал"]
    # and each score column offers 0..its maximum or X
    assert listed(found["C2"][0]) == [0, 1, 2, "X"]  # 1 (2б)
    assert listed(found["D2"][0]) == [0, 1, "X"]  # 2 (1б)
    assert listed(found["F2"][0]) == [0, 1, 2, 3, "X"]  # 4 (3б)
    # and the mark column offers 5, 4, 3, 2, «нет отметки»; the class column 1..50
    assert listed(found["S2"][0]) == [5, 4, 3, 2, "нет отметки"]
    assert listed(found["R2"][0]) == list(range(1, 51))
    # and the service sheet names the school and the work (the upload checks them)
    meta = {
        service.cell(row=r, column=c).value: service.cell(row=r, column=c + 1).value
        for r in range(1, 4)
        for c in range(1, service.max_column)
    }
    assert meta["Код ОО"] == env.school.code
    assert meta["Ключ работы"] == "2026-spring/russian/4"


@pytest.mark.django_db
def test_the_issued_form_filled_and_uploaded_round_trips_exactly(env: Env) -> None:
    # given the issued form filled in for 20 participants (two absent, some X scores)
    rows = env.rows(seed=7)
    content = env.filled(rows)
    # when the school uploads it
    accepted = env.upload(content)
    # then exactly what was typed is stored, participant by participant
    stored = env.stored()
    assert [
        xlsx.Row(
            r.code,
            r.absent,
            r.variant,
            tuple(r.scores),
            r.class_number,
            r.journal_mark,
        )
        for r in stored
    ] == rows
    for r, row in zip(stored, rows, strict=True):
        assert r.primary_score == row.primary_score
        assert r.mark == (env.work.mark_for(row.primary_score) if not row.absent else None)
        assert (r.school_id, r.municipality_id, r.region_id) == (
            env.school.pk,
            env.school.municipality_id,
            env.school.region_id,
        )
    # and the form rebuilt from the stored version reads back to the same rows
    again = xlsx.read_form(xlsx.form_workbook(env.spec(), rows), env.spec())
    assert again.rows == rows
    assert accepted.version.snapshot == xlsx.snapshot(env.spec(), rows)
    assert accepted.unused_codes == 2  # the two reserve codes stayed empty
    assert AuditEvent.objects.filter(action="results.form_download").count() == 1


@pytest.mark.django_db
def test_a_form_saved_by_libreoffice_uploads_the_same(env: Env, tmp_path: Path) -> None:
    # given LibreOffice (the test needs it installed; it is on the development machine)
    soffice = shutil.which("libreoffice") or shutil.which("soffice")
    need_service("LibreOffice", soffice is not None, "apt-get install libreoffice-calc-nogui")
    assert soffice is not None
    rows = env.rows(seed=11)
    source = tmp_path / "in" / "form.xlsx"
    source.parent.mkdir()
    source.write_bytes(env.filled(rows))
    # when the filled form is opened and saved again by LibreOffice Calc
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = (tmp_path / "out" / "form.xlsx").read_bytes()
    assert converted != source.read_bytes()
    # then it uploads with the very same rows
    env.upload(converted)
    assert [r.code for r in env.stored()] == [r.code for r in rows]
    assert xlsx.read_form(converted, env.spec()).rows == rows
