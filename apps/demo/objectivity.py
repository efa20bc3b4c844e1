"""The demo of objectivity control (docs/objectivity-control.md, issue 17): the federal sample of
the current campaign, the federal commission, the demo school's scans of the work it wrote
yesterday, and the federal marking under way.

Everything goes through the apps' services as the accounts would do it:

* **Sample**: the federal operator (``federal``) draws the current campaign's federal sample for
  the demo school's written work (``campaigns.YESTERDAY_WORKS``) with the recorded seed
  ``SAMPLE_SEED``, ``SAMPLE_SHARE`` % per region and at least ``MIN_PER_REGION`` school a
  region. The population is the schools with a kit of the work; in the demo only the demo
  school has one, so the draw takes it.
* **Commission**: the demo marker account ``federal_k1`` (``apps.demo.country``: the global
  ``registration.mark_federal`` permission, the demo password) and two more federal markers
  issued by the federal operator through the commission service (generated logins
  ``fed_k<n>``; their one-time passwords are thrown away: nobody logs in as them). The three
  are the markers of the federal review.
* **Scans**: the demo school's organizer (``edu660101``) uploads one scanner file of
  ``PARTICIPANTS`` participants' copies (variants in turn): the kit's real variant PDFs,
  rasterized grey at ``SCAN_DPI`` dpi, each page turned by a small skew as a feeder does, saved
  as a scanner's JPEG PDF. The job reads it (run here when the upload's on-commit send did not
  run it yet). The organizer types the participant codes of the first ``CODES_TYPED``
  booklets; the last two are left for the visitor to identify from the code box.
* **Marking**: the federal operator allocates the identified booklets (``DOUBLE_SHARE`` %
  marked twice); the two issued markers enter their tasks of the first ``COLUMNS_MARKED``
  columns (deterministic scores, within the threshold of each other), so the progress page
  shows movement; the demo marker's tasks are left for the visitor.

No calendar date here: the work is the current campaign's, whose dates come from
``apps.demo.calendar``. Idempotent: a second run writes nothing (each part is skipped once it
exists).
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

import pypdfium2 as pdfium
from django.db import transaction
from PIL import Image

from apps.campaigns.models import Campaign, Work
from apps.core.models import Job
from apps.demo.campaigns import DEMO_SCHOOL, YESTERDAY_WORKS
from apps.demo.country import DEMO_ACCOUNTS
from apps.materials import pdf
from apps.materials.models import Kit, ParticipantCode
from apps.materials.services.archives import kit_variant_docs
from apps.objectivity.actions import ObjectivityActions as OA  # noqa: N817
from apps.objectivity.commission import services as commission
from apps.objectivity.marking import services as marking
from apps.objectivity.models import (
    Booklet,
    FederalSample,
    MarkTask,
    Review,
    ReviewMarker,
    ScanBatch,
)
from apps.objectivity.sample import services as sample_services
from apps.objectivity.scans import constants as scan_constants
from apps.objectivity.scans import services as scans
from apps.registration.access import A, Actor, actor_for_user
from apps.registration.constants import Role
from apps.registration.models import School, User

SAMPLE_SEED = 20_170_017  # the recorded seed of the demo's federal draw
SAMPLE_SHARE = "10"  # % of a region's schools taking part
MIN_PER_REGION = 1
DOUBLE_SHARE = 30  # % of the booklets marked twice
THRESHOLD = 1  # points of a task: a wider gap goes to a third marker

# The two federal markers issued through the commission service (invented names, adults).
ISSUED_MARKERS = ("Тихонов Аркадий Семёнович", "Зайцева Людмила Геннадьевна")

PARTICIPANTS = 8  # copies in the scanner file, variants in turn
CODES_TYPED = 6  # booklets the organizer identified; the rest wait for the visitor
COLUMNS_MARKED = 3  # the issued markers' tasks of the first columns are entered
SCAN_DPI = 110
SKEW_DEGREES = (0.4, -0.6, 0.25, -0.3, 0.5, -0.45)  # page after page, as a feeder turns them
PAPER = 235  # grey of the scanned paper around a turned page
SCAN_FILE_NAME = "Скан_Русский_язык_4.pdf"


@dataclass
class DemoObjectivity:
    """What one run wrote (zeros and False on a rerun); ``scan_seconds``: the time the scanner
    file took to build, upload and read on this run."""

    sample_drawn: bool = False
    markers_issued: int = 0
    markers_set: bool = False
    scans_uploaded: bool = False
    pages_read: int = 0
    codes_typed: int = 0
    tasks_allocated: int = 0
    marks_entered: int = 0
    scan_seconds: float = 0.0


def _login(role: Role) -> str:
    return dict(DEMO_ACCOUNTS)[role.value]


def _actor(role: Role) -> Actor | None:
    user = User.objects.filter(username=_login(role), is_active=True).first()
    return actor_for_user(user) if user is not None else None


def _work(campaign: Campaign) -> Work | None:
    subject, grade = YESTERDAY_WORKS[0]
    return (
        Work.objects.for_actor(Actor.system(reason="seed_demo"), OA.DRAW_SAMPLE)
        .filter(campaign=campaign, subject__code=subject, grade=grade)
        .select_related("subject")
        .first()
    )


# --- the sample and the commission -------------------------------------------------------------


def _sample(federal: Actor, campaign: Campaign, work: Work) -> tuple[FederalSample, bool]:
    """The campaign's federal sample (drawn once, with the recorded seed)."""
    drawn = (
        FederalSample.objects.for_actor(federal, OA.DRAW_SAMPLE).filter(campaign=campaign).first()
    )
    if drawn is not None:
        return drawn, False
    made = sample_services.sample_draw(
        actor=federal,
        campaign_id=campaign.pk,
        work_ids=[work.pk],
        share=SAMPLE_SHARE,
        min_per_region=MIN_PER_REGION,
        seed=SAMPLE_SEED,
        double_share=DOUBLE_SHARE,
        threshold=THRESHOLD,
    )
    return made, True


def _issued_markers(federal: Actor) -> tuple[list[User], int]:
    """The two issued federal markers (issued once; found again by their names)."""
    have = {
        m.user.full_name: m.user
        for m in commission.markers_list(actor=federal)
        if m.unit is None and m.user.username != _login(Role.MARKER)
    }
    made = 0
    users = []
    for name in ISSUED_MARKERS:
        user = have.get(name)
        if user is None:
            # the one-time password is not kept: nobody logs in as these markers
            user = commission.marker_issue(actor=federal, full_name=name).marker.user
            made += 1
        users.append(user)
    return users, made


def _markers(federal: Actor, review: Review, users: list[User]) -> bool:
    """The review's markers, set once (a visitor's later changes are left alone)."""
    if ReviewMarker.objects.filter(review=review).exists():
        return False
    marking.markers_set(actor=federal, review_id=review.pk, user_ids=[u.pk for u in users])
    return True


# --- the scans ---------------------------------------------------------------------------------


def scanner_file(pdfs: list[bytes], copies: int, dpi: int = SCAN_DPI) -> bytes:
    """One scanner PDF of ``copies`` printed copies of the given variant PDFs in turn: every
    page rendered grey at ``dpi``, turned by a small skew, saved as JPEG pages."""
    rendered: list[list[Image.Image]] = []
    for content in pdfs:
        document = pdfium.PdfDocument(content)
        try:
            pages = []
            for index in range(len(document)):
                page = document[index]
                try:
                    bitmap = page.render(scale=dpi / 72, grayscale=True)
                    pages.append(bitmap.to_pil().convert("L"))
                finally:
                    page.close()
            rendered.append(pages)
        finally:
            document.close()
    out: list[Image.Image] = []
    for copy in range(copies):
        for page in rendered[copy % len(rendered)]:
            angle = SKEW_DEGREES[len(out) % len(SKEW_DEGREES)]
            out.append(page.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=PAPER))
    buffer = io.BytesIO()
    out[0].save(
        buffer, "PDF", save_all=True, append_images=out[1:], resolution=float(dpi), quality=80
    )
    return buffer.getvalue()


def _kit(school: School, work: Work) -> Kit | None:
    system = Actor.system(reason="seed_demo")
    return Kit.objects.for_actor(system, OA.UPLOAD_SCANS).filter(school=school, work=work).first()


def _kit_pdfs(school: School, work: Work) -> list[bytes]:
    system = Actor.system(reason="seed_demo")
    kit = _kit(school, work)
    if kit is None:
        return []
    return [pdf.variant_pdf(doc) for doc in kit_variant_docs(actor=system, kit=kit)]


def _processed(batch: ScanBatch) -> ScanBatch:
    """The upload read: by its job if the on-commit send already ran it (``make run``: tasks
    run eagerly), else here, as the worker would."""
    batch.refresh_from_db()
    if batch.status == ScanBatch.Status.DONE:
        return batch
    key = f"{scan_constants.SCANS_PROCESS}:{batch.pk}"
    job = Job.objects.filter(key=key).first()  # unscoped: the seed runs the upload's own job
    if job is not None:
        scans.scans_process_run(job_id=job.pk)
    batch.refresh_from_db()
    return batch


def _scans(organizer: Actor, school: School, work: Work, out: DemoObjectivity) -> ScanBatch | None:
    """The school's scanner file, uploaded and read once."""
    batch = (
        ScanBatch.objects.for_actor(organizer, OA.VIEW_SCANS)
        .filter(school=school, work=work)
        .order_by("-created_at", "-id")
        .first()
    )
    if batch is not None:
        return batch if batch.status == ScanBatch.Status.DONE else _processed(batch)
    started = time.perf_counter()
    pdfs = _kit_pdfs(school, work)
    if not pdfs:
        return None
    content = scanner_file(pdfs, PARTICIPANTS)
    batch = scans.scans_upload(
        actor=organizer,
        school_id=school.pk,
        work_id=work.pk,
        file=io.BytesIO(content),
        size=len(content),
        filename=SCAN_FILE_NAME,
    )
    batch = _processed(batch)
    out.scans_uploaded = True
    out.pages_read = batch.pages
    out.scan_seconds = time.perf_counter() - started
    return batch


def _codes(organizer: Actor, school: School, work: Work, batch: ScanBatch) -> int:
    """The participant codes of the first ``CODES_TYPED`` booklets, typed once."""
    codes = list(
        ParticipantCode.objects.for_actor(organizer, OA.IDENTIFY_BOOKLETS)
        .filter(school=school, campaign_id=work.campaign_id, grade=work.grade, reserve=False)
        .order_by("code")
        .values_list("code", flat=True)[:CODES_TYPED]
    )
    booklets = list(
        Booklet.objects.for_actor(organizer, OA.IDENTIFY_BOOKLETS)
        .filter(batch=batch)
        .order_by("seq")[:CODES_TYPED]
    )
    made = 0
    for booklet, code in zip(booklets, codes, strict=False):
        if booklet.code:
            continue
        scans.booklet_code_set(actor=organizer, booklet_id=booklet.pk, code=code)
        made += 1
    return made


# --- the marking -------------------------------------------------------------------------------


def demo_score(booklet_seq: int, position: int, max_score: int) -> int:
    """A deterministic mark of a task (the same for every marker: within any threshold)."""
    return (booklet_seq * 7 + position * 3) % (max_score + 1)


def _marks(review: Review, markers: list[User]) -> int:
    """The issued markers' tasks of the first columns, entered once."""
    made = 0
    for user in markers:
        actor = actor_for_user(user)
        tasks = (
            MarkTask.objects.for_actor(actor, OA.MARK)
            .filter(
                review=review,
                entered_at__isnull=True,
                column__position__lt=_first_position(review) + COLUMNS_MARKED,
            )
            .select_related("booklet", "column")
            .order_by("column__position", "booklet__seq", "round")
        )
        for task in tasks:
            score = demo_score(task.booklet.seq, task.column.position, task.column.max_score)
            marking.mark_enter(actor=actor, mark_task_id=task.pk, score=score)
            made += 1
    return made


def _first_position(review: Review) -> int:
    first = review.work.columns.order_by("position").values_list("position", flat=True).first()
    return first or 0


@transaction.atomic
def demo_objectivity_seed(*, current: Campaign) -> DemoObjectivity:
    """The federal sample, the federal commission, the demo school's scans and the marking
    under way (see the module docstring). Idempotent."""
    out = DemoObjectivity()
    federal, organizer = _actor(Role.FEDERAL), _actor(Role.SCHOOL_ORGANIZER)
    demo_marker = User.objects.filter(username=_login(Role.MARKER), is_active=True).first()
    school = (
        School.objects.for_actor(Actor.system(reason="seed_demo"), A.VIEW_SCHOOL)
        .filter(code=DEMO_SCHOOL)
        .first()
    )
    work = _work(current)
    if federal is None or organizer is None or demo_marker is None or school is None:
        return out
    if work is None or not _kit(school, work) is not None:
        return out
    sample, out.sample_drawn = _sample(federal, current, work)
    review = (
        Review.objects.for_actor(federal, OA.MANAGE_REVIEWS)
        .filter(sample=sample, work=work)
        .select_related("work")
        .first()
    )
    if review is None or review.status != Review.Status.OPEN:
        return out
    issued, out.markers_issued = _issued_markers(federal)
    out.markers_set = _markers(federal, review, [demo_marker, *issued])
    batch = _scans(organizer, school, work, out)
    if batch is None or batch.status != ScanBatch.Status.DONE:
        return out
    out.codes_typed = _codes(organizer, school, work, batch)
    if not MarkTask.objects.for_actor(federal, OA.VIEW_REVIEWS).filter(review=review).exists():
        out.tasks_allocated = marking.review_allocate(actor=federal, review_id=review.pk)
    out.marks_entered = _marks(review, issued)
    return out
