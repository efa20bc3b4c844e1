"""Demo campaigns: ВПР 2026 (spring, the real structure of Русский язык 4 класс and plausible
structures of the other works) and its autumn session, dated so the demo works on 2026-11-30.

* «ВПР 2026» (spring, not current): applications until 20.02.2026, periods 13.04–15.05.2026,
  results released in May–June. History for analytics demos.
* «ВПР 2026, осенний этап» (current): applications until 02.12.2026; materials from 03.12;
  periods 07.12–18.12.2026; uploads until 16–23.12; results 23–30.12. On 30 November a school
  can still apply, pick its days and ask for a reserve day. ``autumn_start`` moves the whole
  autumn plan-graph (e.g. to today, to show materials and uploads open).

Structures other than Русский язык 4 класс are synthetic but plausible (maxima, levels and
scales in the style of the 2025–2026 forms, sub-labels such as «1К1» for criteria).
Idempotent: works are created or replaced through the same code the works import uses.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction

from apps.campaigns import schedule
from apps.campaigns.models import (
    Campaign,
    ReserveDayRequest,
    SchoolWorkDate,
    Session,
    Subject,
    Work,
)
from apps.campaigns.rules import ColumnSpec, WorkSpec
from apps.campaigns.services import _apply_spec
from apps.registration.access import A, Actor
from apps.registration.models import School, User

SPRING_YEAR = 2026
AUTUMN_START = dt.date(2026, 12, 7)  # the first day of the earliest autumn period
SUBJECTS: dict[str, str] = {
    "russian": "Русский язык",
    "math": "Математика",
    "world": "Окружающий мир",
    "history": "История",
    "biology": "Биология",
    "english": "Английский язык",
}


@dataclass(frozen=True)
class Structure:
    """A work's form columns as ФИС ОКО writes them, its levels and scale (3, 4, 5 from)."""

    header: str
    advanced: frozenset[str]
    scale: tuple[int, int, int]
    minutes: int = 45
    high: frozenset[str] = frozenset()


def _s(
    header: str, scale: tuple[int, int, int], adv: str = "", high: str = "", minutes: int = 45
) -> Structure:
    return Structure(header, frozenset(adv.split()), scale, minutes, frozenset(high.split()))


# (subject, grade) → structure. Русский язык 4 класс is the public 2026 form.
STRUCTURES: dict[tuple[str, int], Structure] = {
    ("russian", 4): _s(
        "1 (2б) 2 (1б) 3 (2б) 4 (3б) 5 (2б) 6 (1б) 7 (1б) 8 (2б) 9.1 (1б) 9.2 (2б) "
        "10.1 (1б) 10.2 (2б) 11 (1б) 12.1 (2б) 12.2 (1б)",
        (10, 16, 21),
        adv="9.1 9.2 10.1 10.2",
    ),
    ("math", 4): _s(
        "1 (1б) 2 (1б) 3 (1б) 4 (2б) 5.1 (1б) 5.2 (1б) 6.1 (1б) 6.2 (1б) 7 (1б) 8 (2б) "
        "9.1 (1б) 9.2 (1б) 10 (2б) 11 (2б) 12 (2б)",
        (6, 10, 15),
        adv="10 11",
        high="12",
    ),
    ("world", 4): _s(
        "1 (2б) 2 (2б) 3.1 (1б) 3.2 (1б) 3.3 (2б) 4 (2б) 5 (2б) 6.1 (1б) 6.2 (1б) 6.3 (2б) "
        "7 (2б) 8К1 (1б) 8К2 (1б) 8К3 (1б) 9 (2б) 10.1 (1б) 10.2 (2б)",
        (8, 14, 20),
        adv="6.3 9 10.2",
    ),
    ("russian", 5): _s(
        "1К1 (4б) 1К2 (3б) 1К3 (2б) 2 (3б) 3 (2б) 4 (2б) 5 (2б) 6 (2б) 7 (2б) 8 (2б) 9 (2б)",
        (10, 16, 22),
        adv="8 9",
        minutes=60,
    ),
    ("math", 5): _s(
        "1 (1б) 2 (1б) 3 (1б) 4 (1б) 5 (1б) 6 (2б) 7 (1б) 8 (2б) 9 (2б) 10 (2б) 11 (2б) 12 (2б)",
        (5, 9, 14),
        adv="9 10 11",
        high="12",
        minutes=60,
    ),
    ("history", 5): _s(
        "1 (2б) 2 (1б) 3 (2б) 4 (3б) 5 (1б) 6 (2б) 7 (1б) 8 (3б)",
        (4, 8, 12),
        adv="4 8",
    ),
    ("biology", 5): _s(
        "1.1 (1б) 1.2 (1б) 2 (2б) 3 (1б) 4 (2б) 5 (2б) 6.1 (1б) 6.2 (2б) 7 (1б) 8 (2б) "
        "9 (2б) 10 (2б)",
        (5, 10, 15),
        adv="6.2 9 10",
    ),
    ("russian", 6): _s(
        "1К1 (4б) 1К2 (3б) 1К3 (2б) 2 (3б) 3 (2б) 4 (2б) 5 (2б) 6 (2б) 7 (2б) 8 (2б) 9 (2б) "
        "10 (2б) 11 (2б)",
        (12, 19, 26),
        adv="9 10 11",
        minutes=60,
    ),
    ("math", 6): _s(
        "1 (1б) 2 (1б) 3 (1б) 4 (1б) 5 (1б) 6 (1б) 7 (1б) 8 (2б) 9 (2б) 10 (2б) 11 (2б) "
        "12 (2б) 13 (2б)",
        (5, 10, 15),
        adv="10 11 12",
        high="13",
        minutes=60,
    ),
    ("history", 6): _s(
        "1 (2б) 2 (1б) 3 (2б) 4 (3б) 5.1 (1б) 5.2 (1б) 6 (2б) 7 (2б) 8 (1б) 9 (3б)",
        (5, 9, 14),
        adv="4 9",
    ),
    ("biology", 6): _s(
        "1.1 (1б) 1.2 (1б) 2 (2б) 3 (2б) 4 (1б) 5 (2б) 6.1 (1б) 6.2 (2б) 7 (2б) 8 (2б) "
        "9 (2б) 10 (2б)",
        (6, 11, 16),
        adv="6.2 9 10",
    ),
    ("russian", 7): _s(
        "1К1 (4б) 1К2 (3б) 1К3 (2б) 2 (3б) 3 (2б) 4 (2б) 5 (2б) 6 (2б) 7 (2б) 8 (2б) 9 (2б) "
        "10 (2б) 11 (2б) 12 (2б)",
        (13, 20, 27),
        adv="10 11 12",
        minutes=90,
    ),
    ("math", 7): _s(
        "1 (1б) 2 (1б) 3 (1б) 4 (1б) 5 (1б) 6 (1б) 7 (1б) 8 (1б) 9 (2б) 10 (2б) 11 (2б) "
        "12 (2б) 13 (2б) 14 (2б)",
        (6, 11, 16),
        adv="11 12 13",
        high="14",
        minutes=90,
    ),
    ("history", 7): _s(
        "1 (2б) 2 (1б) 3 (2б) 4 (3б) 5 (2б) 6 (2б) 7 (2б) 8 (1б) 9 (2б) 10 (3б)",
        (6, 11, 16),
        adv="4 10",
    ),
    ("biology", 7): _s(
        "1.1 (1б) 1.2 (1б) 2 (2б) 3 (2б) 4 (2б) 5 (2б) 6.1 (1б) 6.2 (2б) 7 (2б) 8 (2б) "
        "9 (2б) 10 (3б)",
        (6, 12, 17),
        adv="6.2 9 10",
    ),
    ("english", 7): _s(
        "1 (5б) 2 (2б) 3К1 (2б) 3К2 (2б) 3К3 (2б) 4 (5б) 5 (6б) 6 (6б)",
        (10, 18, 25),
        adv="3К1 3К2 3К3",
    ),
    ("russian", 8): _s(
        "1К1 (4б) 1К2 (3б) 1К3 (2б) 2 (3б) 3 (2б) 4 (2б) 5 (2б) 6 (2б) 7 (2б) 8 (2б) 9 (2б) "
        "10 (2б) 11 (2б) 12 (2б) 13 (2б)",
        (14, 22, 29),
        adv="11 12 13",
        minutes=90,
    ),
    ("math", 8): _s(
        "1 (1б) 2 (1б) 3 (1б) 4 (1б) 5 (1б) 6 (1б) 7 (1б) 8 (1б) 9 (1б) 10 (2б) 11 (2б) "
        "12 (2б) 13 (2б) 14 (2б) 15 (2б) 16 (2б)",
        (7, 13, 19),
        adv="13 14 15",
        high="16",
        minutes=90,
    ),
    ("history", 8): _s(
        "1 (2б) 2 (1б) 3 (2б) 4 (3б) 5 (2б) 6 (2б) 7 (2б) 8 (1б) 9 (2б) 10К1 (1б) 10К2 (2б)",
        (6, 11, 16),
        adv="4 10К1 10К2",
    ),
    ("biology", 8): _s(
        "1.1 (1б) 1.2 (1б) 2 (2б) 3 (2б) 4 (2б) 5 (2б) 6.1 (1б) 6.2 (2б) 7 (2б) 8 (2б) "
        "9 (2б) 10 (2б) 11 (3б)",
        (7, 13, 18),
        adv="6.2 10 11",
    ),
    ("english", 8): _s(
        "1 (5б) 2 (2б) 3К1 (2б) 3К2 (2б) 3К3 (2б) 4 (5б) 5 (6б) 6 (6б)",
        (10, 18, 25),
        adv="3К1 3К2 3К3",
    ),
    ("math", 10): _s(
        "1 (1б) 2 (1б) 3 (1б) 4 (1б) 5 (1б) 6 (1б) 7 (1б) 8 (2б) 9 (2б) 10 (2б) 11 (2б) "
        "12 (2б) 13 (3б)",
        (6, 11, 15),
        adv="10 11 12",
        high="13",
        minutes=90,
    ),
    ("history", 10): _s(
        "1 (2б) 2 (2б) 3 (2б) 4 (3б) 5 (2б) 6 (2б) 7 (2б) 8 (1б) 9 (2б) 10 (3б) 11 (3б)",
        (7, 13, 19),
        adv="4 10 11",
        minutes=60,
    ),
    ("biology", 10): _s(
        "1 (2б) 2 (2б) 3 (1б) 4 (2б) 5 (2б) 6 (2б) 7 (2б) 8 (2б) 9 (2б) 10 (2б) 11 (2б) 12 (3б)",
        (7, 13, 19),
        adv="10 11 12",
        minutes=60,
    ),
}

# Plausible planned results per subject (cycled over the columns of its works).
_TOPICS: dict[str, tuple[str, ...]] = {
    "russian": (
        "Писать текст под диктовку, соблюдая изученные орфографические и пунктуационные нормы",
        "Выделять звуки и буквы в слове; характеризовать звуки",
        "Находить главные и второстепенные члены предложения",
        "Распознавать части речи и их грамматические признаки",
        "Ставить ударение в словах в соответствии с орфоэпическими нормами",
        "Определять тему и основную мысль текста; составлять план текста",
        "Задавать вопросы по содержанию текста и отвечать на них",
        "Понимать значение слова по тексту; подбирать синонимы",
        "Проверять безударные гласные в корне слова",
        "Различать однокоренные слова и формы одного слова",
        "Строить устное и письменное высказывание на заданную тему",
        "Распознавать изученные орфограммы и пунктограммы",
    ),
    "math": (
        "Выполнять арифметические действия с числами",
        "Решать текстовые задачи в одно-два действия",
        "Работать с таблицами и диаграммами",
        "Находить значение числового выражения",
        "Решать задачи на движение, работу и покупки",
        "Использовать единицы длины, массы, времени",
        "Распознавать и изображать геометрические фигуры",
        "Решать задачи логического характера",
    ),
    "world": (
        "Различать объекты живой и неживой природы",
        "Использовать знаково-символические средства (карты, схемы)",
        "Описывать природные зоны России",
        "Знать правила безопасного поведения",
        "Понимать основы здорового образа жизни",
        "Описывать достопримечательности родного края",
    ),
    "history": (
        "Работать с исторической картой",
        "Соотносить события и даты",
        "Анализировать исторический источник",
        "Знать исторических деятелей и их роль",
        "Описывать памятники культуры",
        "Рассказывать о событиях истории родного края",
    ),
    "biology": (
        "Знать строение и функции органов живых организмов",
        "Проводить и описывать биологический эксперимент",
        "Работать с таблицами и графиками биологических данных",
        "Классифицировать организмы",
        "Объяснять значение организмов в природе и жизни человека",
    ),
    "english": (
        "Понимать на слух основное содержание текста (аудирование)",
        "Читать вслух небольшой текст",
        "Строить монологическое высказывание по плану",
        "Понимать основное содержание прочитанного текста",
        "Использовать грамматические формы в коммуникативно значимом контексте",
        "Использовать лексические единицы в коммуникативно значимом контексте",
    ),
}

_HEADER_RE = re.compile(r"(\S+) \((\d+)б\)")


def columns_of(subject: str, structure: Structure) -> tuple[ColumnSpec, ...]:
    topics = _TOPICS[subject]
    columns = []
    for i, (label, maximum) in enumerate(_HEADER_RE.findall(structure.header)):
        level = "П" if label in structure.advanced else "В" if label in structure.high else "Б"
        columns.append(ColumnSpec(label, int(maximum), level, topics[i % len(topics)]))
    return tuple(columns)


# Periods by subject: (offset of the first day from the session start, last-day offset).
SPRING_PERIODS = {"russian": (0, 11), "math": (7, 18)}
SPRING_OTHER = (14, 32)
AUTUMN_PERIODS = {"russian": (0, 4), "math": (1, 8)}
AUTUMN_OTHER = (3, 11)


@dataclass(frozen=True)
class SessionPlan:
    start: dt.date
    periods: dict[str, tuple[int, int]]
    other: tuple[int, int]
    upload_after: int  # days from the period's last day to the last upload day
    release_after: int  # days from the last upload day to the release


def _plan(subject: str, grade: int, plan: SessionPlan) -> dict[str, object]:
    first_offset, last_offset = plan.periods.get(subject, plan.other)
    first = plan.start + dt.timedelta(days=first_offset)
    last = plan.start + dt.timedelta(days=last_offset)
    lead = schedule.ENCRYPTED_LEAD_DAYS if grade == 8 else schedule.PLAIN_LEAD_DAYS
    recommended = tuple(
        d
        for d in (first + dt.timedelta(days=1), first + dt.timedelta(days=2))
        if d.weekday() < 5 and d <= last
    ) or (first,)
    upload = last + dt.timedelta(days=plan.upload_after)
    return {
        "period_start": first,
        "period_end": last,
        "recommended_dates": recommended,
        "materials_publish_date": first - dt.timedelta(days=lead),
        "results_upload_deadline": upload,
        "results_release_date": upload + dt.timedelta(days=plan.release_after),
    }


def spring_plan() -> SessionPlan:
    return SessionPlan(dt.date(2026, 4, 13), SPRING_PERIODS, SPRING_OTHER, 7, 14)


def autumn_plan(start: dt.date = AUTUMN_START) -> SessionPlan:
    return SessionPlan(start, AUTUMN_PERIODS, AUTUMN_OTHER, 5, 7)


def work_specs(plan: SessionPlan) -> list[WorkSpec]:
    specs = []
    for (subject, grade), structure in STRUCTURES.items():
        columns = columns_of(subject, structure)
        m3, m4, m5 = structure.scale
        specs.append(
            WorkSpec(
                subject_code=subject,
                subject_name=SUBJECTS[subject],
                grade=grade,
                max_score=sum(c.max_score for c in columns),
                mark3_from=m3,
                mark4_from=m4,
                mark5_from=m5,
                duration_minutes=structure.minutes,
                encrypted_archive=grade == 8,
                variants_per_school=2,
                columns=columns,
                **_plan(subject, grade, plan),  # type: ignore[arg-type]
            )
        )
    return specs


@dataclass(frozen=True)
class CampaignSeed:
    campaign: Campaign
    works: int
    created: bool


def _campaign(
    *, year: int, session: str, name: str, deadline: dt.date, active: bool
) -> tuple[Campaign, bool]:
    campaign, created = Campaign.objects.get_or_create(
        year=year,
        session=session,
        defaults={"name": name, "application_deadline": deadline, "is_active": active},
    )
    campaign.name = name
    campaign.application_deadline = deadline
    campaign.is_active = active
    campaign.save()
    return campaign, created


def _works(campaign: Campaign, specs: list[WorkSpec]) -> None:
    subjects = {}
    for code, name in SUBJECTS.items():
        subjects[code], _ = Subject.objects.get_or_create(code=code, defaults={"name": name})
    existing = {(w.subject.code, w.grade): w for w in campaign.works.select_related("subject")}
    for spec in specs:
        work = existing.get(spec.key) or Work(campaign=campaign)
        _apply_spec(work, spec, subjects[spec.subject_code])


@transaction.atomic
def demo_campaigns_seed(*, autumn_start: dt.date = AUTUMN_START) -> list[CampaignSeed]:
    """Create or refresh the two demo campaigns (the autumn one is the current campaign)."""
    spring, spring_new = _campaign(
        year=SPRING_YEAR,
        session=Session.SPRING,
        name="ВПР 2026",
        deadline=dt.date(2026, 2, 20),
        active=False,
    )
    _works(spring, work_specs(spring_plan()))
    autumn, autumn_new = _campaign(
        year=SPRING_YEAR,
        session=Session.AUTUMN,
        name="ВПР 2026, осенний этап",
        deadline=autumn_start - dt.timedelta(days=5),
        active=True,
    )
    _works(autumn, work_specs(autumn_plan(autumn_start)))
    Campaign.objects.exclude(pk=autumn.pk).filter(is_active=True).update(is_active=False)
    return [
        CampaignSeed(spring, spring.works.count(), spring_new),
        CampaignSeed(autumn, autumn.works.count(), autumn_new),
    ]


_SYSTEM = Actor.system(reason="seed_campaign")
DEMO_SCHOOL = "edu660101"


@transaction.atomic
def demo_schedule_seed(*, school_code: str = DEMO_SCHOOL) -> int:
    """The demo school's days for two autumn works and one pending reserve-day request, so the
    school and its regional coordinator have something to look at. Returns rows created."""
    school = School.objects.for_actor(_SYSTEM, A.VIEW_SCHOOL).filter(code=school_code).first()
    user = User.objects.filter(username=school_code).first()
    campaign = Campaign.objects.filter(is_active=True).first()
    if school is None or user is None or campaign is None:
        return 0
    works = {(w.subject.code, w.grade): w for w in campaign.works.select_related("subject")}
    created = 0
    for key in (("russian", 4), ("world", 4)):
        work = works.get(key)
        if work is None:
            continue
        _, made = SchoolWorkDate.objects.get_or_create(  # unscoped: the demo seed (system)
            school=school,
            work=work,
            defaults={
                "date": dt.date.fromisoformat(work.recommended_dates[0]),
                "chosen_by": user,
                "region_id": school.region_id,
                "municipality_id": school.municipality_id,
            },
        )
        created += made
    math = works.get(("math", 4))
    pending = ReserveDayRequest.objects.for_actor(_SYSTEM, A.VIEW_RESERVE_DAYS)
    if math is not None and not pending.filter(school=school, work=math).exists():
        ReserveDayRequest.objects.create(
            school=school,
            region_id=school.region_id,
            municipality_id=school.municipality_id,
            work=math,
            requested_date=math.period_end + dt.timedelta(days=3),
            reason="В период проведения 4 «А» класс на карантине по гриппу (приказ по ОО "
            "№ 112 от 27.11.2026).",
            requested_by=user,
        )
        created += 1
    return created
