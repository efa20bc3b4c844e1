"""The registers of many schools at once: ``classes_bulk_create`` (the federal side and system
jobs; the demo writes its national set with it, ~40,000 schools and ~400,000 classes).

The same classes and works as ``class_create`` / ``class_works_create`` one class at a time,
with reads that do not grow with the schools and classes and rows written as plain tuples (one
``COPY`` per table on PostgreSQL, batched ``executemany`` elsewhere): building ~1.1 million
model instances for ``bulk_create`` was most of the national seed's time (bench/README.md).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Count, Model
from django.utils import timezone
from psycopg import sql as psycopg_sql

from apps.campaigns.models import Campaign, CampaignGrade, Participation
from apps.classes.actions import ClassActions as A
from apps.classes.assignment.algorithm import ClassRef, GradePool, assign_one
from apps.classes.audit import ClassesAudit
from apps.classes.messages import ClassesError, ClassesInvalidError
from apps.classes.models import ClassWork, SchoolClass
from apps.classes.register import rules
from apps.classes.register.rules import ClassInput
from apps.classes.register.services import _clean, _number_for, campaign_grades
from apps.classes.selectors import published_run
from apps.core.errors import DomainError
from apps.core.scoping import Scope
from apps.core.services import audit_record
from apps.registration.access import Actor
from apps.registration.models import School
from apps.registration.services import school_unit_scope

IN_CHUNK = 2000  # ids per ``IN (...)``: SQLite caps the parameters of a query
INSERT_BATCH = 2000  # rows per ``executemany`` (non-PostgreSQL)


@dataclass(frozen=True)
class RegistersCreated:
    """What one ``classes_bulk_create`` call wrote."""

    schools: int
    classes: int
    works: int


class _NewClass(NamedTuple):
    """A checked class before it is written (``_number_for`` reads grade, letter and number)."""

    school_id: int
    grade: int
    letter: str
    number: int
    pupils: int
    pupils_ovz: int
    municipality_id: int
    region_id: int


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start : start + IN_CHUNK]


def _insert(model: type[Model], names: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """Rows of ``model`` as tuples of plain values (ints, strings: what the columns store) for
    the fields ``names`` (attnames); every other field takes its default, ``created_at`` and
    ``updated_at`` the current instant. No model instances and no per-value preparation."""
    now = timezone.now()
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    rest = [f for name, f in fields.items() if name not in names]
    stamps = ("created_at", "updated_at")
    tail = tuple(
        f.get_db_prep_save(now if f.attname in stamps else f.get_default(), connection)
        for f in rest
    )
    columns = [str(fields[n].column) for n in names] + [str(f.column) for f in rest]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
                psycopg_sql.Identifier(table),
                psycopg_sql.SQL(", ").join(psycopg_sql.Identifier(c) for c in columns),
            )
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row + tail)
            return
        quote = connection.ops.quote_name
        statement_text = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from meta
            quote(table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
        )
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row + tail)
            if len(batch) >= INSERT_BATCH:
                cursor.executemany(statement_text, batch)
                batch = []
        if batch:
            cursor.executemany(statement_text, batch)


def _batch_scope(schools: Collection[School]) -> Scope | None:
    """The smallest unit holding every school of a batch (None: several regions, the actor's)."""
    municipalities = {(s.municipality_id, s.region_id) for s in schools}
    if len(schools) == 1:
        return school_unit_scope(next(iter(schools)))
    if len(municipalities) == 1:
        return Scope.of_municipality(*next(iter(municipalities)))
    regions = {region for _municipality, region in municipalities}
    return Scope.of_region(next(iter(regions))) if len(regions) == 1 else None


def _pools(campaign: Campaign) -> tuple[dict[int, list[int]], dict[int, GradePool]]:
    """Grade → its compulsory works, grade → its assigned pool (works by pk): what
    ``class_works_create`` reads for each class, read once."""
    config = dict(
        CampaignGrade.objects.filter(  # unscoped: national reference data of the campaign
            campaign=campaign
        ).values_list("grade", "assigned_count")
    )
    compulsory: dict[int, list[int]] = defaultdict(list)
    assigned: dict[int, list[int]] = defaultdict(list)
    works = campaign.works.order_by("pk").values_list("pk", "grade", "participation")
    for pk, grade, participation in works:
        if participation == Participation.COMPULSORY:
            compulsory[grade].append(pk)
        elif participation == Participation.ASSIGNED:
            assigned[grade].append(pk)
    pools = {g: GradePool(g, tuple(w), config[g]) for g, w in assigned.items() if g in config}
    return compulsory, pools


def _check(
    schools: dict[int, School],
    registers: Mapping[int, Sequence[ClassInput]],
    existing: dict[int, list[SchoolClass]],
    campaign: Campaign,
) -> list[_NewClass]:
    """The new classes, numbered and checked as ``class_create`` checks one (its values, its
    letter and number against the school's register and the classes before it). Every problem
    of every school is collected; any one refuses the whole call."""
    grades = campaign_grades(campaign)
    made: list[_NewClass] = []
    refused: list[tuple[School, ClassInput, DomainError]] = []
    for school_id, inputs in registers.items():
        school = schools[school_id]
        others: list[Any] = list(existing.get(school_id, ()))
        for raw in inputs:
            data = _clean(raw)
            problems = rules.check_values(data, grades, campaign.label)
            if not problems:
                try:
                    number = _number_for(data, others)
                except DomainError as exc:
                    problems = [exc]
            if problems:
                refused += [(school, data, exc) for exc in problems]
                continue
            new = _NewClass(
                school_id,
                data.grade,
                data.letter,
                number,
                data.pupils,
                data.pupils_ovz,
                school.municipality_id,
                school.region_id,
            )
            others.append(new)
            made.append(new)
    if refused:
        details = [
            {
                "school": s.code,
                "class": f"{d.grade}{d.letter}",
                "code": e.code,
                "message": e.message,
            }
            for s, d, e in refused
        ]
        school, _data, first = refused[0]
        conflict = any(e.status == 409 for _s, _d, e in refused)
        kind = ClassesError if conflict else ClassesInvalidError
        raise kind(
            "registers_refused",
            details=details,
            count=len(refused),
            school=school.code,
            first=first.message,
        )
    return made


def _class_ids(campaign: Campaign, made: list[_NewClass], school_ids: Sequence[int]) -> list[int]:
    """The ids the new classes got, in their order (an active class is unique by school, grade
    and letter)."""
    found: dict[tuple[int, int, str], int] = {}
    for ids in _chunks(school_ids):
        rows = SchoolClass.objects.filter(  # unscoped: the rows this call just wrote
            campaign=campaign, school_id__in=ids, is_active=True
        ).values_list("school_id", "grade", "letter", "pk")
        found.update(((school, grade, letter), pk) for school, grade, letter, pk in rows)
    return [found[(c.school_id, c.grade, c.letter)] for c in made]


def _works(
    made: list[_NewClass], ids: list[int], campaign: Campaign, school_ids: Sequence[int]
) -> list[tuple[int, int, int, int, int, str, int | None]]:
    """The works of the new classes (school, municipality, region, class, work, source, run),
    exactly as ``class_works_create`` gives them one class after another: its grade's compulsory
    works and, once the run is published, the works ``assign_one`` draws against the school's
    and the country's counts (kept here in memory, each class counting for the ones after)."""
    compulsory, pools = _pools(campaign)
    run = published_run(campaign_id=campaign.pk)
    national: Counter[int] = Counter()
    per_school: dict[int, Counter[int]] = defaultdict(Counter)
    if run is not None:
        taken = ClassWork.objects.filter(  # unscoped: counts only, feeding the national spread
            run=run, school_class__is_active=True
        )
        national.update(dict(taken.values_list("work_id").annotate(n=Count("pk"))))
        for chunk in _chunks(school_ids):
            counts = taken.filter(school_id__in=chunk).values_list("school_id", "work_id")
            for school_id, work_id, n in counts.annotate(n=Count("pk")):
                per_school[school_id][work_id] = n
    source, assigned = ClassWork.Source.COMPULSORY.value, ClassWork.Source.ASSIGNED.value
    rows: list[tuple[int, int, int, int, int, str, int | None]] = []
    for new, class_id in zip(made, ids, strict=True):
        units = (new.school_id, new.municipality_id, new.region_id, class_id)
        rows += [(*units, work_id, source, None) for work_id in compulsory.get(new.grade, ())]
        pool = pools.get(new.grade)
        if run is None or pool is None:
            continue
        school = per_school[new.school_id]
        ref = ClassRef(class_id, new.school_id, new.grade)
        chosen = assign_one(
            ref, pool, school_counts=school, national_counts=national, seed=run.seed
        )
        school.update(chosen)
        national.update(chosen)
        rows += [(*units, work_id, assigned, run.pk) for work_id in chosen]
    return rows


@transaction.atomic
def classes_bulk_create(
    *, actor: Actor, campaign_id: int, registers: Mapping[int, Sequence[ClassInput]]
) -> RegistersCreated:
    """Add classes to the registers of many schools at once (school id → its classes, created
    in the order given) in the current campaign.

    The same classes and rows as ``class_create`` one by one: every value checked as there (the
    model's own checks, without a query per class), a ``number`` None takes the next free one,
    scope columns come from the school, and each class gets its works as
    ``class_works_create`` gives them. Every problem is checked before anything is written
    (``registers_refused`` lists them all); a school the actor may not see rejects the whole
    call (``DoesNotExist``). One audit row per call, scoped to the smallest unit holding its
    schools (the demo calls it per region).
    """
    campaign: Campaign = Campaign.objects.for_actor(actor, A.LOAD_REGISTERS).get(pk=campaign_id)
    if not campaign.is_active:
        raise ClassesError("campaign_not_current", campaign=campaign.label)
    school_ids = sorted(registers)
    schools: dict[int, School] = {}
    existing: dict[int, list[SchoolClass]] = defaultdict(list)
    for ids in _chunks(school_ids):
        found = (
            School.objects.for_actor(actor, A.LOAD_REGISTERS)
            .select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .only("pk", "code", "municipality_id", "region_id")
        )
        schools.update((s.pk, s) for s in found)
        active = SchoolClass.objects.for_actor(actor, A.LOAD_REGISTERS).filter(
            campaign=campaign, school_id__in=ids, is_active=True
        )
        for school_class in active.only("school_id", "grade", "letter", "number"):
            existing[school_class.school_id].append(school_class)
    if len(schools) != len(school_ids):
        raise School.DoesNotExist("a school of the call is not visible to the actor")
    made = _check(schools, registers, existing, campaign)
    if not made:
        return RegistersCreated(0, 0, 0)
    _insert(
        SchoolClass,
        ("campaign_id", *_NewClass._fields),
        ((campaign.pk, *new) for new in made),
    )
    ids = _class_ids(campaign, made, school_ids)
    works = _works(made, ids, campaign, school_ids)
    _insert(
        ClassWork,
        (
            "school_id",
            "municipality_id",
            "region_id",
            "school_class_id",
            "work_id",
            "source",
            "run_id",
        ),
        works,
    )
    written = sorted({new.school_id for new in made})
    audit_record(
        actor=actor,
        action=ClassesAudit.REGISTERS_LOAD,
        target=campaign,
        scope=_batch_scope([schools[pk] for pk in school_ids]),
        details={
            "campaign_id": campaign.pk,
            "schools": len(written),
            "classes": len(made),
            "works": len(works),
            "school_ids": written,
        },
    )
    return RegistersCreated(len(written), len(made), len(works))
