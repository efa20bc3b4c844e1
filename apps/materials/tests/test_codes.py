"""Participant codes: 5 digits, unique in the school, enough per grade plus the reserve, one
code per participant for all works of the grade, stable when reissued; no names anywhere."""

from __future__ import annotations

import pytest

from apps.campaigns.tests.factories import SubjectFactory
from apps.materials import generation as gen
from apps.materials.models import Kit, ParticipantCode
from apps.materials.services import kit_code_entries, participant_codes_issue
from apps.materials.tests.factories import SYSTEM, apply, generate, russian4

pytestmark = pytest.mark.django_db


def test_reserve_rule() -> None:
    # given 50 participants in 2 classes, and 7 participants without classes
    by_class = gen.code_groups(4, 50, 2)
    single = gen.code_groups(4, 7, 0)
    # then each class gets its share plus 10 % (rounded up), a grade at least 2 spare codes
    assert [(g.class_number, g.participants, g.reserve) for g in by_class] == [
        (1, 25, 3),
        (2, 25, 3),
    ]
    assert [(g.class_number, g.participants, g.reserve) for g in single] == [(None, 7, 2)]


def test_codes_cover_each_grade_once_for_all_its_works(world) -> None:
    # given a school applying for two grade-4 works (50 and 48 participants) and a grade-5 work
    school = world.schools["A1a"]
    russian = russian4()
    maths = russian4(subject=SubjectFactory(code="math", name="Математика"))
    grade5 = russian4(grade=5)
    apply(school, russian, participants=50, classes=2)
    apply(school, maths, participants=48, classes=2)
    apply(school, grade5, participants=30, classes=1)
    # when the kits are generated (codes are issued with them)
    for work in (russian, maths, grade5):
        generate(work)
    codes = list(ParticipantCode.objects.filter(school=school))
    # then every code is 5 digits and unique in the school
    assert all(len(c.code) == 5 and c.code.isdigit() for c in codes)
    assert len({c.code for c in codes}) == len(codes)
    # and grade 4 has max(50, 48) + reserve = 56 codes starting with 4, grade 5 has 33
    grade4 = [c for c in codes if c.grade == 4]
    assert len(grade4) == 56
    assert sum(not c.reserve for c in grade4) == 50
    assert all(c.code.startswith("4") for c in grade4)
    assert len([c for c in codes if c.grade == 5]) == 33
    # and both grade-4 kits print the same codes: a participant keeps one code for all works
    kit_r = Kit.objects.get(school=school, work=russian)
    kit_m = Kit.objects.get(school=school, work=maths)
    entries_r = kit_code_entries(actor=SYSTEM, kit=kit_r, action="materials.download")
    entries_m = kit_code_entries(actor=SYSTEM, kit=kit_m, action="materials.download")
    assert entries_r == entries_m
    assert entries_r[0].code == "40001"


def test_reissue_keeps_codes_and_appends_when_the_need_grows(world) -> None:
    # given issued codes for 20 participants
    school = world.schools["B1a"]
    work = russian4()
    apply(school, work, participants=20, classes=1)
    generate(work)
    before = set(ParticipantCode.objects.filter(school=school).values_list("code", flat=True))
    # when codes are issued again unchanged, nothing is added
    assert (
        participant_codes_issue(actor=SYSTEM, school_id=school.pk, campaign_id=work.campaign_id)
        == []
    )
    # and when the application grows to 30, the old codes stay and new ones are appended
    apply(school, work, participants=30, classes=1)
    added = participant_codes_issue(actor=SYSTEM, school_id=school.pk, campaign_id=work.campaign_id)
    after = set(ParticipantCode.objects.filter(school=school).values_list("code", flat=True))
    assert before < after
    assert len(added) == 11  # 10 more participants, reserve 2 → 3
    assert min(c.code for c in added) > max(before)


def test_no_field_can_hold_a_name() -> None:
    # the portal never stores participants' names: the code model has no such field
    names = {f.name for f in ParticipantCode._meta.get_fields()}
    assert not {n for n in names if "name" in n or "fio" in n}
