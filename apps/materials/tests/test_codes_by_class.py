"""Participant codes, code sheets and protocols per class of the register: each class gets its
confirmed participants (else its pupils) plus the reserve under its «Порядковый номер
класса»; a kit prints the classes writing its work, one page (and sheet) per class («4А»)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from apps.campaigns.models import Participation
from apps.campaigns.tests.factories import SubjectFactory
from apps.classes.tests.factories import ClassWorkFactory, SchoolClassFactory
from apps.materials.models import Kit, ParticipantCode
from apps.materials.services import kit_code_entries, kit_render
from apps.materials.tests.factories import SYSTEM, apply, generate, russian4
from conftest import need_service

pytestmark = pytest.mark.django_db


def _pages(content: bytes, tmp_path: Path) -> list[str]:
    need_service("pdftotext", shutil.which("pdftotext") is not None, "install poppler-utils")
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    # words joined by single spaces: a long title wraps to a second line
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


@pytest.fixture
def register(world: Any) -> dict[str, Any]:
    """School A1a's grade-4 register: 4А (№ 1, 25 pupils, 22 confirmed for Русский язык and 24
    for Математика), 4Б (№ 2, 20 pupils, nothing confirmed) write the compulsory works; 4В
    (№ 5, 18 pupils) writes only the assigned Окружающий мир. The school applied for all
    three; a school without a register (A1b) applied for Русский язык."""
    school = world.schools["A1a"]
    russian = russian4()
    maths = russian4(subject=SubjectFactory(code="math", name="Математика"))
    nature = russian4(
        subject=SubjectFactory(code="world", name="Окружающий мир"),
        participation=Participation.ASSIGNED,
    )
    campaign = russian.campaign

    def klass(letter: str, number: int, pupils: int) -> Any:
        return SchoolClassFactory(
            campaign=campaign, school=school, grade=4, letter=letter, number=number, pupils=pupils
        )

    a, b, v = klass("А", 1, 25), klass("Б", 2, 20), klass("В", 5, 18)
    ClassWorkFactory(school_class=a, work=russian, participants=22)
    ClassWorkFactory(school_class=a, work=maths, participants=24)
    ClassWorkFactory(school_class=b, work=russian)
    ClassWorkFactory(school_class=b, work=maths)
    ClassWorkFactory(school_class=v, work=nature, source="assigned")
    apply(school, russian, participants=42, classes=2)
    apply(school, maths, participants=44, classes=2)
    apply(school, nature, participants=18, classes=1)
    apply(world.schools["A1b"], russian, participants=30, classes=1)
    for work in (russian, maths, nature):
        generate(work)
    return {
        "school": school,
        "plain_school": world.schools["A1b"],
        "russian": russian,
        "maths": maths,
        "nature": nature,
    }


def test_codes_per_class_match_the_register_and_are_unique(register: dict[str, Any]) -> None:
    school = register["school"]
    # given the generated kits (codes are issued with them)
    codes = list(ParticipantCode.objects.filter(school=school))
    # then every code is unique in the school, 5 digits, of grade 4
    assert len({c.code for c in codes}) == len(codes)
    assert all(len(c.code) == 5 and c.code.startswith("4") for c in codes)
    # and each class has its participants (the most confirmed over its works, else its pupils)
    # under its own «Порядковый номер класса», plus 10 % reserve (at least one)
    participants = Counter(c.class_number for c in codes if not c.reserve)
    reserve = Counter(c.class_number for c in codes if c.reserve)
    assert participants == {1: 24, 2: 20, 5: 18}
    assert reserve == {1: 3, 2: 2, 5: 2}
    # and a school without a register keeps the groups of its application line (1 class)
    other = ParticipantCode.objects.filter(school=register["plain_school"])
    assert other.filter(reserve=False).count() == 30
    assert set(other.values_list("class_number", flat=True)) == {1}


def test_a_kit_prints_the_classes_writing_its_work(register: dict[str, Any]) -> None:
    school = register["school"]
    kit_ru = Kit.objects.get(school=school, work=register["russian"])
    kit_nature = Kit.objects.get(school=school, work=register["nature"])
    # when the kits' code lists are read
    russian = kit_code_entries(actor=SYSTEM, kit=kit_ru, action="materials.download")
    nature = kit_code_entries(actor=SYSTEM, kit=kit_nature, action="materials.download")
    # then the compulsory work lists 4А then 4Б (each class's reserve after its codes), the
    # assigned one only 4В
    assert [e.class_label for e in russian] == ["4А"] * 27 + ["4Б"] * 22
    assert [e.reserve for e in russian[:27]] == [False] * 24 + [True] * 3
    assert {e.class_label for e in nature} == {"4В"}
    assert all(e.class_number == 5 for e in nature)


def test_code_sheet_protocol_and_list_are_one_page_per_class(
    register: dict[str, Any], tmp_path: Path
) -> None:
    kit = Kit.objects.get(school=register["school"], work=register["russian"])
    # when the kit is rendered
    documents = kit_render(actor=SYSTEM, kit=kit)
    files = {f.name: f.content for f in documents.others}
    sheet = _pages(files["Коды участников 4 класс.pdf"], tmp_path)
    protocol = _pages(files["Протокол проведения.pdf"], tmp_path)
    # then the code sheet has a page per class titled with its label, its codes on it
    assert len(sheet) == 2
    assert "Класс 4А" in sheet[0]
    assert "Класс 4Б" not in sheet[0]
    assert "Класс 4Б" in sheet[1]
    assert "Класс 4А" not in sheet[1]
    codes = kit_code_entries(actor=SYSTEM, kit=kit, action="materials.download")
    for entry in codes:
        page = sheet[0] if entry.class_label == "4А" else sheet[1]
        assert entry.code in page
    assert "4В" not in " ".join(sheet)
    # and the protocol too: each class from a new page titled with its label, its pages
    # footed with it, the label in the «Класс» column of its rows
    owner = [
        "4А" if "класс 4А" in page else "4Б" if "класс 4Б" in page else "" for page in protocol
    ]
    assert owner == sorted(owner)
    assert set(owner) == {"4А", "4Б"}
    start_b = owner.index("4Б")
    assert "Русский язык. Класс 4А" in protocol[0]
    assert "Русский язык. Класс 4Б" in protocol[start_b]
    assert " ".join(protocol[start_b:]).count("4Б") >= 22 + 1
    assert f"Страница {len(protocol)} из {len(protocol)}" in protocol[-1]
    # and the xlsx list has a sheet per class
    book = load_workbook(io.BytesIO(files["Коды участников 4 класс.xlsx"]))
    assert book.sheetnames == ["4А", "4Б"]
    assert book["4Б"].max_row - 3 == 22
