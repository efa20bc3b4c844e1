"""The upload's fast paths give what the full paths give (issue 18): the result rows written as
tuples equal the model instances ``bulk_create`` wrote, a row of scores taken as it stands is
the row every rule would accept, and a cell that is not plain still meets every rule with its
message; unchanged rows make no diff."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from apps.core.uploads import Sheet
from apps.results import constants as k
from apps.results import services, xlsx
from apps.results.models import ParticipantResult
from apps.results.tests.conftest import Env

FIELDS = [
    f.attname for f in ParticipantResult._meta.concrete_fields if not f.primary_key
]  # every stored column but the id


def _stored(env: Env) -> list[tuple[Any, ...]]:
    return list(
        ParticipantResult.objects.filter(work=env.work).order_by("code").values_list(*FIELDS)
    )


def test_the_tuple_write_fills_every_column_of_a_result_row() -> None:
    assert sorted(services._ROW_COLUMNS) == sorted(FIELDS)


@pytest.mark.django_db
def test_the_tuple_write_stores_the_rows_bulk_create_stored(env: Env) -> None:
    # given an accepted upload (written by ``_rows_write``) with absent participants and «X»
    rows = env.rows(seed=3)
    assert any(r.absent for r in rows)
    assert any(None in r.scores for r in rows if not r.absent)
    accepted = env.upload(env.filled(rows))
    written = _stored(env)
    # when the same rows are written the old way, as model instances
    with transaction.atomic():
        ParticipantResult.objects.filter(work=env.work).delete()
        ParticipantResult.objects.bulk_create(
            services._rows(env.work, accepted.sheet, accepted.version, _rows_of(env, rows))
        )
    # then the table holds exactly the same values, column by column
    assert _stored(env) == written
    assert len(written) == len(rows)


def _rows_of(env: Env, rows: list[xlsx.Row]) -> list[xlsx.Row]:
    """The rows as validation returns them (with their lines)."""
    return xlsx.read_form(env.filled(rows), env.spec()).rows


def _book(spec: xlsx.FormSpec, lines: list[list[Any]]) -> dict[str, Sheet]:
    return {k.SHEET_PROTOCOL: Sheet(k.SHEET_PROTOCOL, [list(spec.headers), *lines])}


@pytest.mark.django_db
def test_scores_as_they_stand_and_cell_by_cell_give_the_same_rows_and_messages(env: Env) -> None:
    spec = env.spec()
    n = len(spec.columns)
    top = spec.columns[0].max_score
    code = iter(env.codes)

    def line(*scores: Any) -> list[Any]:
        return [next(code), 1.0, *scores, *([0.0] * (n - len(scores))), 1.0, 5.0]

    checked = xlsx.check_book(
        _book(
            spec,
            [
                line(float(top), "X", "х"),  # plain: taken as it stands
                line(" X ", "1", top, -0.0),  # text and int: every rule, still valid
                line(True),  # a boolean is not a score (True == 1.0 for a dict)
                line(1.5),
                line(float(top + 1)),
                line(""),
            ],
        ),
        spec,
    )
    assert [(e.row, e.column, e.message) for e in checked.errors] == [
        (4, 3, f"Балл за задание {spec.columns[0].label}: целое число от 0 до {top} или X."),
        (5, 3, f"Балл за задание {spec.columns[0].label}: целое число от 0 до {top} или X."),
        (6, 3, f"Балл за задание {spec.columns[0].label}: целое число от 0 до {top} или X."),
        (7, 3, f"Не заполнен балл за задание {spec.columns[0].label}: 0–{top} или X."),
    ]
    valid = xlsx.check_book(
        _book(spec, [line(float(top), "X", "х"), line(" X ", "1", top, -0.0)]), spec
    )
    assert not valid.errors
    assert [r.scores for r in valid.rows] == [
        (top, None, None, *(0,) * (n - 3)),
        (None, 1, top, 0, *(0,) * (n - 4)),
    ]


@pytest.mark.django_db
def test_a_name_repeated_in_many_cells_is_refused_in_every_cell(env: Env) -> None:
    spec = env.spec()
    n = len(spec.columns)
    lines = [[code, 1.0, *([1.0] * n), 1.0, "Иванов Иван"] for code in env.codes[:3]]
    checked = xlsx.check_book(_book(spec, lines), spec)
    named = [(e.row, e.column) for e in checked.errors if e.message == xlsx.NAME_MESSAGE]
    assert named == [(2, spec.col_mark), (3, spec.col_mark), (4, spec.col_mark)]
    assert all(row[spec.col_mark - 1] == "•••" for row in checked.grid[1:4])


def test_unchanged_rows_make_no_diff_and_texts_still_compare_as_texts() -> None:
    heads = ["Вариант", "1 (1б)"]
    assert xlsx.rows_diff({"40001": ["1", "X"]}, {"40001": ["1", "X"]}, heads, heads).empty
    # None and "" are the same text; 1 and "1" too: no change, as before
    assert xlsx.rows_diff({"40001": ["1", None]}, {"40001": ["1", ""]}, heads, heads).empty
    assert xlsx.rows_diff({"40001": [1, "X"]}, {"40001": ["1", "X"]}, heads, heads).empty
    changed = xlsx.rows_diff({"40001": ["1", "0"]}, {"40001": ["1", "1"]}, heads, heads)
    assert changed.changed == [xlsx.CellChange("40001", "1 (1б)", "0", "1")]
