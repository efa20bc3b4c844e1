"""The class register's reads: a school's classes with their works, one class, and the summary
of a coordinator's unit (classes and pupils per grade, per school and per municipality)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum

from apps.campaigns.models import Campaign, CampaignGrade
from apps.campaigns.selectors import campaign_chosen
from apps.campaigns.selectors import campaign_list as campaigns_of
from apps.classes.actions import ClassActions as A
from apps.classes.models import ClassWork, SchoolClass
from apps.classes.selectors import class_works_of_school, classes_of_school, school_get
from apps.registration.access import Actor
from apps.registration.models import Municipality, School


def campaign_for_page(*, actor: Actor, campaign_id: int | None) -> Campaign | None:
    """The campaign a page asks for (``?campaign=``), else the current one."""
    return campaign_chosen(actor=actor, campaign_id=campaign_id)


def campaign_list(*, actor: Actor) -> QuerySet[Campaign]:
    """The campaigns a page lets the actor pick."""
    return campaigns_of(actor=actor)


def grades_of(campaign: Campaign) -> list[int]:
    """The grades taking part in the campaign, in order."""
    return list(
        CampaignGrade.objects.filter(  # unscoped: national reference data of the campaign
            campaign=campaign
        )
        .order_by("grade")
        .values_list("grade", flat=True)
    )


@dataclass
class ClassRow:
    school_class: SchoolClass
    works: list[ClassWork] = field(default_factory=list)


@dataclass
class Register:
    school: School
    campaign: Campaign | None
    grades: list[int]
    rows: list[ClassRow]

    @property
    def pupils(self) -> int:
        return sum(r.school_class.pupils for r in self.rows)

    @property
    def pupils_ovz(self) -> int:
        return sum(r.school_class.pupils_ovz for r in self.rows)


def school_register(*, actor: Actor, school_id: int, campaign_id: int | None) -> Register:
    """A school's active classes of the campaign with the works the actor may see of each
    (assigned ones once ``assignment_visible``). ``School.DoesNotExist`` out of scope."""
    school = school_get(actor=actor, school_id=school_id)
    campaign = campaign_for_page(actor=actor, campaign_id=campaign_id)
    if campaign is None:
        return Register(school, None, [], [])
    rows = {
        c.pk: ClassRow(c)
        for c in classes_of_school(actor=actor, school_id=school.pk, campaign_id=campaign.pk)
    }
    for work in class_works_of_school(actor=actor, school_id=school.pk, campaign_id=campaign.pk):
        row = rows.get(work.school_class_id)
        if row is not None:
            row.works.append(work)
    return Register(school, campaign, grades_of(campaign), list(rows.values()))


def class_get(*, actor: Actor, class_id: int, action: str = A.VIEW_CLASSES) -> SchoolClass:
    """An active class the actor may see (``DoesNotExist`` → 404 otherwise)."""
    found: SchoolClass = (
        SchoolClass.objects.for_actor(actor, action)
        .select_related("campaign", "school")
        .get(pk=class_id, is_active=True)
    )
    return found


# --- the summary of a unit ----------------------------------------------------------------------


@dataclass
class Cell:
    classes: int = 0
    pupils: int = 0
    pupils_ovz: int = 0

    def add(self, other: Cell) -> None:
        self.classes += other.classes
        self.pupils += other.pupils
        self.pupils_ovz += other.pupils_ovz


@dataclass
class SummaryRow:
    """One school or municipality: a cell per grade and the total."""

    id: int
    name: str
    municipality: str
    cells: dict[int, Cell]
    total: Cell
    cells_list: list[Cell] = field(default_factory=list)  # by the campaign's grades, in order

    def by_grade(self, grades: list[int]) -> list[Cell]:
        return [self.cells.get(g, Cell()) for g in grades]


@dataclass
class Summary:
    campaign: Campaign | None
    grades: list[int]
    schools: list[SummaryRow]
    municipalities: list[SummaryRow]
    total: Cell
    show_municipalities: bool


def register_summary(*, actor: Actor, campaign_id: int | None) -> Summary:
    """Per school of the actor's unit (and per municipality above the municipal level) the
    active classes, pupils and pupils with ОВЗ per grade of the campaign."""
    campaign = campaign_for_page(actor=actor, campaign_id=campaign_id)
    above_municipality = actor.scope.municipality_id is None
    if campaign is None:
        return Summary(None, [], [], [], Cell(), above_municipality)
    grades = grades_of(campaign)
    counts = (
        SchoolClass.objects.for_actor(actor, A.VIEW_CLASSES)
        .filter(campaign=campaign, is_active=True)
        .values("school_id", "grade")
        .annotate(classes=Count("pk"), pupils=Sum("pupils"), ovz=Sum("pupils_ovz"))
        .order_by()
    )
    per_school: dict[int, dict[int, Cell]] = defaultdict(dict)
    for c in counts:
        per_school[c["school_id"]][c["grade"]] = Cell(c["classes"], c["pupils"], c["ovz"])
    schools = (
        School.objects.for_actor(actor, A.VIEW_CLASSES)
        .select_related("municipality")
        .order_by("municipality__name", "short_name")
    )
    school_rows: list[SummaryRow] = []
    muni_cells: dict[int, dict[int, Cell]] = defaultdict(lambda: defaultdict(Cell))
    total = Cell()
    for school in schools:
        cells = per_school.get(school.pk, {})
        row_total = Cell()
        for grade, cell in cells.items():
            row_total.add(cell)
            muni_cells[school.municipality_id][grade].add(cell)
        total.add(row_total)
        school_rows.append(
            SummaryRow(school.pk, school.short_name, school.municipality.name, cells, row_total)
        )
    muni_rows: list[SummaryRow] = []
    if above_municipality:
        for muni in (
            Municipality.objects.for_actor(actor, A.VIEW_CLASSES)
            .select_related("region")
            .order_by("region__name", "name")
        ):
            cells = dict(muni_cells.get(muni.pk, {}))
            muni_total = Cell()
            for cell in cells.values():
                muni_total.add(cell)
            muni_rows.append(SummaryRow(muni.pk, muni.name, muni.region.name, cells, muni_total))
    for row in (*school_rows, *muni_rows):
        row.cells_list = row.by_grade(grades)
    return Summary(campaign, grades, school_rows, muni_rows, total, above_municipality)
