"""A class renumbered in the register after its codes were issued keeps them in the results
form: the form and its checks take the class's current «Порядковый номер класса», an upload
with the new number is accepted, one with the old number is refused by row and column.

The `env` codes 40001…40020 belong to 4А (№ 1); 4Б (№ 2) holds 40031…40035. Columns of the
protocol: A code, R «Порядковый номер класса».
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from apps.classes.models import ClassWork, SchoolClass
from apps.classes.register import services as register
from apps.classes.register.rules import ClassInput
from apps.classes.tests.factories import ClassWorkFactory, SchoolClassFactory
from apps.core.uploads import UploadError
from apps.materials.models import ParticipantCode
from apps.results import selectors as sel
from apps.results import xlsx
from apps.results.models import ResultVersion
from apps.results.tests.conftest import Env, issue_codes

pytestmark = pytest.mark.django_db


def _class(env: Env, number: int, letter: str, pupils: int, codes: list[str]) -> SchoolClass:
    """A register class writing the work, holding ``codes`` (issued for it)."""
    school_class = SchoolClassFactory(
        campaign=env.work.campaign,
        school=env.school,
        grade=4,
        letter=letter,
        number=number,
        pupils=pupils,
    )
    ClassWorkFactory(school_class=school_class, work=env.work, source=ClassWork.Source.COMPULSORY)
    ParticipantCode.objects.filter(school=env.school, code__in=codes).update(
        school_class=school_class, class_number=number
    )
    return school_class


def _renumber(env: Env, school_class: SchoolClass, number: int) -> None:
    register.class_update(
        actor=env.actor(),
        class_id=school_class.pk,
        data=ClassInput(4, school_class.letter, number, school_class.pupils),
    )


def _as_class(rows: list[xlsx.Row], number: int) -> list[xlsx.Row]:
    return [
        xlsx.Row(r.code, r.absent, r.variant, r.scores, number, r.journal_mark, line=r.line)
        for r in rows
    ]


@pytest.fixture
def classes(env: Env) -> tuple[SchoolClass, SchoolClass]:
    codes_b = issue_codes(env.school, env.work, 4, range(31, 36), class_number=2)
    return _class(env, 1, "А", 20, env.codes), _class(env, 2, "Б", 5, codes_b)


def test_the_form_and_its_checks_take_the_new_number(
    env: Env, classes: tuple[SchoolClass, SchoolClass]
) -> None:
    a, _b = classes
    # when the school renumbers 4А from 1 to 3
    _renumber(env, a, 3)
    # then the form's codes of 4А carry 3, and the class sheet lists 2 (4Б) and 3 (4А)
    spec = env.spec()
    assert {spec.code_classes[c] for c in env.codes} == {3}
    wb = load_workbook(io.BytesIO(env.blank()))
    listed = [r[:2] for r in wb["Порядковый номер класса"].iter_rows(min_row=2, values_only=True)]
    assert listed == [(2, "4Б"), (3, "4А")]
    prefilled = {r[0]: r[17] for r in wb["Протокол"].iter_rows(min_row=2, values_only=True)}
    assert {prefilled[c] for c in env.codes} == {3}
    # and an upload with the new number is accepted, stored with it
    env.upload(env.filled(_as_class(env.rows(), 3)))
    assert {r.class_number for r in env.stored()} == {3}


def test_the_old_number_is_refused_by_row_and_column(
    env: Env, classes: tuple[SchoolClass, SchoolClass]
) -> None:
    a, _b = classes
    _renumber(env, a, 3)
    rows = _as_class(env.rows(), 3)
    rows[3] = _as_class([rows[3]], 1)[0]  # sheet row 5 keeps the old number
    # when uploaded, then row 5 is refused at «Порядковый номер класса» (column R)
    with pytest.raises(UploadError) as caught:
        env.upload(env.filled(rows))
    assert [(e.row, e.column_letter, e.message) for e in caught.value.errors] == [
        (
            5,
            "R",
            "«Порядковый номер класса» 1: такого класса нет среди классов реестра ОО, которые "
            "пишут эту работу. Допустимые номера: 2 (4Б), 3 (4А).",
        )
    ]
    assert env.stored() == []
    assert not ResultVersion.objects.exists()


def test_an_old_number_now_another_class_s_names_both_classes(
    env: Env, classes: tuple[SchoolClass, SchoolClass]
) -> None:
    a, b = classes
    # given 4А renumbered 1 → 3, then 4Б 2 → 1
    _renumber(env, a, 3)
    _renumber(env, b, 1)
    rows = _as_class(env.rows(), 3)
    rows[4] = _as_class([rows[4]], 1)[0]  # code 40005 of 4А under its old number, sheet row 6
    # when uploaded, then the code cell of row 6 is refused naming 4А's new number and 4Б
    with pytest.raises(UploadError) as caught:
        env.upload(env.filled(rows))
    assert [(e.row, e.column_letter, e.message) for e in caught.value.errors] == [
        (
            6,
            "A",
            "Код 40005 выдан классу 4А (порядковый номер 3), а в строке указан класс 4Б "
            "(порядковый номер 1). Проверьте код по бумажному протоколу класса.",
        )
    ]


def test_accepted_results_show_the_class_s_current_number_for_the_next_upload(
    env: Env, classes: tuple[SchoolClass, SchoolClass]
) -> None:
    a, _b = classes
    # given results accepted with 4А as class 1
    env.upload(env.filled())
    assert {r.class_number for r in env.stored()} == {1}
    # when 4А is renumbered to 4 and the school opens its results in the browser
    _renumber(env, a, 4)
    actor = env.actor()
    work = sel.work_get(actor=actor, work_id=env.work.pk)
    spec = sel.form_spec(actor=actor, school=env.school, work=work, action="results.upload")
    cells, draft = sel.entry_cells(actor=actor, school=env.school, work=work, spec=spec)
    # then the accepted rows show 4 in the class column, as the next upload must carry
    assert draft is None
    shown = {row[0]: row[spec.col_class - 1] for row in cells}
    assert {shown[c] for c in env.codes} == {"4"}
