"""The one import framework (apps/core/imports.py): its steps with a small kind of its own, and
a scan that no app writes the upload → preview → apply flow again."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.test import Client as HttpClient
from django.urls import path

from apps.core.client_ip import Client
from apps.core.imports import (
    Applied,
    ImportAudit,
    ImportKind,
    ImportStaleError,
    Staged,
    Target,
    import_apply,
    import_apply_request,
    import_apply_run,
    import_discard,
    import_kind_register,
    import_upload,
)
from apps.core.models import AuditEvent, ImportBatch, Job
from apps.core.scoping import Scope
from apps.core.uploads import CellError, UploadError
from apps.registration.access import A, actor_for_user
from apps.registration.import_views import ImportActionApi, ImportActionView
from apps.registration.tests.factories import MunicipalityFactory, grant, make_user

ROOT = Path(__file__).resolve().parents[1]

# What the kind "writes" when applied, and whether the world moved on since the preview.
WRITTEN: dict[str, str] = {}
WORLD = {"version": 1}


class _Notes(ImportKind):
    """Lines ``key=value``; the preview lists them; apply copies them into WRITTEN."""

    code = "test.notes"
    action = A.RECONCILE_SCHOOLS
    label = "заметкам"
    folder = "test-notes"
    audit = ImportAudit(
        upload="test.notes_upload",
        rejected="test.notes_rejected",
        apply="test.notes_apply",
        discard="test.notes_discard",
    )

    def target(self, *, actor: Any, **params: Any) -> Target:
        return Target(scope=actor.scope, details={"unit": "test"})

    def extension(self, content: bytes, name: str) -> str:
        return ".txt"

    def stage(self, *, actor: Any, target: Target, content: bytes, name: str) -> Staged:
        pairs, errors = {}, []
        for row, line in enumerate(content.decode().splitlines(), start=1):
            key, sep, value = line.partition("=")
            if not sep or not key:
                errors.append(CellError(row, 1, "Ожидается строка вида «ключ=значение»."))
            pairs[key] = value
        if errors:
            raise UploadError(errors)
        return Staged(
            preview={"pairs": pairs, "version": WORLD["version"]},
            counts={"rows": len(pairs)},
            files={"extra.bin": b"attached"},
        )

    def plan(self, *, actor: Any, batch: ImportBatch) -> dict[str, str]:
        if batch.preview["version"] != WORLD["version"]:
            raise ImportStaleError("версия данных")
        return dict(batch.preview["pairs"])

    def write(self, *, actor: Any, batch: ImportBatch, plan: Any) -> Applied:
        WRITTEN.update(plan)
        return Applied(message=f"Записано строк — {len(plan)}.", details={"rows": len(plan)})


class _SlowNotes(_Notes):
    code = "test.slow_notes"
    background = True


class _Task:
    name = "test.slow_notes_task"
    sent: list[int] = []

    def delay(self, *, job_id: int) -> None:
        self.sent.append(job_id)


NOTES = _Notes()
SLOW = _SlowNotes()
TASK = _Task()
import_kind_register(NOTES)
import_kind_register(SLOW, TASK)


class _ApplyView(ImportActionView):
    kind = NOTES
    detail_url = "test-notes-detail"


class _DiscardApi(ImportActionApi):
    kind = NOTES
    operation = "discard"


urlpatterns = [
    path("notes/<int:pk>/", _ApplyView.as_view(), name="test-notes-detail"),
    path("notes/<int:pk>/apply/", _ApplyView.as_view(), name="test-notes-apply"),
    path("notes/<int:pk>/discard/", _DiscardApi.as_view(), name="test-notes-discard"),
]


@pytest.fixture
def coordinator(db: Any) -> Any:
    WRITTEN.clear()
    WORLD["version"] = 1
    muni = MunicipalityFactory()
    user = make_user("notes_coord", "пароль-Длинный-1")
    grant(user, "municipal", muni)
    return user


def _actor(user: Any, ip: str = "203.0.113.7") -> Any:
    return actor_for_user(user).with_client(Client(ip=ip, user_agent="test-agent"))


def _upload(actor: Any, text: str) -> ImportBatch:
    return import_upload(NOTES, actor=actor, name="заметки.txt", content=text.encode())


def test_bad_file_is_refused_by_row_audited_and_nothing_stored(coordinator: Any) -> None:
    actor = _actor(coordinator)
    with pytest.raises(UploadError) as caught:
        _upload(actor, "a=1\nбез знака\nb=2")
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, 1)]
    assert not ImportBatch.objects.exists()
    event = AuditEvent.objects.get(action="test.notes_rejected")
    assert event.details["errors"] == 1
    assert event.details["unit"] == "test"
    assert event.ip == "203.0.113.7"
    assert event.user_agent == "test-agent"


def test_file_over_the_limit_is_refused_before_parsing(coordinator: Any) -> None:
    class _Tiny(_Notes):
        code = "test.tiny"
        max_bytes = 4

    with pytest.raises(UploadError) as caught:
        import_upload(_Tiny(), actor=_actor(coordinator), name="x.txt", content=b"a=12345")
    assert "МБ" in str(caught.value.errors[0])
    assert not ImportBatch.objects.exists()


def test_preview_then_apply_once_then_refusals(coordinator: Any) -> None:
    actor = _actor(coordinator)
    batch = _upload(actor, "a=1\nb=2")
    assert batch.status == ImportBatch.Status.PREVIEW
    assert WRITTEN == {}
    assert batch.municipality_id == actor.scope.municipality_id
    stored = batch.preview["files"]["extra.bin"]
    assert default_storage.exists(batch.file)
    assert default_storage.exists(stored)

    outcome = import_apply(NOTES, actor=actor, batch_id=batch.pk)
    assert outcome.done
    assert outcome.message == "Записано строк — 2."
    assert WRITTEN == {"a": "1", "b": "2"}
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert batch.applied_at is not None
    assert AuditEvent.objects.filter(action="test.notes_apply", details__rows=2).count() == 1

    again = import_apply(NOTES, actor=actor, batch_id=batch.pk)
    assert not again.done
    assert "уже применён" in again.message
    assert import_discard(NOTES, actor=actor, batch_id=batch.pk).done is False
    assert AuditEvent.objects.filter(action="test.notes_apply").count() == 1


def test_stale_preview_changes_nothing(coordinator: Any) -> None:
    actor = _actor(coordinator)
    batch = _upload(actor, "a=1")
    WORLD["version"] = 2
    with pytest.raises(ImportStaleError) as caught:
        import_apply(NOTES, actor=actor, batch_id=batch.pk)
    assert caught.value.status == 409
    assert "версия данных" in caught.value.message
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW
    assert WRITTEN == {}


def test_discard_closes_and_deletes_files_after_commit(
    coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    actor = _actor(coordinator)
    batch = _upload(actor, "a=1")
    paths = [batch.file, batch.preview["files"]["extra.bin"]]
    with django_capture_on_commit_callbacks(execute=True):
        outcome = import_discard(NOTES, actor=actor, batch_id=batch.pk)
    assert outcome.done
    assert not any(default_storage.exists(p) for p in paths)
    assert not import_apply(NOTES, actor=actor, batch_id=batch.pk).done
    assert WRITTEN == {}


def test_other_kind_and_other_uploader(coordinator: Any) -> None:
    actor = _actor(coordinator)
    batch = import_upload(SLOW, actor=actor, name="x.txt", content=b"a=1")
    refused = import_apply(NOTES, actor=actor, batch_id=batch.pk)
    assert not refused.done
    assert "не относится к заметкам" in refused.message

    class _Mine(_Notes):
        uploader_only = True

    colleague = make_user("notes_colleague", "пароль-Длинный-2")
    grant(colleague, "municipal", coordinator_unit(coordinator))
    mine = import_upload(_Mine(), actor=actor, name="x.txt", content=b"a=1")
    other = import_apply(_Mine(), actor=_actor(colleague), batch_id=mine.pk)
    assert not other.done
    assert "только тот, кто её загрузил" in other.message


def coordinator_unit(user: Any) -> Any:
    return actor_for_user(user).unit


def test_out_of_scope_batch_is_not_found(coordinator: Any) -> None:
    batch = _upload(_actor(coordinator), "a=1")
    stranger = make_user("notes_stranger", "пароль-Длинный-3")
    grant(stranger, "municipal", MunicipalityFactory())
    with pytest.raises(ImportBatch.DoesNotExist):
        import_apply(NOTES, actor=_actor(stranger), batch_id=batch.pk)


def test_background_apply_runs_once_as_the_asker_from_its_client(
    coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    actor = _actor(coordinator, ip="198.51.100.9")
    batch = import_upload(SLOW, actor=actor, name="x.txt", content=b"a=1")
    TASK.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        asked = import_apply_request(SLOW, actor=actor, batch_id=batch.pk)
        import_apply_request(SLOW, actor=actor, batch_id=batch.pk)
    assert asked.job is not None
    assert not asked.refusal
    assert Job.objects.filter(kind=SLOW.job_kind).count() == 1
    assert WRITTEN == {}

    def actor_of(job: Job) -> Any:
        return actor_for_user(job.actor).with_client(Client.from_params(job.params["client"]))

    done = import_apply_run(job_id=asked.job.pk, actor_of=actor_of)
    assert done is not None
    assert done.status == Job.Status.DONE
    assert WRITTEN == {"a": "1"}
    assert import_apply_run(job_id=asked.job.pk, actor_of=actor_of) is None
    event = AuditEvent.objects.get(action="test.notes_apply")
    assert event.ip == "198.51.100.9"
    late = import_apply_request(SLOW, actor=actor, batch_id=batch.pk)
    assert late.job is None
    assert "уже применён" in late.refusal


@pytest.mark.urls("tests.test_import_framework")
def test_view_and_api_bases(coordinator: Any) -> None:
    browser = HttpClient()
    browser.force_login(coordinator)
    actor = _actor(coordinator)
    first = _upload(actor, "a=1")
    response = browser.post(f"/notes/{first.pk}/apply/")
    assert response.status_code == 302
    assert response["Location"] == f"/notes/{first.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Записано строк — 1."]
    second = _upload(actor, "b=2")
    answer = browser.post(f"/notes/{second.pk}/discard/")
    assert answer.status_code == 200
    assert answer.json() == {
        "done": True,
        "message": "Загрузка отменена; ничего не изменено.",
        "batch": second.pk,
        "status": "discarded",
    }
    WORLD["version"] = 3
    third = _upload(actor, "c=3")
    WORLD["version"] = 4
    stale = browser.post(f"/notes/{third.pk}/apply/")
    assert any("изменились" in str(m) for m in get_messages(stale.wsgi_request))
    assert browser.post("/notes/999999/discard/").status_code == 404


# --- no copy of the flow -------------------------------------------------------------------------

# The framework's own writes of a batch's life; nothing else may create a batch or move its status.
_FLOW_WRITES = re.compile(
    r"ImportBatch\.objects\.create\(|\.status\s*=\s*ImportBatch\.Status\.|"
    r"ImportBatch\.objects[^\n]*select_for_update"
)


def test_no_app_writes_the_import_flow_again() -> None:
    offenders = []
    for file in sorted((ROOT / "apps").rglob("*.py")):
        rel = file.relative_to(ROOT).as_posix()
        if "/tests/" in rel or "/migrations/" in rel or rel == "apps/core/imports.py":
            continue
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if _FLOW_WRITES.search(line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == [], "\n".join(offenders)


def test_every_kind_is_registered_with_its_audit_labels() -> None:
    from apps.core.audit_actions import action_label
    from apps.core.imports import import_kinds

    kinds = [k for k in import_kinds() if not k.code.startswith("test.")]
    assert {k.code for k in kinds} >= {"works", "school_list", "application", "bank"}
    for kind in kinds:
        for action in (
            kind.audit.upload,
            kind.audit.rejected,
            kind.audit.apply,
            kind.audit.discard,
        ):
            assert action_label(action) != action, (kind.code, action)


def test_scope_of_a_batch_is_its_unit(coordinator: Any) -> None:
    batch = _upload(_actor(coordinator), "a=1")
    assert Scope.of_row(batch).municipality_id == batch.municipality_id
