"""The fast mask search of the page-mark QR (apps/materials/qrmask.py) gives reportlab's own
symbol, module for module: the same mask, the same modules, the same runs drawn in the PDF."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.qr import QrCodeWidget

from apps.materials import pagemark, pdf, qrmask

UIDS = st.text(alphabet=string.ascii_letters + string.digits + "-", min_size=1, max_size=32)
MARKS = st.builds(
    pagemark.PageMark,
    uid=UIDS,
    variant=st.integers(1, 999),
    page=st.integers(1, 20),
    pages=st.just(20),
).map(pagemark.encode)


def _symbols(text: str, level: str) -> tuple[qrencoder.QRCode, qrencoder.QRCode]:
    return (
        QrCodeWidget(text, barLevel=level, barBorder=0).qr,
        QrCodeWidget(text, barLevel=level, barBorder=0).qr,
    )


def _reportlab_mask(qr: qrencoder.QRCode) -> int:
    qr.version = qr.calculate_version()
    return int(qr.getBestMaskPattern())


@settings(max_examples=400, deadline=None)
@given(text=MARKS)
def test_page_marks_get_reportlabs_own_symbol(text: str) -> None:
    reference, fast = _symbols(text, pdf.QR_LEVEL)
    reference.make()
    qrmask.make(fast)
    assert fast.modules == reference.modules


@settings(max_examples=120, deadline=None)
@given(
    text=st.text(min_size=1, max_size=120) | st.text(alphabet="0123456789", max_size=300),
    level=st.sampled_from(["L", "M", "Q", "H"]),
)
def test_any_text_gets_reportlabs_own_mask_and_symbol(text: str, level: str) -> None:
    # numeric, alphanumeric, byte and kanji data; versions 1 to ~15 (version information too)
    reference, fast = _symbols(text, level)
    assert qrmask.best_mask(_version_set(fast)) == _reportlab_mask(reference)
    reference, fast = _symbols(text, level)
    reference.make()
    qrmask.make(fast)
    assert fast.modules == reference.modules


def _version_set(qr: qrencoder.QRCode) -> qrencoder.QRCode:
    qr.version = qr.calculate_version()
    return qr


def test_every_mask_pattern_is_chosen_somewhere() -> None:
    # given page marks of many variants: the comparison above covers every pattern
    chosen = set()
    for n in range(400):
        qr = _version_set(QrCodeWidget(f"VPR1:7KQ2M-{n:05d}:2:3:4", barLevel="M").qr)
        chosen.add(qrmask.best_mask(qr))
    assert chosen == set(range(qrmask.MASKS))


def test_the_score_is_reportlabs_for_every_candidate() -> None:
    # given a symbol laid out with each mask pattern as reportlab scores it
    qr = _version_set(QrCodeWidget("VPR1:7KQ2M-9XA3B:2:3:4", barLevel="M").qr)
    size = qr.version * 4 + 17
    for pattern in range(qrmask.MASKS):
        qr.makeImpl(True, pattern)
        cells = [(r, c) for r, row in enumerate(qr.modules) for c, dark in enumerate(row) if dark]
        rows, cols = qrmask._rows_and_columns(cells, size)
        # then the bit-set score is reportlab's
        assert qrmask.lost_point(rows, cols, size) == qrencoder.QRUtil.getLostPoint(qr)


def test_the_drawn_runs_are_the_same() -> None:
    text = "VPR1:7KQ2M-9XA3B:2:3:4"
    reference = QrCodeWidget(text, barLevel=pdf.QR_LEVEL, barBorder=0).qr
    reference.make()
    count, runs = pdf._qr_runs.__wrapped__(text)
    assert count == reference.getModuleCount()
    drawn = {(r, c) for r, start, length in runs for c in range(start, start + length)}
    dark = {(r, c) for r, row in enumerate(reference.modules) for c, d in enumerate(row) if d}
    assert drawn == dark
