"""Print-ready PDFs: Cyrillic text, the code box and «N из M» on every page, byte-identical
regeneration (also in another process), a clear error without fonts."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from apps.core import pdf as core_pdf
from apps.materials import pdf
from apps.materials.models import Kit
from apps.materials.services import kit_render
from apps.materials.tests.factories import SYSTEM, apply, generate, russian4
from conftest import need_service


def _pages(content: bytes, tmp_path: Path) -> list[str]:
    need_service("pdftotext", shutil.which("pdftotext") is not None, "install poppler-utils")
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return text.split("\f")[:-1]


def _doc(number: int = 1) -> pdf.VariantDoc:
    work = pdf.WorkInfo(2026, "Русский язык", 4, 45, False)
    task = "Прочитай текст про **ёжика** и *белку*.\n\n1. Найди глагол.\n2. Подчеркни основу."
    table = "Заполни таблицу.\n\n|Слово|Часть речи|\n|---|---|\n|лес| |"
    tasks = tuple(
        pdf.TaskSpec(str(i), 2, task if i % 2 else table, "Ответ: бежит") for i in range(1, 16)
    )
    return pdf.VariantDoc(work, number, "7KQ2M-9XA3B", tasks)


@pytest.mark.django_db
def test_variant_pages_carry_text_code_box_and_page_numbers(world, tmp_path: Path) -> None:
    # given a generated kit of the demo bank
    work = russian4()
    apply(world.schools["A1a"], work)
    generate(work)
    kit = Kit.objects.get(work=work)
    documents = kit_render(actor=SYSTEM, kit=kit)
    variant = kit.variants.get(number=1)
    first_item = kit_render.__globals__["BankItem"].objects.get(pk=variant.items[0])
    # when the first variant's text is extracted page by page
    pages = _pages(documents.variants[0].content, tmp_path)
    # then it has several pages, each with the code box label, the variant, its identifier
    # and «Страница N из M»
    assert len(pages) >= 2
    for n, page in enumerate(pages, start=1):
        assert "Код участника" in page
        assert "Вариант 1" in page
        assert variant.uid in page
        assert f"Страница {n} из {len(pages)}" in page
    # and the Cyrillic text of the bank item is there, without markup characters
    words = first_item.text.split("\n")[0].replace("*", "").split()[:3]
    assert " ".join(words) in " ".join(pages[0].split())


@pytest.mark.django_db
def test_regenerating_a_kit_gives_byte_identical_files(world) -> None:
    # given a generated kit
    work = russian4()
    apply(world.schools["A2b"], work)
    generate(work)
    kit = Kit.objects.get(work=work)
    # when it is rendered now and again three days later
    first = kit_render(actor=SYSTEM, kit=kit)
    with time_machine.travel(timezone.now() + dt.timedelta(days=3, seconds=7)):
        second = kit_render(actor=SYSTEM, kit=kit)
    # then every file, the criteria and the manifest are the same bytes
    for a, b in zip(first.files, second.files, strict=True):
        assert (a.name, a.content) == (b.name, b.content), a.name
    assert first.criteria == second.criteria
    from apps.materials.archive import zip_bytes

    assert zip_bytes(first.files) == zip_bytes(second.files)


def test_another_process_renders_the_same_bytes(tmp_path: Path) -> None:
    # given a variant rendered in this process
    here = pdf.variant_pdf(_doc())
    # when a fresh interpreter renders the same inputs
    out = tmp_path / "other.pdf"
    script = (
        "import django, pathlib; django.setup();"
        "from apps.materials.tests.test_pdf import _doc; from apps.materials import pdf;"
        f"pathlib.Path({str(out)!r}).write_bytes(pdf.variant_pdf(_doc()))"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "vpr_portal.settings.test", "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parents[3],
    )
    # then the bytes are identical (no dates, no random ids)
    assert out.read_bytes() == here


def test_other_documents_render_with_their_labels(tmp_path: Path) -> None:
    # given codes of a grade
    codes = [pdf.CodeEntry(f"4{n:04d}", 1, n > 25) for n in range(1, 29)]
    info = pdf.WorkInfo(2026, "Русский язык", 8, 45, True)
    # when the code sheet, the protocol and the instruction are rendered
    sheet = " ".join(
        _pages(
            pdf.code_sheet_pdf(year=2026, grade=4, school_code="edu660101", codes=codes), tmp_path
        )
    )
    protocol = _pages(
        pdf.protocol_pdf(
            work=info, school_code="edu660101", school_name="МБОУ СОШ № 1", codes=codes
        ),
        tmp_path,
    )
    instruction = " ".join(_pages(pdf.instruction_pdf(info), tmp_path))
    # then the sheet has every code, the protocol the columns (ФИО left empty) and the codes,
    # and the grade-8 instruction tells when the password comes
    assert all(c.code in sheet for c in codes)
    for header in ("№", "Код", "ФИО участника", "Класс", "Вариант", "Отметка", "отсутствии"):
        assert header in protocol[0]
    assert "40028" in " ".join(protocol)
    assert "07:30" in instruction


def test_missing_fonts_give_a_clear_error(tmp_path: Path) -> None:
    # given directories without DejaVu
    # when the font is looked up
    with pytest.raises(core_pdf.FontsNotFoundError) as error:
        core_pdf.font_dir([tmp_path])
    # then the message says what to install
    assert "fonts-dejavu-core" in str(error.value)
    assert str(tmp_path) in str(error.value)
