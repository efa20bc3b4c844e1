"""Sampled schools with federally marked booklets, without the scan job and the marking screen
(both have their own tests): READY booklets and one entered mark per task."""

from __future__ import annotations

from django.utils import timezone

from apps.objectivity.marking.tests.factories import ready_booklets
from apps.objectivity.models import Booklet, MarkTask, Review, ReviewCase
from apps.objectivity.sample import services
from apps.objectivity.tests.scene import Scene


def draw_all(scene: Scene, seed: int = 7) -> Review:
    """A sample of every school taking part (share 100 %): the federal review of the work."""
    services.sample_draw(
        actor=scene.actor("federal"),
        campaign_id=scene.work.campaign_id,
        work_ids=[scene.work.pk],
        share=100,
        min_per_region=1,
        seed=seed,
    )
    return Review.objects.get(kind=Review.Kind.FEDERAL, work=scene.work)


def case_of(review: Review, scene: Scene, key: str) -> ReviewCase:
    return ReviewCase.objects.get(review=review, school=scene.school(key))


def federal_scores(scene: Scene, n: int) -> tuple[int | None, ...]:
    """The federal marks of the n-th booklet: column j gets (n + j) mod (max + 1); «X» for the
    last column of the first booklet."""
    columns = list(scene.work.columns.order_by("position"))
    scores: list[int | None] = [(n + j) % (c.max_score + 1) for j, c in enumerate(columns)]
    if n == 0:
        scores[-1] = None
    return tuple(scores)


def mark_booklets(
    scene: Scene, review: Review, key: str, count: int, *, leave_open: int = 0
) -> list[Booklet]:
    """``count`` READY booklets of school ``key`` (its first codes), each task marked once by a
    federal marker with ``federal_scores``; the last ``leave_open`` booklets keep their first
    task unmarked."""
    booklets = ready_booklets(scene, key, count)
    columns = list(scene.work.columns.order_by("position"))
    marker = scene.federal_markers[0]
    now = timezone.now()
    tasks = []
    for n, booklet in enumerate(booklets):
        scores = federal_scores(scene, n)
        for j, column in enumerate(columns):
            open_task = n >= count - leave_open and j == 0
            tasks.append(
                MarkTask(
                    review=review,
                    booklet=booklet,
                    column=column,
                    round=1,
                    marker=marker,
                    score=None if open_task else scores[j],
                    entered_at=None if open_task else now,
                    school_id=booklet.school_id,
                    municipality_id=booklet.municipality_id,
                    region_id=booklet.region_id,
                )
            )
    MarkTask.objects.bulk_create(tasks)
    return booklets
