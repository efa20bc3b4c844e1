"""Uploads replace atomically and keep history; the window follows the school's zone; coordinators
reopen; statistics are recomputed idempotently."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from apps.core.models import AuditEvent
from apps.core.uploads import UploadError
from apps.registration.models import School
from apps.results import selectors as sel
from apps.results import services, xlsx
from apps.results.messages import ResultsError, ResultsInvalidError
from apps.results.models import ResultReopen, ResultVersion, SchoolWorkStats
from apps.results.tasks import results_stats_refresh_task
from apps.results.tests.conftest import Env, fill


def _codes(env: Env) -> list[str]:
    return [r.code for r in env.stored()]


@pytest.mark.django_db
def test_a_re_upload_replaces_the_results_and_keeps_every_version(
    env: Env, django_capture_on_commit_callbacks: Any
) -> None:
    # given an accepted first version of 20 participants
    first = env.upload(env.filled(env.rows(seed=1)))
    # when a corrected file comes: one participant dropped, one score changed, a reserve code used
    rows = env.rows(seed=1)
    dropped, changed = rows.pop(5), rows[6]
    new_scores = (1 if changed.scores[0] != 1 else 2), *changed.scores[1:]
    rows[6] = xlsx.Row(
        changed.code,
        False,
        changed.variant,
        new_scores,
        changed.class_number,
        changed.journal_mark,
    )
    rows.append(xlsx.Row("40021", True, None, (), 2, None))
    second = env.upload(env.filled(rows), confirm_dropped=True)
    # then the results are exactly the second file's, and both versions are kept
    assert _codes(env) == sorted(r.code for r in rows)
    sheet = env.sheet()
    assert sheet is not None
    assert (sheet.version_count, sheet.current_version_id) == (2, second.version.pk)
    assert list(ResultVersion.objects.order_by("number").values_list("number", flat=True)) == [1, 2]
    # and the diff names the added and removed codes and the changed cell
    assert second.diff.added == ["40021"]
    assert second.diff.removed == [dropped.code]
    assert second.diff.changed == [
        xlsx.CellChange(
            changed.code,
            "1 (2б)",
            xlsx._cell_text(changed.values(15)[2]),
            str(new_scores[0]),
        )
    ]
    assert second.version.changes == {"added": 1, "removed": 1, "changed": 1}
    _, again = sel.version_diff(actor=env.actor("municipal"), version=second.version)
    assert again == second.diff
    # and each upload is audited with who, sha256 and the change counts
    events = AuditEvent.objects.filter(action="results.upload").order_by("pk")
    assert [e.details["version"] for e in events] == [1, 2]
    assert events[1].details["sha256"] == second.version.file_sha256
    assert events[1].school_id == env.school.pk
    assert first.version.file != second.version.file


@pytest.mark.django_db
def test_the_same_content_again_makes_no_new_version(env: Env) -> None:
    # given an accepted version
    rows = env.rows(seed=3)
    first = env.upload(env.filled(rows))
    # when the same results come again (a retried request, or the file saved once more)
    again = env.upload(env.filled(rows))
    # then the current version stays, with nothing new stored
    assert again.unchanged
    assert again.version.pk == first.version.pk
    assert ResultVersion.objects.count() == 1
    assert AuditEvent.objects.filter(action="results.upload_unchanged").count() == 1


@pytest.mark.django_db
def test_a_rejected_upload_leaves_the_previous_version_in_place(env: Env) -> None:
    # given an accepted version
    accepted = env.upload(env.filled(env.rows(seed=4)))
    before = [(r.code, r.scores, r.version_id) for r in env.stored()]
    # when a corrected file with one wrong cell is uploaded
    broken = fill(env.filled(env.rows(seed=5)), {(10, 3): 7})
    with pytest.raises(UploadError):
        env.upload(broken)
    # then the previous results and version are untouched
    assert [(r.code, r.scores, r.version_id) for r in env.stored()] == before
    sheet = env.sheet()
    assert sheet is not None
    assert (sheet.version_count, sheet.current_version_id) == (1, accepted.version.pk)
    assert ResultVersion.objects.count() == 1


@pytest.mark.django_db
def test_after_the_deadline_uploads_are_refused_until_a_coordinator_reopens(
    env: Env, time_machine: Any
) -> None:
    # given a filled form and the clock just past the end of 23.05.2026 in Moscow (the school's
    # zone): 24.05 00:00:01 MSK
    content = env.filled()
    time_machine.move_to(dt.datetime(2026, 5, 23, 21, 0, 1, tzinfo=dt.UTC), tick=False)
    # when the school uploads, it is refused and nothing is stored
    with pytest.raises(ResultsError) as caught:
        env.upload(content)
    assert caught.value.code == "upload_closed"
    assert "24.05.2026 00:00" in caught.value.message
    assert env.stored() == []
    refused = AuditEvent.objects.get(action="results.upload_refused")
    assert refused.details["code"] == "upload_closed"
    # when the municipal coordinator reopens uploads until 26.05 with a reason
    reopen = services.results_reopen(
        actor=env.actor("municipal"),
        school_id=env.school.pk,
        work_id=env.work.pk,
        until_day=dt.date(2026, 5, 26),
        reason="Болезнь ответственного организатора",
    )
    # then the school's upload is accepted and marked late; the reopening is recorded and audited
    accepted = env.upload(content)
    assert accepted.version.late
    assert len(env.stored()) == 20
    assert ResultReopen.objects.get().by == env.world.users["municipal"]
    event = AuditEvent.objects.get(action="results.reopen")
    assert (event.target_id, event.details["until"]) == (str(reopen.pk), "2026-05-26")
    # and after the reopened day ends, uploads are closed again
    time_machine.move_to(dt.datetime(2026, 5, 26, 21, 0, 0, tzinfo=dt.UTC), tick=False)
    with pytest.raises(ResultsError):
        env.upload(env.filled(env.rows(seed=9)))


@pytest.mark.django_db
def test_the_deadline_is_the_end_of_the_day_in_the_schools_zone(
    env: Env, time_machine: Any
) -> None:
    # given the school in Vladivostok (UTC+10)
    School.objects.filter(pk=env.school.pk).update(time_zone="Asia/Vladivostok")
    env.world.schools["A1a"].refresh_from_db()
    content = env.filled()
    # when it uploads at 23:59 local on the last day (13:59 UTC), it is accepted
    time_machine.move_to(dt.datetime(2026, 5, 23, 13, 59, tzinfo=dt.UTC), tick=False)
    env.upload(content)
    # but at 00:00 local the next day (14:00 UTC, still 17:00 on 23.05 in Moscow) it is refused
    time_machine.move_to(dt.datetime(2026, 5, 23, 14, 0, tzinfo=dt.UTC), tick=False)
    with pytest.raises(ResultsError) as caught:
        env.upload(env.filled(env.rows(seed=2)))
    assert caught.value.code == "upload_closed"


@pytest.mark.django_db
def test_before_the_form_is_published_uploads_are_not_open(env: Env, time_machine: Any) -> None:
    # given the day before the period (the form is published on its first day, 11.04.2026)
    content = env.filled()
    time_machine.move_to(dt.datetime(2026, 4, 10, 12, 0, tzinfo=dt.UTC), tick=False)
    # when the school uploads or downloads the form, it is refused with the opening time
    with pytest.raises(ResultsError) as caught:
        env.upload(content)
    assert caught.value.code == "upload_not_open"
    assert "11.04.2026 00:00" in caught.value.message
    with pytest.raises(ResultsError):
        env.blank()


@pytest.mark.django_db
def test_only_coordinators_reopen_and_only_with_a_reason_and_a_future_day(env: Env) -> None:
    # given the school and its coordinators
    args = {"school_id": env.school.pk, "work_id": env.work.pk}
    # then the school cannot reopen its own uploads
    with pytest.raises(PermissionDenied):
        services.results_reopen(
            actor=env.actor(), until_day=dt.date(2026, 5, 30), reason="x", **args
        )
    # and a coordinator must give a reason and a day not in the past
    with pytest.raises(ResultsInvalidError) as caught:
        services.results_reopen(
            actor=env.actor("regional"), until_day=dt.date(2026, 5, 30), reason=" ", **args
        )
    assert caught.value.code == "reopen_reason"
    with pytest.raises(ResultsInvalidError) as caught:
        services.results_reopen(
            actor=env.actor("regional"), until_day=dt.date(2026, 5, 1), reason="причина", **args
        )
    assert caught.value.code == "reopen_past"
    # and a coordinator of another municipality does not see the school at all
    other = env.world.schools["A2a"]
    with pytest.raises(School.DoesNotExist):
        services.results_reopen(
            actor=env.actor("municipal"),
            school_id=other.pk,
            work_id=env.work.pk,
            until_day=dt.date(2026, 5, 30),
            reason="причина",
        )


@pytest.mark.django_db
def test_a_school_cannot_upload_for_another_school(env: Env) -> None:
    # given the organizer of A1a and school A1b
    other = env.world.schools["A1b"]
    # when it uploads for A1b, then the school is as good as missing
    with pytest.raises(School.DoesNotExist):
        services.results_upload(
            actor=env.actor(),
            school_id=other.pk,
            work_id=env.work.pk,
            content=env.filled(),
            filename="f.xlsx",
        )
    # and coordinators cannot upload at all
    with pytest.raises(PermissionDenied):
        env.upload(env.filled(), role="municipal")


@pytest.mark.django_db
def test_statistics_are_recomputed_after_an_upload_and_the_task_is_idempotent(
    env: Env, django_capture_on_commit_callbacks: Any
) -> None:
    # given a filled form with known scores: 3 present participants, 1 absent
    columns = env.spec().columns
    full = tuple(c.max_score for c in columns)  # 24 points: «5»
    zero = tuple(0 for _ in columns)  # 0 points: «2»
    mixed = tuple(None if i % 2 else c.max_score for i, c in enumerate(columns))  # X counts 0
    rows = [
        xlsx.Row("40001", True, None, (), 1, 4),
        xlsx.Row("40002", False, 1, full, 1, 5),
        xlsx.Row("40003", False, 2, zero, 1, 3),
        xlsx.Row("40004", False, 1, mixed, 2, 0),
    ]
    mixed_total = sum(s or 0 for s in mixed)
    # when it is uploaded (the task runs after commit)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        env.upload(env.filled(rows))
    assert len(callbacks) == 1
    stats = SchoolWorkStats.objects.get()
    # then marks, the histogram and per-column sums are those of the three who wrote the work
    assert (stats.participants, stats.absent, stats.version_number) == (3, 1, 1)
    assert (stats.mark2, stats.mark3, stats.mark4, stats.mark5) == (
        1 + (mixed_total < 10),
        int(10 <= mixed_total < 16),
        int(16 <= mixed_total < 21),
        1,
    )
    assert len(stats.histogram) == 25
    assert stats.histogram[24] == 1
    assert stats.histogram[0] == 1
    assert stats.histogram[mixed_total] == 1
    assert stats.column_sums == [f + (m or 0) for f, m in zip(full, mixed, strict=True)]
    assert stats.journal == {"0": 1, "3": 1, "5": 1}
    # when the task runs again (a redelivered message), then nothing changes but the instant
    before = SchoolWorkStats.objects.values().get()
    results_stats_refresh_task.delay(school_id=env.school.pk, work_id=env.work.pk)
    results_stats_refresh_task(school_id=env.school.pk, work_id=env.work.pk)
    after = SchoolWorkStats.objects.values().get()
    before.pop("computed_at"), after.pop("computed_at")
    assert after == before
    assert SchoolWorkStats.objects.count() == 1


@pytest.mark.django_db
def test_the_stats_task_for_a_school_without_results_does_nothing(env: Env) -> None:
    # when the task runs for a school × work with no accepted upload
    results_stats_refresh_task(school_id=env.school.pk, work_id=env.work.pk, extra="ignored")
    # then no statistics row appears
    assert not SchoolWorkStats.objects.exists()


@pytest.mark.django_db
def test_an_accepted_upload_updates_the_analytics_aggregates_up_to_russia(
    env: Env, django_capture_on_commit_callbacks: Any
) -> None:
    from apps.analytics.models import WorkAggregate

    # given a filled form: 2 present participants («5» and «2») and 1 absent
    columns = env.spec().columns
    full = tuple(c.max_score for c in columns)
    zero = tuple(0 for _ in columns)
    rows = [
        xlsx.Row("40001", True, None, (), 1, 4),
        xlsx.Row("40002", False, 1, full, 1, 5),
        xlsx.Row("40003", False, 2, zero, 1, 3),
    ]
    # when it is uploaded and the after-commit tasks run
    with django_capture_on_commit_callbacks(execute=True):
        env.upload(env.filled(rows))
    # then the school, its municipality, region and Russia each count the two who wrote it
    aggregates = WorkAggregate.objects.filter(work=env.work)
    assert sorted(a.level for a in aggregates) == [0, 1, 2, 3]
    for aggregate in aggregates:
        assert (aggregate.participants, aggregate.absent) == (2, 1)
        assert (aggregate.mark2, aggregate.mark5) == (1, 1)
