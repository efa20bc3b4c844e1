from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.urls import reverse
from guardian.shortcuts import get_perms

from apps.core.imports import ImportStaleError
from apps.core.models import AuditEvent, ImportBatch
from apps.core.services import audit_record
from apps.registration import selectors
from apps.registration.access import actor_for_user
from apps.registration.constants import SchoolStatus
from apps.registration.models import School
from apps.registration.reconciliation import imports as kind
from apps.registration.reconciliation import rules as rc
from apps.registration.services import school_unit_scope
from apps.registration.tests.factories import grant, make_user
from apps.registration.tests.reconciliation.helpers import (
    apply,
    discard,
    edit,
    new_school,
    snapshot,
    template,
    upload,
)

pytestmark = pytest.mark.django_db


def _audit(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_reuploading_the_downloaded_file_changes_nothing(world):
    # given the municipality's file, downloaded and uploaded back as it is
    user = world.users["municipal"]
    before = snapshot()
    batch = upload(user, template(user))
    # then the preview shows every school unchanged
    counts = batch.preview["counts"]
    assert counts == {"created": 0, "changed": 0, "unchanged": 2, "rejected": 0, "missing": 0}
    # when it is applied
    outcome = apply(user, batch)
    # then no school row was touched (updated_at included), and the batch is applied
    assert outcome.done
    assert snapshot() == before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED


def test_applying_twice_does_nothing_the_second_time(world):
    # given an applied upload that closed a school
    user = world.users["municipal"]
    code = world.schools["A1b"].code
    batch = upload(user, edit(template(user), set_cells={(code, rc.STATUS.header): "Закрыта"}))
    assert apply(user, batch).done
    after_first = snapshot()
    audits = AuditEvent.objects.count()
    # when it is applied again
    outcome = apply(user, batch)
    # then nothing is written, not even an audit record, and the caller is told why
    assert not outcome.done
    assert "уже применён" in outcome.message
    assert snapshot() == after_first
    assert AuditEvent.objects.count() == audits


def test_closed_school_keeps_history_and_leaves_active_lists(world):
    # given a school with history: an account with a grant and an audit event
    school = world.schools["A1a"]
    organizer = world.users["school_organizer"]
    audit_record(
        actor=actor_for_user(organizer), action="test.history", scope=school_unit_scope(school)
    )
    user = world.users["municipal"]
    content = edit(template(user), set_cells={(school.code, rc.STATUS.header): "Закрыта"})
    # when the municipal coordinator marks it closed and applies
    batch = upload(user, content)
    row = next(r for r in batch.preview["rows"] if r["code"] == school.code)
    assert row["outcome"] == rc.CHANGED
    assert row["changes"] == [
        {"field": "status", "label": "Статус", "old": "Действующая", "new": "Закрыта"}
    ]
    apply(user, batch)
    # then the school still exists, closed, with its grant and its audit history
    school.refresh_from_db()
    assert school.status == SchoolStatus.CLOSED
    assert "organize_school" in get_perms(organizer, school)
    assert AuditEvent.objects.filter(school_id=school.pk, action="test.history").exists()
    # and it is gone from the active lists: selector, municipality cabinet, API
    actor = actor_for_user(user)
    assert school not in selectors.school_list(actor=actor, status="active")
    assert school in selectors.school_list(actor=actor, status="closed")
    client = world.client_for("municipal")
    page = client.get(reverse("municipality-detail", args=[world.municipalities["A1"].pk]))
    assert school.short_name not in page.content.decode()
    assert world.schools["A1b"].short_name in page.content.decode()
    api = client.get("/api/v1/schools/", {"status": "active"}).json()
    assert school.code not in {s["code"] for s in api["results"]}


def test_new_school_gets_a_free_code_and_a_reupload_does_not_duplicate_it(world):
    # given the file with a corrected name and one new school
    user = world.users["municipal"]
    renamed = world.schools["A1b"]
    content = edit(
        template(user),
        set_cells={(renamed.code, rc.FULL_NAME.header): "МБОУ «Гимназия № 2»"},
        add=[new_school()],
    )
    batch = upload(user, content)
    # then the preview shows one new, one changed, one unchanged school
    assert batch.preview["counts"]["created"] == 1
    assert batch.preview["counts"]["changed"] == 1
    changed = next(r for r in batch.preview["rows"] if r["outcome"] == rc.CHANGED)
    assert [c["field"] for c in changed["changes"]] == ["full_name"]
    # when applied
    outcome = apply(user, batch)
    # then the new school exists in the municipality with the next free code of the region
    region = world.regions["A"]
    created = School.objects.get(short_name="МБОУ СОШ № 77")
    assert re.fullmatch(rf"edu{region.code}\d{{4}}", created.code)
    assert created.municipality == world.municipalities["A1"]
    assert created.region == region
    assert created.time_zone == world.municipalities["A1"].time_zone
    renamed.refresh_from_db()
    assert renamed.full_name == "МБОУ «Гимназия № 2»"
    result = outcome.batch.preview["result"]
    assert result["created"][0]["code"] == created.code
    assert "«Организаторы ОО»" in result["accounts_note"]
    # and exactly one audit record for the apply, naming the new code
    event = AuditEvent.objects.get(action="school_list.apply")
    assert event.details["created"] == [created.code]
    assert event.municipality_id == world.municipalities["A1"].pk
    # when the very same file is uploaded again
    count = School.objects.count()
    again = upload(user, content)
    # then the new row is recognised as the school just created: nothing would change
    assert again.preview["counts"]["created"] == 0
    assert again.preview["counts"]["changed"] == 0
    assert apply(user, again).done
    assert School.objects.count() == count


def _code(world, key: str, code: str) -> None:
    school = world.schools[key]
    school.code = code
    school.save()


def test_codes_follow_the_municipalitys_own_numbering(world):
    # given municipality A1 numbering its schools edu<region>01SS and A2 edu<region>04SS,
    # A2 holding the region's highest code
    r = world.regions["A"].code
    _code(world, "A1a", f"edu{r}0107")
    _code(world, "A1b", f"edu{r}0103")
    _code(world, "A2a", f"edu{r}0420")
    _code(world, "A2b", f"edu{r}0401")
    user = world.users["municipal"]
    # when A1 adds two new schools
    content = edit(
        template(user),
        add=[new_school(), new_school(**{rc.FULL_NAME.header: "МБОУ «ООШ с. Дальнее»"})],
    )
    apply(user, upload(user, content))
    # then they get the next codes of A1's block, not the region's next code (A2's block)
    new = School.objects.filter(municipality=world.municipalities["A1"]).exclude(
        pk__in=[world.schools["A1a"].pk, world.schools["A1b"].pk]
    )
    assert sorted(new.values_list("code", flat=True)) == [f"edu{r}0108", f"edu{r}0109"]
    # and a new school of A2 continues A2's block
    a2 = world.municipalities["A2"]
    assert kind.free_codes(r, [a2]) == [f"edu{r}0421"]
    # and one of each in a regional file: each in its own block, in file order
    a1 = world.municipalities["A1"]
    assert kind.free_codes(r, [a2, a1, a2]) == [
        f"edu{r}0421",
        f"edu{r}0110",
        f"edu{r}0422",
    ]


def test_a_municipality_without_coded_schools_gets_a_block_of_its_own(world):
    # given A1's schools in block 01 and A2 without any school in the region's format
    r = world.regions["A"].code
    _code(world, "A1a", f"edu{r}0101")
    _code(world, "A1b", f"edu{r}0102")
    a2 = world.municipalities["A2"]
    a2.code = f"reg{r}_m001"  # its own number would be 01, which A1 numbers in
    a2.save()
    # when a code is allocated for a new school of A2
    codes = kind.free_codes(r, [a2])
    # then it opens the lowest block nobody numbers in, never A1's
    assert codes == [f"edu{r}0201"]


def test_regional_file_moves_a_school_between_municipalities(world):
    # given the regional coordinator's file with a school moved from A1 to A2
    user = world.users["regional"]
    school = world.schools["A1a"]
    target = world.municipalities["A2"]
    content = edit(template(user), set_cells={(school.code, rc.MUNICIPALITY.header): target.code})
    # when uploaded and applied
    batch = upload(user, content)
    assert batch.region_id == world.regions["A"].pk
    assert batch.municipality_id is None
    apply(user, batch)
    # then the school is in A2 now
    school.refresh_from_db()
    assert school.municipality == target


def test_apply_revalidates_against_the_current_rows(world):
    # given a previewed upload changing A1a
    user = world.users["municipal"]
    school = world.schools["A1a"]
    batch = upload(
        user, edit(template(user), set_cells={(school.code, rc.ADDRESS.header): "ул. Новая, 1"})
    )
    # and the school moved to another municipality before the apply
    school.municipality = world.municipalities["A2"]
    school.save()
    before = snapshot()
    # when the upload is applied
    with pytest.raises(ImportStaleError) as caught:
        apply(user, batch)
    # then it is refused (409) naming the row, with the file as it reads today; nothing changes,
    # and the batch stays in preview
    error = caught.value
    assert error.status == 409
    assert "список ОО, строка 4, столбец" in error.message
    assert any("нет в списке ОО" in d["message"] for d in error.details)
    assert error.details[0]["row"] == 4
    assert error.context["preview"]["counts"]["rejected"] == 1
    assert snapshot() == before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW
    # and the page flashes the refusal with the row's reason
    client = world.client_for("municipal")
    page = client.post(reverse("reconciliation-apply", args=[batch.pk]))
    assert page.status_code == 302
    flashed = [str(m) for m in get_messages(page.wsgi_request)]
    assert len(flashed) == 1
    assert "изменились (список ОО, строка 4" in flashed[0]
    assert "нет в списке ОО" in flashed[0]


def test_another_municipality_cannot_apply_or_see_the_batch(world):
    # given an upload of A1 and the coordinator of A2
    batch = upload(world.users["municipal"], template(world.users["municipal"]))
    stranger = make_user("t_municipal_a2", "x-Password-123")
    grant(stranger, "municipal", world.municipalities["A2"])
    client = world.client_for("municipal")
    client.force_login(stranger)
    # when it opens or applies the batch
    detail = client.get(reverse("reconciliation-detail", args=[batch.pk]))
    applied = client.post(reverse("reconciliation-apply", args=[batch.pk]))
    # then it is as good as missing, and the batch is untouched
    assert detail.status_code == 404
    assert applied.status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_the_pages_walk_upload_preview_apply(world):
    # given the municipal coordinator in the browser
    client = world.client_for("municipal")
    content = b"".join(client.get(reverse("reconciliation-template")).streaming_content)
    code = world.schools["A1b"].code
    changed = edit(content, set_cells={(code, rc.STATUS.header): "Закрыта"})
    from apps.registration.tests.reconciliation.helpers import upload_file

    # when it uploads the file
    response = client.post(reverse("reconciliation-upload"), {"file": upload_file(changed)})
    # then it lands on the preview that shows the change and the confirm button
    assert response.status_code == 302
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert "«Действующая» → «Закрыта»" in html
    assert "Применить изменения" in html
    # when it confirms
    batch = ImportBatch.objects.get(kind=rc.KIND)
    done = client.post(reverse("reconciliation-apply", args=[batch.pk]), follow=True)
    # then the result is shown and the school is closed
    assert "Изменения применены" in done.content.decode()
    assert School.objects.get(code=code).status == SchoolStatus.CLOSED
    # and the federal operator sees the request in its list, filtered by region
    federal = world.client_for("federal")
    listing = federal.get(reverse("reconciliation-list"), {"region": world.regions["A"].pk})
    assert listing.status_code == 200
    assert reverse("reconciliation-detail", args=[batch.pk]) in listing.content.decode()
    other = federal.get(reverse("reconciliation-list"), {"region": world.regions["B"].pk})
    assert reverse("reconciliation-detail", args=[batch.pk]) not in other.content.decode()
    detail = federal.get(reverse("reconciliation-detail", args=[batch.pk])).content.decode()
    assert "«Действующая» → «Закрыта»" in detail
    assert "Применить изменения" not in detail


def test_discard_changes_nothing(world, django_capture_on_commit_callbacks):
    # given a previewed upload closing a school
    user = world.users["municipal"]
    code = world.schools["A1b"].code
    batch = upload(user, edit(template(user), set_cells={(code, rc.STATUS.header): "Закрыта"}))
    assert default_storage.exists(batch.file)
    before = snapshot()
    # when it is discarded, then applied
    with django_capture_on_commit_callbacks(execute=True):
        discarded = discard(user, batch)
    outcome = apply(user, batch)
    # then nothing was applied, the caller is told why, and the stored file is gone
    assert discarded.done
    assert not outcome.done
    assert "применить её нельзя" in outcome.message
    assert snapshot() == before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    assert not default_storage.exists(batch.file)


def test_an_applied_batch_cannot_be_discarded_and_another_kind_is_refused(world):
    # given an applied reconciliation and a batch of another kind in the same unit
    user = world.users["municipal"]
    batch = upload(user, template(user))
    assert apply(user, batch).done
    other = ImportBatch.objects.create(  # a stored row of another flow, as the database holds it
        kind="test.other",
        actor=user,
        status=ImportBatch.Status.PREVIEW,
        original_name="x.xlsx",
        municipality_id=batch.municipality_id,
        region_id=batch.region_id,
    )
    # when the applied one is discarded and the other one applied here
    late = discard(user, batch)
    foreign = apply(user, other)
    # then both are refused with the framework's sentences and nothing moves
    assert not late.done
    assert "отменить его нельзя" in late.message
    assert not foreign.done
    assert "не относится к выверке списка ОО" in foreign.message
    batch.refresh_from_db()
    other.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert other.status == ImportBatch.Status.PREVIEW


def test_each_step_leaves_exactly_one_audit_record(world):
    # given the municipal coordinator
    user = world.users["municipal"]
    steps = []

    def step(name, action, run):
        before = AuditEvent.objects.count()
        result = run()
        steps.append((name, AuditEvent.objects.count() - before, AuditEvent.objects.first().action))
        assert steps[-1] == (name, 1, action)
        return result

    # when it downloads, uploads, applies; then uploads again and discards
    content = step("download", "school_list.template_download", lambda: template(user))
    batch = step("upload", "school_list.upload", lambda: upload(user, content))
    step("apply", "school_list.apply", lambda: apply(user, batch))
    again = step("upload again", "school_list.upload", lambda: upload(user, content))
    step(
        "discard",
        "school_list.discard",
        lambda: discard(user, again),
    )
    # then every step wrote one record, in the municipality's scope
    assert len(steps) == 5
    assert set(
        AuditEvent.objects.filter(action__startswith="school_list.").values_list(
            "municipality_id", flat=True
        )
    ) == {world.municipalities["A1"].pk}


def test_codes_fill_gaps_when_the_top_is_taken(world):
    # given A1's block with its highest code taken
    r = world.regions["A"].code
    _code(world, "A1a", f"edu{r}0199")
    _code(world, "A1b", f"edu{r}0101")
    taken = set(School.objects.values_list("code", flat=True))
    # when two codes are allocated for A1
    codes = kind.free_codes(r, [world.municipalities["A1"]] * 2)
    # then they are the lowest free codes of the same block
    assert codes == [f"edu{r}0102", f"edu{r}0103"]
    assert not set(codes) & taken


def test_a_full_block_moves_on_to_a_free_one(world):
    # given A1's block 01 full (99 schools: codes made directly, as the national list would)
    r = world.regions["A"].code
    a1 = world.municipalities["A1"]
    a1.code = f"reg{r}_m001"  # its own number, 01, is the full block
    a1.save()
    _code(world, "A1a", f"edu{r}0101")
    for n in range(2, 100):
        School.objects.create(
            municipality=a1,
            region=a1.region,
            code=f"edu{r}01{n:02d}",
            full_name=f"Школа {n}",
            short_name=f"Школа {n}",
            time_zone=a1.time_zone,
        )
    _code(world, "A2a", f"edu{r}0201")
    # when one more code is allocated for A1
    # then it opens the lowest block no other municipality numbers in
    assert kind.free_codes(r, [a1]) == [f"edu{r}0301"]
