"""The demo school's day (apps.demo.schoolday): rooms, the adults of the day, a placement of
every participant of its coming work days with organizers and observers, ready delivery
packets, the written work given to its experts (never to an expert in a class they teach; the
demo expert account sees only its own codes), the families informed of the finished campaign's
results; and a second seed that writes nothing. The clock is pinned; one seed per test (slow)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db.models import Sum
from django.test import Client

from apps.classes.models import ClassWork
from apps.core.models import AuditEvent, Job
from apps.demo import schoolday as demo_day
from apps.demo.calendar import DemoCalendar
from apps.demo.campaigns import DEMO_SCHOOL
from apps.demo.seed import demo_build
from apps.families.models import FamiliesInformed
from apps.materials.models import ParticipantCode
from apps.registration.access import actor_for_user
from apps.registration.constants import Role
from apps.registration.models import School, User
from apps.schoolday.checking.selectors import assignments
from apps.schoolday.models import DayRecord, ExpertAssignment, Packet, Person, Room, Seat, Sitting
from apps.schoolday.packets.constants import PACKET_BUILD
from apps.schoolday.packets.services import packet_build_run

pytestmark = pytest.mark.django_db

EXPERT_LOGIN = "edu660101_e1"


def _run_packet_jobs() -> int:
    """Run the queued packet builds as the worker would (the seed's transaction never commits
    in a test, so its on-commit sends do not run)."""
    jobs = list(
        Job.objects.filter(kind=PACKET_BUILD, status=Job.Status.QUEUED).values_list("pk", flat=True)
    )
    for job_id in jobs:
        packet_build_run(job_id=job_id)
    return len(jobs)


def _counts() -> dict[str, int]:
    return {
        "rooms": Room.objects.count(),
        "people": Person.objects.count(),
        "linked": Person.objects.filter(user__isnull=False).count(),
        "sittings": Sitting.objects.count(),
        "seats": Seat.objects.count(),
        "packets": Packet.objects.count(),
        "jobs": Job.objects.filter(kind=PACKET_BUILD).count(),
        "assignments": ExpertAssignment.objects.count(),
        "records": DayRecord.objects.count(),
        "informed": FamiliesInformed.objects.count(),
        "users": User.objects.count(),
        "audit": AuditEvent.objects.filter(action__regex=r"^(schoolday|families)\.").count(),
    }


def _participants(class_work: ClassWork) -> int:
    return class_work.participants or class_work.school_class.pupils


def test_the_demo_school_has_its_day_and_a_second_seed_writes_nothing(
    pinned: DemoCalendar,
) -> None:
    # given the demo built on the pinned day, its packet builds run as the worker would
    report = demo_build(today=pinned.today)
    assert _run_packet_jobs() == 4
    school = School.objects.get(code=DEMO_SCHOOL)

    # then the school has its three rooms
    rooms = {r.name: (r.seats, r.computers) for r in Room.objects.filter(school=school)}
    assert rooms == {"Кабинет 12": (25, 0), "Кабинет 14": (25, 0), "Кабинет 21": (30, 15)}
    # and adults of every duty: 3 organizers, 2 observers, 3 experts, a technical specialist
    duties = Counter(Person.objects.filter(school=school, is_active=True).values_list("duty"))
    assert duties == {
        (Person.Duty.ORGANIZER,): 3,
        (Person.Duty.OBSERVER,): 2,
        (Person.Duty.EXPERT,): 3,
        (Person.Duty.TECHNICIAN,): 1,
    }

    # and the coming day (tomorrow) is placed: every participant of each class has a seat,
    # by hand 25 (4А) + 21 (4В) in Окружающий мир 4 and 25 (8А) + 22 (8Б) in Русский язык 8
    coming = ClassWork.objects.filter(school_id=school.pk, date=pinned.tomorrow).select_related(
        "school_class", "work__subject"
    )
    placed_by_work: dict[tuple[str, int], int] = {}
    for cw in coming:
        seated = Seat.objects.filter(class_work=cw).aggregate(n=Sum("count"))["n"]
        assert seated == _participants(cw), cw.school_class.label
        key = (cw.work.subject.code, cw.work.grade)
        placed_by_work[key] = placed_by_work.get(key, 0) + seated
    assert placed_by_work == {("world", 4): 46, ("russian", 8): 47}
    # no room over its seats, every used room with its organizer and an observer
    tomorrow = Sitting.objects.filter(school_id=school.pk, date=pinned.tomorrow)
    assert tomorrow.count() == 4
    for sitting in tomorrow.select_related("room", "organizer"):
        seated = sitting.seats.aggregate(n=Sum("count"))["n"]
        assert 0 < seated <= sitting.room.seats
        assert sitting.organizer is not None
        assert sitting.organizer.full_name == demo_day.STAFF[sitting.room.name][0]
        assert sitting.observers.filter(duty=Person.Duty.OBSERVER).exists()

    # and every room of that day has its delivery packet, built
    packets = Packet.objects.filter(sitting__in=tomorrow)
    assert packets.count() == 4
    assert all(p.status == Packet.Status.READY and p.size > 0 and p.pages > 0 for p in packets)

    # and every code of the work written (Русский язык 4, three classes) is given to an expert,
    # none to an expert in a class they teach
    written = ClassWork.objects.filter(
        school_id=school.pk, work__subject__code="russian", work__grade=4, date=pinned.yesterday
    )
    assert written.count() == 3
    work_id = written.first().work_id  # type: ignore[union-attr]
    codes = ParticipantCode.objects.filter(
        school_class__in=[cw.school_class_id for cw in written], reserve=False
    )
    given = ExpertAssignment.objects.filter(school_id=school.pk, work_id=work_id).select_related(
        "code", "expert"
    )
    assert codes.count() == 70
    assert sorted(a.code.code for a in given) == sorted(codes.values_list("code", flat=True))
    for row in given:
        assert row.code.school_class_id not in {c.pk for c in row.expert.teaches.all()}
    # the demo expert account is the expert teaching 4А: it got codes of 4Б and 4В only
    expert_user = User.objects.get(username=EXPERT_LOGIN)
    expert = Person.objects.get(user=expert_user)
    assert expert.duty == Person.Duty.EXPERT
    assert [c.label for c in expert.teaches.all()] == ["4А"]
    own = given.filter(expert=expert)
    assert 0 < own.count() < given.count()
    assert not own.filter(code__school_class__letter="А").exists()
    # and its account sees exactly those codes
    expert_actor = actor_for_user(expert_user)
    assert expert_actor.role == Role.EXPERT
    seen = assignments(actor=expert_actor, school_id=school.pk, work_id=work_id)
    assert sorted(a.code.code for a in seen) == sorted(a.code.code for a in own)

    # and the families of three classes are marked informed of the finished campaign's results
    finished = report.campaigns.finished
    marks = FamiliesInformed.objects.filter(school=school, work__campaign=finished)
    assert sorted(marks.values_list("work__subject__code", "class_number")) == [
        ("math", 1),
        ("russian", 1),
        ("russian", 2),
    ]
    # shown on the school's slips page
    client = Client()
    client.force_login(User.objects.get(username=DEMO_SCHOOL))
    page = client.get(f"/schools/{school.pk}/families/?campaign={finished.pk}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Классов с отметкой об информировании: 2 из 2" in text
    assert "Классов с отметкой об информировании: 1 из 2" in text

    # when the demo is seeded again the same day
    before = _counts()
    again = demo_build(today=pinned.today)
    # then nothing was written
    assert _counts() == before
    assert again.schoolday is not None
    assert (
        again.schoolday.rooms,
        again.schoolday.people,
        again.schoolday.days_placed,
        again.schoolday.packets_queued,
        again.schoolday.codes_assigned,
        again.schoolday.records,
        again.schoolday.informed,
    ) == (0, 0, 0, 0, 0, 0, 0)


def test_the_written_day_is_placed_and_recorded_room_by_room(pinned: DemoCalendar) -> None:
    # given the demo built on the pinned day
    demo_build(today=pinned.today)
    school = School.objects.get(code=DEMO_SCHOOL)
    # then the day already written (yesterday) is placed: 25 + 24 + 21 in three rooms
    written = Sitting.objects.filter(school_id=school.pk, date=pinned.yesterday)
    seated: dict[str, Any] = {
        s.room.name: s.seats.aggregate(n=Sum("count"))["n"] for s in written.select_related("room")
    }
    assert seated == {"Кабинет 12": 25, "Кабинет 14": 24, "Кабинет 21": 21}
    # and each room's record: handed out and returned on the day, sealed, the kits adding up
    records = DayRecord.objects.filter(sitting__in=written).select_related("sitting__room")
    assert records.count() == 3
    for record in records:
        assert record.sealed
        assert record.handed_out_at is not None
        assert record.returned_at is not None
        assert record.handed_out_at < record.returned_at
        assert record.unused_kits == demo_day.UNUSED_KITS
        # one kit per participant placed in the room
        assert record.used_kits is not None
        assert record.used_kits + record.unused_kits == seated[record.sitting.room.name]
