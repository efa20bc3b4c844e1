"""The quick paths of a big upload give exactly what the general ones give (issue 18): a plain
line of the form, the snapshot of a version, the diff's counts and cells."""

from __future__ import annotations

import random
from typing import Any

import pytest

from apps.core.uploads import Sheet
from apps.results import constants as k
from apps.results import xlsx
from apps.results.tests.conftest import Env


class Text(str):
    """A text the quick path does not take (not exactly ``str``): the rules run cell by cell."""


def _slow(value: Any) -> Any:
    """The same cell, as a value the per-line lookup turns away but the rules read the same."""
    if isinstance(value, float):
        return Text(str(int(value)))
    return Text(value) if isinstance(value, str) else value


def _book(spec: xlsx.FormSpec, lines: list[list[Any]]) -> dict[str, Sheet]:
    return {k.SHEET_PROTOCOL: Sheet(k.SHEET_PROTOCOL, [list(spec.headers), *lines])}


def _random_lines(spec: xlsx.FormSpec, codes: list[str], rng: random.Random) -> list[list[Any]]:
    lines: list[list[Any]] = []
    for code in codes:
        if rng.random() < 0.1:
            lines.append([code, k.ABSENT, *([None] * len(spec.columns)), 1.0, None])
            continue
        scores: list[Any] = [
            rng.choice(["X", "х", float(rng.randint(0, c.max_score))]) for c in spec.columns
        ]
        mark: Any = rng.choice([2.0, 3.0, 4.0, 5.0, k.NO_MARK])
        lines.append([code, float(rng.randint(1, spec.variants)), *scores, 1.0, mark])
    return lines


def _outcome(checked: xlsx.Checked) -> tuple[Any, ...]:
    return (
        [(r, r.line) for r in checked.rows],
        [(e.row, e.column, e.message) for e in checked.errors],
        checked.unused_codes,
        checked.total_errors,
    )


@pytest.mark.django_db
def test_plain_lines_give_the_rows_and_errors_of_the_rules_cell_by_cell(env: Env) -> None:
    spec = env.spec()
    rng = random.Random(18)
    lines = _random_lines(spec, list(env.codes), rng)
    # a repeated code, a code never issued, a wrong variant, class and mark, a boolean score
    bad = [list(line) for line in lines[:6]]
    bad[1][1] = float(spec.variants + 1)
    bad[2][2 + len(spec.columns)] = 51.0
    bad[3][3 + len(spec.columns)] = 1.0
    bad[4][2] = True
    bad[5][0] = "99999"
    for book_lines in (lines, [*lines, *bad]):
        quick = xlsx.check_book(_book(spec, book_lines), spec)
        slow = xlsx.check_book(_book(spec, [[_slow(v) for v in line] for line in book_lines]), spec)
        assert _outcome(quick) == _outcome(slow)
    assert len(xlsx.check_book(_book(spec, lines), spec).rows) == len(lines)


def _reference_snapshot(spec: xlsx.FormSpec, rows: list[xlsx.Row]) -> dict[str, Any]:
    """The snapshot as it was made before issue 18: through ``Row.values``."""
    width = len(spec.columns)
    out = {r.code: ["" if v is None else str(v) for v in r.values(width)[1:]] for r in rows}
    return {"headers": spec.headers[1:-1], "rows": out}


@pytest.mark.django_db
def test_the_snapshot_holds_the_cells_of_every_row_as_typed(env: Env) -> None:
    spec = env.spec()
    rows = env.rows(seed=5)
    rows.append(xlsx.Row("40999", False, None, (None, 0), None, 0))  # odd, but kept as is
    assert any(r.absent for r in rows)
    assert xlsx.snapshot(spec, rows) == _reference_snapshot(spec, rows)


def _reference_changes(
    old_rows: dict[str, list[Any]],
    new_rows: dict[str, list[Any]],
    old_heads: list[str],
    new_heads: list[str],
) -> list[xlsx.CellChange]:
    """Every changed cell as the diff listed them before issue 18: by header, cell by cell."""
    changed = []
    for code in sorted(set(old_rows) & set(new_rows)):
        before = dict(zip(old_heads, old_rows[code], strict=False))
        after = dict(zip(new_heads, new_rows[code], strict=False))
        for head in [*new_heads, *(h for h in old_heads if h not in after)]:
            a, b = xlsx._cell_text(before.get(head)), xlsx._cell_text(after.get(head))
            if a != b:
                changed.append(xlsx.CellChange(code, head, a, b))
    return changed


def test_the_diff_counts_and_lists_the_cells_of_the_cell_by_cell_comparison() -> None:
    rng = random.Random(7)
    heads = ["Вариант", "1 (1б)", "2 (2б)", "Класс"]

    def table(n: int, values: list[Any]) -> dict[str, list[Any]]:
        return {f"4{i:04d}": [rng.choice(values) for _ in heads] for i in range(n)}

    texts = ["1", "2", "X", "0", ""]
    cases = [
        (table(50, texts), table(60, texts), heads, heads),  # texts: counted without listing
        (table(50, [*texts, None, 1]), table(50, texts), heads, heads),  # None, numbers
        (table(40, texts), table(40, texts), heads, [*heads[:2], "Отметка", heads[3]]),
        (table(30, texts), table(30, texts), heads, heads[:3]),  # a column fewer
        (table(30, texts), table(30, texts), [*heads, heads[0]], [*heads, heads[0]]),
    ]
    short = table(20, texts)
    short["40001"] = short["40001"][:2]  # a row shorter than the headers
    cases.append((table(20, texts), short, heads, heads))
    for old, new, old_heads, new_heads in cases:
        diff = xlsx.rows_diff(old, new, old_heads, new_heads)
        expected = _reference_changes(old, new, old_heads, new_heads)
        assert diff.counts["changed"] == len(expected)
        assert diff.changed == expected
        assert diff.added == sorted(set(new) - set(old))
        assert diff.removed == sorted(set(old) - set(new))
        assert diff.empty == (not (diff.added or diff.removed or expected))
    same = table(10, texts)
    assert xlsx.rows_diff(same, dict(same), heads, heads).empty
