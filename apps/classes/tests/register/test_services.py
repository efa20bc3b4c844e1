"""The register's services: each rule with a bad input, works on entry, removal, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.campaigns.tests.factories import CampaignFactory
from apps.classes.audit import ClassesAudit
from apps.classes.messages import ClassesError, ClassesInvalidError
from apps.classes.models import AssignmentRun, ClassWork, SchoolClass
from apps.classes.register import services
from apps.classes.register.rules import ClassInput
from apps.classes.tests.factories import CampaignGradeFactory
from apps.core.models import AuditEvent
from apps.registration.access import actor_for_user

from .conftest import Setup


def test_a_new_class_gets_the_compulsory_works_of_its_grade_and_is_audited(setup: Setup) -> None:
    school_class = setup.add(letter="а")
    assert school_class.label == "4А"
    assert school_class.number == 1
    assert school_class.municipality_id == setup.school.municipality_id
    works = ClassWork.objects.filter(school_class=school_class)
    assert {w.work_id for w in works} == {
        setup.works["russian4"].pk,
        setup.works["math4"].pk,
    }
    assert {w.source for w in works} == {ClassWork.Source.COMPULSORY}
    event = AuditEvent.objects.get(action=ClassesAudit.CLASS_SAVE)
    assert event.details["class"] == "4А"
    assert event.details["created"] is True
    assert event.school_id == setup.school.pk


def test_the_number_is_the_next_free_one_of_the_grade(setup: Setup) -> None:
    setup.add(letter="А", number=2)
    assert setup.add(letter="Б").number == 1
    assert setup.add(letter="В").number == 3
    assert setup.add(grade=5, letter="А").number == 1


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (ClassInput(9, "А", None, 25), "grade_not_in_campaign"),
        (ClassInput(4, "А-1", None, 25), "letter_invalid"),
        (ClassInput(4, "А", 51, 25), "number_out_of_range"),
        (ClassInput(4, "А", 0, 25), "number_out_of_range"),
        (ClassInput(4, "А", None, 0), "pupils_out_of_range"),
        (ClassInput(4, "А", None, 61), "pupils_out_of_range"),
        (ClassInput(4, "А", None, 20, -1), "ovz_out_of_range"),
        (ClassInput(4, "А", None, 20, 21), "ovz_over_pupils"),
    ],
)
def test_a_bad_value_is_refused_and_nothing_is_written(
    setup: Setup, data: ClassInput, code: str
) -> None:
    with pytest.raises(ClassesInvalidError) as caught:
        services.class_create(actor=setup.organizer, school_id=setup.school.pk, data=data)
    assert caught.value.code == code
    assert caught.value.status == 400
    assert not SchoolClass.objects.exists()
    assert not AuditEvent.objects.filter(action=ClassesAudit.CLASS_SAVE).exists()


def test_the_grade_error_names_the_grade_and_the_campaign(setup: Setup) -> None:
    with pytest.raises(ClassesInvalidError) as caught:
        setup.add(grade=9)
    assert caught.value.message == f"9 класс не участвует в {setup.campaign.label}."


def test_a_taken_letter_or_number_is_a_conflict(setup: Setup) -> None:
    setup.add(letter="А", number=3)
    with pytest.raises(ClassesError) as letter:
        setup.add(letter="а")
    assert letter.value.code == "letter_taken"
    assert letter.value.status == 409
    with pytest.raises(ClassesError) as number:
        setup.add(letter="Б", number=3)
    assert number.value.code == "number_taken"
    assert "4А" in number.value.message
    assert SchoolClass.objects.count() == 1


def test_only_the_current_campaign_is_edited(setup: Setup) -> None:
    old = CampaignFactory(year=setup.campaign.year - 1, is_active=False)
    CampaignGradeFactory(campaign=old, grade=4)
    with pytest.raises(ClassesError) as caught:
        services.class_create(
            actor=setup.organizer,
            school_id=setup.school.pk,
            data=ClassInput(4, "А", None, 20),
            campaign_id=old.pk,
        )
    assert caught.value.code == "campaign_not_current"
    assert not SchoolClass.objects.exists()


def test_another_school_or_a_reader_cannot_write(setup: Setup) -> None:
    with pytest.raises(type(setup.school).DoesNotExist):
        services.class_create(
            actor=setup.organizer,
            school_id=setup.world.schools["A1b"].pk,
            data=ClassInput(4, "А", None, 20),
        )
    tech = actor_for_user(setup.world.users["school_tech"])
    assert not tech.can(services.A.EDIT_CLASSES)
    with pytest.raises(type(setup.school).DoesNotExist):
        services.class_create(
            actor=tech, school_id=setup.school.pk, data=ClassInput(4, "А", None, 20)
        )
    assert not SchoolClass.objects.exists()


def test_update_changes_counts_and_a_new_grade_gets_new_works(setup: Setup) -> None:
    school_class = setup.add(letter="А", pupils=25)
    saved = services.class_update(
        actor=setup.organizer, class_id=school_class.pk, data=ClassInput(4, "А", None, 26, 2)
    )
    assert (saved.number, saved.pupils, saved.pupils_ovz) == (1, 26, 2)
    with pytest.raises(ClassesInvalidError):
        services.class_update(
            actor=setup.organizer, class_id=school_class.pk, data=ClassInput(4, "А", None, 5, 6)
        )
    regraded = services.class_update(
        actor=setup.organizer, class_id=school_class.pk, data=ClassInput(5, "А", None, 26)
    )
    assert regraded.label == "5А"
    # grade 5 has no compulsory works and no published assignment yet
    assert not ClassWork.objects.filter(school_class=school_class).exists()
    assert AuditEvent.objects.filter(action=ClassesAudit.CLASS_SAVE).count() == 3


def test_a_class_with_a_dated_work_keeps_its_grade_and_cannot_be_removed(setup: Setup) -> None:
    school_class = setup.add()
    ClassWork.objects.filter(school_class=school_class).update(
        date=timezone.localdate() + dt.timedelta(days=10)
    )
    with pytest.raises(ClassesError) as regrade:
        services.class_update(
            actor=setup.organizer, class_id=school_class.pk, data=ClassInput(5, "А", None, 25)
        )
    assert regrade.value.code == "grade_locked"
    with pytest.raises(ClassesError) as caught:
        services.class_remove(actor=setup.organizer, class_id=school_class.pk)
    assert caught.value.code == "register_locked"
    assert "4А" in caught.value.message
    assert SchoolClass.objects.get(pk=school_class.pk).is_active
    assert not AuditEvent.objects.filter(action=ClassesAudit.CLASS_REMOVE).exists()


def test_removal_deletes_before_the_assignment_and_keeps_history_after(setup: Setup) -> None:
    first = setup.add(letter="А")
    removed = services.class_remove(actor=setup.organizer, class_id=first.pk)
    assert removed.outcome == services.DELETED
    assert not SchoolClass.objects.filter(pk=first.pk).exists()
    assert not ClassWork.objects.filter(school_class_id=first.pk).exists()

    second = setup.add(letter="Б")
    run = AssignmentRun.objects.create(
        campaign=setup.campaign, seed=7, publish_on=timezone.localdate()
    )
    ClassWork.objects.create(
        school_class=second,
        work=setup.works["world4"],
        source=ClassWork.Source.ASSIGNED,
        run=run,
        school_id=second.school_id,
        municipality_id=second.municipality_id,
        region_id=second.region_id,
    )
    kept = services.class_remove(actor=setup.organizer, class_id=second.pk)
    assert kept.outcome == services.DEACTIVATED
    second.refresh_from_db()
    assert not second.is_active
    # the letter is free again for a new class
    assert setup.add(letter="Б").is_active
    events = AuditEvent.objects.filter(action=ClassesAudit.CLASS_REMOVE).order_by("pk")
    assert [e.details["outcome"] for e in events] == ["deleted", "deactivated"]
