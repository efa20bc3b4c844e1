"""Reads of the checking: who checks which code of a work at a school.

Every read goes through ``ExpertAssignment.objects.for_actor``: an expert's personal scope sees
only the rows given to it (``ExpertAssignment.personal_field``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from apps.campaigns import schedule
from apps.campaigns import selectors as campaign_selectors
from apps.campaigns.models import Campaign, Work
from apps.classes.models import ClassWork
from apps.classes.selectors import class_works_of_school
from apps.core.params import unknown_id
from apps.core.precompiled import Precompiled
from apps.registration.access import Actor
from apps.registration.models import School
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.models import ExpertAssignment, Person
from apps.schoolday.overview.selectors import campaign_class_works, class_codes_given
from apps.schoolday.placement.selectors import class_codes
from apps.schoolday.selectors import school_get, school_zone, work_get, work_title


def assignments(
    *, actor: Actor, school_id: int, work_id: int, action: str = A.VIEW_CHECKING
) -> QuerySet[ExpertAssignment]:
    """The assignments of a work at a school the actor may see (an expert: only its own), with
    the code and the expert loaded."""
    return (
        ExpertAssignment.objects.for_actor(actor, action)
        .filter(school_id=school_id, work_id=work_id)
        .select_related("code", "expert")
        .order_by("code__code")
    )


def code_experts(
    *, actor: Actor, school_id: int, work_id: int, action: str = A.VIEW_CHECKING
) -> dict[str, Person]:
    """Participant code → the expert it was given to (an expert actor: its own codes only)."""
    return {
        row.code.code: row.expert
        for row in assignments(actor=actor, school_id=school_id, work_id=work_id, action=action)
    }


def _expert_name_rows(
    actor: Actor, action: str, *, school_id: int, work_id: int
) -> QuerySet[ExpertAssignment, tuple[str, str]]:
    return assignments(
        actor=actor, school_id=school_id, work_id=work_id, action=action
    ).values_list("code__code", "expert__full_name")


_EXPERT_NAMES = Precompiled(_expert_name_rows)


def code_expert_names(
    *, actor: Actor, school_id: int, work_id: int, action: str = A.VIEW_CHECKING
) -> dict[str, str]:
    """``code_experts`` as code → the expert's name (the same rows, scope and order), in one
    query compiled once per process and without model instances: every results upload records
    who checked its codes."""
    rows = _EXPERT_NAMES.rows(action, actor=actor, school_id=school_id, work_id=work_id)
    return dict(rows)


def expert_of(actor: Actor) -> Person | None:
    """The active expert person behind an expert's account (None for any other actor)."""
    if actor.user is None or actor.scope.user_id is None:
        return None
    return (
        Person.objects.for_actor(actor, A.VIEW_CHECKING)
        .filter(user_id=actor.user.pk, duty=Person.Duty.EXPERT, is_active=True)
        .select_related("school")
        .first()
    )


# --- the checking window ------------------------------------------------------------------------


def checking_window(
    school: School, work: Work, class_day: dt.date | None
) -> tuple[dt.date | None, dt.date]:
    """A class's checking window as school-local dates: from its day (``ClassWork.date``; None
    while it has none) to the last day of checking, ``work.checking_until`` or else
    ``work.results_upload_deadline``, moved like the upload deadline by the days a day after the
    period lies after its end (``schedule.upload_deadline_day``). ``school`` is the place the
    dates belong to (its zone makes them instants in ``checking_closes_at``)."""
    return checking_window_dates(work, class_day)


def checking_closes_at(school: School, work: Work, class_day: dt.date | None) -> dt.datetime:
    """The first instant after the window: the end of its last day, school-local."""
    _, last = checking_window(school, work, class_day)
    return schedule.at_local(last + dt.timedelta(days=1), dt.time(0, 0), school_zone(school))


def checking_over(
    school: School, work: Work, class_day: dt.date | None, now: dt.datetime | None = None
) -> bool:
    """The window has closed: the codes of the class are no longer given or checked."""
    return (now or timezone.now()) >= checking_closes_at(school, work, class_day)


def checking_open(
    school: School, work: Work, class_day: dt.date | None, now: dt.datetime | None = None
) -> bool:
    """Scores of the class's codes may be entered now: from 00:00 of the class's day to the end
    of the last day of checking, school-local (closed while the class has no day)."""
    start, _ = checking_window(school, work, class_day)
    if start is None:
        return False
    moment = now or timezone.now()
    zone = school_zone(school)
    return (
        schedule.at_local(start, dt.time(0, 0), zone)
        <= moment
        < checking_closes_at(school, work, class_day)
    )


# --- scores entered: a hook the results app fills (schoolday cannot import results) -----------

# ``provider(pairs)`` → {(school id, work id): the participant codes whose scores are entered}
# for the (school id, work id) pairs asked. The results app registers one from its ``ready``.
ScoredProvider = Callable[[set[tuple[int, int]]], dict[tuple[int, int], set[str]]]
_SCORED_PROVIDERS: list[ScoredProvider] = []


def register_scored_codes(provider: ScoredProvider) -> None:
    """Let an app above (results) tell which codes already have their scores entered."""
    if provider not in _SCORED_PROVIDERS:
        _SCORED_PROVIDERS.append(provider)


def scored_codes(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], set[str]] | None:
    """The codes with scores entered per (school, work); None while no app provides them."""
    if not _SCORED_PROVIDERS:
        return None
    found: dict[tuple[int, int], set[str]] = defaultdict(set)
    for provider in _SCORED_PROVIDERS:
        for key, codes in provider(pairs).items():
            found[key] |= codes
    return found


# --- one school's checking of a work --------------------------------------------------------------


def experts_of_subject(
    *, actor: Actor, school_id: int, subject_id: int, action: str = A.VIEW_CHECKING
) -> list[Person]:
    """The school's active experts of a subject, by name, with the classes they teach."""
    return list(
        Person.objects.for_actor(actor, action)
        .filter(
            school_id=school_id,
            duty=Person.Duty.EXPERT,
            is_active=True,
            subjects__id=subject_id,
        )
        .prefetch_related("teaches")
        .order_by("full_name", "pk")
        .distinct()
    )


def taught(person: Person) -> set[int]:
    """The ids of the classes a person teaches (``teaches`` prefetched)."""
    return {c.pk for c in person.teaches.all()}


@dataclass
class CodeRow:
    code: str
    expert: Person | None = None
    scored: bool = False


@dataclass
class ClassChecking:
    """One class writing the work: its codes with their experts, its window and who may check
    it (the school's experts of the subject who do not teach it)."""

    class_work: ClassWork
    codes: list[CodeRow]
    eligible: list[Person]
    start: dt.date | None
    last: dt.date
    closes_at: dt.datetime
    over: bool
    open: bool

    @property
    def label(self) -> str:
        return self.class_work.school_class.label

    @property
    def given(self) -> int:
        return sum(1 for c in self.codes if c.expert is not None)


@dataclass
class Checking:
    """A work at a school as the checking page and API show it."""

    school: School
    work: Work
    zone: str
    experts: list[Person]
    classes: list[ClassChecking]
    personal: bool  # an expert's own view: its codes only
    scores_known: bool = False

    @property
    def title(self) -> str:
        return work_title(self.work)

    @property
    def total(self) -> int:
        return sum(len(c.codes) for c in self.classes)

    @property
    def given(self) -> int:
        return sum(c.given for c in self.classes)

    @property
    def over(self) -> bool:
        return bool(self.classes) and all(c.over for c in self.classes)

    @property
    def load(self) -> dict[int, int]:
        """expert id → codes of the work given to it (every expert listed)."""
        counts = {e.pk: 0 for e in self.experts}
        for row in self.classes:
            for code in row.codes:
                if code.expert is not None:
                    counts[code.expert.pk] = counts.get(code.expert.pk, 0) + 1
        return counts

    def problem(self, row: ClassChecking) -> str:
        """Why nobody can check the class («нет экспертов по предмету» / all teach it)."""
        if row.eligible:
            return ""
        if not self.experts:
            return "нет экспертов по предмету"
        return f"все эксперты по предмету преподают в {row.label}"


def class_works_writing(
    *, actor: Actor, school: School, work: Work, action: str = A.VIEW_CHECKING
) -> list[ClassWork]:
    """The school's active classes writing ``work`` (with or without a day yet), by grade and
    number; assigned works only once the assignment is visible to the actor."""
    return list(
        class_works_of_school(
            actor=actor, school_id=school.pk, campaign_id=work.campaign_id, action=action
        ).filter(work=work)
    )


def checking_get(
    *,
    actor: Actor,
    school_id: int,
    work_id: int,
    now: dt.datetime | None = None,
    action: str = A.VIEW_CHECKING,
) -> Checking:
    """The checking of a work at a school: each class's codes (``placement.class_codes``, the
    one reader of a class's codes) with their experts. An expert's personal scope sees only the
    codes given to it. ``DoesNotExist`` for a school or work out of scope."""
    school = school_get(actor=actor, school_id=school_id, action=action)
    work = work_get(actor=actor, work_id=work_id, action=action)
    moment = now or timezone.now()
    experts = experts_of_subject(
        actor=actor, school_id=school.pk, subject_id=work.subject_id, action=action
    )
    class_works = class_works_writing(actor=actor, school=school, work=work, action=action)
    codes = class_codes(actor=actor, class_works=class_works, action=action)
    given = {
        row.code.code: row.expert
        for row in assignments(actor=actor, school_id=school.pk, work_id=work.pk, action=action)
    }
    personal = actor.scope.user_id is not None
    scored_map = scored_codes({(school.pk, work.pk)})
    scored = (scored_map or {}).get((school.pk, work.pk), set())
    rows = []
    for cw in class_works:
        start, last = checking_window(school, work, cw.date)
        rows.append(
            ClassChecking(
                class_work=cw,
                codes=[
                    CodeRow(code, given.get(code), code in scored)
                    for code in codes.get(cw.school_class_id, [])
                    if not personal or code in given
                ],
                eligible=[e for e in experts if cw.school_class_id not in taught(e)],
                start=start,
                last=last,
                closes_at=checking_closes_at(school, work, cw.date),
                over=checking_over(school, work, cw.date, moment),
                open=checking_open(school, work, cw.date, moment),
            )
        )
    return Checking(
        school=school,
        work=work,
        zone=school_zone(school),
        experts=experts,
        classes=rows,
        personal=personal,
        scores_known=scored_map is not None,
    )


# --- progress for coordinators ------------------------------------------------------------------


@dataclass
class WorkProgress:
    """The checking of one work at one school: codes to check, given to experts, the school's
    experts of the subject and the window (first class day to the last day of checking)."""

    school_id: int
    school_name: str
    municipality_id: int
    municipality_name: str
    work: Work
    classes: int = 0
    codes: int = 0
    given: int = 0
    entered: int | None = None  # None while no app reports scores
    experts: int = 0
    start: dt.date | None = None
    last: dt.date | None = None

    @property
    def work_title(self) -> str:
        return work_title(self.work)

    @property
    def all_given(self) -> bool:
        return self.codes > 0 and self.given >= self.codes


@dataclass
class Progress:
    campaign: Campaign | None
    works: list[Work]
    work: Work | None
    rows: list[WorkProgress]

    @property
    def codes(self) -> int:
        return sum(r.codes for r in self.rows)

    @property
    def given(self) -> int:
        return sum(r.given for r in self.rows)

    @property
    def schools(self) -> int:
        return len({r.school_id for r in self.rows})

    @property
    def all_given(self) -> int:
        return sum(1 for r in self.rows if r.all_given)


def campaign_for(
    *, actor: Actor, campaign_id: int | None, action: str = A.VIEW_CHECKING
) -> Campaign | None:
    """The campaign asked for, else the current one (newest active, else newest), as an actor
    holding ``action`` sees them: an expert holds no campaign action of its own."""
    campaigns = campaign_selectors.campaign_list(actor=actor, action=action)
    if campaign_id is not None:
        found = campaigns.filter(pk=campaign_id).first()
        if found is None:  # a 400 naming the parameter, never the current campaign instead
            raise unknown_id("campaign", campaign_id, "кампании")
        return found
    return campaigns.filter(is_active=True).first() or campaigns.first()


def checking_progress(
    *,
    actor: Actor,
    campaign_id: int | None = None,
    work_id: int | None = None,
    school_id: int | None = None,
    action: str = A.VIEW_CHECKING,
) -> Progress:
    """Per school and work of the actor's scope (``campaign_id``, else the current campaign;
    ``work_id`` / ``school_id`` narrow): codes to check, given to experts, experts of the
    subject and the window. A fixed number of queries whatever the number of schools."""
    campaign = campaign_for(actor=actor, campaign_id=campaign_id, action=action)
    if campaign is None:
        if work_id is not None:
            raise unknown_id("work", work_id, "работы")
        return Progress(None, [], None, [])
    works = list(
        Work.objects.for_actor(actor, action)
        .filter(campaign=campaign)
        .select_related("subject", "campaign")
        .order_by("grade", "subject__name")
    )
    by_work = {w.pk: w for w in works}
    work = by_work.get(work_id) if work_id is not None else None
    if work_id is not None and work is None:  # a work the campaign has not: 400, not all works
        raise unknown_id("work", work_id, "работы кампании")
    class_works = campaign_class_works(
        actor, campaign, work.pk if work else None, school_id, dated=False, action=action
    )
    members: dict[tuple[int, int], list[tuple[int, dt.date | None]]] = defaultdict(list)
    for sid, w, class_id, day in class_works.values_list(
        "school_id", "work_id", "school_class_id", "date"
    ):
        if w in by_work:
            members[(sid, w)].append((class_id, day))
    class_ids = {c for rows in members.values() for c, _ in rows}
    codes_of, given = class_codes_given(actor, campaign, work, class_ids, action)
    expert_rows = Person.subjects.through.objects.filter(
        person__in=Person.objects.for_actor(actor, action).filter(
            duty=Person.Duty.EXPERT, is_active=True
        )
    ).values_list("person__school_id", "subject_id")
    experts: dict[tuple[int, int], int] = defaultdict(int)
    for sid, subject_id in expert_rows:
        experts[(sid, subject_id)] += 1
    schools = {
        pk: (name, m_id, m_name)
        for pk, name, m_id, m_name in School.objects.for_actor(actor, action)
        .filter(pk__in={sid for sid, _ in members})
        .values_list("pk", "short_name", "municipality_id", "municipality__name")
    }
    scored = scored_codes(set(members))
    rows = []
    for (sid, w), classes in members.items():
        if sid not in schools:
            continue
        name, m_id, m_name = schools[sid]
        the_work = by_work[w]
        days = [d for _, d in classes if d is not None]
        lasts = [checking_window_dates(the_work, d)[1] for _, d in classes]
        rows.append(
            WorkProgress(
                school_id=sid,
                school_name=name,
                municipality_id=m_id,
                municipality_name=m_name,
                work=the_work,
                classes=len(classes),
                codes=sum(codes_of.get(c, 0) for c, _ in classes),
                given=sum(given.get((w, c), 0) for c, _ in classes),
                entered=None if scored is None else len(scored.get((sid, w), set())),
                experts=experts.get((sid, the_work.subject_id), 0),
                start=min(days) if days else None,
                last=max(lasts) if lasts else None,
            )
        )
    rows.sort(key=lambda r: (r.work.grade, r.work.subject.name, r.school_name))
    return Progress(campaign, works, work, rows)


def checking_window_dates(work: Work, class_day: dt.date | None) -> tuple[dt.date | None, dt.date]:
    """``checking_window`` without the school (the dates do not depend on it)."""
    last = work.checking_until or work.results_upload_deadline
    if class_day is not None and class_day > work.period_end:
        last += class_day - work.period_end
    return class_day, last


def taught_labels(person: Person) -> list[str]:
    """The labels of the classes a person teaches («4А»; ``teaches`` prefetched)."""
    return [c.label for c in person.teaches.all()]
