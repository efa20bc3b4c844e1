"""The demo of objectivity control (apps.demo.objectivity): the federal sample of the current
campaign holds the demo school with its recorded seed; the federal commission (the demo marker
``federal_k1`` and two issued markers) marks its work; the school's scanner file was read page
by page, six booklets identified and two left for the organizer; the demo marker logs in and
finds its tasks waiting; a second seed writes nothing. The clock is pinned; one demo build (slow).
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.campaigns.models import Campaign
from apps.core.models import AuditEvent, Job
from apps.demo import objectivity as demo_obj
from apps.demo.calendar import DemoCalendar
from apps.demo.campaigns import DEMO_SCHOOL
from apps.demo.seed import demo_build
from apps.objectivity.marking import selectors as marking_sel
from apps.objectivity.models import (
    Booklet,
    FederalSample,
    MarkTask,
    Review,
    ReviewCase,
    ReviewMarker,
    ScanBatch,
    ScanPage,
)
from apps.objectivity.scans import selectors as scans_sel
from apps.registration.access import actor_for_user
from apps.registration.constants import Role
from apps.registration.models import School, User

pytestmark = pytest.mark.django_db

MARKER_LOGIN = "federal_k1"


def _counts() -> dict[str, int]:
    return {
        "samples": FederalSample.objects.count(),
        "reviews": Review.objects.count(),
        "cases": ReviewCase.objects.count(),
        "markers": ReviewMarker.objects.count(),
        "batches": ScanBatch.objects.count(),
        "pages": ScanPage.objects.count(),
        "booklets": Booklet.objects.count(),
        "coded": Booklet.objects.exclude(code="").count(),
        "tasks": MarkTask.objects.count(),
        "entered": MarkTask.objects.filter(entered_at__isnull=False).count(),
        "users": User.objects.count(),
        "jobs": Job.objects.count(),
        "audit": AuditEvent.objects.filter(action__startswith="objectivity.").count(),
    }


def test_the_demo_shows_a_federal_checking_under_way_and_a_second_seed_writes_nothing(
    pinned: DemoCalendar,
) -> None:
    # given the demo built on the pinned day
    report = demo_build(today=pinned.today)
    current = Campaign.objects.get(is_active=True)
    school = School.objects.get(code=DEMO_SCHOOL)
    assert report.objectivity is not None
    assert report.objectivity.scans_uploaded
    assert report.objectivity.scan_seconds > 0

    # then the campaign's federal sample was drawn by the operator with the recorded seed
    sample = FederalSample.objects.get(campaign=current)
    assert sample.seed == demo_obj.SAMPLE_SEED
    assert sample.drawn_by is not None
    assert sample.drawn_by.username == "federal"
    assert sample.params["min_per_region"] == demo_obj.MIN_PER_REGION
    # and the demo school's written work is in it
    review = Review.objects.get(sample=sample)
    assert (review.work.subject.code, review.work.grade) == ("russian", 4)
    case = ReviewCase.objects.get(review=review, school=school)
    assert case.reason == ReviewCase.Reason.SAMPLE
    assert case.status == ReviewCase.Status.MARKING

    # and the federal commission marks it: the demo marker and two issued markers
    markers = list(ReviewMarker.objects.filter(review=review, active=True).select_related("user"))
    logins = sorted(m.user.username for m in markers)
    assert logins == ["fed_k1", "fed_k2", MARKER_LOGIN]
    issued = sorted(m.user.full_name for m in markers if m.user.username != MARKER_LOGIN)
    assert issued == sorted(demo_obj.ISSUED_MARKERS)
    assert all(actor_for_user(m.user).role is Role.MARKER for m in markers)

    # and the scanner file was read: every page identified, one booklet per copy
    batch = ScanBatch.objects.get(school=school, work=review.work)
    assert batch.status == ScanBatch.Status.DONE, batch.error
    assert batch.file_name == demo_obj.SCAN_FILE_NAME
    assert batch.uploaded_by is not None
    assert batch.uploaded_by.username == DEMO_SCHOOL
    assert batch.pages == batch.identified == ScanPage.objects.filter(batch=batch).count()
    assert batch.pages > 0
    assert batch.blank == batch.foreign == batch.unreadable == 0
    booklets = list(Booklet.objects.filter(batch=batch).order_by("seq"))
    assert len(booklets) == demo_obj.PARTICIPANTS
    assert [b.variant.number for b in booklets] == [1 + i % 2 for i in range(8)]
    assert all(b.missing_pages == [] for b in booklets)
    assert report.objectivity.pages_read == batch.pages == sum(b.pages_expected for b in booklets)
    # and the first six carry a code of the school's grade 4, the last two wait for a person
    codes = [b.code for b in booklets]
    assert all(len(c) == 5 and c.isdigit() for c in codes[: demo_obj.CODES_TYPED])
    assert len(set(codes[: demo_obj.CODES_TYPED])) == demo_obj.CODES_TYPED
    assert codes[demo_obj.CODES_TYPED :] == ["", ""]
    statuses = Counter(b.status for b in booklets)
    assert statuses == {Booklet.Status.READY: 6, Booklet.Status.NEEDS_CODE: 2}

    # and the identified booklets are allocated (a share twice), the issued markers' first
    # columns entered, the demo marker's tasks left for the visitor
    columns = review.work.columns.count()
    doubled = MarkTask.objects.filter(review=review, round=2).values("booklet").distinct()
    assert MarkTask.objects.filter(review=review).count() == (6 + doubled.count()) * columns
    assert doubled.count() == 2  # 30 % of 6, rounded
    assert not MarkTask.objects.filter(review=review, booklet__code="").exists()
    entered = MarkTask.objects.filter(review=review, entered_at__isnull=False)
    assert entered.exists()
    assert set(entered.values_list("marker__username", flat=True)) <= {"fed_k1", "fed_k2"}
    first = sorted(review.work.columns.values_list("position", flat=True))[
        : demo_obj.COLUMNS_MARKED
    ]
    assert set(entered.values_list("column__position", flat=True)) <= set(first)
    for task in entered.select_related("booklet", "column"):
        assert task.score == demo_obj.demo_score(
            task.booklet.seq, task.column.position, task.column.max_score
        )
    assert not MarkTask.objects.filter(review=review, round=3).exists()  # no discrepancy

    # when the demo marker logs in with the demo password
    client = Client()
    landed = client.post(
        "/accounts/login/",
        {"username": MARKER_LOGIN, "password": settings.DEMO_PASSWORD},
        follow=True,
    )
    assert landed.status_code == 200
    assert landed.wsgi_request.user.is_authenticated
    marker = User.objects.get(username=MARKER_LOGIN)
    assert marker.position == "эксперт федеральной комиссии"
    mine = marking_sel.my_tasks(actor=actor_for_user(marker))
    # then its tasks wait for it, none entered, and it sees only its own
    assert mine.filter(entered_at__isnull=True).count() > 0
    assert not mine.filter(entered_at__isnull=False).exists()
    assert set(mine.values_list("marker_id", flat=True)) == {marker.pk}
    home = client.get(reverse("objectivity-marking"))
    assert home.status_code == 200
    assert review.title.split(":")[0] in home.content.decode()
    screen = client.get(reverse("objectivity-marking-screen", args=[review.pk]))
    assert screen.status_code == 200
    assert DEMO_SCHOOL not in screen.content.decode()  # blind: no school

    # and the organizer sees the two booklets needing their codes
    organizer = User.objects.get(username=DEMO_SCHOOL)
    waiting = scans_sel.identification(
        actor=actor_for_user(organizer), school_id=school.pk, work_id=review.work_id
    )
    assert [b.seq for b in waiting.waiting] == [7, 8]
    org_client = Client()
    org_client.force_login(organizer)
    page = org_client.get(reverse("objectivity-scans-work", args=[school.pk, review.work_id]))
    assert page.status_code == 200
    assert "Ждут кода: <strong>2</strong>" in page.content.decode()

    # when the demo is built again on the same day
    before = _counts()
    again = demo_build(today=pinned.today)

    # then nothing new is written
    assert _counts() == before
    assert again.objectivity is not None
    assert again.objectivity == demo_obj.DemoObjectivity()
