"""reportlab's C accelerator (rl_accel, requirements.txt) is in use and changes no byte: a kit's
PDFs rendered with it are the same bytes as rendered by reportlab's pure-Python functions."""

from __future__ import annotations

import importlib.util
import math
import pickle
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.core.pdf import FONT, register_fonts
from apps.materials import pdf
from apps.materials.models import Kit
from apps.materials.services import archives, kit_render
from apps.materials.tests.factories import SYSTEM, apply, generate, grade8
from apps.registration.access import A

ROOT = Path(__file__).resolve().parents[3]


def _render(inputs: dict[str, Any]) -> dict[str, bytes]:
    """Every PDF of a kit from its inputs, as kit_render makes them."""
    info, docs, codes = inputs["info"], inputs["docs"], inputs["codes"]
    out = {f"Вариант {d.number}.pdf": pdf.variant_pdf(d) for d in docs}
    out["criteria"] = pdf.criteria_pdf(info, docs, inputs["school_code"])
    out["Инструкция по проведению.pdf"] = pdf.instruction_pdf(info)
    out[f"Коды участников {info.grade} класс.pdf"] = pdf.code_sheet_pdf(
        year=info.year,
        grade=info.grade,
        school_code=inputs["school_code"],
        codes=codes,
        session=info.session,
    )
    out["Протокол проведения.pdf"] = pdf.protocol_pdf(
        work=info, school_code=inputs["school_code"], school_name=inputs["school_name"], codes=codes
    )
    return out


def _pure_python_render(inputs: dict[str, Any], tmp_path: Path) -> dict[str, bytes]:
    """``_render`` in a fresh interpreter where reportlab cannot import its C accelerator."""
    source, target = tmp_path / "inputs.pickle", tmp_path / "pdfs.pickle"
    source.write_bytes(pickle.dumps(inputs))
    script = (
        "import sys; sys.modules['_rl_accel'] = None\n"
        "import django, pathlib, pickle; django.setup()\n"
        "from reportlab.lib import rl_accel\n"
        "assert 'fp_str' in rl_accel._py_funcs, 'the C accelerator was not hidden'\n"
        "from apps.materials.tests.test_pdf_accel import _render\n"
        f"inputs = pickle.loads(pathlib.Path({str(source)!r}).read_bytes())\n"
        f"pathlib.Path({str(target)!r}).write_bytes(pickle.dumps(_render(inputs)))\n"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "vpr_portal.settings.test", "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
    )
    result: dict[str, bytes] = pickle.loads(target.read_bytes())  # noqa: S301 - our own file
    return result


def test_reportlab_uses_its_c_accelerator() -> None:
    from reportlab.lib import rl_accel

    # then no function of reportlab's accelerator interface falls back to pure Python
    assert rl_accel._py_funcs == {}
    assert rl_accel.fp_str.__module__ == "_rl_accel"


@pytest.mark.django_db
def test_a_kits_pdfs_are_the_same_bytes_with_and_without_the_accelerator(
    world: Any, tmp_path: Path
) -> None:
    # given a built grade-8 kit of a school with two classes (codes by class, several pages)
    work = grade8()
    apply(world.schools["A1a"], work, participants=57, classes=2)
    generate(work)
    kit = Kit.objects.get(work=work)
    inputs = {
        "info": archives._work_info(work),
        "docs": archives.kit_variant_docs(actor=SYSTEM, kit=kit),
        "codes": archives.kit_code_entries(actor=SYSTEM, kit=kit, action=A.DOWNLOAD_MATERIALS),
        "school_code": kit.school.code,
        "school_name": kit.school.short_name,
    }
    accelerated = _render(inputs)
    # and they are the PDFs the build puts in the archive
    built = kit_render(actor=SYSTEM, kit=kit)
    in_archive = {f.name: f.content for f in built.files}
    assert accelerated.pop("criteria") == built.criteria
    assert accelerated == {name: in_archive[name] for name in accelerated}
    # when a fresh interpreter renders them with reportlab's pure-Python functions
    pure = _pure_python_render(inputs, tmp_path)
    # then every PDF is the same bytes
    pure.pop("criteria")
    assert pure == accelerated


def _pure_python_interface() -> ModuleType:
    """A second copy of reportlab's accelerator interface with its pure-Python functions."""
    import reportlab
    from reportlab.lib import rl_accel

    spec = importlib.util.spec_from_file_location("_rl_accel_reference", rl_accel.__file__)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    reportlab._rl_testing = True  # defines the _py_ functions too
    try:
        spec.loader.exec_module(module)
    finally:
        del reportlab._rl_testing
    return module


REFERENCE = _pure_python_interface()
NUMBERS = st.floats(min_value=-1e7, max_value=1e7, allow_nan=False) | st.integers(-(10**6), 10**6)


@settings(max_examples=500, deadline=None)
@given(numbers=st.lists(NUMBERS, min_size=1, max_size=6))
def test_number_formatting_is_the_same(numbers: list[float]) -> None:
    from reportlab.lib import rl_accel

    # every coordinate in a PDF goes through fp_str
    assert rl_accel.fp_str(*numbers) == REFERENCE._py_fp_str(*numbers)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60), size=st.sampled_from([7.0, 8.5, 9.5, 10, 10.5, 14, 20]))
def test_string_widths_differ_at_most_in_the_last_bit(text: str, size: float) -> None:
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    font = pdfmetrics.getFont(FONT)
    # The C function computes (sum of widths × 0.001) × size, reportlab's Python
    # 0.001 × size × sum: for about one string in seven the two differ in the last bit of the
    # double (~1e-15 pt). Line breaks and coordinates (fp_str: at most 6 decimals) only see
    # it at an exact tie, which no document of the kit comparison above and the bench
    # (--check-accel) has met; docs/adr/0025-archive-speed.md.
    accelerated = font.stringWidth(text, size)
    reference = REFERENCE._py_instanceStringWidthTTF(font, text, size)
    assert abs(accelerated - reference) <= math.ulp(reference)
