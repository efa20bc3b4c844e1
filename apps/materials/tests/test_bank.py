"""Bank import and export: validation in Russian that changes nothing, revisions, frozen items."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from apps.campaigns.tests.factories import WorkFactory
from apps.core.uploads import UploadError
from apps.materials.bank import SHEET, XLSX_HEADERS
from apps.materials.models import BankItem, WorkBank
from apps.materials.services import bank_export, bank_import
from apps.materials.tests.bank_data import bank_json, load_bank
from apps.materials.tests.factories import SYSTEM, apply, generate
from apps.registration.access import actor_for_user

pytestmark = pytest.mark.django_db


def _json(work, items=None, meta=None) -> bytes:
    data = json.loads(bank_json(work))
    if items is not None:
        data["items"] = items
    if meta is not None:
        data["work"] = meta
    return json.dumps(data, ensure_ascii=False).encode()


def _import(work, content: bytes, name: str = "bank.json"):
    return bank_import(actor=SYSTEM, work_id=work.pk, content=content, filename=name)


def _state(work) -> tuple:
    return (
        list(BankItem.objects.filter(work=work).values_list("code", "text", "until_revision")),
        list(WorkBank.objects.filter(work=work).values_list("revision", flat=True)),
    )


def test_a_bank_file_imports_with_several_items_per_column() -> None:
    # given the Russian 4 work
    work = WorkFactory()
    # when the test bank is loaded
    result = load_bank(actor=SYSTEM, work=work)
    # then every one of the 15 columns has at least 4 items, in revision 1
    assert result.revision == 1
    counts = {}
    for label in BankItem.objects.filter(work=work).values_list("column__label", flat=True):
        counts[label] = counts.get(label, 0) + 1
    assert len(counts) == 15
    assert min(counts.values()) >= 4


def test_missing_fields_are_reported_and_nothing_changes() -> None:
    # given a loaded bank and a file whose second item lacks its text and difficulty
    work = WorkFactory()
    load_bank(actor=SYSTEM, work=work)
    before = _state(work)
    items = json.loads(bank_json(work))["items"]
    del items[1]["text"]
    del items[1]["difficulty"]
    # when it is imported
    with pytest.raises(UploadError) as error:
        _import(work, _json(work, items))
    # then the message names the item and both fields, and the bank is as before
    message = str(error.value)
    assert "Задание банка № 2" in message
    assert "«Текст задания»" in message
    assert "«Сложность (1–5)»" in message
    assert _state(work) == before


def test_item_for_a_column_the_work_does_not_have_is_refused() -> None:
    # given a file with an item for column «13»
    work = WorkFactory()
    items = json.loads(bank_json(work))["items"]
    items[0]["column"] = "13"
    # when it is imported
    with pytest.raises(UploadError) as error:
        _import(work, _json(work, items))
    # then the error names the column, and nothing is written
    assert "в работе нет задания «13»" in str(error.value)
    assert _state(work) == ([], [])


def test_too_few_items_for_distinct_variants_is_refused_per_column() -> None:
    # given a file with a single item for column 9.1 (the work needs 2 variants)
    work = WorkFactory()
    items = json.loads(bank_json(work))["items"]
    items = [i for i in items if i["column"] != "9.1"] + [
        next(i for i in items if i["column"] == "9.1")
    ]
    # when it is imported
    with pytest.raises(UploadError) as error:
        _import(work, _json(work, items))
    # then the error names the column and the number needed
    assert "Задание 9.1: в банке 1 шт., а для 2 различающихся вариантов нужно не меньше 2" in str(
        error.value
    )
    assert _state(work) == ([], [])


def test_broken_markup_and_wrong_work_and_non_json_are_refused() -> None:
    work = WorkFactory()
    items = json.loads(bank_json(work))["items"]
    items[3]["answer"] = "Ответ: **дом"
    # when / then: broken markup names the item, the field and the line
    with pytest.raises(UploadError, match=r"Ответ и критерии.*не закрыт полужирный"):
        _import(work, _json(work, items))
    # when / then: a file of another work
    with pytest.raises(UploadError, match="относится к другой работе"):
        _import(
            work,
            _json(work, meta={"year": 2026, "session": "spring", "subject": "math", "grade": 4}),
        )
    # when / then: not JSON at all
    with pytest.raises(UploadError, match="не является JSON"):
        _import(work, b"\x00\x01garbage")
    assert _state(work) == ([], [])


def test_reimport_of_the_same_file_changes_nothing() -> None:
    # given a loaded bank
    work = WorkFactory()
    load_bank(actor=SYSTEM, work=work)
    # when the same file is imported again
    result = _import(work, bank_json(work))
    # then nothing changed and the revision stays
    assert not result.changed_anything
    assert WorkBank.objects.get(work=work).revision == 1


def test_items_used_in_kits_are_frozen_but_can_be_retired(world) -> None:
    # given a bank with kits generated from it
    work = WorkFactory()
    load_bank(actor=SYSTEM, work=work)
    apply(world.schools["A1a"], work)
    generate(work)
    items = json.loads(bank_json(work))["items"]
    # when an item is edited
    edited = [dict(i) for i in items]
    edited[0]["text"] = "Новый текст."
    with pytest.raises(UploadError) as error:
        _import(work, _json(work, edited))
    # then it is refused, naming the code
    assert "RU4-1-01" in str(error.value)
    assert "менять его нельзя" in str(error.value)
    # and when the item is left out and a new one added instead, the old one is retired
    replaced = [*items[1:], {**items[0], "code": "RU4-1-99", "text": "Новый текст."}]
    result = _import(work, _json(work, replaced))
    assert (result.revision, result.added, result.retired) == (2, 1, 1)
    old = BankItem.objects.get(work=work, code="RU4-1-01")
    assert (old.since_revision, old.until_revision) == (1, 2)


def test_xlsx_round_trip_and_missing_columns() -> None:
    # given a loaded bank exported as xlsx
    work = WorkFactory()
    load_bank(actor=SYSTEM, work=work)
    name, content = bank_export(actor=SYSTEM, work_id=work.pk, fmt="xlsx")
    assert name.endswith(".xlsx")
    # when it is imported back, nothing changes
    assert not _import(work, content, "bank.xlsx").changed_anything
    # and a workbook without the difficulty column is refused with a clear message
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    headers = [h for f, h in XLSX_HEADERS.items() if f != "difficulty"]
    ws.append(headers)
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(UploadError, match="нет столбцов: «Сложность"):
        _import(work, buffer.getvalue(), "bank.xlsx")


def test_xlsx_errors_name_row_and_column() -> None:
    # given an exported bank with a bad difficulty in row 5
    work = WorkFactory()
    load_bank(actor=SYSTEM, work=work)
    _name, content = bank_export(actor=SYSTEM, work_id=work.pk, fmt="xlsx")
    wb = load_workbook(io.BytesIO(content))
    ws = wb[SHEET]
    ws.cell(row=5, column=5).value = 9
    buffer = io.BytesIO()
    wb.save(buffer)
    # when it is imported
    with pytest.raises(UploadError) as error:
        _import(work, buffer.getvalue(), "bank.xlsx")
    # then the error names row 5, column E
    assert "строка 5, столбец E: сложность — целое число от 1 до 5" in str(error.value)


def test_export_never_writes_a_formula() -> None:
    # given an item whose text starts with "="
    work = WorkFactory()
    items = json.loads(bank_json(work))["items"]
    items[0]["text"] = "=1+1 — сколько будет?"
    _import(work, _json(work, items))
    # when the bank is exported as xlsx
    _name, content = bank_export(actor=SYSTEM, work_id=work.pk, fmt="xlsx")
    # then the cell is text
    ws = load_workbook(io.BytesIO(content))[SHEET]
    cell = next(c for c in ws["C"] if c.value == "=1+1 — сколько будет?")
    assert cell.data_type == "s"


def test_only_the_federal_operator_imports(world) -> None:
    # given a school organizer
    work = WorkFactory()
    actor = actor_for_user(world.users["school_organizer"])
    # when it tries to import a bank
    # then it is refused
    with pytest.raises(PermissionDenied):
        bank_import(actor=actor, work_id=work.pk, content=bank_json(work), filename="b.json")


def _spring_and_autumn_works():
    from apps.campaigns.models import Session
    from apps.campaigns.tests.factories import CampaignFactory

    spring = WorkFactory()
    autumn_campaign = CampaignFactory(year=2026, session=Session.AUTUMN, name="ВПР 2026 осень")
    autumn = WorkFactory(campaign=autumn_campaign, subject=spring.subject, grade=spring.grade)
    return spring, autumn


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_export_names_the_session_and_another_session_is_refused(fmt) -> None:
    # given the same subject and grade in the spring and the autumn campaigns of 2026
    spring, autumn = _spring_and_autumn_works()
    load_bank(actor=SYSTEM, work=autumn)
    # when the autumn bank is exported
    name, content = bank_export(actor=SYSTEM, work_id=autumn.pk, fmt=fmt)
    # then the file names the session (and the work id) ...
    assert "осенний этап" in name
    if fmt == "json":
        meta = json.loads(content)["work"]
        assert (meta["id"], meta["year"], meta["session"]) == (autumn.pk, 2026, "autumn")
    else:
        ws = load_workbook(io.BytesIO(content))["Работа"]
        values = {row[0]: row[1] for row in ws.iter_rows(values_only=True)}
        assert "autumn" in values.values()
        assert autumn.pk in values.values()
    # ... it loads back into the autumn work ...
    assert not _import(autumn, content, f"bank.{fmt}").changed_anything
    # ... and the spring work of the same year, subject and grade refuses it, changing nothing
    with pytest.raises(UploadError, match=r"другой работе.*осенний этап.*весенний этап"):
        _import(spring, content, f"bank.{fmt}")
    assert _state(spring) == ([], [])


def test_a_json_file_without_the_session_is_refused() -> None:
    # given a bank file whose work lacks the session
    work = WorkFactory()
    meta = {"year": 2026, "subject": work.subject.code, "grade": work.grade}
    # when it is imported
    # then it is refused with a clear message and nothing changes
    with pytest.raises(UploadError, match="не указан этап кампании"):
        _import(work, _json(work, meta=meta))
    assert _state(work) == ([], [])
