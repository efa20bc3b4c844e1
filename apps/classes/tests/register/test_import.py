"""The register as an xlsx file: the template, bad files (row and column named, nothing
changed), preview, apply, discard and a stale preview."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from apps.classes.audit import ClassesAudit
from apps.classes.models import ClassWork, SchoolClass
from apps.classes.register import selectors, services
from apps.classes.register.exports import register_template
from apps.core.imports import ImportStaleError
from apps.core.models import AuditEvent, ImportBatch
from apps.core.uploads import UploadError

from .conftest import Setup, register_file


def _upload(setup: Setup, content: bytes) -> ImportBatch:
    return services.class_register_import_upload(
        actor=setup.organizer, school_id=setup.school.pk, name="реестр.xlsx", content=content
    )


def _refused(setup: Setup, content: bytes) -> list[tuple[int, str, str]]:
    with pytest.raises(UploadError) as caught:
        _upload(setup, content)
    return [(e.row, e.column_letter, e.message) for e in caught.value.errors]


def test_the_template_holds_the_current_classes_and_reads_back_unchanged(setup: Setup) -> None:
    setup.add(letter="А", pupils=25, ovz=1)
    setup.add(grade=5, letter="Б", number=4, pupils=20)
    register = selectors.school_register(
        actor=setup.organizer, school_id=setup.school.pk, campaign_id=None
    )
    content, name = register_template(register)
    assert name.endswith(".xlsx")
    ws = load_workbook(io.BytesIO(content))["Классы"]
    assert [c.value for c in ws[1]] == [
        "Параллель",
        "Литера",
        "Порядковый номер",
        "Обучающихся",
        "Из них с ОВЗ",
    ]
    assert [c.value for c in ws[2]] == [4, "А", 1, 25, 1]
    assert [c.value for c in ws[3]] == [5, "Б", 4, 20, 0]
    grades = ",".join(str(g) for g in selectors.grades_of(setup.campaign))
    assert ws.data_validations.dataValidation[0].formula1 == f'"{grades}"'
    batch = _upload(setup, content)
    assert batch.preview["counts"] == {"created": 0, "changed": 0, "unchanged": 2, "removed": 0}


def test_every_bad_cell_is_named_by_row_and_column_and_nothing_changes(setup: Setup) -> None:
    setup.add(letter="А")
    content = register_file(
        [
            [9, "А", None, 25, 0],  # grade not in the campaign
            [4, "Б", 51, 25, 0],  # number out of range
            [4, "В", 2, 0, 0],  # pupils out of range
            [4, "Г", 3, 20, 21],  # ОВЗ over pupils
            [4, "Д", 2, 20, 0],  # duplicate number (row 4)
            [4, "б", 5, 20, 0],  # duplicate letter (row 3)
            ["четыре", "", "x", None, None],  # not numbers, missing values
        ]
    )
    errors = _refused(setup, content)
    where = [(row, col) for row, col, _ in errors]
    assert (2, "A") in where
    assert (3, "C") in where
    assert (4, "D") in where
    assert (5, "E") in where
    assert (6, "C") in where
    assert (7, "B") in where
    assert {(8, "A"), (8, "B"), (8, "C"), (8, "D")} <= set(where)
    messages = dict(((r, c), m) for r, c, m in errors)
    assert messages[(2, "A")] == f"9 класс не участвует в {setup.campaign.label}."
    assert "также строка 3" in messages[(7, "B")]
    assert SchoolClass.objects.count() == 1
    assert not ImportBatch.objects.exists()
    event = AuditEvent.objects.get(action=ClassesAudit.REGISTER_UPLOAD_REJECTED)
    assert event.details["errors"] == len(errors)


def test_a_wrong_sheet_or_header_is_refused(setup: Setup) -> None:
    assert _refused(setup, register_file([[4, "А", 1, 20, 0]], sheet="Лист1"))[0][2].startswith(
        "В файле нет листа «Классы»"
    )
    bad_header = register_file(
        [], headers=["Класс", "Литера", "Порядковый номер", "Обучающихся", "Из них с ОВЗ"]
    )
    assert _refused(setup, bad_header)[0][:2] == (1, "A")
    assert _refused(setup, b"not a workbook")[0][0] == 0
    assert not ImportBatch.objects.exists()


def test_a_removed_class_whose_works_have_days_refuses_the_file(setup: Setup) -> None:
    locked = setup.add(letter="А")
    ClassWork.objects.filter(school_class=locked).update(
        date=timezone.localdate() + dt.timedelta(days=5)
    )
    errors = _refused(setup, register_file([[4, "Б", None, 20, 0]]))
    assert errors == [(0, "", errors[0][2])]
    assert "4А" in errors[0][2]
    assert SchoolClass.objects.filter(is_active=True).count() == 1


def test_preview_then_apply_creates_changes_and_removes_at_once(setup: Setup) -> None:
    a = setup.add(letter="А", number=1, pupils=25)
    b = setup.add(letter="Б", number=2, pupils=24)
    gone = setup.add(letter="В", number=3, pupils=22)
    content = register_file(
        [
            [4, "А", 2, 25, 0],  # swaps its number with 4Б
            [4, "Б", 1, 24, 0],
            [4, "Г", None, 26, 3],  # new: the next free number (3, freed by 4В)
            [5, "А", None, 18, 0],  # new in grade 5
        ]
    )
    batch = _upload(setup, content)
    preview = batch.preview
    assert preview["counts"] == {"created": 2, "changed": 2, "unchanged": 0, "removed": 1}
    assert [r["outcome"] for r in preview["rows"]] == ["changed", "changed", "created", "created"]
    assert preview["rows"][0]["changes"] == ["порядковый номер: 1 → 2"]
    assert preview["rows"][2]["number"] == 3
    assert preview["removed"][0]["label"] == "4В"
    assert SchoolClass.objects.filter(is_active=True).count() == 3  # nothing written yet

    outcome = services.class_register_import_apply(actor=setup.organizer, batch_id=batch.pk)
    assert outcome.done
    assert "добавлено — 2, изменено — 2, убрано — 1" in outcome.message
    classes = {c.label: c for c in SchoolClass.objects.filter(is_active=True, school=setup.school)}
    assert set(classes) == {"4А", "4Б", "4Г", "5А"}
    assert (classes["4А"].pk, classes["4А"].number) == (a.pk, 2)
    assert (classes["4Б"].pk, classes["4Б"].number) == (b.pk, 1)
    assert (classes["4Г"].number, classes["4Г"].pupils_ovz) == (3, 3)
    assert not SchoolClass.objects.filter(pk=gone.pk).exists()
    assert ClassWork.objects.filter(school_class=classes["4Г"]).count() == 2
    assert AuditEvent.objects.filter(action=ClassesAudit.REGISTER_APPLY).count() == 1
    again = services.class_register_import_apply(actor=setup.organizer, batch_id=batch.pk)
    assert not again.done


def test_a_register_changed_since_the_preview_is_stale(setup: Setup) -> None:
    setup.add(letter="А")
    batch = _upload(setup, register_file([[4, "А", 1, 30, 0]]))
    setup.add(letter="Б")
    with pytest.raises(ImportStaleError):
        services.class_register_import_apply(actor=setup.organizer, batch_id=batch.pk)
    assert SchoolClass.objects.get(letter="А").pupils == 25
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_discard_changes_nothing(setup: Setup) -> None:
    setup.add(letter="А")
    batch = _upload(setup, register_file([]))
    assert batch.preview["counts"]["removed"] == 1
    outcome = services.class_register_import_discard(actor=setup.organizer, batch_id=batch.pk)
    assert outcome.done
    assert SchoolClass.objects.filter(is_active=True).count() == 1
    assert AuditEvent.objects.filter(action=ClassesAudit.REGISTER_DISCARD).count() == 1
