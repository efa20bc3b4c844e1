"""Every demo work with task columns gets a plausible Russian-language demo bank: enough items
per column for distinct variants, valid through the ordinary bank import, math answers right."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from apps.campaigns.models import TaskColumn, Work
from apps.demo.banks import Column, demo_rows, generated_rows
from apps.demo.calendar import DemoCalendar
from apps.demo.campaigns import STRUCTURES, columns_of
from apps.materials.bank import ItemRow, WorkKey, read_bank_json, write_bank_json
from apps.materials.models import BankItem, WorkBank

MIN_PER_COLUMN = 3
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LEVEL_DIFFICULTY = {"Б": {1, 2}, "П": {3, 4}, "В": {4, 5}}


def _bank(subject: str, grade: int) -> tuple[list[ItemRow], list[Column]]:
    columns = [
        Column(i, c.label, c.max_score, c.difficulty, c.topic)
        for i, c in enumerate(columns_of(subject, STRUCTURES[subject, grade]))
    ]
    if (subject, grade) == ("russian", 4):
        return demo_rows(), columns
    return generated_rows(subject, grade, columns), columns


def _all_banks() -> list[tuple[str, int, list[ItemRow], list[Column]]]:
    return [(s, g, *_bank(s, g)) for s, g in STRUCTURES]


def test_every_demo_structure_has_a_bank_that_passes_the_import_validation() -> None:
    for subject, grade, rows, columns in _all_banks():
        # given the demo bank of a work, written as a bank file
        key = WorkKey(year=2026, session="autumn", subject=subject, grade=grade)
        labels = [c.label for c in columns]
        content = write_bank_json(work=key, rows=rows)
        # when it is read back with the ordinary import validation (3 variants per school)
        read = read_bank_json(content, work=key, columns=labels, variants=MIN_PER_COLUMN)
        # then every item survives and every column has at least three distinct items
        assert len(read) == len(rows), (subject, grade)
        per_column = defaultdict(set)
        for row in read:
            per_column[row.column].add(row.text)
        for label in labels:
            assert len(per_column[label]) >= MIN_PER_COLUMN, (subject, grade, label)


def test_demo_banks_are_written_in_russian() -> None:
    for subject, grade, rows, _columns in _all_banks():
        for row in rows:
            # given any item of any demo bank
            # then its text, answer and topic are Russian (English items: Russian instructions)
            assert CYRILLIC.search(row.text), (subject, grade, row.code)
            assert CYRILLIC.search(row.answer), (subject, grade, row.code)
            assert CYRILLIC.search(row.topic), (subject, grade, row.code)


def test_english_items_hold_english_text() -> None:
    # given the English 7 bank
    rows, _columns = _bank("english", 7)
    # then every item has an English sentence to work on
    assert all(re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", r.text) for r in rows)


def test_generated_difficulty_follows_the_column_level() -> None:
    for subject, grade, rows, columns in _all_banks():
        if (subject, grade) == ("russian", 4):
            continue
        level = {c.label: c.level for c in columns}
        for row in rows:
            # given a generated item
            # then its difficulty is within the band of its column's level
            assert row.difficulty in LEVEL_DIFFICULTY[level[row.column]], (subject, grade, row)


def _number(answer: str) -> int:
    match = re.search(r"-?\d+", answer.replace("x = ", ""))
    assert match is not None, answer
    return int(match.group())


def test_math_answers_are_computed_correctly() -> None:
    checked: Counter[str] = Counter()
    for grade in (4, 5, 6, 7, 8, 10):
        rows, _columns = _bank("math", grade)
        for row in rows:
            # given a math item of a kind whose answer can be recomputed from its text
            numbers = [int(n) for n in re.findall(r"-?\d+", row.text)]
            if m := re.search(r"\*\*(\d+) \+ (\d+) − (\d+)\*\*", row.text):
                a, b, c = map(int, m.groups())
                expected, kind = a + b - c, "sum"
            elif m := re.search(r"\*\*(\d+) : (\d+) − (\d+)\*\*", row.text):
                a, b, c = map(int, m.groups())
                assert a % b == 0, row.text
                expected, kind = a // b - c, "quotient"
            elif m := re.search(r"\*\*(\d+)x \+ (\d+) = (-?\d+)\*\*", row.text):
                a, b, c = map(int, m.groups())
                assert (c - b) % a == 0, row.text
                expected, kind = (c - b) // a, "equation"
            elif "км/ч" in row.text:
                expected, kind = numbers[0] * numbers[1], "motion"
            elif "Сколько минут" in row.text:
                expected, kind = numbers[0] * 60 + numbers[1], "time"
            elif "сдачи" in row.text:
                x, a, y, b, paid = numbers
                expected, kind = paid - x * a - y * b, "change"
                assert expected > 0, row.text
            elif "ни футболом" in row.text:
                total, a, b, both = numbers
                expected, kind = total - (a + b - both), "sets"
            else:
                continue
            # then the stated answer is the right one
            assert _number(row.answer) == expected, (grade, row.code, row.text, row.answer)
            checked[kind] += 1
    assert set(checked) >= {"sum", "quotient", "equation", "motion", "time", "change", "sets"}
    assert sum(checked.values()) >= 50


def test_math_rectangle_answers_are_right() -> None:
    rows, _columns = _bank("math", 4)
    rectangles = [r for r in rows if "прямоугольника" in r.text]
    assert rectangles
    for row in rectangles:
        # given a rectangle item
        a, b = map(int, re.findall(r"\d+", row.text)[:2])
        # then perimeter and area are right
        assert f"периметр {2 * (a + b)} см, площадь {a * b} см²" in row.answer


@pytest.mark.django_db
def test_seed_demo_loads_a_bank_for_every_work_of_the_finished_and_current_campaigns(
    pinned: DemoCalendar,
) -> None:
    # given an empty database
    # when the demo is seeded
    call_command("seed_demo", verbosity=0)
    # then every work of the finished and of the current campaign has a bank (the upcoming
    # campaign's banks are not loaded yet)
    current = Q(campaign__is_active=True)
    finished = Q(campaign__year=pinned.finished.year, campaign__session=pinned.finished.session)
    works = Work.objects.filter(current | finished, columns__isnull=False).distinct()
    assert works.count() == 2 * len(STRUCTURES)
    assert set(WorkBank.objects.values_list("work_id", flat=True)) >= set(
        works.values_list("pk", flat=True)
    )
    # and every column has at least three current items
    counts = dict(
        BankItem.objects.filter(until_revision__isnull=True)
        .values_list("column_id")
        .annotate(n=Count("id"))
    )
    for column_id in TaskColumn.objects.filter(work__in=works).values_list("pk", flat=True):
        assert counts.get(column_id, 0) >= MIN_PER_COLUMN


def test_quadratic_roots_solve_their_equation() -> None:
    checked = 0
    for grade in (8, 10):
        rows, _columns = _bank("math", grade)
        for row in rows:
            m = re.search(r"\*\*x² ([+−]) (\d+)x − (\d+) = 0\*\*", row.text)
            if m is None:
                continue
            # given a quadratic equation item
            b = int(m.group(2)) * (1 if m.group(1) == "+" else -1)
            c = -int(m.group(3))
            roots = [int(r) for r in re.findall(r"x = (-?\d+)", row.answer)]
            # then both stated roots satisfy it
            assert len(roots) == 2, row.answer
            assert all(x * x + b * x + c == 0 for x in roots), (row.text, row.answer)
            checked += 1
    assert checked >= 4
