"""The results form of a school with a class register: the class sheet lists the register's
classes writing the work, the class column takes only their numbers, a code issued for another
class is refused, and a class cannot have more rows than its participants plus reserve.

The `env` school A1a has codes 40001…40020 issued for class 1 and two reserve codes without a
class. Columns of the protocol: A code, R «Порядковый номер класса» (15 task columns C…Q).
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.classes.models import ClassWork, SchoolClass
from apps.classes.tests.factories import ClassWorkFactory, SchoolClassFactory
from apps.core.uploads import UploadError
from apps.results import xlsx
from apps.results.models import ResultVersion
from apps.results.tests.conftest import Env, issue_codes


def _class(env: Env, number: int, letter: str, pupils: int, *, writes: bool = True) -> SchoolClass:
    school_class = SchoolClassFactory(
        campaign=env.work.campaign,
        school=env.school,
        grade=4,
        letter=letter,
        number=number,
        pupils=pupils,
    )
    if writes:
        ClassWorkFactory(
            school_class=school_class, work=env.work, source=ClassWork.Source.COMPULSORY
        )
    return school_class


def _refused(env: Env, rows: list[xlsx.Row]) -> list[tuple[int, str, str]]:
    with pytest.raises(UploadError) as caught:
        env.upload(env.filled(rows))
    assert env.stored() == []
    assert not ResultVersion.objects.exists()
    return [(e.row, e.column_letter, e.message) for e in caught.value.errors]


def _with_class(row: xlsx.Row, number: int) -> xlsx.Row:
    return xlsx.Row(
        row.code, row.absent, row.variant, row.scores, number, row.journal_mark, line=row.line
    )


@pytest.mark.django_db
def test_the_class_sheet_lists_the_register_classes_writing_the_work(env: Env) -> None:
    # given a register: 4А and 4Б write the work, 4В does not
    _class(env, 2, "Б", 18)
    _class(env, 1, "А", 20)
    _class(env, 3, "В", 22, writes=False)
    # when the school downloads its form
    wb = load_workbook(io.BytesIO(env.blank()))
    # then the class sheet lists 4А and 4Б with their numbers and pupils, nothing else
    sheet = wb["Порядковый номер класса"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values == [
        ["Порядковый номер класса", "Класс", "Обучающихся"],
        [1, "4А", 20],
        [2, "4Б", 18],
    ]
    # and the protocol's class column offers exactly those numbers
    protocol = wb["Протокол"]
    (validation,) = [dv for dv in protocol.data_validations.dataValidation if "R2" in str(dv.sqref)]
    assert validation.formula1 == "'Порядковый номер класса'!$A$2:$A$3"
    assert "1 (4А), 2 (4Б)" in (validation.error or "")


@pytest.mark.django_db
def test_without_a_register_the_class_sheet_keeps_1_to_50(env: Env) -> None:
    wb = load_workbook(io.BytesIO(env.blank()))
    sheet = wb["Порядковый номер класса"]
    numbers = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == list(range(1, 51))
    assert sheet["B1"].value == "Класс в ОО (для себя, в портал не передаётся)"


@pytest.mark.django_db
def test_a_good_file_per_class_is_accepted(env: Env) -> None:
    # given 4А (class 1, the env codes) and 4Б (class 2) with codes issued per class
    _class(env, 1, "А", 20)
    _class(env, 2, "Б", 5)
    codes_b = issue_codes(env.school, env.work, 4, range(31, 36), class_number=2)
    rows = env.rows()
    rows_b = [
        xlsx.Row(code, False, 1, tuple(0 for _ in env.spec().columns), 2, 4) for code in codes_b
    ]
    # when the school uploads the form with both classes
    env.upload(env.filled([*rows, *rows_b]))
    # then every participant is stored with its class
    stored = {r.code: r.class_number for r in env.stored()}
    assert stored == {**{r.code: 1 for r in rows}, **dict.fromkeys(codes_b, 2)}


@pytest.mark.django_db
def test_a_class_number_outside_the_register_names_row_column_and_valid_numbers(
    env: Env,
) -> None:
    # given 4А (class 1) writes the work and 4Б (class 2) does not
    _class(env, 1, "А", 20)
    _class(env, 2, "Б", 20, writes=False)
    rows = env.rows()
    rows[3] = _with_class(rows[3], 2)  # sheet row 5
    rows[4] = _with_class(rows[4], 7)  # sheet row 6
    # when uploaded, then both rows are refused at «Порядковый номер класса» (column R)
    message = (
        "«Порядковый номер класса» {}: такого класса нет среди классов реестра ОО, которые "
        "пишут эту работу. Допустимые номера: 1 (4А)."
    )
    assert _refused(env, rows) == [(5, "R", message.format(2)), (6, "R", message.format(7))]


@pytest.mark.django_db
def test_a_code_issued_for_another_class_names_row_and_column(env: Env) -> None:
    # given 4А (class 1, codes 40001…) and 4Б (class 2, codes 40031…)
    _class(env, 1, "А", 20)
    _class(env, 2, "Б", 20)
    issue_codes(env.school, env.work, 4, range(31, 34), class_number=2)
    rows = env.rows()
    rows[5] = _with_class(rows[5], 2)  # code 40006 of 4А written as 4Б, sheet row 7
    # when uploaded, then the code cell of row 7 is refused naming both classes
    assert _refused(env, rows) == [
        (
            7,
            "A",
            "Код 40006 выдан классу 4А (порядковый номер 1), а в строке указан класс 4Б "
            "(порядковый номер 2). Проверьте код по бумажному протоколу класса.",
        )
    ]


@pytest.mark.django_db
def test_more_rows_than_participants_and_reserve_names_the_class(env: Env) -> None:
    # given 4А has 10 pupils: 10 participants + 1 reserve (10 %, at least one) = 11 rows at most
    _class(env, 1, "А", 10)
    rows = env.rows(count=12)
    # when 12 rows of 4А are uploaded, then the 12th (sheet row 13) is refused naming the class
    assert _refused(env, rows) == [
        (
            13,
            "R",
            "В классе 4А (порядковый номер 1) участников в форме 12, а может быть не больше "
            "11: подтверждённые участники класса и резервные коды. Проверьте порядковый номер "
            "класса в строках участников.",
        )
    ]
    # and 11 rows are accepted
    env.upload(env.filled(env.rows(count=11)))
    assert len(env.stored()) == 11


@pytest.mark.django_db
def test_confirmed_participants_bound_the_class_when_the_school_confirmed_them(env: Env) -> None:
    # given 4А has 25 pupils, of whom the school confirmed 8 write the work
    school_class = _class(env, 1, "А", 25)
    ClassWork.objects.filter(school_class=school_class, work=env.work).update(participants=8)
    # then 8 confirmed + 1 reserve = 9 rows at most
    spec = env.spec()
    assert spec.classes is not None
    assert [(c.number, c.label, c.pupils, c.limit) for c in spec.classes] == [(1, "4А", 25, 9)]
    errors = _refused(env, env.rows(count=10))
    assert [(row, column) for row, column, _ in errors] == [(11, "R")]
    assert errors[0][2].startswith("В классе 4А (порядковый номер 1) участников в форме 10")


@pytest.mark.django_db
def test_reserve_codes_issued_for_the_class_widen_its_bound(env: Env) -> None:
    # given 4А has 10 pupils and three reserve codes issued for it (more than the 10 % rule)
    _class(env, 1, "А", 10)
    issue_codes(env.school, env.work, 4, range(41, 44), class_number=1, reserve=True)
    # then 10 + 3 = 13 rows are allowed
    spec = env.spec()
    assert spec.classes is not None
    assert [c.limit for c in spec.classes] == [13]
    env.upload(env.filled(env.rows(count=13)))
    assert len(env.stored()) == 13


@pytest.mark.django_db
def test_schools_without_a_register_keep_any_class_number(env: Env) -> None:
    rows = [_with_class(r, 37) for r in env.rows()]
    env.upload(env.filled(rows))
    assert {r.class_number for r in env.stored()} == {37}


@pytest.mark.django_db
def test_the_work_page_names_the_register_classes_to_write_in_the_form(env: Env) -> None:
    _class(env, 1, "А", 20)
    _class(env, 2, "Б", 20, writes=False)
    client = env.world.client_for("school_organizer")
    url = reverse("results-work", kwargs={"school_id": env.school.pk, "work_id": env.work.pk})
    page = client.get(url).content.decode()
    assert "из реестра классов ОО: 1 — 4А)" in page
    assert "2 — 4Б" not in page
