"""reportlab's QR symbol, with its mask choice computed on bit sets. Pure: text in, modules out.

reportlab's ``QRCode.make()`` lays the symbol out nine times (once per mask pattern, to score
it, then for real) and scores each layout with Python loops over every module: ~7 ms a
symbol, about a third of the CPU of a variant PDF (a page mark on every page). ``make`` below
gets the eight candidates from one layout (a candidate differs from the first only at the data
modules, by the XOR of the two masks), scores each with a few operations on one integer holding
the whole symbol — the same penalty as reportlab's ``QRUtil.getLostPoint``, rule by rule —
picks the same pattern (the first of the lowest score), then lets reportlab lay out the chosen
symbol itself. So the modules are reportlab's own, module for module
(apps/materials/tests/test_qrmask.py compares both over thousands of texts); only the search
is faster.

A symbol of ``size`` × ``size`` modules is an integer with line ``i`` (a row, or a column in
the transposed form) in bits ``i * (size + 1)`` to ``i * (size + 1) + size - 1``: one zero bit
between lines, so that shifts never carry a module into the next line.
"""

from __future__ import annotations

from functools import lru_cache

from reportlab.graphics.barcode import qrencoder

MASKS = 8
# Rule 3 as reportlab scores it: this pattern, left to right along the rows only (its call over
# the columns compares tuples with a list and never matches), at starts before the last 11
# modules of a row. The pattern cannot overlap itself, so every match counts.
FINDER_LIKE = "10111010000"


def _pack(lines: list[int], size: int) -> int:
    return sum(line << (i * (size + 1)) for i, line in enumerate(lines))


@lru_cache(maxsize=64)
def _layout(size: int) -> tuple[int, int, int]:
    """Bit sets of the symbol's layout: the pairs (c, c+1) inside a line, the 2×2 blocks'
    top-left modules, and the starts where reportlab looks for ``FINDER_LIKE``."""
    pairs = _pack([(1 << (size - 1)) - 1] * size, size)
    blocks = _pack([(1 << (size - 1)) - 1] * (size - 1), size)
    starts = _pack([(1 << (size - len(FINDER_LIKE))) - 1] * size, size)
    return pairs, blocks, starts


def _rows_and_columns(dark: list[tuple[int, int]], size: int) -> tuple[int, int]:
    stride = size + 1
    rows = sum(1 << (r * stride + c) for r, c in dark)
    cols = sum(1 << (c * stride + r) for r, c in dark)
    return rows, cols


@lru_cache(maxsize=64)
def _masks(size: int) -> tuple[tuple[int, int], ...]:
    """Per mask pattern, where reportlab's mask function is true: (rows, columns)."""
    out = []
    for pattern in range(MASKS):
        dark = qrencoder.QRUtil.getMask(pattern)
        cells = [(r, c) for r in range(size) for c in range(size) if dark(r, c)]
        out.append(_rows_and_columns(cells, size))
    return tuple(out)


_DATA_MODULES: dict[int, tuple[int, int]] = {}


def _data_modules(qr: qrencoder.QRCode, size: int) -> tuple[int, int]:
    """The modules that carry data (and are masked) in a symbol of ``qr``'s version, as rows
    and as columns: the same for every symbol of a version, kept per version."""
    found = _DATA_MODULES.get(qr.version)
    if found is None:
        cells = [(row, col) for col, row in qr.dataPosIterator()]
        found = _DATA_MODULES[qr.version] = _rows_and_columns(cells, size)
    return found


def _runs(lines: int, pairs: int) -> int:
    """Rule 1 along every line: a run of L ≥ 5 same-coloured modules costs L - 2."""
    same = ~(lines ^ (lines >> 1)) & pairs  # bit c: modules c and c+1 of a line alike
    fives = same & (same >> 1) & (same >> 2) & (same >> 3)  # modules c..c+4 alike: L - 4 bits
    first = fives & ~(fives << 1)  # one bit per run
    return fives.bit_count() + 2 * first.bit_count()


def lost_point(rows: int, cols: int, size: int) -> int:
    """reportlab's ``QRUtil.getLostPoint`` of a symbol given as rows and as columns."""
    pairs, blocks, starts = _layout(size)
    stride = size + 1
    score = _runs(cols, pairs) + _runs(rows, pairs)  # rule 1, down the columns, along the rows
    same_below = ~(rows ^ (rows >> stride))  # rule 2: 2×2 blocks of one colour
    same_right = ~(rows ^ (rows >> 1))
    score += 3 * (same_below & (same_below >> 1) & same_right & blocks).bit_count()
    found = starts  # rule 3
    for k, module in enumerate(FINDER_LIKE):
        found &= (rows if module == "1" else ~rows) >> k
    score += 40 * found.bit_count()
    dark = rows.bit_count()  # rule 4: the share of dark modules
    score += 10 * (abs(100 * dark // (size * size) - 50) // 5)
    return score


def best_mask(qr: qrencoder.QRCode) -> int:
    """The mask pattern reportlab's ``getBestMaskPattern`` picks for ``qr`` (version set)."""
    qr.makeImpl(True, 0)
    size = qr.getModuleCount()
    cells = [(r, c) for r, row in enumerate(qr.modules) for c, dark in enumerate(row) if dark]
    rows0, cols0 = _rows_and_columns(cells, size)
    data_rows, data_cols = _data_modules(qr, size)
    masks = _masks(size)
    best, best_score = 0, 0
    for pattern, (mask_rows, mask_cols) in enumerate(masks):
        rows = rows0 ^ (data_rows & (masks[0][0] ^ mask_rows))
        cols = cols0 ^ (data_cols & (masks[0][1] ^ mask_cols))
        score = lost_point(rows, cols, size)
        if pattern == 0 or score < best_score:
            best, best_score = pattern, score
    return best


def make(qr: qrencoder.QRCode) -> None:
    """``qr.make()`` with the fast mask search: the same modules in ``qr.modules``."""
    if qr.version is None:
        qr.version = qr.calculate_version()
    qr.makeImpl(False, best_mask(qr))
