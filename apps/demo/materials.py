"""Demo materials: banks for the finished and the current campaign, the demo school's confirmed
application in the current campaign, its kits, codes and archive builds.

The application goes through the applications services as the coordinators would handle it
after the deadline: the municipal coordinator fills in and confirms the school's lines, the
regional coordinator confirms (decision rows and audit rows name the demo accounts). Where the
application follows the school's class register, the municipal coordinator confirms every class
work instead and the lines per work are derived from the classes. Kits are
composed for the works whose day is yesterday or tomorrow (``apps.demo.campaigns``), so the
materials page shows a plain archive with criteria and form released, a plain archive before its
day, and an encrypted 8th-grade archive whose password opens tomorrow at 07:30 school-local.
Idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.applications import services as app_services
from apps.applications.models import Application, Source, Status
from apps.applications.rules import RawLine
from apps.campaigns.models import Campaign, Work
from apps.classes.actions import ClassActions
from apps.classes.models import SchoolClass
from apps.classes.selectors import class_works_of_school
from apps.demo.banks import load_demo_bank, work_demo_rows
from apps.demo.campaigns import DEMO_SCHOOL, TOMORROW_WORKS, YESTERDAY_WORKS
from apps.demo.country import DEMO_ACCOUNTS
from apps.materials.models import BankItem
from apps.materials.services import kit_build_request, kits_generate
from apps.registration.access import A, Actor, actor_for_user
from apps.registration.constants import Role
from apps.registration.models import School, User

# (subject, grade) → participants and classes of the demo school's application lines
DEMO_LINES: dict[tuple[str, int], tuple[int, int]] = {
    ("russian", 4): (48, 2),
    ("math", 4): (48, 2),
    ("world", 4): (47, 2),
    ("russian", 8): (51, 2),
}
# Kits for the works the school writes yesterday and tomorrow (each kit renders PDFs when its
# archive is built, so the seed stays fast by building only these).
KIT_WORKS = frozenset((*YESTERDAY_WORKS, *TOMORROW_WORKS))


@dataclass(frozen=True)
class DemoMaterials:
    banks_loaded: int  # works whose bank changed on this run
    application: str  # the demo application's status label ("" when there is no demo school)
    kits_created: int
    builds_queued: int


def _system() -> Actor:
    return Actor.system(reason="seed_demo")


def _bank_works(campaigns: list[Campaign]) -> list[Work]:
    """Every work with task columns of the given campaigns (global reference data)."""
    return list(
        Work.objects.for_actor(_system(), A.MANAGE_BANK)
        .filter(campaign__in=campaigns, columns__isnull=False)
        .distinct()
        .select_related("campaign", "subject")
        .order_by("campaign__year", "campaign__session", "subject__code", "grade")
    )


def _bank_is_current(work: Work) -> bool:
    """Whether the work's current bank already is its demo bank (a rerun skips the import)."""
    current = BankItem.objects.for_actor(_system(), A.MANAGE_BANK).filter(
        work=work, until_revision__isnull=True
    )
    stored = set(
        current.values_list("code", "column__label", "text", "answer", "difficulty", "topic")
    )
    wanted = {(r.code, *r.content()) for r in work_demo_rows(work)}
    return stored == wanted


def _actor(username: str) -> Actor | None:
    user = User.objects.filter(username=username, is_active=True).first()
    return actor_for_user(user) if user is not None else None


def _by_class_save(actor: Actor, app: Application) -> bool:
    """For an application that follows the class register (docs/classes.md): confirm every
    class work of the school (its pupils, one absent in a class of more than ten; the form as
    stored) and let the lines per work be derived. False when the application keeps its lines
    per work (no register, or an applications app without the by-class procedure)."""
    save = getattr(app_services, "application_class_lines_save", None)
    if (
        save is None
        or not SchoolClass.objects.for_actor(actor, ClassActions.VIEW_CLASSES)
        .filter(school_id=app.school_id, campaign_id=app.campaign_id, is_active=True)
        .exists()
    ):
        return False
    from apps.classes.participation import ParticipationInput

    class_works = class_works_of_school(
        actor=actor, school_id=app.school_id, campaign_id=app.campaign_id
    )
    rows = [
        ParticipationInput(
            class_work_id=cw.pk,
            participants=cw.school_class.pupils - (cw.school_class.pupils > 10),
        )
        for cw in class_works
    ]
    save(actor=actor, application_id=app.pk, lines=rows, source=Source.BROWSER)
    return True


def _demo_application(campaign: Campaign, school: School) -> tuple[Application | None, list[Work]]:
    """The demo school's application for the current campaign, confirmed by its municipality
    and its region (made if missing)."""
    logins = dict(DEMO_ACCOUNTS)
    municipal, regional = _actor(logins[Role.MUNICIPAL]), _actor(logins[Role.REGIONAL])
    if municipal is None or regional is None:
        return None, []
    works = {
        (w.subject.code, w.grade): w for w in campaign.works.select_related("subject", "campaign")
    }
    chosen = [works[key] for key in DEMO_LINES if key in works]
    app = app_services.application_open(
        actor=municipal, school_id=school.pk, campaign_id=campaign.pk
    )
    if app.status in (Status.DRAFT, Status.SUBMITTED) and _by_class_save(municipal, app):
        app_services.application_confirm(
            actor=municipal, application_id=app.pk, source=Source.BROWSER
        )
        app.refresh_from_db()
    elif app.status in (Status.DRAFT, Status.SUBMITTED):
        lines = {
            works[key].pk: RawLine(takes_part="да", participants=n, classes=c)
            for key, (n, c) in DEMO_LINES.items()
            if key in works
        }
        app_services.application_lines_save(
            actor=municipal, application_id=app.pk, lines=lines, source=Source.BROWSER
        )
        app_services.application_confirm(
            actor=municipal, application_id=app.pk, source=Source.BROWSER
        )
        app.refresh_from_db()
    if app.status == Status.CONFIRMED_MUNICIPALITY:
        app_services.application_confirm(
            actor=regional, application_id=app.pk, source=Source.BROWSER
        )
        app.refresh_from_db()
    return app, chosen


def demo_materials_seed(
    *, finished: Campaign, current: Campaign, school_code: str = DEMO_SCHOOL
) -> DemoMaterials:
    """Demo banks, the demo school's confirmed application, its kits and codes. Idempotent."""
    system = _system()
    bank_works = _bank_works([finished, current])
    loaded = 0
    for work in bank_works:
        if not _bank_is_current(work):
            loaded += load_demo_bank(actor=system, work=work).changed_anything
    school = School.objects.for_actor(system, A.VIEW_SCHOOL).filter(code=school_code).first()
    if school is None:
        return DemoMaterials(banks_loaded=loaded, application="", kits_created=0, builds_queued=0)
    app, applied = _demo_application(current, school)
    created = queued = 0
    if app is not None:
        with_bank = {w.pk for w in bank_works}
        for work in applied:
            if work.pk in with_bank and (work.subject.code, work.grade) in KIT_WORKS:
                created += kits_generate(actor=system, work_id=work.pk, school_id=school.pk).created
                # Queue the archive build (a finished build is left alone; without a broker
                # Celery runs it eagerly when the seed's transaction commits).
                queued += kit_build_request(actor=system, work_id=work.pk, school_id=school.pk)
    label = app.get_status_display() if app is not None else ""
    return DemoMaterials(
        banks_loaded=loaded, application=label, kits_created=created, builds_queued=queued
    )
