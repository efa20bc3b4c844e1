"""Experts' own accounts: the school organizer gives an expert of the day a login to the portal,
a new one-time password, or takes the access back.

Decisions:

* The login follows the school's other accounts: ``edu660101_e<n>``, the next free number (as
  technical specialists get ``_t<n>``); the
  account holds the school grant ``check_school`` (role «эксперт»: a personal scope that sees
  only the codes given to it) and is linked from ``Person.user``.
* The one-time password exists in plaintext only in the return value of the service: the page
  shows it once, the API returns it once; it is never stored, logged or audited.
* Revoking deactivates the account (no grant, no password, no token), renames its login
  ``<login>_old<N>`` so the person can be given access again, and unlinks it from the person.
  Removing an expert from the people of the day (or changing its duty) revokes its access too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from apps.core.services import audit_record
from apps.registration import constants as c
from apps.registration.access import Actor
from apps.registration.accounts import services as accounts
from apps.registration.messages import RegistrationError
from apps.registration.models import School, User
from apps.registration.services import school_unit_scope
from apps.schoolday.actions import SchoolDayActions as A
from apps.schoolday.audit import SchoolDayAudit
from apps.schoolday.messages import SchoolDayError
from apps.schoolday.models import Person

EXPERT_POSITION = "Эксперт по проверке работ"


@dataclass(frozen=True)
class IssuedAccount:
    """An expert's login and its one-time password: show it once, never keep it."""

    person: Person
    user: User
    login: str
    password: str


def expert_login(school: School) -> str:
    """An expert's new login: the school code, «_e», the next free number."""
    return accounts.next_school_login(school, "e")


def _expert_locked(actor: Actor, person_id: int) -> tuple[Person, School]:
    """The active expert person and its school, locked (one account write at a time)."""
    person: Person = (
        Person.objects.for_actor(actor, A.ISSUE_EXPERT_ACCOUNTS)
        .select_for_update()
        .get(pk=person_id, is_active=True)
    )
    school: School = (
        School.objects.for_actor(actor, A.ISSUE_EXPERT_ACCOUNTS)
        .select_for_update()
        .get(pk=person.school_id)
    )
    if person.duty != Person.Duty.EXPERT:
        raise SchoolDayError("expert_account_not_expert", name=person.full_name)
    return person, school


def _active_user(person: Person) -> User | None:
    user = person.user
    return user if user is not None and user.is_active else None


def _audit(
    actor: Actor, action: SchoolDayAudit, person: Person, school: School, login: str
) -> None:
    # The password never goes to the log; the person's name neither (the target points at it).
    audit_record(
        actor=actor,
        action=action,
        target=person,
        scope=school_unit_scope(school),
        details={"person_id": person.pk, "login": login, "school": school.code},
    )


@transaction.atomic
def expert_account_issue(*, actor: Actor, person_id: int) -> IssuedAccount:
    """Give an expert of the day its own login and a one-time password.

    Raises ``Person.DoesNotExist`` (out of scope or removed), ``SchoolDayError`` (not an expert;
    it already has access; the login is taken)."""
    person, school = _expert_locked(actor, person_id)
    current = _active_user(person)
    if current is not None:
        raise SchoolDayError("expert_account_exists", name=person.full_name, login=current.username)
    login = expert_login(school)
    holder = accounts.Person(
        full_name=person.full_name, position=EXPERT_POSITION, phone="", email=""
    )
    try:
        user, password = accounts.school_account_create(
            school=school, login=login, person=holder, codename=c.PERM_SCHOOL_EXPERT
        )
    except RegistrationError as exc:
        raise SchoolDayError("expert_account_login_taken", login=login) from exc
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    _audit(
        actor=actor,
        action=SchoolDayAudit.EXPERT_ACCOUNT_ISSUE,
        person=person,
        school=school,
        login=login,
    )
    return IssuedAccount(person, user, login, password)


@transaction.atomic
def expert_account_reissue(*, actor: Actor, person_id: int) -> IssuedAccount:
    """A new one-time password for an expert's account (the old one, its sessions and tokens
    stop working). ``SchoolDayError`` if the expert has no access yet."""
    person, school = _expert_locked(actor, person_id)
    user = _active_user(person)
    if user is None:
        raise SchoolDayError("expert_account_missing", name=person.full_name)
    password = accounts.password_reset(user)
    _audit(
        actor=actor,
        action=SchoolDayAudit.EXPERT_ACCOUNT_REISSUE,
        person=person,
        school=school,
        login=user.username,
    )
    return IssuedAccount(person, user, user.username, password)


def expert_account_end(*, actor: Actor, person: Person, school: School) -> str | None:
    """Take the access of ``person`` back inside the caller's transaction (the people services
    call it when an expert is removed or changes its duty). The old login, or None if the
    person had no account."""
    user = person.user
    if user is None:
        return None
    login = user.username
    if user.is_active:
        accounts.school_account_retire(user, school=school)
    person.user = None
    person.save(update_fields=["user", "updated_at"])
    _audit(
        actor=actor,
        action=SchoolDayAudit.EXPERT_ACCOUNT_REVOKE,
        person=person,
        school=school,
        login=login,
    )
    return login


@transaction.atomic
def expert_account_revoke(*, actor: Actor, person_id: int) -> Person:
    """Take an expert's access back: the account is deactivated and unlinked (its scores and
    the record of who checked stay). ``SchoolDayError`` if the expert has no access."""
    person, school = _expert_locked(actor, person_id)
    if person.user is None:
        raise SchoolDayError("expert_account_missing", name=person.full_name)
    expert_account_end(actor=actor, person=person, school=school)
    return person
