"""The upload request's reads compiled once per process (issue 18) give what the ORM reads they
replaced give — same rows, same instances, same scope — and an upload through the API stores
exactly the rows, version, audit and job it stored before, in a fixed number of statements."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Prefetch
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.campaigns import selectors as campaigns
from apps.campaigns.models import ReserveDayRequest, SchoolWorkDate, TaskColumn, Work
from apps.classes import selectors as classes
from apps.classes.actions import ClassActions
from apps.classes.tests.factories import ClassWorkFactory, SchoolClassFactory
from apps.classes.timetable.days import class_days
from apps.core.models import AuditEvent, Job
from apps.materials import selectors as materials
from apps.registration.access import A, Actor
from apps.registration.models import School
from apps.registration.services_tokens import api_token_issue
from apps.results import selectors as sel
from apps.results import services, xlsx
from apps.results.constants import RESULTS_STATS
from apps.results.models import ParticipantResult, ResultSheet, ResultVersion, Source
from apps.results.tests.conftest import HELD_ON, Env
from apps.results.tests.test_upload_record import _assign, _person
from apps.schoolday.checking import selectors as checking
from apps.schoolday.models import Person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROLES = ("school_organizer", "school_tech", "municipal", "regional", "federal", "expert")


def _columns(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def _outcome(read: Any, *args: Any, **kwargs: Any) -> Any:
    """What ``read(*args, **kwargs)`` gives, or the exception class it raises."""
    try:
        return ("value", read(*args, **kwargs))
    except Exception as exc:
        return ("raised", type(exc))


def _actors(env: Env) -> list[Actor]:
    return [env.actor(role) for role in ROLES] + [Actor.system(reason="test")]


# --- the reads, each against the ORM read it replaced ---------------------------------------------


def _school_orm(actor: Actor, school_id: int, action: str) -> Any:
    school = (
        School.objects.for_actor(actor, action)
        .select_related("municipality", "region")
        .get(pk=school_id)
    )
    return _columns(school), _columns(school.municipality), _columns(school.region)


def _school_new(actor: Actor, school_id: int, action: str) -> Any:
    with CaptureQueriesContext(connection) as queries:
        school = sel.school_get(actor=actor, school_id=school_id, action=action)
        loaded = _columns(school), _columns(school.municipality), _columns(school.region)
    assert len(queries) == 1
    return loaded


def _work_orm(actor: Actor, work_id: int, action: str) -> Any:
    work = (
        Work.objects.for_actor(actor, action)
        .select_related("subject", "campaign")
        .prefetch_related(Prefetch("columns", queryset=TaskColumn.objects.order_by("position")))
        .get(pk=work_id)
    )
    return (
        _columns(work),
        _columns(work.campaign),
        _columns(work.subject),
        [_columns(c) for c in work.columns.all()],
    )


def _work_new(actor: Actor, work_id: int, action: str) -> Any:
    work = campaigns.work_get(actor=actor, work_id=work_id, action=action)
    with CaptureQueriesContext(connection) as queries:  # loaded: no query reads them again
        loaded = (
            _columns(work),
            _columns(work.campaign),
            _columns(work.subject),
            [_columns(c) for c in work.columns.all()],
        )
        assert all(c.work is work for c in work.columns.all())
    assert len(queries) == 0
    # the prefetched manager still filters like the ORM's (a new query of the work's columns)
    assert list(work.columns.filter(position__gt=1).values_list("position", flat=True)) == list(
        TaskColumn.objects.filter(work_id=work_id, position__gt=1)
        .order_by("position")
        .values_list("position", flat=True)
    )
    return loaded


@pytest.mark.django_db
def test_school_work_and_the_scope_check_equal_the_orm_for_every_actor(env: Env) -> None:
    other = env.world.schools["B1a"]
    for actor in _actors(env):
        for action in (A.UPLOAD_RESULTS, A.VIEW_RESULTS, A.REOPEN_RESULTS):
            for school_id in (env.school.pk, other.pk, 10**9):
                assert _outcome(_school_new, actor, school_id, action) == _outcome(
                    _school_orm, actor, school_id, action
                )
                for work_id in (env.work.pk, 10**9):
                    assert _outcome(
                        sel.school_work_check,
                        actor=actor,
                        school_id=school_id,
                        work_id=work_id,
                        action=action,
                    ) == _outcome(_both_orm, actor, school_id, work_id, action)
            for work_id in (env.work.pk, 10**9):
                assert _outcome(_work_new, actor, work_id, action) == _outcome(
                    _work_orm, actor, work_id, action
                )


def _both_orm(actor: Actor, school_id: int, work_id: int, action: str) -> None:
    """The scope check as the endpoints made it: the school, then the work."""
    _school_orm(actor, school_id, action)
    _work_orm(actor, work_id, action)


def _form_spec_orm(env: Env, actor: Actor) -> xlsx.FormSpec:
    """``form_spec`` as it read the codes and the register before (model instances)."""
    school, work = env.school, sel.work_get(actor=actor, work_id=env.work.pk)
    codes = [
        (c.code, c.current_class_number, c.reserve)
        for c in materials.participant_codes(
            actor=actor,
            action=A.UPLOAD_RESULTS,
            school_id=school.pk,
            campaign_id=work.campaign_id,
            grade=work.grade,
        )
    ]
    ordered = sorted(codes, key=lambda c: (c[2], c[1] or 0, c[0]))
    registered = classes.classes_of_school(
        actor=actor, school_id=school.pk, campaign_id=work.campaign_id
    ).exists()
    spec = sel.form_spec(actor=actor, school=school, work=work, action=A.UPLOAD_RESULTS)
    assert spec.issued == frozenset(c[0] for c in codes)
    assert spec.prefill == tuple(xlsx.Prefill(c[0], c[1]) for c in ordered)
    assert (spec.classes is not None) == registered
    return spec


@pytest.mark.django_db
def test_the_form_spec_and_the_register_check_equal_the_orm(env: Env) -> None:
    actor = env.actor()
    _form_spec_orm(env, actor)
    # with a register: a renumbered class, a class of another grade, an inactive class
    school = env.school
    first = SchoolClassFactory(campaign=env.work.campaign, school=school, number=1)
    SchoolClassFactory(campaign=env.work.campaign, school=school, number=2, grade=5)
    SchoolClassFactory(campaign=env.work.campaign, school=school, number=3, is_active=False)
    ClassWorkFactory(school_class=first, work=env.work)
    from apps.materials.models import ParticipantCode

    ParticipantCode.objects.filter(code__in=env.codes[:5]).update(school_class=first)
    spec = _form_spec_orm(env, actor)
    assert spec.classes is not None
    assert [c.number for c in spec.classes] == [1]
    # the register's school check: an actor without the classes' action is refused as before
    for each in _actors(env):
        assert _outcome(
            sel._registered, actor=each, school_id=school.pk, campaign_id=env.work.campaign_id
        ) == _outcome(_registered_orm, each, school.pk, env.work.campaign_id)


def _registered_orm(actor: Actor, school_id: int, campaign_id: int) -> bool:
    return classes.classes_of_school(
        actor=actor, school_id=school_id, campaign_id=campaign_id
    ).exists()


def _held_on_orm(actor: Actor, env: Env) -> Any:
    row = (
        SchoolWorkDate.objects.for_actor(actor, A.VIEW_SCHEDULE)
        .filter(school_id=env.school.pk, work_id=env.work.pk)
        .select_related("reserve")
        .first()
        if actor.can(A.VIEW_SCHEDULE)
        else None
    )
    if row is None:
        return None
    return row.date if sel._counts(row) else None


@pytest.mark.django_db
def test_the_window_reads_equal_the_orm(env: Env) -> None:
    school, work = env.school, env.work
    day = SchoolWorkDate.objects.get(school=school, work=work)
    reserve = ReserveDayRequest.objects.create(
        school=school,
        work=work,
        municipality_id=school.municipality_id,
        region_id=school.region_id,
        requested_date=HELD_ON,
        reason="болезнь",
        requested_by=env.world.users["school_organizer"],
    )
    first = SchoolClassFactory(campaign=work.campaign, school=school, number=1)
    second = SchoolClassFactory(campaign=work.campaign, school=school, number=2)
    gone = SchoolClassFactory(campaign=work.campaign, school=school, number=3, is_active=False)
    for state in ("chosen", "reserve pending", "reserve approved", "class days", "no day"):
        if state == "reserve pending":
            day.reserve = reserve
            day.save()
        elif state == "reserve approved":
            ReserveDayRequest.objects.filter(pk=reserve.pk).update(
                status=ReserveDayRequest.Status.APPROVED
            )
        elif state == "class days":
            ClassWorkFactory(school_class=first, work=work, date=HELD_ON)
            ClassWorkFactory(school_class=second, work=work, date=HELD_ON.replace(day=17))
            ClassWorkFactory(school_class=gone, work=work, date=HELD_ON.replace(day=20))
        elif state == "no day":
            day.delete()
        for actor in _actors(env):
            assert sel.held_on(actor=actor, school=school, work=work) == _held_on_orm(actor, env)
            days = class_days(
                actor=actor,
                action=ClassActions.VIEW_CLASSES,
                school_id=school.pk,
                work_ids=[work.pk],
            )
            expected = days[work.pk].last if work.pk in days else None
            assert sel._last_class_day(actor=actor, school=school, work=work) == expected
    assert sel._last_class_day(actor=env.actor(), school=school, work=work) == HELD_ON.replace(
        day=17
    )


@pytest.mark.django_db
def test_the_sheet_version_and_expert_reads_equal_the_orm(env: Env) -> None:
    expert = _person(env.school, Person.Duty.EXPERT, "Эксперт Первый")
    _assign(env, expert, env.codes[:3])
    accepted = env.upload(env.filled())
    sheet, version = accepted.sheet, accepted.version
    for actor in _actors(env):
        for action in (A.UPLOAD_RESULTS, A.VIEW_RESULTS):
            found = sel.sheet_ref(
                actor=actor, school_id=env.school.pk, work_id=env.work.pk, action=action
            )
            orm = sel.sheet_get(
                actor=actor, school_id=env.school.pk, work_id=env.work.pk, action=action
            )
            assert (found is None) == (orm is None)
            if found is not None and orm is not None:
                assert (found.pk, found.reopened_until) == (orm.pk, orm.reopened_until)
                assert found.get_deferred_fields() == {
                    f.attname for f in ResultSheet._meta.concrete_fields
                } - {"id", "reopened_until"}
            with transaction.atomic():
                assert _outcome(_locked_new, actor, sheet.pk, action) == _outcome(
                    _locked_orm, actor, sheet.pk, action
                )
            new = sel.version_find(actor=actor, version_id=version.pk, action=action)
            old = ResultVersion.objects.for_actor(actor, action).filter(pk=version.pk).first()
            assert (_columns(new) if new else None) == (_columns(old) if old else None)
            assert (
                sel.version_seen(actor=actor, version_id=version.pk, action=action)
                == ResultVersion.objects.for_actor(actor, action).filter(pk=version.pk).exists()
            )
            assert checking.code_expert_names(
                actor=actor, school_id=env.school.pk, work_id=env.work.pk
            ) == {
                code: person.full_name
                for code, person in checking.code_experts(
                    actor=actor, school_id=env.school.pk, work_id=env.work.pk
                ).items()
            }
    assert version.checked_by == dict.fromkeys(env.codes[:3], "Эксперт Первый")


def _locked_new(actor: Actor, sheet_id: int, action: str) -> dict[str, Any]:
    return _columns(sel.sheet_locked(actor=actor, sheet_id=sheet_id, action=action))


def _locked_orm(actor: Actor, sheet_id: int, action: str) -> dict[str, Any]:
    return _columns(
        ResultSheet.objects.for_actor(actor, action).select_for_update().get(pk=sheet_id)
    )


# --- the writes: the compiled INSERT is Django's --------------------------------------------------


@pytest.mark.django_db
def test_the_compiled_insert_writes_what_create_writes(env: Env) -> None:
    first = env.upload(env.filled())
    version = first.version
    fields = {
        name: value
        for name, value in _columns(version).items()
        if name not in ("id", "uploaded_at", "number")
    }
    created = ResultVersion.objects.create(number=90, **fields)
    inserted = services._insert(ResultVersion(number=91, **fields))
    assert inserted.pk is not None
    assert not inserted._state.adding
    assert inserted._state.db == created._state.db
    reread = {v.number: _columns(v) for v in ResultVersion.objects.filter(number__in=[90, 91])}
    for row in (reread[90], reread[91]):
        row.pop("id"), row.pop("uploaded_at"), row.pop("number")
    assert reread[90] == reread[91]
    assert (
        _columns(inserted)["uploaded_at"]
        == _columns(ResultVersion.objects.get(pk=inserted.pk))["uploaded_at"]
    )
    job = services._insert(Job(kind="k", key="k:1", params={"a": [1, None]}, school_id=7))
    assert _columns(Job.objects.get(pk=job.pk)) == _columns(job)


@pytest.mark.django_db
def test_the_compiled_update_writes_what_save_with_update_fields_writes(env: Env) -> None:
    first = env.upload(env.filled()).sheet
    second = env.upload(env.filled(env.rows(seed=5))).version
    names = ("current_version", "version_count", "updated_at")
    by_orm = ResultSheet.objects.get(pk=first.pk)
    by_orm.current_version, by_orm.version_count = second, 7
    by_orm.save(update_fields=list(names))
    expected = _columns(ResultSheet.objects.get(pk=first.pk))
    compiled = ResultSheet.objects.get(pk=first.pk)
    compiled.current_version, compiled.version_count = second, 8
    services._update(compiled, names)
    stored = _columns(ResultSheet.objects.get(pk=first.pk))
    assert stored == _columns(compiled)  # the instant ``auto_now`` set is the one stored
    assert stored == {**expected, "version_count": 8, "updated_at": compiled.updated_at}
    # a row gone: refused as ``save`` refuses it; a NULL goes through ``save``
    gone = ResultSheet(pk=10**9, version_count=1)
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        services._update(gone, ("version_count",))
    compiled.current_version = None
    services._update(compiled, names)
    assert ResultSheet.objects.get(pk=first.pk).current_version_id is None


# --- the whole upload through the API -----------------------------------------------------------


def _post(env: Env, token: str, content: bytes, **data: Any) -> Any:
    """The upload as an API client sends it: a token, no session."""
    data["file"] = SimpleUploadedFile("форма.xlsx", content, content_type=XLSX)
    url = reverse("api-school-results", kwargs={"school_id": env.school.pk, "work_id": env.work.pk})
    return Client().post(url, data, HTTP_AUTHORIZATION=f"Token {token}")


def _expected_rows(env: Env, rows: list[xlsx.Row], version: ResultVersion) -> list[tuple[Any, ...]]:
    sheet = version.sheet
    return sorted(
        (
            sheet.pk,
            version.pk,
            env.work.pk,
            env.school.pk,
            env.school.municipality_id,
            env.school.region_id,
            r.code,
            r.absent,
            r.variant,
            list(r.scores),
            r.primary_score,
            env.work.mark_for(r.primary_score) if r.primary_score is not None else None,
            r.journal_mark,
            r.class_number,
            None,
            None,
        )
        for r in rows
    )


@pytest.mark.django_db
def test_an_upload_through_the_api_stores_exactly_the_rows_version_audit_and_job(
    env: Env,
) -> None:
    expert = _person(env.school, Person.Duty.EXPERT, "Эксперт Первый")
    _assign(env, expert, env.codes[2:4])
    spec = env.spec()
    rows = env.rows(seed=3)
    content = env.filled(rows)
    token, _ = api_token_issue(user=env.world.users["school_tech"])
    # the first upload: the sheet is created
    response = _post(env, token, content)
    assert response.status_code == 201, response.content
    # a replacement with other scores: measured (the sheet exists, a current version to diff)
    later = env.rows(seed=4)
    changed = env.filled(later)
    with CaptureQueriesContext(connection) as queries:
        response = _post(env, token, changed)
    assert response.status_code == 201, response.content
    # the statements of the request: token, actor and its school (3); the scope check, school,
    # work and its columns, codes, register, sheet, day, class day, experts (10); then inside
    # the savepoint (2) the lock, current version, version insert, delete, the rows (one
    # executemany on SQLite; PostgreSQL's COPY is not logged), sheet update, check, audit, job
    # (29 on SQLite before the reads were compiled and merged)
    expected = {"postgresql": 23, "sqlite": 24}[connection.vendor]
    assert len(queries) == expected, "\n".join(q["sql"][:90] for q in queries)
    sheet = ResultSheet.objects.get(school=env.school, work=env.work)
    assert sheet.current_version_id is not None
    version = ResultVersion.objects.get(pk=sheet.current_version_id)
    assert (sheet.version_count, version.number) == (2, 2)
    stored = sorted(
        tuple(getattr(r, name) for name in services._ROW_COLUMNS)
        for r in ParticipantResult.objects.filter(sheet=sheet)
    )
    assert stored == _expected_rows(env, later, version)
    previous = ResultVersion.objects.get(sheet=sheet, number=1)
    diff = xlsx.diff(previous.snapshot, xlsx.snapshot(spec, later))
    sha = hashlib.sha256(changed).hexdigest()
    present = [r for r in later if not r.absent]
    assert {
        name: value
        for name, value in _columns(version).items()
        if name not in ("id", "uploaded_at", "file")
    } == {
        "municipality_id": env.school.municipality_id,
        "region_id": env.school.region_id,
        "school_id": env.school.pk,
        "number": 2,
        "uploaded_by_id": env.world.users["school_tech"].pk,
        "source": Source.API,
        "original_name": "форма.xlsx",
        "file_sha256": sha,
        "sheet_id": sheet.pk,
        "participants": len(present),
        "absent": len(later) - len(present),
        "snapshot": xlsx.snapshot(spec, later),
        "changes": diff.counts,
        "late": False,
        "checked_by": dict.fromkeys(env.codes[2:4], "Эксперт Первый"),
        "observer_id": None,
        "observer_name": "",
    }
    assert version.file.startswith(f"results/{env.work.campaign_id}/{env.school.pk}/")
    event = AuditEvent.objects.filter(action="results.upload").order_by("-id").first()
    assert event is not None
    assert (event.target_type, event.target_id, event.school_id) == (
        "results.resultversion",
        str(version.pk),
        env.school.pk,
    )
    assert event.details == {
        "work_id": env.work.pk,
        "version": 2,
        "participants": len(present),
        "absent": len(later) - len(present),
        "sha256": sha,
        "changes": diff.counts,
        "source": Source.API,
        "late": False,
        "checked_codes": 2,
        "observer_id": None,
    }
    job = Job.objects.get(key=f"{RESULTS_STATS}:{version.pk}")
    assert (job.kind, job.status, job.actor_id, job.school_id, job.params) == (
        RESULTS_STATS,
        Job.Status.QUEUED,
        env.world.users["school_tech"].pk,
        env.school.pk,
        {"school_id": env.school.pk, "work_id": env.work.pk, "version": 2},
    )
    assert (job.region_id, job.municipality_id) == (
        env.school.region_id,
        env.school.municipality_id,
    )
    body = response.json()
    assert (body["version"]["number"], body["participants"], body["unchanged"]) == (
        2,
        len(later),
        False,
    )
    # the same file again: nothing stored, the current version answered
    again = _post(env, token, changed)
    assert again.status_code == 200
    assert again.json()["unchanged"] is True
    assert ResultVersion.objects.filter(sheet=sheet).count() == 2
