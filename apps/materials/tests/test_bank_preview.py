"""The operator's two-step bank import: upload → preview (nothing changes) → apply or discard."""

from __future__ import annotations

import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.campaigns.tests.factories import WorkFactory
from apps.core.imports import ImportStaleError
from apps.core.models import AuditEvent, ImportBatch
from apps.materials import services
from apps.materials.models import BankItem, WorkBank
from apps.materials.tests.bank_data import bank_json, load_bank
from apps.materials.tests.factories import SYSTEM
from apps.registration.access import actor_for_user

pytestmark = pytest.mark.django_db


def _state(work) -> list:
    return sorted(
        BankItem.objects.filter(work=work).values_list(
            "code", "text", "since_revision", "until_revision"
        )
    ) + list(WorkBank.objects.filter(work=work).values_list("revision", flat=True))


def _edited_bank(work) -> tuple[bytes, dict]:
    """The test bank with one item retired and replaced by a new one in its column, and one
    item of another column changed; returns the file and the expected per-column counts."""
    data = json.loads(bank_json(work))
    items = data["items"]
    gone = items.pop(0)
    other = next(i for i in items if i["column"] != gone["column"])
    other["text"] = other["text"] + " (исправлено)"
    items.append({**gone, "code": "НОВ-1", "text": "Новое задание."})
    data["items"] = items
    return json.dumps(data, ensure_ascii=False).encode(), {
        "gone": gone["column"],
        "other": other["column"],
    }


def _loaded_work():
    work = WorkFactory()
    load_bank(actor=SYSTEM, work=work)
    return work


def test_preview_changes_nothing_and_apply_changes_exactly_what_it_said(world) -> None:
    # given a work with the test bank and an edited bank file
    work = _loaded_work()
    actor = actor_for_user(world.users["federal"])
    content, cols = _edited_bank(work)
    before = _state(work)
    total = BankItem.objects.filter(work=work).count()
    # when the file is previewed
    batch = services.bank_import_upload(
        actor=actor, work_id=work.pk, content=content, name="банк.json"
    )
    # then nothing in the bank changed, the file is stored and the preview counts per column
    assert _state(work) == before
    assert batch.kind == "bank"
    assert batch.status == ImportBatch.Status.PREVIEW
    assert default_storage.exists(batch.file)
    assert batch.preview["counts"] == {
        "added": 1,
        "changed": 1,
        "retired": 1,
        "unchanged": total - 2,
        "images": 0,
    }
    columns = batch.preview["columns"]
    assert columns[cols["gone"]]["added"] == 1
    assert columns[cols["gone"]]["retired"] == 1
    assert columns[cols["other"]]["changed"] == 1
    assert sum(c["unchanged"] for c in columns.values()) == total - 2
    assert AuditEvent.objects.filter(action="materials.bank_upload").count() == 1
    # when it is applied
    outcome = services.bank_import_apply(actor=actor, batch_id=batch.pk)
    # then exactly the previewed changes are made, in a new revision
    assert outcome.done
    assert WorkBank.objects.get(work=work).revision == 2
    new = BankItem.objects.filter(work=work, since_revision=2)
    assert sorted(new.values_list("column__label", flat=True)) == sorted(
        [cols["gone"], cols["other"]]
    )
    assert BankItem.objects.filter(work=work, until_revision=2).count() == 1
    assert BankItem.objects.filter(work=work, since_revision=1, until_revision=None).count() == (
        total - 2
    )
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert batch.applied_at is not None
    assert AuditEvent.objects.filter(action="materials.bank_apply").count() == 1
    # when it is applied a second time
    after = _state(work)
    again = services.bank_import_apply(actor=actor, batch_id=batch.pk)
    # then nothing changes
    assert not again.done
    assert "уже применён" in again.message
    assert _state(work) == after
    assert AuditEvent.objects.filter(action="materials.bank_apply").count() == 1


def test_discard_drops_the_upload_and_its_file(world, django_capture_on_commit_callbacks) -> None:
    # given a previewed upload
    work = _loaded_work()
    actor = actor_for_user(world.users["federal"])
    content, _ = _edited_bank(work)
    before = _state(work)
    batch = services.bank_import_upload(
        actor=actor, work_id=work.pk, content=content, name="банк.json"
    )
    # when it is discarded
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.bank_import_discard(actor=actor, batch_id=batch.pk)
    # then the bank is unchanged, the file is gone and it can no longer be applied
    assert outcome.done
    assert not default_storage.exists(batch.file)
    assert not services.bank_import_apply(actor=actor, batch_id=batch.pk).done
    assert _state(work) == before


def test_apply_is_refused_when_the_bank_changed_after_the_preview(world) -> None:
    # given a previewed upload, then the bank is changed directly
    work = _loaded_work()
    actor = actor_for_user(world.users["federal"])
    content, _ = _edited_bank(work)
    batch = services.bank_import_upload(
        actor=actor, work_id=work.pk, content=content, name="банк.json"
    )
    services.bank_import(actor=SYSTEM, work_id=work.pk, content=content, filename="b.json")
    before = _state(work)
    # when the preview is applied
    with pytest.raises(ImportStaleError) as exc:
        services.bank_import_apply(actor=actor, batch_id=batch.pk)
    # then it is refused in Russian (409, naming the work's bank) and nothing changes
    assert exc.value.status == 409
    assert "изменились (банк работы «" in exc.value.message
    assert _state(work) == before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_a_bad_file_is_refused_in_russian_and_nothing_is_stored(world) -> None:
    # given a bank file naming a column the work does not have
    work = WorkFactory()
    items = json.loads(bank_json(work))["items"]
    items[0]["column"] = "99"
    upload = SimpleUploadedFile(
        "bank.json", json.dumps({"items": items}, ensure_ascii=False).encode()
    )
    # when the operator uploads it on the bank page
    response = world.client_for("federal").post(
        reverse("materials-bank"), {"work": work.pk, "file": upload}
    )
    # then it is refused with the Russian message; no batch, no bank
    assert response.status_code == 400
    assert "в работе нет задания «99»" in response.content.decode()
    assert not ImportBatch.objects.filter(kind="bank").exists()
    assert not BankItem.objects.filter(work=work).exists()
    assert AuditEvent.objects.filter(action="materials.bank_upload_rejected").count() == 1


def test_the_operator_previews_and_applies_on_the_pages(world) -> None:
    # given the federal operator and a loaded work
    work = _loaded_work()
    content, _ = _edited_bank(work)
    client = world.client_for("federal")
    before = _state(work)
    # when the edited file is uploaded
    response = client.post(
        reverse("materials-bank"),
        {"work": work.pk, "file": SimpleUploadedFile("банк.json", content)},
    )
    # then the preview page shows the counts and the bank is untouched
    batch = ImportBatch.objects.get(kind="bank")
    url = reverse("materials-bank-import", args=[batch.pk])
    assert response.status_code == 302
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert "Будет снято" in page
    assert "Применить" in page
    assert "Отменить" in page
    assert _state(work) == before
    # and other roles cannot see or apply it
    assert world.client_for("regional").get(url).status_code == 403
    assert world.client_for("regional").post(url, {"op": "apply"}).status_code == 403
    # when the operator applies it
    applied = client.post(url, {"op": "apply"}, follow=True)
    done = applied.content.decode()
    # then the bank is loaded in version 2 and the upload's page says so
    assert applied.redirect_chain == [(url, 302)]
    assert "Банк загружен (версия 2): добавлено 1, изменено 1, снято 1" in done
    assert "Состояние: применён." in done
    # when it is applied again
    again = client.post(url, {"op": "apply"}, follow=True).content.decode()
    # then it says so and nothing changes
    assert "повторное применение ничего не меняет" in again
    assert WorkBank.objects.get(work=work).revision == 2


def test_an_upload_of_another_kind_is_not_applied_as_a_bank(world) -> None:
    # given an upload that is not a bank file
    actor = actor_for_user(world.users["federal"])
    batch = ImportBatch.objects.create(
        kind="school_list", actor=world.users["federal"], original_name="список.xlsx"
    )
    # when the bank page is asked to apply or discard it
    applied = services.bank_import_apply(actor=actor, batch_id=batch.pk)
    discarded = services.bank_import_discard(actor=actor, batch_id=batch.pk)
    # then both are refused and the upload stays as it was
    assert not applied.done
    assert not discarded.done
    assert "не относится к банку заданий" in applied.message
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW
