"""Accounts down the hierarchy: create, replace, update, re-issue, disable; credentials files;
uploads of coordinator files (preview → apply); password change, TOTP and the login audit.

Decisions:

* A unit keeps its login (``reg66``, ``reg66_m001``, ``edu660101``). When a person is replaced,
  the old account is deactivated, loses its grant and, if it held the unit's login, is renamed
  ``<login>_old<N>``; the new person gets the unit's login and a new one-time password.
* One-time passwords exist in plaintext only inside a Fernet-encrypted credentials payload; the
  xlsx is built at its single download, which wipes the payload.
* Every write owns its transaction and records exactly one audit event per effect.
* A coordinator file goes through the import framework (``apps.core.imports``); its kinds are in
  ``accounts/imports.py`` (registered at start-up), the three steps here call the framework.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from guardian.shortcuts import assign_perm

from apps.core import crypto, instants
from apps.core.client_ip import Client
from apps.core.imports import (
    ApplyRequest,
    ImportKind,
    ImportOutcome,
    ImportStaleError,
    import_apply,
    import_apply_request,
    import_discard,
    import_kind_of,
    import_upload,
)
from apps.core.models import ImportBatch
from apps.core.scoping import Level, Scope
from apps.core.services import audit_record
from apps.registration import constants as c
from apps.registration import totp
from apps.registration.access import A, Actor, actor_for_user
from apps.registration.accounts.rules import (
    AccountFileKind,
    CredentialRow,
    PersonRow,
    credentials_xlsx,
)
from apps.registration.audit import AccountsAudit
from apps.registration.messages import (
    CredentialsGoneError,
    RegistrationError,
    RegistrationInvalidError,
)
from apps.registration.models import (
    CredentialsFile,
    Municipality,
    MunicipalityGrant,
    Region,
    RegionGrant,
    School,
    SchoolGrant,
    User,
)
from apps.registration.services_tokens import api_tokens_revoke

Unit = Region | Municipality | School

CREATED, REPLACED, UPDATED, UNCHANGED = "created", "replaced", "updated", "unchanged"
OUTCOME_LABELS = {
    CREATED: "будет создана учётная запись",
    REPLACED: "назначается другой человек: прежняя учётная запись будет отключена",
    UPDATED: "обновятся данные того же человека; пароль не изменится",
    UNCHANGED: "без изменений",
}
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # noqa: S105


@dataclass(frozen=True)
class Person:
    """The contact data of one account holder."""

    full_name: str
    position: str
    phone: str
    email: str

    @classmethod
    def of(cls, row: PersonRow | User) -> Person:
        return cls(full_name=row.full_name, position=row.position, phone=row.phone, email=row.email)


@dataclass
class AccountOutcome:
    """What one account write did; ``credentials`` is set when a password was issued."""

    outcome: str
    user: User | None
    credentials: CredentialsFile | None = None


# --- units and their accounts -----------------------------------------------------------------

_CODENAME: dict[type[Model], str] = {
    Region: c.PERM_REGION,
    Municipality: c.PERM_MUNICIPALITY,
    School: c.PERM_SCHOOL_ORGANIZER,
}
_GRANT_MODEL: dict[type[Model], type[Model]] = {
    Region: RegionGrant,
    Municipality: MunicipalityGrant,
    School: SchoolGrant,
}


def unit_login(unit: Unit) -> str:
    """The fixed login scheme: reg<region code>, the municipality code, the school code."""
    if isinstance(unit, Region):
        return f"reg{unit.code}"
    return unit.code


def unit_label(unit: Unit) -> str:
    name = unit.short_name if isinstance(unit, School) else unit.name
    return f"{unit.code} {name}"


def unit_scope(unit: Unit) -> Scope:
    if isinstance(unit, Region):
        return Scope(level=Level.REGION, anchor_id=unit.pk, region_id=unit.pk)
    if isinstance(unit, Municipality):
        return Scope(
            level=Level.MUNICIPALITY,
            anchor_id=unit.pk,
            region_id=unit.region_id,
            municipality_id=unit.pk,
        )
    return Scope(
        level=Level.SCHOOL,
        anchor_id=unit.pk,
        region_id=unit.region_id,
        municipality_id=unit.municipality_id,
        school_id=unit.pk,
    )


def holders(units: Sequence[Unit], codename: str | None = None) -> dict[int, User]:
    """The active account holding the coordinating grant of each unit (one query)."""
    if not units:
        return {}
    model = type(units[0])
    grant_model = _GRANT_MODEL[model]
    grants = (
        grant_model.objects.filter(  # type: ignore[attr-defined]
            content_object__in=[u.pk for u in units],
            permission__codename=codename or _CODENAME[model],
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
    )
    found: dict[int, User] = {}
    for g in grants:
        found.setdefault(g.content_object_id, g.user)
    return found


def generate_password() -> str:
    """A one-time password: three groups of four unambiguous letters and digits."""
    while True:
        raw = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
        if any(ch.isdigit() for ch in raw) and any(ch.isalpha() for ch in raw):
            return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def _free_old_login(base: str) -> str:
    taken = User.objects.filter(username__startswith=f"{base}_old").values_list(
        "username", flat=True
    )
    numbers = [
        int(m.group(1)) for u in taken if (m := re.fullmatch(rf"{re.escape(base)}_old(\d+)", u))
    ]
    return f"{base}_old{max(numbers, default=0) + 1}"


def _retire(user: User, *, unit: Unit, login: str) -> str:
    """Deactivate an account: no grant, no password, no token; free the unit's login."""
    old_name = user.username
    if user.username == login:
        user.username = _free_old_login(login)
    user.is_active = False
    user.must_change_password = False
    user.disabled_at = timezone.now()
    user.set_unusable_password()
    user.save(
        update_fields=["username", "is_active", "must_change_password", "disabled_at", "password"]
    )
    for grant_model in (RegionGrant, MunicipalityGrant, SchoolGrant):
        grant_model.objects.filter(user=user).delete()
    api_tokens_revoke(user=user)
    return old_name


def _create_account(*, unit: Unit, login: str, person: Person, codename: str) -> tuple[User, str]:
    if User.objects.filter(username=login).exists():
        raise RegistrationError("login_taken", login=login)
    password = generate_password()
    user = User(
        username=login,
        full_name=person.full_name,
        position=person.position,
        phone=person.phone,
        email=person.email,
        must_change_password=True,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    assign_perm(f"registration.{codename}", user, unit)
    return user, password


def school_account_create(
    *, school: School, login: str, person: Person, codename: str
) -> tuple[User, str]:
    """An account of ``school`` holding the grant ``codename`` (e.g. an expert's) with a
    one-time password, returned once and stored only hashed. The caller locks, audits and
    checks the actor's right; ``RegistrationError("login_taken")`` if the login is taken."""
    return _create_account(unit=school, login=login, person=person, codename=codename)


def school_account_retire(user: User, *, school: School) -> str:
    """Deactivate an account of ``school``: no grant, no password, no token; its login is
    renamed ``<login>_old<N>`` so that it can be issued again. Returns the old login."""
    return _retire(user, unit=school, login=user.username)


def _update_person(user: User, person: Person) -> None:
    user.full_name = person.full_name
    user.position = person.position
    user.phone = person.phone
    user.email = person.email
    user.save(update_fields=["full_name", "position", "phone", "email"])


def _norm(value: str) -> str:
    return " ".join(value.replace("ё", "е").replace("Ё", "Е").split()).casefold()


def plan_outcome(current: User | None, person: Person, *, replace: bool) -> str:
    """What writing ``person`` to a unit whose account is ``current`` means."""
    if current is None:
        return CREATED
    if replace and _norm(current.full_name) != _norm(person.full_name):
        return REPLACED
    return UNCHANGED if Person.of(current) == person else UPDATED


def credentials_issue(
    *, actor: Actor, title: str, rows: Sequence[CredentialRow], batch: Any = None
) -> CredentialsFile:
    """Store the one-time passwords encrypted, scoped to the issuer's own unit.

    Scoping by the issuer's unit (not the accounts' unit) keeps the file away from the people
    whose passwords it holds: a municipal coordinator never sees the file its regional
    coordinator downloads to hand it its password.
    """
    if actor.user is None:  # a credentials file always has its issuer
        raise PermissionDenied
    scope = actor.scope
    payload = json.dumps([r.__dict__ for r in rows], ensure_ascii=False).encode()
    cf = CredentialsFile.objects.create(
        issued_by=actor.user,
        title=title,
        logins=[r.login for r in rows],
        payload=crypto.encrypt(payload),
        expires_at=timezone.now() + settings.VPR_CREDENTIALS_TTL,
        batch=batch,
        region_id=scope.region_id,
        municipality_id=scope.municipality_id,
        school_id=scope.school_id,
    )
    # The issuer must be able to reach what it was just given (a scope check after the write).
    if (
        not CredentialsFile.objects.for_actor(actor, A.DOWNLOAD_CREDENTIALS)
        .filter(pk=cf.pk)
        .exists()
    ):
        raise PermissionDenied
    return cf


def account_write(
    *,
    actor: Actor,
    unit: Unit,
    person: Person,
    replace: bool,
    batch: ImportBatch | None = None,
    current: User | None = None,
    expected: str | None = None,
) -> tuple[str, User | None, CredentialRow | None]:
    """Create, replace or update the account of one unit; one audit event per effect.

    ``expected`` (the outcome a preview showed) refuses a unit that changed since as stale.
    """
    codename = _CODENAME[type(unit)]
    login = unit_login(unit)
    outcome = plan_outcome(current, person, replace=replace)
    if expected is not None and outcome != expected:
        raise ImportStaleError(what=unit.code)
    details: dict[str, Any] = {"unit": unit.code, "login": login}
    if batch is not None:
        details["batch"] = batch.pk
    if outcome == UNCHANGED:
        return outcome, current, None
    if outcome == UPDATED and current is not None:
        _update_person(current, person)
        audit_record(
            actor=actor,
            action=AccountsAudit.ACCOUNT_UPDATE,
            target=current,
            scope=unit_scope(unit),
            details=details,
        )
        return outcome, current, None
    if outcome == REPLACED and current is not None:
        details["old_login"] = _retire(current, unit=unit, login=login)
        details["old_user"] = current.pk
        details["old_login_now"] = current.username
    user, password = _create_account(unit=unit, login=login, person=person, codename=codename)
    audit_record(
        actor=actor,
        action=AccountsAudit.ACCOUNT_REPLACE
        if outcome == REPLACED
        else AccountsAudit.ACCOUNT_CREATE,
        target=user,
        scope=unit_scope(unit),
        details=details,
    )
    return outcome, user, CredentialRow(unit_label(unit), person.full_name, login, password)


# --- the regional coordinator (federal operator's form) ---------------------------------------


@transaction.atomic
def regional_coordinator_set(
    *,
    actor: Actor,
    region_id: int,
    person: Person,
    replace: bool,
) -> AccountOutcome:
    """Create, replace or update the coordinator of a region; issue credentials if created."""
    region = (
        Region.objects.for_actor(actor, A.MANAGE_REGIONAL_COORDINATOR)
        .select_for_update()
        .get(pk=region_id)
    )
    current = holders([region]).get(region.pk)
    outcome, user, cred = account_write(
        actor=actor, unit=region, person=person, replace=replace, current=current
    )
    credentials = None
    if cred is not None:
        credentials = credentials_issue(
            actor=actor,
            title=f"Региональный координатор {region.code} {region.name}",
            rows=[cred],
        )
    return AccountOutcome(outcome=outcome, user=user, credentials=credentials)


# --- re-issue ---------------------------------------------------------------------------------

_REISSUE_ACTION: dict[type[Model], str] = {
    Region: A.MANAGE_REGIONAL_COORDINATOR,
    Municipality: A.MANAGE_MUNICIPAL_COORDINATORS,
    School: A.MANAGE_SCHOOL_ORGANIZERS,
}


def password_reset(user: User) -> str:
    """A new one-time password for ``user`` (returned, never stored in plaintext): the old one,
    the open sessions, the TOTP setup and the API tokens stop working. The caller audits."""
    password = generate_password()
    user.set_password(password)  # also ends the holder's open sessions
    user.must_change_password = True
    user.totp_enabled = False
    user.totp_secret = ""
    user.totp_last_counter = None
    user.save(
        update_fields=[
            "password",
            "must_change_password",
            "totp_enabled",
            "totp_secret",
            "totp_last_counter",
        ]
    )
    api_tokens_revoke(user=user)  # a token outlives no password
    return password


def _reset_password(*, actor: Actor, unit: Unit, user: User) -> CredentialRow:
    password = password_reset(user)
    audit_record(
        actor=actor,
        action=AccountsAudit.ACCOUNT_REISSUE,
        target=user,
        scope=unit_scope(unit),
        details={"unit": unit.code, "login": user.username},
    )
    return CredentialRow(unit_label(unit), user.full_name, user.username, password)


@transaction.atomic
def account_reissue(
    *,
    actor: Actor,
    model: type[Region | Municipality | School],
    unit_id: int,
) -> CredentialsFile | None:
    """A new one-time password for a unit's account (the old one stops working).

    None (and nothing written) if the unit has no active account.
    """
    unit = (
        model.objects.for_actor(actor, _REISSUE_ACTION[model]).select_for_update().get(pk=unit_id)
    )
    user = holders([unit]).get(unit.pk)
    if user is None:
        return None
    row = _reset_password(actor=actor, unit=unit, user=user)
    return credentials_issue(actor=actor, title=f"Новый пароль: {unit_label(unit)}", rows=[row])


# --- uploads: preview → apply -----------------------------------------------------------------

_IMPORT_UNIT: dict[AccountFileKind, tuple[type[Model], str]] = {
    AccountFileKind.MUNICIPAL_COORDINATORS: (Region, A.MANAGE_MUNICIPAL_COORDINATORS),
    AccountFileKind.SCHOOL_ORGANIZERS: (Municipality, A.MANAGE_SCHOOL_ORGANIZERS),
}
ACCOUNT_IMPORT_KINDS = tuple(k.value for k in AccountFileKind)


def import_action(kind: AccountFileKind) -> str:
    """The action an upload of ``kind`` needs."""
    return _IMPORT_UNIT[kind][1]


def import_unit_get(
    *, actor: Actor, kind: AccountFileKind, unit_id: int, lock: bool = False
) -> Any:
    """The region (or municipality) a coordinator file is about, as the actor sees it."""
    model, action = _IMPORT_UNIT[kind]
    qs = model.objects.for_actor(actor, action)  # type: ignore[attr-defined]
    if lock:
        qs = qs.select_for_update()
    return qs.get(pk=unit_id)


def import_children(*, actor: Actor, kind: AccountFileKind, unit: Any) -> list[Any]:
    """The units a file may describe: a region's municipalities or a municipality's schools."""
    if kind is AccountFileKind.MUNICIPAL_COORDINATORS:
        return list(
            Municipality.objects.for_actor(actor, A.MANAGE_MUNICIPAL_COORDINATORS)
            .filter(region_id=unit.pk)
            .order_by("code")
        )
    return list(
        School.objects.for_actor(actor, A.MANAGE_SCHOOL_ORGANIZERS)
        .filter(municipality_id=unit.pk, status=c.SchoolStatus.ACTIVE)
        .order_by("code")
    )


def account_import_kind(code: str) -> ImportKind:
    """The import kind of a coordinator file's batch (``accounts/imports.py``, registered at
    start-up); a batch of another kind gets the first, whose refusal says it is not about
    accounts."""
    if code not in ACCOUNT_IMPORT_KINDS:
        code = AccountFileKind.MUNICIPAL_COORDINATORS.value
    return import_kind_of(code)


def _batch_kind(actor: Actor, batch_id: int) -> ImportKind:
    """The kind of an upload in the actor's scope (``DoesNotExist`` if out of scope)."""
    batch = ImportBatch.objects.for_actor(actor, A.IMPORT_ACCOUNTS).get(pk=batch_id)
    return account_import_kind(batch.kind)


def account_import_upload(
    *,
    actor: Actor,
    kind: AccountFileKind,
    unit_id: int,
    name: str,
    file: IO[bytes],
    size: int,
) -> ImportBatch:
    """Validate a coordinator file and store it with its preview. Raises ``UploadError``
    (audited; a file over the size limit is refused unread) and ``DoesNotExist`` for a unit out
    of scope."""
    return import_upload(
        account_import_kind(kind.value),
        actor=actor,
        name=name,
        file=file,
        size=size,
        unit_id=unit_id,
    )


def apply_message(credentials: CredentialsFile | None) -> str:
    """What the user reads once an upload is applied."""
    return "Изменения применены." + (
        " Скачайте файл с паролями: это можно сделать один раз." if credentials else ""
    )


def account_import_apply(*, actor: Actor, batch_id: int) -> ImportOutcome:
    """Apply a previewed upload now, in one transaction; applying it again changes nothing.

    The outcome's ``result`` is the credentials file of the new passwords (None if none). Pages
    and the API do not call this: they queue the apply (``account_import_apply_request``) and
    its job runs it (``registration.accounts_apply``).
    """
    return import_apply(_batch_kind(actor, batch_id), actor=actor, batch_id=batch_id)


def account_import_apply_request(*, actor: Actor, batch_id: int) -> ApplyRequest:
    """Check an upload can be applied and queue its apply job (one job per upload).

    Raises ``DoesNotExist`` (out of scope) and ``ImportStaleError`` before anything is queued;
    an upload already applied or discarded is refused with the reason (``refusal``).
    """
    return import_apply_request(_batch_kind(actor, batch_id), actor=actor, batch_id=batch_id)


def account_import_discard(*, actor: Actor, batch_id: int) -> ImportOutcome:
    """Drop a previewed upload; its stored file is deleted after commit."""
    return import_discard(_batch_kind(actor, batch_id), actor=actor, batch_id=batch_id)


# --- credentials download ---------------------------------------------------------------------


@transaction.atomic
def credentials_download(*, actor: Actor, credentials_id: int) -> tuple[str, bytes]:
    """The credentials xlsx, once, for its issuer only: the download wipes the encrypted payload.

    A coordinator above the issuer has the file's unit in scope, yet the passwords are the
    issuer's to hand over: for anybody else the file is as good as missing (404, like any object
    outside the download queryset), so it can neither be taken nor spoiled for the issuer.
    """
    cf = (
        CredentialsFile.objects.for_actor(actor, A.DOWNLOAD_CREDENTIALS)
        .filter(issued_by_id=actor.user.pk if actor.user is not None else None)
        .select_for_update()
        .get(pk=credentials_id)
    )
    if cf.downloaded_at is not None:
        by = cf.downloaded_by.username if cf.downloaded_by else "—"
        at = instants.format_instant(cf.downloaded_at, actor.unit)
        raise CredentialsGoneError("credentials_already_downloaded", at=at, by=by)
    now = timezone.now()
    # An empty payload that was never downloaded was purged at expiry (credentials_purge_expired).
    if cf.expires_at <= now or not cf.payload:
        raise CredentialsGoneError(
            "credentials_expired", at=instants.format_instant(cf.expires_at, actor.unit)
        )
    rows = [CredentialRow(**r) for r in json.loads(crypto.decrypt(cf.payload))]
    issued = instants.format_instant(cf.created_at, actor.unit)
    content = credentials_xlsx(title=f"{cf.title} (выдано {issued})", rows=rows)
    cf.payload = ""
    cf.downloaded_at = now
    cf.downloaded_by = actor.user
    cf.save(update_fields=["payload", "downloaded_at", "downloaded_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AccountsAudit.CREDENTIALS_DOWNLOAD,
        target=cf,
        scope=Scope.of_row(cf),
        details={"logins": cf.logins},
    )
    safe_title = re.sub(r"[^\w\s.-]", "", cf.title, flags=re.UNICODE).strip()[:80]
    return f"Пароли {safe_title} {now:%Y-%m-%d}.xlsx", content


# --- technical specialists --------------------------------------------------------------------


def _school_for(actor: Actor, school_id: int) -> School:
    return (
        School.objects.for_actor(actor, A.MANAGE_SPECIALISTS).select_for_update().get(pk=school_id)
    )


def next_school_login(school: School, letter: str) -> str:
    """The next free login of a school's accounts of one kind: ``<school code>_<letter><n>``
    (``t`` technical specialists, ``e`` experts); retired ``…_old<N>`` logins keep their n."""
    prefix = f"{school.code}_{letter}"
    taken = User.objects.filter(username__startswith=prefix).values_list("username", flat=True)
    numbers = [int(m.group(1)) for u in taken if (m := re.fullmatch(rf"{prefix}(\d+)", u))]
    return f"{prefix}{max(numbers, default=0) + 1}"


@transaction.atomic
def specialist_add(*, actor: Actor, school_id: int, person: Person) -> AccountOutcome:
    """A technical specialist of the actor's school: login <school code>_t<n>, one-time password."""
    school = _school_for(actor, school_id)
    login = next_school_login(school, "t")
    user, password = _create_account(
        unit=school, login=login, person=person, codename=c.PERM_SCHOOL_TECH
    )
    audit_record(
        actor=actor,
        action=AccountsAudit.ACCOUNT_CREATE,
        target=user,
        scope=unit_scope(school),
        details={"unit": school.code, "login": login, "role": "school_tech"},
    )
    cf = credentials_issue(
        actor=actor,
        title=f"Технический специалист {login}",
        rows=[CredentialRow(unit_label(school), person.full_name, login, password)],
    )
    return AccountOutcome(outcome=CREATED, user=user, credentials=cf)


def _specialist(school: School, user_id: int) -> User | None:
    grant = (
        SchoolGrant.objects.filter(
            content_object=school,
            permission__codename=c.PERM_SCHOOL_TECH,
            user_id=user_id,
            user__is_active=True,
        )
        .select_related("user")
        .first()
    )
    return grant.user if grant is not None else None


@transaction.atomic
def specialist_disable(*, actor: Actor, school_id: int, user_id: int) -> User | None:
    """Remove a technical specialist: the account is disabled (its login is never reused).

    None (nothing written) if ``user_id`` is not an active specialist of the school.
    """
    school = _school_for(actor, school_id)
    user = _specialist(school, user_id)
    if user is None:
        return None
    _retire(user, unit=school, login="")
    audit_record(
        actor=actor,
        action=AccountsAudit.ACCOUNT_DISABLE,
        target=user,
        scope=unit_scope(school),
        details={"unit": school.code, "login": user.username},
    )
    return user


@transaction.atomic
def specialist_reissue(*, actor: Actor, school_id: int, user_id: int) -> CredentialsFile | None:
    """A new one-time password for a specialist of the school (None if it is not one)."""
    school = _school_for(actor, school_id)
    user = _specialist(school, user_id)
    if user is None:
        return None
    row = _reset_password(actor=actor, unit=school, user=user)
    return credentials_issue(actor=actor, title=f"Новый пароль: {user.username}", rows=[row])


# --- own account: password, TOTP, login audit -------------------------------------------------


def _self_actor(user: User, client: Client | None) -> Actor:
    return actor_for_user(user).with_client(client)


@transaction.atomic
def password_change(*, user: User, new_password: str, client: Client | None = None) -> User:
    """Set the user's own password (validated by the caller's form) and lift the forced change.

    Ends the user's API tokens, as the password change ends its other browser sessions.
    """
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    api_tokens_revoke(user=user)
    audit_record(
        actor=_self_actor(user, client), action=AccountsAudit.AUTH_PASSWORD_CHANGE, target=user
    )
    return user


@transaction.atomic
def totp_begin(*, user: User) -> str:
    """A new, not yet active TOTP secret for the user (stored encrypted); returns it.

    Starting over turns an active second factor off until the new one is confirmed: that is a
    factor change, so the user's API tokens are revoked then.
    """
    if user.totp_enabled:
        api_tokens_revoke(user=user)
    secret = totp.generate_secret()
    user.totp_secret = crypto.encrypt(secret.encode())
    user.totp_enabled = False
    user.totp_last_counter = None
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_counter"])
    return secret


def totp_secret(user: User) -> str:
    return crypto.decrypt(user.totp_secret).decode() if user.totp_secret else ""


def _totp_accept(user: User, code: str) -> bool:
    secret = totp_secret(user)
    if not secret:
        return False
    counter = totp.verify(secret, code, at=timezone.now(), last_counter=user.totp_last_counter)
    if counter is None:
        return False
    user.totp_last_counter = counter
    return True


@transaction.atomic
def totp_confirm(*, user: User, code: str, client: Client | None = None) -> User:
    """Turn two-factor login on once the user proves its app shows the right code."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.totp_secret or user.totp_enabled:
        raise RegistrationError("totp_not_started")
    if not _totp_accept(user, code):
        raise RegistrationInvalidError("totp_bad_code")
    user.totp_enabled = True
    user.save(update_fields=["totp_enabled", "totp_last_counter"])
    # Tokens issued on the password alone must not outlive the second factor.
    api_tokens_revoke(user=user)
    audit_record(
        actor=_self_actor(user, client), action=AccountsAudit.AUTH_TOTP_ENABLE, target=user
    )
    return user


@transaction.atomic
def totp_disable(*, user: User, code: str, client: Client | None = None) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.totp_enabled or not _totp_accept(user, code):
        raise RegistrationInvalidError("totp_bad_code")
    user.totp_enabled = False
    user.totp_secret = ""
    user.totp_last_counter = None
    user.save(update_fields=["totp_enabled", "totp_secret", "totp_last_counter"])
    api_tokens_revoke(user=user)
    audit_record(
        actor=_self_actor(user, client), action=AccountsAudit.AUTH_TOTP_DISABLE, target=user
    )
    return user


@transaction.atomic
def totp_login_check(*, user_id: int, code: str, client: Client | None = None) -> User | None:
    """The second login step: the user if ``code`` is valid (and unused), else None (audited)."""
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None or not user.totp_enabled:
        return None
    if _totp_accept(user, code):
        user.save(update_fields=["totp_last_counter"])
        return user
    login_failed_record(username=user.username, reason="totp", client=client)
    return None


def login_record(*, user: User, client: Client | None = None) -> None:
    """Audit a successful login (called by the user_logged_in signal)."""
    audit_record(actor=_self_actor(user, client), action=AccountsAudit.AUTH_LOGIN, target=user)


def login_failed_record(*, username: str, reason: str, client: Client | None = None) -> None:
    """Audit a failed login: the attempted login only, never the password."""
    who = Actor(
        user=None,
        role=None,
        scope=Scope(level=Level.FEDERAL),
        reason=username[:150],
        client=client,
    )
    audit_record(actor=who, action=AccountsAudit.AUTH_LOGIN_FAILED, details={"reason": reason})


# --- expiry purge ----------------------------------------------------------------------------


def credentials_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Wipe the encrypted payload of every credentials file past its ``expires_at`` that was never
    downloaded, so no password, even encrypted, outlives its file. Idempotent: a second run finds
    nothing. One audit event per file, in the file's own scope. Returns the number wiped."""
    moment = now or timezone.now()
    actor = Actor.system(reason="credentials expiry")
    wiped = 0
    with transaction.atomic():
        expired = (
            CredentialsFile.objects.for_actor(actor, A.EXPIRE_CREDENTIALS)
            .select_for_update(skip_locked=True)
            .filter(expires_at__lte=moment, downloaded_at__isnull=True)
            .exclude(payload="")
            .order_by("pk")
        )
        for cf in expired:
            cf.payload = ""
            cf.save(update_fields=["payload", "updated_at"])
            audit_record(
                actor=actor,
                action=AccountsAudit.CREDENTIALS_EXPIRE,
                target=cf,
                scope=Scope.of_row(cf),
                details={"logins": cf.logins},
            )
            wiped += 1
    return wiped
