"""Writes shared by the classes sub-domains: the works a class gets when it enters the register."""

from __future__ import annotations

from collections import Counter

from apps.campaigns.models import CampaignGrade, Participation, Work
from apps.classes.assignment.algorithm import ClassRef, GradePool, assign_one
from apps.classes.models import ClassWork, SchoolClass
from apps.classes.selectors import published_run


def _pool(campaign_id: int, grade: int) -> tuple[list[Work], GradePool | None]:
    works = list(
        Work.objects.filter(  # unscoped: national reference data of the class's own campaign
            campaign_id=campaign_id, grade=grade
        ).order_by("pk")
    )
    config = CampaignGrade.objects.filter(  # unscoped: national reference data
        campaign_id=campaign_id, grade=grade
    ).first()
    assigned = tuple(w.pk for w in works if w.participation == Participation.ASSIGNED)
    pool = GradePool(grade, assigned, config.assigned_count) if config and assigned else None
    return works, pool


def class_works_create(*, school_class: SchoolClass) -> list[ClassWork]:
    """Give a class entering the register its works (inside the caller's transaction): every
    compulsory work of its grade, and, once the campaign's assignment is published, its assigned
    works drawn by the run's rules against the school's and the country's current counts.

    The caller (the register's services) has already checked the actor may edit the class.
    """
    works, pool = _pool(school_class.campaign_id, school_class.grade)
    rows = [
        ClassWork(work=w, source=ClassWork.Source.COMPULSORY)
        for w in works
        if w.participation == Participation.COMPULSORY
    ]
    run = published_run(campaign_id=school_class.campaign_id)
    if run is not None and pool is not None:
        taken = ClassWork.objects.filter(  # unscoped: counts only, feeding the national spread
            run=run, work_id__in=pool.works, school_class__is_active=True
        )
        national = Counter(taken.values_list("work_id", flat=True))
        school = Counter(
            taken.filter(school_id=school_class.school_id).values_list("work_id", flat=True)
        )
        ref = ClassRef(school_class.pk, school_class.school_id, school_class.grade)
        chosen = assign_one(
            ref, pool, school_counts=school, national_counts=national, seed=run.seed
        )
        by_id = {w.pk: w for w in works}
        rows += [
            ClassWork(work=by_id[w], source=ClassWork.Source.ASSIGNED, run=run) for w in chosen
        ]
    for row in rows:
        row.school_class = school_class
        row.school_id = school_class.school_id
        row.municipality_id = school_class.municipality_id
        row.region_id = school_class.region_id
    return ClassWork.objects.bulk_create(rows)
