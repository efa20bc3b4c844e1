"""Every validation rule of the results upload: a failing file each, with its row/column message.

Rows of the default filled form: 2–3 absent participants (codes 40001, 40002), 4–21 present
(40003…40020), 22–23 the unused reserve codes. Columns: A code, B variant, C…Q the 15 task
columns (C «1 (2б)», D «2 (1б)», E «3 (2б)», F «4 (3б)»…), R class, S previous mark, T total.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from openpyxl import load_workbook

from apps.core.models import AuditEvent
from apps.core.uploads import UploadError
from apps.results import xlsx
from apps.results.models import ResultVersion
from apps.results.tests.conftest import Env, fill, issue_codes

NAME = xlsx.NAME_MESSAGE


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Env], bytes]
    expected: list[tuple[int, str, str]]


def _cells(cells: dict[tuple[int, int], Any], sheet: str = "Протокол") -> Callable[[Env], bytes]:
    return lambda env: fill(env.filled(), cells, sheet)


def _service(label: str, value: str) -> Callable[[Env], bytes]:
    def make(env: Env) -> bytes:
        wb = load_workbook(io.BytesIO(env.filled()))
        ws = wb["Служебный"]
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == label:
                    ws.cell(row=cell.row, column=cell.column + 1).value = value
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    return make


def _other_grade_code(env: Env) -> bytes:
    issue_codes(env.school, env.work, 5, range(1, 2))  # 50001, issued for grade 5
    return fill(env.filled(), {(4, 1): "50001"})


def _extra_sheet(env: Env) -> bytes:
    wb = load_workbook(io.BytesIO(env.filled()))
    wb.create_sheet("Лист1")["A1"] = "заметки"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _no_protocol(env: Env) -> bytes:
    wb = load_workbook(io.BytesIO(env.filled()))
    wb["Протокол"].title = "Лист1"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CASES = [
    Case(
        "header-does-not-match-the-work",
        _cells({(1, 3): "1 (3б)"}),
        [(1, "C", "Заголовок столбца должен быть «1 (2б)».")],
    ),
    Case(
        "form-of-another-school",
        _service("Код ОО", "edu999999"),
        [(0, "", "Эта форма выдана другой ОО (код edu999999). Скачайте форму своей ОО.")],
    ),
    Case(
        "form-of-another-work",
        _service("Ключ работы", "2026-spring/math/4"),
        [
            (
                0,
                "",
                "Это форма другой работы (Русский язык, 4 класс, ВПР 2026, весна). Загрузите "
                "форму работы «Русский язык, 4 класс, ВПР 2026, весна».",
            )
        ],
    ),
    Case(
        "code-not-five-digits",
        _cells({(4, 1): "4003"}),
        [(4, "A", "Код участника — пятизначное число (например, 40001).")],
    ),
    Case(
        "code-not-issued-to-the-school",
        _cells({(4, 1): "49999"}),
        [
            (
                4,
                "A",
                "Код 49999 не выдавался этой ОО для 4 класса. Проверьте код по бумажному "
                "протоколу.",
            )
        ],
    ),
    Case(
        "code-issued-for-another-grade",
        _other_grade_code,
        [
            (
                4,
                "A",
                "Код 50001 не выдавался этой ОО для 4 класса. Проверьте код по бумажному "
                "протоколу.",
            )
        ],
    ),
    Case(
        "code-repeated",
        _cells({(5, 1): "40003"}),
        [(5, "A", "Код 40003 повторяется: он уже указан в строке 4.")],
    ),
    Case(
        "code-missing",
        _cells({(4, 1): None}),
        [(4, "A", "Укажите код участника (пятизначное число).")],
    ),
    Case(
        "variant-out-of-range",
        _cells({(4, 2): 3}),
        [(4, "B", "Вариант — число от 1 до 2 или «отсутствовал».")],
    ),
    Case(
        "variant-missing",
        _cells({(4, 2): None}),
        [(4, "B", "Укажите номер варианта (от 1 до 2) или «отсутствовал».")],
    ),
    Case(
        "absent-with-a-score",
        _cells({(2, 3): 1}),
        [(2, "C", "Участник отсутствовал: баллы не ставятся, оставьте ячейку пустой.")],
    ),
    Case(
        "score-above-the-maximum",
        _cells({(4, 4): 2}),
        [(4, "D", "Балл за задание 2: целое число от 0 до 1 или X.")],
    ),
    Case(
        "score-not-whole",
        _cells({(4, 3): 1.5}),
        [(4, "C", "Балл за задание 1: целое число от 0 до 2 или X.")],
    ),
    Case(
        "score-negative",
        _cells({(4, 6): -1}),
        [(4, "F", "Балл за задание 4: целое число от 0 до 3 или X.")],
    ),
    Case(
        "score-is-text",
        _cells({(4, 3): "два"}),
        [(4, "C", "Балл за задание 1: целое число от 0 до 2 или X.")],
    ),
    Case(
        "score-missing",
        _cells({(4, 5): None}),
        [(4, "E", "Не заполнен балл за задание 3: 0–2 или X.")],
    ),
    Case(
        "mark-out-of-range",
        _cells({(4, 19): 1}),
        [(4, "S", "Отметка — 5, 4, 3, 2 или «нет отметки».")],
    ),
    Case(
        "mark-missing",
        _cells({(4, 19): None}),
        [(4, "S", "Укажите отметку за предыдущий период: 5, 4, 3, 2 или «нет отметки».")],
    ),
    Case(
        "class-above-50",
        _cells({(4, 18): 51}),
        [(4, "R", "Порядковый номер класса — целое число от 1 до 50.")],
    ),
    Case(
        "class-zero",
        _cells({(4, 18): 0}),
        [(4, "R", "Порядковый номер класса — целое число от 1 до 50.")],
    ),
    Case(
        "class-missing",
        _cells({(4, 18): None}),
        [(4, "R", "Укажите порядковый номер класса (от 1 до 50).")],
    ),
    Case(
        "name-in-the-code-column",
        _cells({(4, 1): "Иванов Иван"}),
        [(4, "A", NAME)],
    ),
    Case(
        "name-with-initials-in-a-score-cell",
        _cells({(6, 7): "Петрова А.С."}),
        [(6, "G", NAME)],
    ),
    Case(
        "full-name-in-an-empty-row",
        _cells({(30, 2): "СИДОРОВ ПЁТР ИВАНОВИЧ"}),
        [(30, "B", NAME)],
    ),
    Case(
        "name-on-the-service-sheet",
        _cells({(12, 1): "Кузнецова Мария Петровна"}, sheet="Служебный"),
        [(12, "A", f"Лист «Служебный»: {NAME}")],
    ),
    Case(
        "name-on-the-class-sheet",
        _cells({(2, 2): "Смирнова Ольга"}, sheet="Порядковый номер класса"),
        [(2, "B", f"Лист «Порядковый номер класса»: {NAME}")],
    ),
    Case(
        "extra-column-of-names",
        _cells({(1, 21): "ФИО", (4, 21): "Иванов Иван", (5, 21): "Петров Пётр"}),
        [
            (4, "U", NAME),
            (5, "U", NAME),
            (
                1,
                "U",
                "Лишний столбец: в форме нет места для других данных (ФИО участников в портал "
                "не передаются). Удалите столбец.",
            ),
        ],
    ),
    Case(
        "extra-column-of-anything",
        _cells({(7, 22): 5}),
        [
            (
                7,
                "V",
                "Лишний столбец: в форме нет места для других данных (ФИО участников в портал "
                "не передаются). Удалите столбец.",
            )
        ],
    ),
    Case(
        "extra-sheet",
        _extra_sheet,
        [(0, "", "Лишний лист № 4: в форме не должно быть других листов.")],
    ),
    Case(
        "no-protocol-sheet",
        _no_protocol,
        [
            (
                0,
                "",
                "В файле нет листа «Протокол». Скачайте форму сбора результатов на портале и "
                "заполните её.",
            )
        ],
    ),
    Case(
        "untouched-empty-form",
        lambda env: env.blank(),
        [
            (
                0,
                "",
                "Форма не заполнена: нет ни одного участника с вариантом и баллами. Заполните "
                "форму и загрузите её снова.",
            )
        ],
    ),
    Case(
        "not-an-xlsx-file",
        lambda env: "Код участника;Вариант\n40001;1\n".encode(),
        [(0, "", "Файл не является книгой Excel (.xlsx). Загрузите форму в формате .xlsx.")],
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_rule_refuses_the_file_with_its_row_and_column(env: Env, case: Case) -> None:
    # given a filled form broken in one way
    content = case.make(env)
    # when the school uploads it
    with pytest.raises(UploadError) as caught:
        env.upload(content)
    # then exactly the expected errors come back, in Russian, with row and column
    got = [(e.row, e.column_letter, e.message) for e in caught.value.errors]
    assert got == case.expected
    # and nothing is stored; the refused attempt is audited without cell values
    assert env.stored() == []
    assert not ResultVersion.objects.exists()
    event = AuditEvent.objects.get(action="results.upload_rejected")
    assert event.details["errors"] == len(case.expected)
    assert "Иван" not in str(event.details)


@pytest.mark.django_db
def test_a_name_is_never_echoed_back(env: Env) -> None:
    # given a form with a participant's name typed where the code goes
    content = fill(env.filled(), {(4, 1): "Иванов Иван", (5, 2): "Сергеева Анна Олеговна"})
    # when it is checked (the «Проверить» dry run)
    checked = xlsx.check_form(content, env.spec())
    # then the cells are refused and masked: neither the errors nor the sheet copy show the names
    assert {(e.row, e.column) for e in checked.errors} >= {(4, 1), (5, 2)}
    shown = str([e.message for e in checked.errors]) + str(checked.grid)
    assert "Иванов" not in shown
    assert "Сергеева" not in shown
    assert checked.masked == {(4, 1), (5, 2)}


@pytest.mark.django_db
def test_all_errors_come_back_at_once(env: Env) -> None:
    # given a form with four different mistakes in three rows
    content = fill(env.filled(), {(4, 2): 7, (4, 4): 9, (9, 1): "12", (15, 19): "отлично"})
    # when it is uploaded
    with pytest.raises(UploadError) as caught:
        env.upload(content)
    # then every one is reported, in sheet order
    assert [(e.row, e.column_letter) for e in caught.value.errors] == [
        (4, "B"),
        (4, "D"),
        (9, "A"),
        (15, "S"),
    ]


@pytest.mark.django_db
def test_x_in_latin_or_cyrillic_and_either_case_means_not_attempted(env: Env) -> None:
    # given scores typed as X, x (Latin) and Х, х (Cyrillic), and words in any case
    content = fill(
        env.filled(),
        {
            (4, 3): "X",
            (4, 4): "x",
            (4, 5): "Х",
            (4, 6): "х",
            (2, 2): "Отсутствовал",
            (4, 19): "Нет отметки",
            (5, 1): 40004,  # a code typed as a number
        },
    )
    # when it is uploaded
    env.upload(content)
    # then the four scores are «not attempted» (counting 0) and the words are understood
    row = next(r for r in env.stored() if r.code == "40003")
    assert row.scores[:4] == [None, None, None, None]
    assert row.journal_mark == 0
    assert next(r for r in env.stored() if r.code == "40001").absent
    assert "40004" in {r.code for r in env.stored()}


@pytest.mark.django_db
def test_empty_rows_are_ignored_and_unused_codes_are_not_participants(env: Env) -> None:
    # given five participants typed with an empty row between them and empty rows after them
    rows = env.rows(count=5, absent=1)
    content = env.filled(rows)
    wb = load_workbook(io.BytesIO(content))
    ws = wb["Протокол"]
    ws.insert_rows(5)  # an empty row in the middle
    for r in range(30, 200):  # formatted but empty trailing rows
        ws.cell(row=r, column=2).number_format = "0"
    buffer = io.BytesIO()
    wb.save(buffer)
    # when it is uploaded
    accepted = env.upload(buffer.getvalue())
    # then exactly the five participants are stored; the 17 codes left untouched are not
    assert [r.code for r in env.stored()] == [r.code for r in rows]
    assert accepted.unused_codes == 17


@pytest.mark.django_db
def test_an_absent_participant_needs_no_class_or_mark(env: Env) -> None:
    # given an absent participant with only the code and «отсутствовал»
    rows = env.rows(count=3, absent=0)
    content = fill(env.filled(rows), {(5, 1): "40021", (5, 2): "отсутствовал", (5, 18): None})
    # when it is uploaded
    env.upload(content)
    # then it is stored as absent, with no scores, class or mark
    absent = next(r for r in env.stored() if r.code == "40021")
    assert (absent.absent, absent.scores, absent.class_number, absent.journal_mark) == (
        True,
        [],
        None,
        None,
    )


def test_names_are_recognised_in_their_usual_shapes() -> None:
    # given texts shaped like names and texts that are not
    names = [
        "Иванов Иван",
        "Иванов Иван Иванович",
        "ИВАНОВА МАРИЯ",
        "Петров П.П.",
        "Петров П. П.",
        "П.П. Петров",
        "Салтыков-Щедрин Михаил",
        "Ivanov Ivan",
        "Петровна",
    ]
    others = [
        "Код участника",
        "отсутствовал",
        "нет отметки",
        "Русский язык, 4 класс, ВПР 2026, весна",
        "Код ОО",
        "X",
        "4 (3б)",
        "Отметка за предыдущий триместр/ четверть/полугодие",
        "Порядковый номер класса",
        "Итого баллов",
        "Балл 0–2",
    ]
    # then each is classified as expected
    assert [n for n in names if not xlsx.looks_like_name(n)] == []
    assert [o for o in others if xlsx.looks_like_name(o)] == []


def test_a_file_named_after_a_person_is_stored_under_the_forms_own_name() -> None:
    # given uploaded file names, some naming people
    default = "Форма сбора результатов Русский язык 4 класс ВПР 2026.xlsx"
    names = {
        "форма.xlsx": "форма.xlsx",
        default: default,
        "результаты 4б.xlsx": "результаты 4б.xlsx",
        "4А Иванова М.П..xlsx": default,
        "Петров Иван.xlsx": default,
    }
    # then a name that could identify a person is never kept
    assert {n: xlsx.safe_file_name(n, default) for n in names} == names
