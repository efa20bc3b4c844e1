"""The cycle by class in one go (docs/classes.md «The cycle by class»), through the services as
the real actors: the federal operator configures and assigns, the school organizer keeps its
register, confirms its classes, sets their days and uploads results, its municipal coordinator
confirms the application; kits, codes, the results form and the reports follow the classes.

Dates are built from today and the clock is pinned at each step (school A1a is in Moscow)."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from collections import Counter, defaultdict
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from apps.analytics import selectors as analytics
from apps.analytics.models import WorkAggregate
from apps.applications import services as applications
from apps.applications.models import Application, ApplicationLine, Status
from apps.applications.services import ParticipationInput
from apps.campaigns import schedule
from apps.campaigns.models import Participation, SchoolWorkDate, Work
from apps.campaigns.selectors import school_zone
from apps.campaigns.tests.factories import CampaignFactory, SubjectFactory, WorkFactory
from apps.classes.assignment.services import assignment_publish, assignment_run
from apps.classes.models import AssignmentRun, ClassWork, SchoolClass
from apps.classes.register.rules import ClassInput
from apps.classes.register.services import class_create
from apps.classes.selectors import class_works_of_school
from apps.classes.tests.factories import CampaignGradeFactory
from apps.classes.timetable.services import class_work_date_set
from apps.core.scoping import Level
from apps.materials.models import Kit, ParticipantCode
from apps.materials.services import (
    kit_archive_download,
    kit_build_request,
    kit_code_entries,
    kits_generate,
)
from apps.materials.tests.bank_data import load_bank
from apps.registration.access import A, actor_for_user
from apps.results import services as results
from apps.results import xlsx
from apps.results.models import ParticipantResult
from apps.results.tests.conftest import fill
from conftest import World

SEED = 20_250_415
# Grade 4: two compulsory works and one of two assigned; grade 5: two of three assigned.
WORKS: dict[tuple[int, str], tuple[str, str]] = {
    (4, "russian"): ("Русский язык", Participation.COMPULSORY),
    (4, "math"): ("Математика", Participation.COMPULSORY),
    (4, "world"): ("Окружающий мир", Participation.ASSIGNED),
    (4, "reading"): ("Литературное чтение", Participation.ASSIGNED),
    (5, "history"): ("История", Participation.ASSIGNED),
    (5, "biology"): ("Биология", Participation.ASSIGNED),
    (5, "geography"): ("География", Participation.ASSIGNED),
}
# Pupils per class and the participants the school confirms for each of its works, in the
# order compulsory (by subject code), then assigned: one fewer per work after the first.
PUPILS = {"4А": 25, "4Б": 20, "5А": 22}


def _reserve(participants: int) -> int:
    """The materials rule by hand: 10 % rounded up, at least one code per class."""
    return max(1, -(-participants // 10))


def _mark(score: int, work: Work) -> int:
    """The work's scale by hand (10/16/21 of 24 for the factory's work)."""
    for mark, bound in ((5, work.mark5_from), (4, work.mark4_from), (3, work.mark3_from)):
        if score >= bound:
            return mark
    return 2


@pytest.mark.django_db
def test_the_cycle_by_class_from_assignment_to_reports(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    school = world.schools["A1a"]
    zone = school_zone(school)
    federal = actor_for_user(world.users["federal"])
    organizer = actor_for_user(world.users["school_organizer"])
    municipal = actor_for_user(world.users["municipal"])

    def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
        return schedule.at_local(day, dt.time(hour, minute), zone)

    # 1. given a campaign of grades 4 (one subject assigned) and 5 (two), each work with its
    # bank; the works run from a month after today, the assignment is seen 20 days from today
    start = today + dt.timedelta(days=30)
    end = start + dt.timedelta(days=20)
    publish_on = today + dt.timedelta(days=20)
    campaign = CampaignFactory(
        year=today.year, application_deadline=today + dt.timedelta(days=25), grades=[]
    )
    CampaignGradeFactory(campaign=campaign, grade=4, assigned_count=1)
    CampaignGradeFactory(campaign=campaign, grade=5, assigned_count=2)
    works: dict[tuple[int, str], Work] = {}
    with time_machine.travel(at(today), tick=False):
        for (grade, code), (name, participation) in WORKS.items():
            works[(grade, code)] = WorkFactory(
                campaign=campaign,
                subject=SubjectFactory(code=code, name=name),
                grade=grade,
                participation=participation,
                period_start=start,
                period_end=end,
                recommended_dates=[start.isoformat()],
                materials_publish_date=start - dt.timedelta(days=4),
                results_upload_deadline=end + dt.timedelta(days=7),
                results_release_date=end + dt.timedelta(days=21),
            )
            load_bank(actor=federal, work=works[(grade, code)])
    russian = works[(4, "russian")]
    pool = {
        grade: {
            w.pk
            for (g, _c), w in works.items()
            if g == grade and w.participation == Participation.ASSIGNED
        }
        for grade in (4, 5)
    }

    # 2. when the school organizer enters its register: 4А, 4Б and 5А
    with time_machine.travel(at(today), tick=False):
        classes = {
            label: class_create(
                actor=organizer,
                school_id=school.pk,
                data=ClassInput(grade=int(label[0]), letter=label[1], number=None, pupils=pupils),
            )
            for label, pupils in PUPILS.items()
        }
    # then each class takes the next free number of its grade and the compulsory works only
    assert {label: c.number for label, c in classes.items()} == {"4А": 1, "4Б": 2, "5А": 1}

    def works_of(school_class: SchoolClass) -> set[int]:
        return set(
            ClassWork.objects.filter(school_class=school_class).values_list("work_id", flat=True)
        )

    compulsory4 = {works[(4, "russian")].pk, works[(4, "math")].pk}
    assert works_of(classes["4А"]) == works_of(classes["4Б"]) == compulsory4
    assert works_of(classes["5А"]) == set()

    # 3. when the federal operator runs the assignment with a seed twice (a draft is replaced)
    with time_machine.travel(at(today, 11), tick=False):
        first = assignment_run(
            actor=federal, campaign_id=campaign.pk, seed=SEED, publish_on=publish_on
        )
        drawn = {label: works_of(c) for label, c in classes.items()}
        run = assignment_run(
            actor=federal, campaign_id=campaign.pk, seed=SEED, publish_on=publish_on
        )
        # then the same seed draws the same subjects, and the first draft is gone
        assert {label: works_of(c) for label, c in classes.items()} == drawn
        assert not AssignmentRun.objects.filter(pk=first.pk).exists()
        # when it publishes the run
        run = assignment_publish(actor=federal, run_id=run.pk, publish_on=publish_on)
    assert run.status == AssignmentRun.Status.PUBLISHED
    assigned = {label: drawn[label] - compulsory4 for label in classes}
    # then each grade-4 class got one subject of the pool, the two classes different ones (the
    # spread within a school and grade), and 5А two different subjects of its pool
    assert [len(assigned["4А"]), len(assigned["4Б"])] == [1, 1]
    assert assigned["4А"] | assigned["4Б"] == pool[4]
    assert len(assigned["5А"]) == 2
    assert assigned["5А"] <= pool[5]
    assert ClassWork.objects.filter(run=run, source=ClassWork.Source.ASSIGNED).count() == 4

    def seen() -> dict[str, set[int]]:
        found: dict[str, set[int]] = defaultdict(set)
        for cw in class_works_of_school(
            actor=organizer, school_id=school.pk, campaign_id=campaign.pk
        ):
            found[cw.school_class.label].add(cw.work_id)
        return dict(found)

    # and the school sees only its compulsory works until 00:00 local on the publication day
    with time_machine.travel(at(publish_on - dt.timedelta(days=1), 23, 59), tick=False):
        assert seen() == {"4А": compulsory4, "4Б": compulsory4}
    with time_machine.travel(at(publish_on, 0), tick=False):
        assert seen() == drawn

    # 4. when the school confirms each class's works (one pupil fewer per further work)
    class_works = {
        (cw.school_class.label, cw.work_id): cw
        for cw in ClassWork.objects.filter(school_id=school.pk).select_related("school_class")
    }
    confirmed: dict[tuple[str, int], int] = {}
    for label, pupils in PUPILS.items():
        ordered = sorted(drawn[label], key=lambda pk: (pk not in compulsory4, pk))
        for i, work_id in enumerate(ordered):
            confirmed[(label, work_id)] = pupils - i
    application_day = publish_on + dt.timedelta(days=1)
    with time_machine.travel(at(application_day), tick=False):
        app = applications.application_open(
            actor=organizer, school_id=school.pk, campaign_id=campaign.pk
        )
        saved = applications.application_class_lines_save(
            actor=organizer,
            application_id=app.pk,
            lines=[ParticipationInput(class_works[key].pk, n) for key, n in confirmed.items()],
        )
        assert saved.changed
        # and submits it, and the municipal coordinator confirms it
        assert applications.application_submit(actor=organizer, application_id=app.pk).changed
        assert applications.application_confirm(actor=municipal, application_id=app.pk).changed
    assert Application.objects.get(pk=app.pk).status == Status.CONFIRMED_MUNICIPALITY
    # then each work's line sums its classes' confirmed participants and counts its classes
    by_hand: dict[int, tuple[bool, int, int]] = {}
    for (_label, work_id), n in confirmed.items():
        _takes, total, count = by_hand.get(work_id, (True, 0, 0))
        by_hand[work_id] = (True, total + n, count + 1)
    lines = {
        work_id: (takes, participants, count)
        for work_id, takes, participants, count in ApplicationLine.objects.filter(
            application=app
        ).values_list("work_id", "takes_part", "participants", "classes")
    }
    assert lines == by_hand
    assert by_hand[russian.pk] == (True, 25 + 20, 2)

    # 5. when the federal operator generates the kits (codes are issued with them) and builds
    # the archives of every work
    with time_machine.travel(at(application_day + dt.timedelta(days=1)), tick=False):
        for work in works.values():
            kits_generate(actor=federal, work_id=work.pk)
        with django_capture_on_commit_callbacks(execute=True):
            for work in works.values():
                kit_build_request(actor=federal, work_id=work.pk)
    kits = Kit.objects.filter(school=school)
    assert sorted(kits.values_list("work_id", flat=True)) == sorted(by_hand)
    assert set(kits.values_list("status", flat=True)) == {Kit.Status.READY}
    # then each class has codes for its most confirmed participants over its works (one code
    # serves every work of the grade) plus its reserve, under its «Порядковый номер класса»
    need = {label: max(n for (lb, _w), n in confirmed.items() if lb == label) for label in PUPILS}
    codes = ParticipantCode.objects.filter(school=school, campaign=campaign)
    issued = Counter(
        (grade, number, reserve)
        for grade, number, reserve in codes.values_list("grade", "class_number", "reserve")
    )
    expected: Counter[tuple[int, int, bool]] = Counter()
    for label, school_class in classes.items():
        grade, number = school_class.grade, school_class.number
        expected[(grade, number, False)] = need[label]
        expected[(grade, number, True)] = _reserve(need[label])
    assert issued == expected
    assert len({c.code for c in codes}) == codes.count()
    # and the kit of an assigned work lists only the class writing it
    world_kit = kits.get(work=works[(4, "world")])
    world_class = "4А" if works[(4, "world")].pk in assigned["4А"] else "4Б"
    entries = kit_code_entries(actor=organizer, kit=world_kit, action=A.DOWNLOAD_MATERIALS)
    assert {e.class_label for e in entries} == {world_class}
    # and from the archive's publication the school downloads it: its code list has a sheet
    # per class writing the work, with that class's codes
    russian_kit = kits.get(work=russian)
    with time_machine.travel(at(start - dt.timedelta(days=4), 0), tick=False):
        download = kit_archive_download(actor=organizer, kit_id=russian_kit.pk)
        with download.open() as fh, zipfile.ZipFile(io.BytesIO(fh.read())) as archive:
            code_list = archive.read("Коды участников 4 класс.xlsx")
    book = load_workbook(io.BytesIO(code_list))
    assert book.sheetnames == ["4А", "4Б"]
    for label in ("4А", "4Б"):
        listed = {
            str(v)
            for row in book[label].iter_rows(values_only=True)
            for v in row
            if v is not None and str(v).isdigit() and len(str(v)) == 5
        }
        own = set(
            codes.filter(class_number=classes[label].number, grade=4).values_list("code", flat=True)
        )
        assert listed == own

    # 6. when the school sets Русский язык for 4А on the period's 2nd day and 4Б on its 4th
    day_a, day_b = start + dt.timedelta(days=1), start + dt.timedelta(days=3)
    with time_machine.travel(at(start - dt.timedelta(days=2)), tick=False):
        class_work_date_set(
            actor=organizer, class_work_id=class_works[("4Б", russian.pk)].pk, date=day_b
        )
        class_work_date_set(
            actor=organizer, class_work_id=class_works[("4А", russian.pk)].pk, date=day_a
        )
    # then the school's day for the work is its first class day
    assert SchoolWorkDate.objects.get(school=school, work=russian).date == day_a
    assert [
        ClassWork.objects.get(pk=class_works[(label, russian.pk)].pk).date for label in ("4А", "4Б")
    ] == [day_a, day_b]

    # 7. when, after 4Б has written, the school downloads its form and uploads it with a row
    # per confirmed participant of each class (the first two of each class absent)
    rng = random.Random(SEED)
    upload_at = at(day_b + dt.timedelta(days=2))
    with time_machine.travel(upload_at, tick=False):
        form = results.results_form_download(
            actor=organizer, school_id=school.pk, work_id=russian.pk
        )
        maxima = [c.max_score for c in russian.columns.order_by("position")]
        rows: list[xlsx.Row] = []
        for label in ("4А", "4Б"):
            number = classes[label].number
            own_codes = sorted(
                codes.filter(grade=4, class_number=number, reserve=False).values_list(
                    "code", flat=True
                )
            )[: confirmed[(label, russian.pk)]]
            for i, code in enumerate(own_codes):
                if i < 2:
                    rows.append(xlsx.Row(code, True, None, (), number, 0))
                    continue
                ability = rng.random()  # spread the marks: weak to strong pupils
                scores = tuple(
                    max(0, min(m, round(m * ability) + rng.choice((-1, 0, 1)))) for m in maxima
                )
                rows.append(xlsx.Row(code, False, rng.randint(1, 2), scores, number, 4))
        cells = {
            (i + 2, col): value
            for i, row in enumerate(rows)
            for col, value in enumerate(row.values(len(maxima)), start=1)
        }
        with django_capture_on_commit_callbacks(execute=True):
            accepted = results.results_upload(
                actor=organizer,
                school_id=school.pk,
                work_id=russian.pk,
                content=fill(form.content, cells),
                filename="форма.xlsx",
            )
    # then every participant is stored with its class
    assert accepted.version.participants == len(rows) - 4
    stored = dict(
        ParticipantResult.objects.filter(work=russian, school_id=school.pk).values_list(
            "code", "class_number"
        )
    )
    assert stored == {r.code: r.class_number for r in rows}

    # 8. when, after the release, the organizer reads the marks report with a row per class
    present: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        if not row.absent and row.class_number is not None and row.primary_score is not None:
            present[row.class_number].append(row.primary_score)
    aggregate = WorkAggregate.objects.get(work=russian, level=Level.SCHOOL, unit_id=school.pk)
    with time_machine.travel(at(russian.results_release_date + dt.timedelta(days=1)), tick=False):
        report = analytics.report_get(
            actor=organizer, pk=aggregate.pk, slice=analytics.Slice(classes="all")
        )
        single = analytics.report_get(
            actor=organizer, pk=aggregate.pk, slice=analytics.Slice(classes="2")
        )
    # then the class rows follow the school's, each with the hand counts of its uploaded rows
    assert report.embargo_until is None
    table = analytics.marks_table(report)
    class_rows = [line for line in table if line["row"].is_class]
    assert [line["row"].name for line in class_rows] == ["4А", "4Б"]
    for line, label in zip(class_rows, ("4А", "4Б"), strict=True):
        scores = present[classes[label].number]
        marks = Counter(_mark(s, russian) for s in scores)
        assert line["participants"] == len(scores) == confirmed[(label, russian.pk)] - 2
        assert line["counts"] == [marks[m] for m in (2, 3, 4, 5)]
        assert line["row"].aggregate.absent == 2
        assert analytics.mean_score(line["row"].aggregate) == round(sum(scores) / len(scores), 1)
    # and the school's own row is the two classes together
    school_line = next(line for line in table if line["row"].is_self)
    assert school_line["participants"] == sum(line["participants"] for line in class_rows)
    # and one class alone is the report's own unit, with its own numbers
    assert single.class_name == "4Б"
    assert single.aggregate.participants == len(present[classes["4Б"].number])
    scores_b = present[classes["4Б"].number]
    assert analytics.mean_score(single.aggregate) == round(sum(scores_b) / len(scores_b), 1)
