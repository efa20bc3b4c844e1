"""The school's form-application: the file, and upload → preview → apply."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from openpyxl import load_workbook

from apps.applications import services
from apps.applications.models import ApplicationDecision, Status
from apps.applications.tests.conftest import Chain, edit_xlsx, snapshot, upload
from apps.core.imports import ImportStaleError
from apps.core.models import AuditEvent, ImportBatch

pytestmark = pytest.mark.django_db


def _form(chain: Chain, app: Any, role: str = "school_organizer") -> services.FileOut:
    return services.application_form_file(actor=chain.actor(role), application_id=app.pk)


def test_form_has_instructions_first_a_row_per_work_and_only_inputs_unlocked(chain: Chain) -> None:
    # given a school's application with one line filled
    app = chain.open()
    chain.fill(app, lines={chain.ru4: ("да", 25, 1)})
    # when the form is downloaded
    out = _form(chain, app)
    wb = load_workbook(io.BytesIO(out.content))
    # then it has a Russian name, instructions on the first sheet, a row per work
    assert out.filename == f"Заявка ВПР 2026, весна {chain.school().code}.xlsx"
    assert wb.sheetnames[:2] == ["Инструкция", "Заявка"]
    assert wb.active.title == "Инструкция"
    assert "Форма-заявка на участие в ВПР 2026" in wb["Инструкция"]["A1"].value
    ws = wb["Заявка"]
    assert [c.value for c in ws[3]] == [
        "Класс",
        "Учебный предмет",
        "Участвует (да/нет)",
        "Количество участников",
        "Количество классов",
        "Обучающихся в параллели (опросный лист)",
    ]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4, max_row=ws.max_row)]
    assert rows == [
        [4, "Математика", "нет", 0, 0, 50],
        [4, "Русский язык", "да", 25, 1, 50],
        [5, "Математика", "нет", 0, 0, 48],
    ]
    # and the sheet is protected with only the three input columns unlocked
    assert ws.protection.sheet is True
    assert [ws.cell(4, c).protection.locked for c in range(1, 7)] == [
        True,
        True,
        False,
        False,
        False,
        True,
    ]
    # and it has a yes/no dropdown and whole-number ranges on the inputs
    validations = {
        str(v.sqref): (v.type, v.formula1, v.formula2) for v in ws.data_validations.dataValidation
    }
    assert validations == {
        "C4:C6": ("list", '"да,нет"', None),
        "D4:D6": ("whole", "0", "2000"),
        "E4:E6": ("whole", "0", "50"),
    }
    # and the hidden service sheet names the school and the campaign
    service = wb["Служебный"]
    assert service.sheet_state == "hidden"
    assert service["B6"].value == chain.school().code
    assert service["B7"].value == "2026"
    assert service["B8"].value == str(chain.campaign.pk)
    # and the download is audited
    assert (
        AuditEvent.objects.filter(action="application.form_download", target_id=str(app.pk)).count()
        == 1
    )


def test_uploaded_form_shows_a_preview_and_applies_only_when_confirmed(chain: Chain) -> None:
    # given a draft and its form filled in Excel
    app = chain.open()
    content = edit_xlsx(
        _form(chain, app).content,
        "Заявка",
        {"C5": "да", "D5": 30, "E5": 2, "C6": "да", "D6": 20, "E6": 1},
    )
    # when the school uploads it
    before = snapshot()
    batch = upload(chain.actor("school_organizer"), content, name="Заявка.xlsx")
    # then the preview says what will change, and nothing has changed yet
    assert batch.kind == "application"
    assert batch.status == ImportBatch.Status.PREVIEW
    assert batch.preview["counts"] == {
        "schools": 1,
        "changed": 1,
        "unchanged": 0,
        "lines": 2,
        "submit": 1,
        "confirm": 0,
        "reopen": 0,
    }
    changes = batch.preview["schools"][0]["changes"]
    assert [(c["label"], c["old_display"], c["new_display"]) for c in changes] == [
        ("Русский язык, 4 класс", "нет", "да: 30 уч., 2 кл."),
        ("Математика, 5 класс", "нет", "да: 20 уч., 1 кл."),
    ]
    assert snapshot() == before
    # when it applies the upload
    result = services.application_import_apply(
        actor=chain.actor("school_organizer"), batch_id=batch.pk
    )
    # then the lines are saved and the application is submitted (through xlsx)
    app.refresh_from_db()
    assert result.done
    assert app.status == Status.SUBMITTED
    decision = ApplicationDecision.objects.get(application=app)
    assert (decision.from_status, decision.to_status, decision.source) == (
        "draft",
        "submitted",
        "xlsx",
    )
    # and applying again changes nothing
    again = services.application_import_apply(
        actor=chain.actor("school_organizer"), batch_id=batch.pk
    )
    assert not again.done
    assert again.message.startswith("Файл уже применён")
    assert ApplicationDecision.objects.filter(application=app).count() == 1


def test_unchanged_form_of_a_submitted_application_changes_nothing(chain: Chain) -> None:
    # given a submitted application and its form downloaded as it is
    app = chain.submitted()
    content = _form(chain, app).content
    before = snapshot()
    # when it is uploaded unchanged and applied
    batch = upload(chain.actor("school_organizer"), content)
    services.application_import_apply(actor=chain.actor("school_organizer"), batch_id=batch.pk)
    # then nothing changed (but the upload itself is recorded as applied)
    assert batch.preview["counts"]["changed"] == 0
    after = snapshot()
    assert after["apps"] == before["apps"]
    assert after["lines"] == before["lines"]
    assert after["decisions"] == before["decisions"]


def test_a_stale_preview_is_not_applied(chain: Chain) -> None:
    # given an uploaded form waiting in preview
    app = chain.open()
    content = edit_xlsx(_form(chain, app).content, "Заявка", {"C5": "да", "D5": 30, "E5": 2})
    batch = upload(chain.actor("school_organizer"), content)
    # when the application changes in the browser meanwhile
    chain.fill(app, lines={chain.ru4: ("да", 10, 1)})
    before = snapshot()
    # then the old preview is refused (409), and nothing changes
    with pytest.raises(ImportStaleError) as caught:
        services.application_import_apply(actor=chain.actor("school_organizer"), batch_id=batch.pk)
    assert caught.value.status == 409
    assert caught.value.message.startswith("С момента предпросмотра данные изменились (ОО ")
    assert snapshot() == before


def test_only_the_uploader_applies_or_discards(
    chain: Chain, django_capture_on_commit_callbacks: Any
) -> None:
    app = chain.open()
    content = edit_xlsx(_form(chain, app).content, "Заявка", {"C5": "да", "D5": 30, "E5": 2})
    batch = upload(chain.actor("school_organizer"), content)
    before = snapshot()
    # when the technical specialist of the same school tries to apply or discard it
    out = services.application_import_apply(actor=chain.actor("school_tech"), batch_id=batch.pk)
    not_discarded = services.application_import_discard(
        actor=chain.actor("school_tech"), batch_id=batch.pk
    )
    # then both are refused; the uploader can discard it, and its stored file goes
    assert not out.done
    assert out.message == "Применить или отменить загрузку может только тот, кто её загрузил."
    assert not not_discarded.done
    assert default_storage.exists(batch.file)
    with django_capture_on_commit_callbacks(execute=True):
        discarded = services.application_import_discard(
            actor=chain.actor("school_organizer"), batch_id=batch.pk
        )
    assert discarded.done
    assert discarded.message == "Загрузка отменена; ничего не изменено."
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    assert not default_storage.exists(batch.file)
    assert snapshot() == before
    # and a discarded upload is not applied
    late = services.application_import_apply(
        actor=chain.actor("school_organizer"), batch_id=batch.pk
    )
    assert not late.done
    assert "применить её нельзя" in late.message
