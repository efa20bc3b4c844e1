"""Works imports: bad xlsx/JSON gives Russian errors by place and changes nothing; an exported
file imported back changes nothing; a good file is previewed, then applied in one go."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.files.storage import default_storage
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from apps.campaigns import documents, selectors, services
from apps.campaigns import xlsx as works_xlsx
from apps.campaigns.models import Campaign, TaskColumn, Work
from apps.campaigns.tests.factories import CampaignFactory, WorkFactory
from apps.core.imports import ImportStaleError
from apps.core.models import AuditEvent, ImportBatch
from apps.core.uploads import UploadError
from apps.registration.access import Actor, actor_for_user
from apps.registration.tests.factories import grant, make_user


@pytest.fixture
def federal(db: Any) -> Actor:
    user = make_user("t_federal_ops", "Test-Password-2026")
    grant(user, "federal", None)
    return actor_for_user(user)


@pytest.fixture
def campaign(db: Any) -> Campaign:
    campaign = CampaignFactory()
    WorkFactory(campaign=campaign)  # Русский язык 4
    WorkFactory(
        campaign=campaign,
        grade=8,
        subject__code="math",
        subject__name="Математика",
        columns=[("1", 4, "Б"), ("2К1", 3, "П"), ("2К2", 3, "В")],
        max_score=10,
        mark3_from=3,
        mark4_from=5,
        mark5_from=8,
    )
    return campaign


def state(campaign: Campaign) -> tuple[Any, ...]:
    """Everything an import could change, including row identities and timestamps."""
    works = tuple(Work.objects.filter(campaign=campaign).order_by("pk").values_list())
    columns = tuple(TaskColumn.objects.filter(work__campaign=campaign).order_by("pk").values_list())
    campaign.refresh_from_db()
    return works, columns, campaign.name, campaign.application_deadline, campaign.updated_at


def exported_xlsx(actor: Actor, campaign: Campaign) -> bytes:
    return works_xlsx.build_workbook(selectors.campaign_spec(actor=actor, campaign_id=campaign.pk))


def edited(content: bytes, edits: dict[tuple[str, str], Any]) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    for (sheet, cell), value in edits.items():
        wb[sheet][cell] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload_errors(actor: Actor, campaign: Campaign, content: bytes, name: str) -> list[str]:
    with pytest.raises(UploadError) as caught:
        services.works_import_upload(
            actor=actor, campaign_id=campaign.pk, name=name, content=content
        )
    return [str(e) for e in caught.value.errors]


def test_bad_xlsx_gives_russian_errors_by_row_and_column_and_changes_nothing(
    federal: Actor, campaign: Campaign
) -> None:
    # given the exported file with several mistakes (row 2 is Русский язык 4; its task rows
    # are 2–16 on «Задания»)
    before = state(campaign)
    content = edited(
        exported_xlsx(federal, campaign),
        {
            ("Работы", "C3"): 12,  # grade 12 for Математика (its tasks are rows 17–19)
            ("Задания", "B17"): 12,
            ("Задания", "B18"): 12,
            ("Задания", "B19"): 12,
            ("Работы", "F2"): 9,  # «4» from 9 < «3» from 10
            ("Работы", "K2"): "31.02.2026",  # not a date
            ("Задания", "C3"): "1",  # a label repeated («1» is on row 2)
            ("Задания", "D4"): "два",  # not a number
            ("Задания", "E5"): "X",  # not Б/П/В
        },
    )
    # when it is uploaded
    errors = upload_errors(federal, campaign, content, "работы.xlsx")
    # then each mistake is reported in Russian with its sheet, row and column
    assert any(
        e.startswith("строка 2, столбец K: лист «Работы»") and "не дата" in e for e in errors
    )
    assert any(
        e.startswith("строка 4, столбец D: лист «Задания»") and "не целое число" in e
        for e in errors
    )
    # (cell-level errors come first; rule errors need readable cells, so fix and retry)
    content = edited(content, {("Работы", "K2"): "11.04.2026", ("Задания", "D4"): 2})
    errors = upload_errors(federal, campaign, content, "работы.xlsx")
    assert any(
        e.startswith("строка 3, столбец C: лист «Работы»") and "от 4 до 11" in e for e in errors
    )
    assert any(
        e.startswith("строка 2, столбец F: лист «Работы»") and "порог «4»" in e for e in errors
    )
    assert any(
        e.startswith("строка 3, столбец C: лист «Задания»") and "повторяется" in e for e in errors
    )
    assert any(
        e.startswith("строка 5, столбец E: лист «Задания»") and "Б, П или В" in e for e in errors
    )
    # and nothing changed: no batch stored, the works untouched, the rejection audited
    assert state(campaign) == before
    assert not ImportBatch.objects.exists()
    assert AuditEvent.objects.filter(action="works.import_rejected").count() == 2


def test_sum_of_columns_and_materials_lead_are_checked(federal: Actor, campaign: Campaign) -> None:
    # given a file where the columns no longer sum to the maximum and grade 8's archive comes
    # only 2 days before its period
    content = edited(
        exported_xlsx(federal, campaign),
        {("Задания", "D2"): 3, ("Работы", "N3"): "09.04.2026"},
    )
    # when it is uploaded
    errors = upload_errors(federal, campaign, content, "работы.xlsx")
    # then both rules are named at their cells
    assert any(
        e.startswith("строка 2, столбец D: лист «Работы»") and "сумма максимальных баллов" in e
        for e in errors
    )
    assert any(
        e.startswith("строка 3, столбец N: лист «Работы»") and "за 3 дня" in e for e in errors
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "Файл пустой"),
        (b"\xd0\xcf\x11\xe0 old excel", ".xls"),
        (b"PK\x03\x04 broken", "повреждён"),
        (b"hello", "формате .xlsx или документ JSON"),
        (b"{not json", "не является документом JSON"),
    ],
)
def test_unreadable_files_are_refused(
    federal: Actor, campaign: Campaign, content: bytes, expected: str
) -> None:
    # given a file that is not a works file / when it is uploaded / then a clear error
    errors = upload_errors(federal, campaign, content, "файл")
    assert any(expected in e for e in errors), errors


def test_bad_json_names_work_task_and_field_and_changes_nothing(
    federal: Actor, campaign: Campaign
) -> None:
    # given the exported document with mistakes in the second work
    before = state(campaign)
    doc = documents.campaign_document(
        selectors.campaign_spec(actor=federal, campaign_id=campaign.pk)
    )
    doc["works"][1]["mark5_from"] = 11  # above the maximum 10
    doc["works"][1]["columns"][2]["label"] = "2К1"  # repeated
    doc["works"][0]["columns"][0]["max_score"] = "два"
    content = json.dumps(doc, ensure_ascii=False).encode()
    # when it is uploaded
    errors = upload_errors(federal, campaign, content, "работы.json")
    # then the type error names the work, the task and the field
    assert any(
        "работа № 1 (russian, 4 класс), задание № 1, поле max_score: нужно целое число" in e
        for e in errors
    ), errors
    # and once types are right, the rules name their places too
    doc["works"][0]["columns"][0]["max_score"] = 2
    errors = upload_errors(federal, campaign, json.dumps(doc).encode(), "работы.json")
    assert any(
        "работа № 2 (math, 8 класс), поле mark5_from" in e and "порог «5»" in e for e in errors
    )
    assert any("работа № 2 (math, 8 класс), задание № 3 («2К1»), поле label" in e for e in errors)
    # and nothing changed
    assert state(campaign) == before
    assert not ImportBatch.objects.exists()


def test_a_file_of_another_campaign_is_refused(federal: Actor, campaign: Campaign) -> None:
    # given the file of this campaign and another campaign
    other = CampaignFactory(year=2027, is_active=False)
    content = exported_xlsx(federal, campaign)
    # when it is uploaded into the other one
    errors = upload_errors(federal, other, content, "работы.xlsx")
    # then the mismatch is named
    assert any("Файл описывает кампанию 2026 года" in e for e in errors)


@pytest.mark.parametrize("fmt", ["xlsx", "json"])
def test_export_then_import_changes_nothing(federal: Actor, campaign: Campaign, fmt: str) -> None:
    # given the campaign exported as xlsx or JSON
    before = state(campaign)
    spec = selectors.campaign_spec(actor=federal, campaign_id=campaign.pk)
    content = works_xlsx.build_workbook(spec) if fmt == "xlsx" else documents.build_json(spec)
    # when the file is imported back and applied
    batch = services.works_import_upload(
        actor=federal, campaign_id=campaign.pk, name=f"работы.{fmt}", content=content
    )
    # then the preview says every work is unchanged
    assert batch.preview["counts"] == {"created": 0, "replaced": 0, "unchanged": 2}
    assert batch.preview["campaign_changes"] == []
    services.works_import_apply(actor=federal, batch_id=batch.pk)
    # and applying it changes nothing at all (same rows, same timestamps)
    works, columns, name, deadline, _ = state(campaign)
    assert (works, columns, name, deadline) == before[:4]
    assert selectors.campaign_spec(actor=federal, campaign_id=campaign.pk) == spec
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED


def test_the_checking_window_goes_out_and_back_in_the_xlsx(
    federal: Actor, campaign: Campaign
) -> None:
    # given a work whose checking window ends two days after its period
    work = Work.objects.filter(campaign=campaign).order_by("pk").first()
    assert work is not None
    work.checking_until = work.period_end + dt.timedelta(days=2)
    work.save()
    # when the campaign is exported as xlsx
    content = exported_xlsx(federal, campaign)
    sheet = load_workbook(io.BytesIO(content))[works_xlsx.SHEET_WORKS]
    last = len(works_xlsx.WORK_COLUMNS)
    # then the last column carries the window's last day
    assert sheet.cell(1, last).value == "Последний день проверки работ"
    rows = {sheet.cell(r, 3).value: sheet.cell(r, last).value for r in range(2, sheet.max_row + 1)}
    assert rows[work.grade] == work.checking_until.strftime("%d.%m.%Y")
    # and imported back it changes nothing (the window is kept, not cleared)
    batch = services.works_import_upload(
        actor=federal, campaign_id=campaign.pk, name="работы.xlsx", content=content
    )
    assert batch.preview["counts"] == {"created": 0, "replaced": 0, "unchanged": 2}
    # when a file made before the column existed (no header, no cells) is imported
    letter = get_column_letter(last)
    older = edited(content, {(works_xlsx.SHEET_WORKS, f"{letter}{r}"): None for r in (1, 2, 3)})
    batch = services.works_import_upload(
        actor=federal, campaign_id=campaign.pk, name="работы.xlsx", content=older
    )
    # then it is read, the work with a window is the one replaced (no window in that file)
    assert batch.preview["counts"] == {"created": 0, "replaced": 1, "unchanged": 1}


def test_a_changed_file_is_previewed_then_applied_whole(federal: Actor, campaign: Campaign) -> None:
    # given the exported file with a changed scale, a new column and a new work
    content = exported_xlsx(federal, campaign)
    wb = load_workbook(io.BytesIO(content))
    works, tasks = wb["Работы"], wb["Задания"]
    works["E2"] = 11  # «3» from 11
    for col, value in enumerate(
        [
            "biology",
            "Биология",
            5,
            3,
            1,
            2,
            3,
            45,
            "нет",
            2,
            "20.04.2026",
            "30.04.2026",
            "21.04.2026",
            "16.04.2026",
            "07.05.2026",
            "20.05.2026",
        ],
        start=1,
    ):
        works.cell(row=4, column=col, value=value)
    for row, (label, maximum) in enumerate([("1", 1), ("2", 2)], start=tasks.max_row + 1):
        for col, value in enumerate(["biology", 5, label, maximum, "Б", "Тема"], start=1):
            tasks.cell(row=row, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    # when it is uploaded
    batch = services.works_import_upload(
        actor=federal, campaign_id=campaign.pk, name="работы.xlsx", content=out.getvalue()
    )
    # then the preview names what will change, and nothing has changed yet
    rows = {(r["subject_code"], r["grade"]): r for r in batch.preview["rows"]}
    assert rows[("russian", 4)]["outcome"] == "replaced"
    assert rows[("russian", 4)]["changes"] == ["«3» от балла"]
    assert rows[("biology", 5)]["outcome"] == "created"
    assert rows[("biology", 5)]["new_subject"]
    assert Work.objects.filter(campaign=campaign).count() == 2
    # when it is applied
    applied = services.works_import_apply(actor=federal, batch_id=batch.pk)
    # then everything is in place
    assert applied.done
    assert applied.message == "Изменения применены."
    russian = Work.objects.get(campaign=campaign, subject__code="russian")
    assert russian.mark3_from == 11
    biology = Work.objects.get(campaign=campaign, subject__code="biology")
    assert [c.label for c in biology.columns.order_by("position")] == ["1", "2"]
    event = AuditEvent.objects.get(action="works.import_apply")
    assert event.details == {
        "campaign_id": campaign.pk,
        "counts": {"created": 1, "replaced": 1, "unchanged": 1},
    }
    # and applying twice is refused (done: false) without changing anything
    after = state(campaign)
    again = services.works_import_apply(actor=federal, batch_id=batch.pk)
    assert not again.done
    assert "уже применён" in again.message
    assert state(campaign) == after
    assert AuditEvent.objects.filter(action="works.import_apply").count() == 1


def test_a_stale_preview_is_not_applied(federal: Actor, campaign: Campaign) -> None:
    # given a previewed upload
    batch = services.works_import_upload(
        actor=federal,
        campaign_id=campaign.pk,
        name="работы.json",
        content=documents.build_json(
            selectors.campaign_spec(actor=federal, campaign_id=campaign.pk)
        ),
    )
    # when the works change before it is applied
    Work.objects.filter(campaign=campaign, grade=4).update(duration_minutes=60)
    # then applying it is refused as a stale preview (409) and the batch stays a preview
    with pytest.raises(ImportStaleError) as caught:
        services.works_import_apply(actor=federal, batch_id=batch.pk)
    assert caught.value.status == 409
    assert "изменились (работы кампании)" in caught.value.message
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_discard_closes_the_batch_and_deletes_its_file(
    federal: Actor, campaign: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    # given a previewed upload
    before = state(campaign)
    batch = services.works_import_upload(
        actor=federal,
        campaign_id=campaign.pk,
        name="работы.xlsx",
        content=exported_xlsx(federal, campaign),
    )
    assert default_storage.exists(batch.file)
    # when it is discarded
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.works_import_discard(actor=federal, batch_id=batch.pk)
    # then it is closed, its file is gone, nothing else changed, and it cannot be applied
    assert outcome.done
    assert outcome.batch.status == ImportBatch.Status.DISCARDED
    assert not default_storage.exists(batch.file)
    assert state(campaign) == before
    refused = services.works_import_apply(actor=federal, batch_id=batch.pk)
    assert not refused.done
    assert "отменён" in refused.message
    assert AuditEvent.objects.filter(action="works.import_discard").count() == 1


def test_an_upload_of_another_kind_is_refused_here(federal: Actor, campaign: Campaign) -> None:
    # given a stored upload of another flow
    other = ImportBatch.objects.create(  # a stored row of another flow, as the database holds it
        kind="application", actor=federal.user, status=ImportBatch.Status.PREVIEW, preview={}
    )
    # when it is applied as a works file
    outcome = services.works_import_apply(actor=federal, batch_id=other.pk)
    # then it is refused with the reason and left alone
    assert not outcome.done
    assert outcome.message.startswith("Эта загрузка не относится к работам кампании")
    other.refresh_from_db()
    assert other.status == ImportBatch.Status.PREVIEW


def test_exports_never_contain_formulas(federal: Actor, campaign: Campaign) -> None:
    # given a topic that looks like a formula
    TaskColumn.objects.filter(work__grade=4, label="1").update(topic='=HYPERLINK("x")')
    # when the campaign is exported
    wb = load_workbook(io.BytesIO(exported_xlsx(federal, campaign)))
    # then the cell is text, not a formula
    cell = wb["Задания"]["F2"]
    assert cell.value == '=HYPERLINK("x")'
    assert cell.data_type == "s"
