"""The scans: upload, the processing job on real synthetic scans, identification by a person."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.campaigns.models import TaskColumn
from apps.campaigns.tests.factories import WorkFactory
from apps.core.models import AuditEvent, Job
from apps.objectivity import reviews
from apps.objectivity.audit import ObjectivityAudit
from apps.objectivity.models import Booklet, MarkTask, Review, ReviewCase, ScanBatch, ScanPage
from apps.objectivity.scans import services
from apps.objectivity.scans.messages import ScansConflictError, ScansInvalidError
from apps.objectivity.scans.tests.helpers import mixed_file, two_booklets_file, upload
from apps.objectivity.tests import synthetic
from apps.objectivity.tests.scene import Scene
from apps.registration.access import Actor
from apps.registration.models import School

pytestmark = pytest.mark.django_db


def _stored(school: School) -> list[str]:
    """Files stored under the school's scans directory (all works)."""
    root = f"scans/{school.pk}"
    if not default_storage.exists(root):
        return []
    found: list[str] = []
    stack = [root]
    while stack:
        where = stack.pop()
        dirs, files = default_storage.listdir(where)
        found += [f"{where}/{f}" for f in files]
        stack += [f"{where}/{d}" for d in dirs]
    return found


def _codes(booklets: list[Booklet]) -> list[str]:
    return [b.code for b in booklets]


# --- upload -----------------------------------------------------------------------------------


def test_upload_refuses_a_file_that_is_not_scans_and_stores_nothing(scene: Scene) -> None:
    # given a spreadsheet renamed to .pdf
    school = scene.school("A1a")
    content = b"PK\x03\x04" + b"\x00" * 200
    before = _stored(school)  # (an earlier test of this process may have used the same ids)
    # when the school uploads it
    with pytest.raises(ScansInvalidError) as refused:
        upload(scene, content, filename="сканы.pdf")
    # then it is refused by its content, in Russian, and nothing is stored
    assert refused.value.message.startswith("Файл «сканы.pdf» — не PDF, PNG, JPEG или TIFF")
    assert not ScanBatch.objects.exists()
    assert not Job.objects.filter(kind="objectivity.scans_process").exists()
    assert _stored(school) == before


def test_upload_refuses_a_file_over_the_cap(scene: Scene, settings: Any) -> None:
    # given a cap of 1 MB and a PDF of 2 MB
    settings.SCANS_MAX_UPLOAD_BYTES = 1024 * 1024
    content = b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024)
    # when uploaded, declaring a small size (the bytes read are what counts)
    school = scene.school("A1a")
    before = _stored(school)
    with pytest.raises(ScansInvalidError) as refused:
        services.scans_upload(
            actor=scene.organizer("A1a"),
            school_id=school.pk,
            work_id=scene.work.pk,
            file=io.BytesIO(content),
            size=10,
            filename="big.pdf",
        )
    # then refused, nothing stored
    assert refused.value.message == (
        "Файл «big.pdf» больше допустимых 1 МБ. Разделите сканы на несколько файлов."
    )
    assert not ScanBatch.objects.exists()
    assert _stored(school) == before


def test_upload_refuses_an_empty_file_and_a_work_without_a_kit(scene: Scene) -> None:
    with pytest.raises(ScansInvalidError) as empty:
        upload(scene, b"", filename="пусто.pdf")
    assert empty.value.message == "Файл «пусто.pdf» пустой."
    # given a work the school has no kit for
    other: Any = WorkFactory(campaign=scene.work.campaign, grade=5)  # type: ignore[no-untyped-call]
    with pytest.raises(ScansConflictError) as no_kit:
        services.scans_upload(
            actor=scene.organizer("A1a"),
            school_id=scene.school("A1a").pk,
            work_id=other.pk,
            file=io.BytesIO(b"%PDF-1.7\n"),
            size=9,
            filename="x.pdf",
        )
    assert "нет комплекта материалов работы" in no_kit.value.message
    assert not ScanBatch.objects.exists()


def test_upload_outside_the_scope_is_as_good_as_missing(scene: Scene) -> None:
    # given A1a's organizer and the municipal coordinator of A1
    with pytest.raises(ObjectDoesNotExist):
        upload(scene, b"%PDF-1.7\n", key="B1a", actor=scene.organizer("A1a"))
    with pytest.raises(ObjectDoesNotExist):
        upload(scene, b"%PDF-1.7\n", key="A2a", actor=scene.actor("municipal"))
    # and a coordinator may upload for a school of its unit
    batch = upload(scene, b"%PDF-1.7\n", key="A1b", actor=scene.actor("municipal"))
    assert (batch.school_id, batch.role) == (scene.school("A1b").pk, "municipal")


def test_upload_stores_the_file_by_its_digest_audits_and_queues_the_job(scene: Scene) -> None:
    content = two_booklets_file(scene)
    batch = upload(scene, content)
    school = scene.school("A1a")
    assert batch.file_path == (f"scans/{school.pk}/{scene.work.pk}/{batch.file_sha256}.pdf")
    assert default_storage.open(batch.file_path).read() == content
    assert batch.status == ScanBatch.Status.QUEUED
    job = Job.objects.get(kind="objectivity.scans_process")
    assert job.params == {"batch_id": batch.pk}
    assert AuditEvent.objects.filter(
        action=ObjectivityAudit.SCANS_UPLOAD, target_id=str(batch.pk), school_id=school.pk
    ).exists()


# --- the job ----------------------------------------------------------------------------------


def test_the_job_identifies_every_page_of_a_mixed_file_or_reports_it(
    scene: Scene, django_capture_on_commit_callbacks: Any
) -> None:
    # given a scanner's PDF: two booklets (one missing a page), a blank side, a page of another
    # school's kit and a letter without a code (another QR code: test_grouping)
    mixed = mixed_file(scene)
    # when uploaded (the job runs at commit)
    batch = upload(scene, mixed.content, capture=django_capture_on_commit_callbacks)
    # then every page is identified or reported
    assert batch.status == ScanBatch.Status.DONE, batch.error
    pages = list(ScanPage.objects.filter(batch=batch).order_by("index"))
    assert [(p.index, p.status, p.page_number) for p in pages] == [
        (1, "identified", 1),
        (2, "identified", 2),
        (3, "identified", 3),
        (4, "blank", None),
        (5, "identified", 1),
        (6, "identified", 3),
        (7, "foreign", None),
        (8, "unreadable", None),
    ]
    assert (batch.pages, batch.identified, batch.blank, batch.foreign, batch.unreadable) == (
        8,
        5,
        1,
        1,
        1,
    )
    booklets = list(Booklet.objects.filter(batch=batch).order_by("seq"))
    assert [(b.seq, b.variant.number, b.missing_pages, b.status) for b in booklets] == [
        (1, 1, [], "needs_code"),
        (2, 2, [2], "needs_code"),
    ]
    assert [p.booklet.seq if p.booklet else None for p in pages] == [
        1,
        1,
        1,
        None,
        2,
        2,
        None,
        None,
    ]
    assert [r["detail"] for r in batch.report] == [
        "Стр. 4 файла: пустая страница",
        "Стр. 7 файла: чужая страница — комплект другой ОО",
        "Стр. 8 файла: метка страницы не прочитана — посмотрите страницу и при необходимости "
        "отсканируйте её заново",
        "Работа 2 (вариант 2): нет страницы 2 из 3",
    ]
    # and each page's normalised image is stored
    first = pages[0]
    assert first.image_path == f"scans/{batch.school_id}/{batch.work_id}/{batch.pk}/1.png"
    assert default_storage.open(first.image_path).read().startswith(b"\x89PNG")
    assert first.rotation in (0, 90, 180, 270)
    assert first.width > 1000
    assert Job.objects.get(kind="objectivity.scans_process").status == Job.Status.DONE
    assert AuditEvent.objects.filter(
        action=ObjectivityAudit.SCANS_PROCESSED, target_id=str(batch.pk)
    ).exists()


def test_a_rerun_of_the_job_is_idempotent_and_keeps_typed_codes(
    scene: Scene, django_capture_on_commit_callbacks: Any
) -> None:
    batch = upload(scene, two_booklets_file(scene), capture=django_capture_on_commit_callbacks)
    first = list(Booklet.objects.filter(batch=batch).order_by("seq"))
    code = scene.codes["A1a"][0]
    services.booklet_code_set(actor=scene.organizer("A1a"), booklet_id=first[0].pk, code=code)
    before = list(
        ScanPage.objects.filter(batch=batch).values_list("index", "status", "page_number")
    )
    # when the job body runs again (a re-delivered message)
    again = services.scans_process(batch_id=batch.pk)
    # then the same pages and booklets, once, and the typed code kept
    assert again.status == ScanBatch.Status.DONE
    assert (
        list(ScanPage.objects.filter(batch=batch).values_list("index", "status", "page_number"))
        == before
    )
    after = list(Booklet.objects.filter(batch=batch).order_by("seq"))
    assert len(after) == 2
    assert _codes(after) == [code, ""]
    assert after[0].status == Booklet.Status.READY
    # and the job claimed once does nothing the second time
    job = Job.objects.get(kind="objectivity.scans_process")
    assert services.scans_process_run(job_id=job.pk) is None


def test_an_unreadable_file_fails_the_batch_with_a_russian_error(
    scene: Scene, django_capture_on_commit_callbacks: Any
) -> None:
    # given a file that starts like a PDF but is not one
    batch = upload(
        scene,
        b"%PDF-1.7\n% broken",
        filename="сканы.pdf",
        capture=django_capture_on_commit_callbacks,
    )
    # then the batch failed, with a Russian reason; nothing published
    assert batch.status == ScanBatch.Status.FAILED
    assert "«сканы.pdf»" in batch.error
    assert "PDF" in batch.error
    assert not ScanPage.objects.filter(batch=batch).exists()
    assert Job.objects.get(kind="objectivity.scans_process").status == Job.Status.FAILED


def test_images_and_multipage_tiff_are_accepted(
    scene: Scene, django_capture_on_commit_callbacks: Any
) -> None:
    from apps.objectivity.scans.tests.helpers import variant_scans

    pages = variant_scans(scene, "A1a", 1, seed=33)
    batch = upload(
        scene,
        synthetic.as_tiff(pages),
        filename="scan.tif",
        capture=django_capture_on_commit_callbacks,
    )
    assert batch.status == ScanBatch.Status.DONE, batch.error
    assert batch.file_path.endswith(".tif")
    assert (batch.pages, batch.identified) == (3, 3)
    buffer = io.BytesIO()
    pages[0].save(buffer, "JPEG", quality=85)
    jpeg = upload(
        scene, buffer.getvalue(), filename="photo", capture=django_capture_on_commit_callbacks
    )
    assert jpeg.file_path.endswith(".jpg")
    assert (jpeg.pages, jpeg.identified, Booklet.objects.get(batch=jpeg).missing_pages) == (
        1,
        1,
        [2, 3],
    )


# --- identification ---------------------------------------------------------------------------


@pytest.fixture
def processed(scene: Scene, django_capture_on_commit_callbacks: Any) -> ScanBatch:
    return upload(scene, two_booklets_file(scene), capture=django_capture_on_commit_callbacks)


def test_code_validation_errors(scene: Scene, processed: ScanBatch) -> None:
    b1, b2 = Booklet.objects.filter(batch=processed).order_by("seq")
    actor = scene.organizer("A1a")
    with pytest.raises(ScansInvalidError) as bad:
        services.booklet_code_set(actor=actor, booklet_id=b1.pk, code="12a45")
    assert bad.value.message == "Код участника — 5 цифр; введено «12a45»."
    # a code of another school
    with pytest.raises(ScansInvalidError) as foreign:
        services.booklet_code_set(actor=actor, booklet_id=b1.pk, code=scene.codes["B1a"][0])
    assert "не выдан ОО для 4 класса" in foreign.value.message
    # a code already typed for another booklet of the upload
    code = scene.codes["A1a"][3]
    services.booklet_code_set(actor=actor, booklet_id=b1.pk, code=code)
    with pytest.raises(ScansConflictError) as taken:
        services.booklet_code_set(actor=actor, booklet_id=b2.pk, code=f" {code} ")
    assert taken.value.message.startswith(f"Код {code} уже введён для работы №1 загрузки №")
    b2.refresh_from_db()
    assert (b2.code, b2.status) == ("", Booklet.Status.NEEDS_CODE)


def test_codes_outside_the_scope_are_missing(scene: Scene, processed: ScanBatch) -> None:
    booklet = Booklet.objects.filter(batch=processed).first()
    assert booklet is not None
    with pytest.raises(ObjectDoesNotExist):
        services.booklet_code_set(
            actor=scene.organizer("B1a"), booklet_id=booklet.pk, code=scene.codes["B1a"][0]
        )


def test_all_codes_typed_moves_the_waiting_case_to_scanned(
    scene: Scene, processed: ScanBatch
) -> None:
    # given a re-check case of A1a waiting for its scans
    regional = scene.actor("regional")
    review = reviews.review_create(
        actor=regional,
        kind=Review.Kind.RECHECK,
        work=scene.work,
        title="Перепроверка",
        unit_scope=regional.scope,
    )
    case = reviews.case_add(review, scene.school("A1a"), reason=ReviewCase.Reason.RANDOM)
    b1, b2 = Booklet.objects.filter(batch=processed).order_by("seq")
    actor = scene.organizer("A1a")
    # when the first code is typed the case still waits; after the last it has its scans
    services.booklet_code_set(actor=actor, booklet_id=b1.pk, code=scene.codes["A1a"][0])
    case.refresh_from_db()
    assert case.status == ReviewCase.Status.REQUESTED
    saved = services.booklet_code_set(actor=actor, booklet_id=b2.pk, code=scene.codes["A1a"][1])
    case.refresh_from_db()
    assert case.status == ReviewCase.Status.SCANNED
    assert (saved.status, saved.code_by) == (Booklet.Status.READY, actor.user)
    assert (
        AuditEvent.objects.filter(
            action=ObjectivityAudit.BOOKLET_CODE, target_id=str(b2.pk)
        ).count()
        == 1
    )


def _scored_task(scene: Scene, booklet: Booklet) -> MarkTask:
    regional = scene.actor("regional")
    review = reviews.review_create(
        actor=regional,
        kind=Review.Kind.RECHECK,
        work=scene.work,
        title="П",
        unit_scope=regional.scope,
    )
    return MarkTask.objects.create(
        review=review,
        booklet=booklet,
        column=TaskColumn.objects.filter(work=scene.work).order_by("position")[0],
        round=1,
        marker=scene.markers[0],
        score=1,
        entered_at=timezone.now(),
        school_id=booklet.school_id,
        municipality_id=booklet.municipality_id,
        region_id=booklet.region_id,
    )


def test_a_new_upload_supersedes_the_booklet_with_the_same_code(
    scene: Scene, processed: ScanBatch, django_capture_on_commit_callbacks: Any
) -> None:
    actor = scene.organizer("A1a")
    old1, old2 = Booklet.objects.filter(batch=processed).order_by("seq")
    code1, code2 = scene.codes["A1a"][0], scene.codes["A1a"][1]
    services.booklet_code_set(actor=actor, booklet_id=old1.pk, code=code1)
    services.booklet_code_set(actor=actor, booklet_id=old2.pk, code=code2)
    # given old2 is already marked by a commission
    _scored_task(scene, old2)
    # when a rescan is uploaded and its booklets get the same codes
    newer = upload(
        scene, two_booklets_file(scene, seed=41), capture=django_capture_on_commit_callbacks
    )
    new1, new2 = Booklet.objects.filter(batch=newer).order_by("seq")
    services.booklet_code_set(actor=actor, booklet_id=new1.pk, code=code1)
    # then the older booklet with that code is replaced
    old1.refresh_from_db()
    assert old1.status == Booklet.Status.SUPERSEDED
    # and the one being checked is not: the code is refused
    with pytest.raises(ScansConflictError) as checking:
        services.booklet_code_set(actor=actor, booklet_id=new2.pk, code=code2)
    assert checking.value.message.startswith(f"Работа участника {code2} уже проверяется экспертами")
    old2.refresh_from_db()
    assert old2.status == Booklet.Status.READY
    # and a replaced booklet takes no code any more
    with pytest.raises(ScansConflictError):
        services.booklet_code_set(actor=actor, booklet_id=old1.pk, code=scene.codes["A1a"][5])


def test_a_batch_being_marked_is_not_read_again(scene: Scene, processed: ScanBatch) -> None:
    booklet = Booklet.objects.filter(batch=processed).first()
    assert booklet is not None
    _scored_task(scene, booklet)
    with pytest.raises(ScansConflictError):
        services.scans_process(batch_id=processed.pk)
    assert Booklet.objects.filter(batch=processed).count() == 2


def test_the_system_actor_reads_every_batch(processed: ScanBatch) -> None:
    # the job's actor (system) is federal: it finds the batch whatever the school
    actor = Actor.system(reason="test")
    assert (
        ScanBatch.objects.for_actor(actor, "objectivity.view_scans")
        .filter(pk=processed.pk)
        .exists()
    )


def test_an_older_booklet_given_a_code_of_a_rescan_is_replaced_by_it(
    scene: Scene, processed: ScanBatch, django_capture_on_commit_callbacks: Any
) -> None:
    # given an upload left without codes, then a rescan whose booklet 1 has its code
    actor = scene.organizer("A1a")
    newer = upload(
        scene, two_booklets_file(scene, seed=51), capture=django_capture_on_commit_callbacks
    )
    old1 = Booklet.objects.get(batch=processed, seq=1)
    new1 = Booklet.objects.get(batch=newer, seq=1)
    code = scene.codes["A1a"][7]
    services.booklet_code_set(actor=actor, booklet_id=new1.pk, code=code)
    # when the old booklet gets the same code
    saved = services.booklet_code_set(actor=actor, booklet_id=old1.pk, code=code)
    # then the old one is replaced (no longer waiting), the rescan stays current
    assert (saved.code, saved.status) == (code, Booklet.Status.SUPERSEDED)
    new1.refresh_from_db()
    assert new1.status == Booklet.Status.READY


def test_a_failed_batch_is_processed_again_on_request(
    scene: Scene, django_capture_on_commit_callbacks: Any
) -> None:
    # given an upload that failed (here: its stored file was damaged, then restored)
    content = two_booklets_file(scene)
    batch = upload(scene, content)
    stored = batch.file_path
    default_storage.delete(stored)
    default_storage.save(stored, io.BytesIO(b"%PDF-1.7\n% damaged"))
    job = Job.objects.get(kind="objectivity.scans_process")
    failed = services.scans_process_run(job_id=job.pk)
    assert failed is not None
    assert failed.status == ScanBatch.Status.FAILED
    default_storage.delete(stored)
    default_storage.save(stored, io.BytesIO(content))
    # when the school asks for it again
    with django_capture_on_commit_callbacks(execute=True):
        services.scans_reprocess(actor=scene.organizer("A1a"), scan_batch_id=batch.pk)
    # then it is done, its job too, and the request audited
    batch.refresh_from_db()
    assert (batch.status, batch.pages, batch.identified) == (ScanBatch.Status.DONE, 6, 6)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert AuditEvent.objects.filter(action=ObjectivityAudit.SCANS_REPROCESS).count() == 1
    # and a batch being processed is not queued twice
    ScanBatch.objects.filter(pk=batch.pk).update(status=ScanBatch.Status.PROCESSING)
    with pytest.raises(ScansConflictError) as busy:
        services.scans_reprocess(actor=scene.organizer("A1a"), scan_batch_id=batch.pk)
    assert busy.value.message.startswith(f"Загрузка №{batch.pk} уже в очереди")
