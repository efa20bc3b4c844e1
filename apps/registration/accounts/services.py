"""Accounts down the hierarchy: create, replace, update, re-issue, disable; credentials files;
uploads of coordinator files (preview → apply); password change, TOTP and the login audit.

Decisions:

* A unit keeps its login (``reg66``, ``reg66_m001``, ``edu660101``). When a person is replaced,
  the old account is deactivated, loses its grant and, if it held the unit's login, is renamed
  ``<login>_old<N>``; the new person gets the unit's login and a new one-time password.
* One-time passwords exist in plaintext only inside a Fernet-encrypted credentials payload; the
  xlsx is built at its single download, which wipes the payload.
* Every write owns its transaction and records exactly one audit event per effect.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from apps.core import crypto, instants
from apps.core.errors import DomainError
from apps.core.jobs import job_send
from apps.core.models import ImportBatch, Job
from apps.core.scoping import Level, Scope
from apps.core.services import audit_record, job_claim, job_fail, job_mark_done
from apps.core.uploads import MAX_UPLOAD_BYTES, UploadError, file_error
from apps.registration import constants as c
from apps.registration import totp
from apps.registration.access import A, Actor, actor_for_user
from apps.registration.accounts.rules import (
    AccountFileKind,
    CredentialRow,
    PersonRow,
    credentials_xlsx,
    parse_account_file,
)
from apps.registration.constants import ACCOUNTS_APPLY
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

logger = logging.getLogger(__name__)

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


@dataclass
class ApplyResult:
    """What an apply (or discard) did; ``done`` is False when it left the batch alone."""

    batch: ImportBatch
    credentials: CredentialsFile | None = None
    counts: dict[str, int] = field(default_factory=dict)
    done: bool = True
    message: str = ""


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


def _credentials_issue(
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


def _write_person(
    *,
    actor: Actor,
    unit: Unit,
    person: Person,
    replace: bool,
    request: HttpRequest | None,
    batch: ImportBatch | None = None,
    current: User | None = None,
    expected: str | None = None,
) -> tuple[str, User | None, CredentialRow | None]:
    """Create, replace or update the account of one unit; one audit event per effect."""
    codename = _CODENAME[type(unit)]
    login = unit_login(unit)
    outcome = plan_outcome(current, person, replace=replace)
    if expected is not None and outcome != expected:
        raise RegistrationError("import_stale", row="—", unit=unit.code)
    details: dict[str, Any] = {"unit": unit.code, "login": login}
    if batch is not None:
        details["batch"] = batch.pk
    if outcome == UNCHANGED:
        return outcome, current, None
    if outcome == UPDATED and current is not None:
        _update_person(current, person)
        audit_record(
            actor=actor,
            action="account.update",
            target=current,
            scope=unit_scope(unit),
            request=request,
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
        action="account.replace" if outcome == REPLACED else "account.create",
        target=user,
        scope=unit_scope(unit),
        request=request,
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
    request: HttpRequest | None = None,
) -> AccountOutcome:
    """Create, replace or update the coordinator of a region; issue credentials if created."""
    region = (
        Region.objects.for_actor(actor, A.MANAGE_REGIONAL_COORDINATOR)
        .select_for_update()
        .get(pk=region_id)
    )
    current = holders([region]).get(region.pk)
    outcome, user, cred = _write_person(
        actor=actor, unit=region, person=person, replace=replace, request=request, current=current
    )
    credentials = None
    if cred is not None:
        credentials = _credentials_issue(
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


def _reset_password(
    *, actor: Actor, unit: Unit, user: User, request: HttpRequest | None
) -> CredentialRow:
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
    audit_record(
        actor=actor,
        action="account.reissue",
        target=user,
        scope=unit_scope(unit),
        request=request,
        details={"unit": unit.code, "login": user.username},
    )
    return CredentialRow(unit_label(unit), user.full_name, user.username, password)


@transaction.atomic
def account_reissue(
    *,
    actor: Actor,
    model: type[Region | Municipality | School],
    unit_id: int,
    request: HttpRequest | None = None,
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
    row = _reset_password(actor=actor, unit=unit, user=user, request=request)
    return _credentials_issue(actor=actor, title=f"Новый пароль: {unit_label(unit)}", rows=[row])


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


def _unit_code(kind: AccountFileKind, unit: Any) -> str:
    return unit_login(unit) if kind is AccountFileKind.MUNICIPAL_COORDINATORS else unit.code


def _people_as_written(children: Sequence[Any]) -> dict[str, tuple[str, str, str, str]]:
    """Each unit's current person as the template writes it: code → (name, position, phone,
    email)."""
    held = holders(children)
    return {
        u.code: (h.full_name, h.position, h.phone, h.email)
        for u in children
        if (h := held.get(u.pk)) is not None
    }


def _plan(rows: Iterable[PersonRow], children: Sequence[Any]) -> list[dict[str, Any]]:
    by_code = {u.code: u for u in children}
    rows = list(rows)
    current = holders([by_code[r.code] for r in rows])
    plan = []
    for r in rows:
        unit = by_code[r.code]
        cur = current.get(unit.pk)
        outcome = plan_outcome(cur, Person.of(r), replace=r.replace)
        plan.append(
            {
                "row": r.row,
                "code": r.code,
                "unit_name": unit_label(unit),
                "login": unit_login(unit),
                "outcome": outcome,
                "reason": OUTCOME_LABELS[outcome],
                "person": r.as_dict(),
                "current": None
                if cur is None
                else {"user_id": cur.pk, "login": cur.username, "full_name": cur.full_name},
            }
        )
    return plan


def _counts(plan: Sequence[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys((CREATED, REPLACED, UPDATED, UNCHANGED), 0)
    for p in plan:
        counts[p["outcome"]] += 1
    return counts


def account_import_reject_record(
    *,
    actor: Actor,
    kind: AccountFileKind,
    unit: Any,
    name: str,
    content_sha256: str,
    error_count: int,
    request: HttpRequest | None = None,
) -> None:
    """The audit row of a refused upload (nothing else is written)."""
    audit_record(
        actor=actor,
        action="accounts.upload_rejected",
        target=unit,
        scope=unit_scope(unit),
        request=request,
        details={
            "kind": kind.value,
            "file": name[:200],
            "sha256": content_sha256,
            "errors": error_count,
        },
    )


def account_import_upload(
    *,
    actor: Actor,
    kind: AccountFileKind,
    unit_id: int,
    name: str,
    file: IO[bytes],
    size: int,
    request: HttpRequest | None = None,
) -> ImportBatch:
    """Validate a coordinator file and store it with its preview. Raises UploadError (audited).

    A file over the size limit is refused before it is read.
    """
    unit = import_unit_get(actor=actor, kind=kind, unit_id=unit_id)
    children = import_children(actor=actor, kind=kind, unit=unit)
    content = file.read(MAX_UPLOAD_BYTES + 1) if size <= MAX_UPLOAD_BYTES else b""
    sha = hashlib.sha256(content).hexdigest() if content else ""
    try:
        if size > MAX_UPLOAD_BYTES or len(content) > MAX_UPLOAD_BYTES:
            raise file_error(
                f"Файл слишком большой ({max(size, len(content)) / 1024 / 1024:.1f} МБ); "
                f"допускается не более {MAX_UPLOAD_BYTES // 1024 // 1024} МБ."
            )
        rows = parse_account_file(
            content,
            kind=kind,
            unit_code=_unit_code(kind, unit),
            expected_codes=[u.code for u in children],
            current=_people_as_written(children),
        )
    except UploadError as exc:
        account_import_reject_record(
            actor=actor,
            kind=kind,
            unit=unit,
            name=name,
            content_sha256=sha,
            error_count=len(exc.errors),
            request=request,
        )
        raise
    plan = _plan(rows, children)
    if actor.user is None:  # an upload is always somebody's; the batch's actor is required
        raise PermissionDenied
    path = default_storage.save(f"imports/accounts/{uuid.uuid4().hex}.xlsx", ContentFile(content))
    scope = unit_scope(unit)
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                kind=kind.value,
                actor=actor.user,
                status=ImportBatch.Status.PREVIEW,
                original_name=name[:255],
                file=path,
                file_sha256=sha,
                preview={
                    "unit": {"id": unit.pk, "code": unit.code, "label": unit_label(unit)},
                    "rows": plan,
                    "counts": _counts(plan),
                },
                region_id=scope.region_id,
                municipality_id=scope.municipality_id,
                school_id=scope.school_id,
            )
            audit_record(
                actor=actor,
                action="accounts.upload",
                target=batch,
                scope=scope,
                request=request,
                details={"kind": kind.value, "file": name[:200], "sha256": sha, **_counts(plan)},
            )
    except Exception:
        default_storage.delete(path)
        raise
    return batch


def _batch_for(actor: Actor, batch_id: int) -> ImportBatch:
    return (
        ImportBatch.objects.for_actor(actor, A.IMPORT_ACCOUNTS).select_for_update().get(pk=batch_id)
    )


def _not_applicable(batch: ImportBatch, actor: Actor) -> str:
    """Why a batch cannot be applied or discarded now ('' if it can)."""
    if batch.kind not in ACCOUNT_IMPORT_KINDS:
        return "Эта загрузка не относится к учётным записям; здесь её применить нельзя."
    if batch.status == ImportBatch.Status.APPLIED:
        when = instants.format_instant(batch.applied_at, actor.unit)
        return f"Файл уже применён {when}; повторное применение ничего не меняет."
    if batch.status != ImportBatch.Status.PREVIEW:
        return f"Загрузка {batch.get_status_display()}; применить её нельзя. Загрузите файл заново."
    return ""


@dataclass
class _ApplyPlan:
    """A batch re-planned under row locks against the current accounts."""

    kind: AccountFileKind
    unit: Any
    rows: list[PersonRow]
    locked: dict[str, Any]
    fresh: list[dict[str, Any]]


def _apply_plan(actor: Actor, batch: ImportBatch) -> _ApplyPlan:
    """Lock the units a batch writes to and re-plan it; ``import_stale`` if it changed."""
    kind = AccountFileKind(batch.kind)
    unit = import_unit_get(actor=actor, kind=kind, unit_id=batch.preview["unit"]["id"], lock=True)
    children = import_children(actor=actor, kind=kind, unit=unit)
    rows = [PersonRow.from_dict(p["person"]) for p in batch.preview["rows"]]
    known = {u.code for u in children}
    for p in batch.preview["rows"]:
        if p["code"] not in known:
            raise RegistrationError("import_stale", row=p["row"], unit=p["code"])
    # Lock the units written to, then re-plan against the current state (re-validation).
    model, action = (
        (Municipality, A.MANAGE_MUNICIPAL_COORDINATORS)
        if kind is AccountFileKind.MUNICIPAL_COORDINATORS
        else (School, A.MANAGE_SCHOOL_ORGANIZERS)
    )
    wanted = {r.code for r in rows}
    locked = {
        u.code: u
        for u in model.objects.for_actor(actor, action)
        .select_for_update()
        .filter(pk__in=[u.pk for u in children if u.code in wanted])
    }
    fresh = _plan(rows, [locked[r.code] for r in rows])
    for old, new in zip(batch.preview["rows"], fresh, strict=True):
        if old["outcome"] != new["outcome"] or old["current"] != new["current"]:
            raise RegistrationError("import_stale", row=old["row"], unit=old["code"])
    return _ApplyPlan(kind=kind, unit=unit, rows=rows, locked=locked, fresh=fresh)


def apply_message(credentials: CredentialsFile | None) -> str:
    """What the user reads once an upload is applied."""
    return "Изменения применены." + (
        " Скачайте файл с паролями: это можно сделать один раз." if credentials else ""
    )


@transaction.atomic
def account_import_apply(
    *, actor: Actor, batch_id: int, request: HttpRequest | None = None
) -> ApplyResult:
    """Apply a previewed upload in one transaction; applying it again changes nothing.

    The rows are re-planned under row locks against the current accounts; if anything differs
    from the preview the whole apply is refused (``RegistrationError`` ``import_stale``).
    Pages and the API do not call this directly: they queue it (``account_import_apply_request``)
    and the job runs it (``account_import_apply_run``).
    """
    batch = _batch_for(actor, batch_id)
    refusal = _not_applicable(batch, actor)
    if refusal:
        existing = (
            CredentialsFile.objects.for_actor(actor, A.DOWNLOAD_CREDENTIALS)
            .filter(batch=batch)
            .first()
        )
        return ApplyResult(batch=batch, credentials=existing, done=False, message=refusal)
    plan = _apply_plan(actor, batch)
    current = holders([plan.locked[r.code] for r in plan.rows])
    creds: list[CredentialRow] = []
    for r, p in zip(plan.rows, plan.fresh, strict=True):
        target = plan.locked[r.code]
        _, _, cred = _write_person(
            actor=actor,
            unit=target,
            person=Person.of(r),
            replace=r.replace,
            request=request,
            batch=batch,
            current=current.get(target.pk),
            expected=p["outcome"],
        )
        if cred is not None:
            creds.append(cred)
    credentials = None
    if creds:
        credentials = _credentials_issue(
            actor=actor,
            title=f"{plan.kind.label}: {unit_label(plan.unit)}",
            rows=creds,
            batch=batch,
        )
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_at = timezone.now()
    batch.save(update_fields=["status", "applied_at", "updated_at"])
    counts = _counts(plan.fresh)
    audit_record(
        actor=actor,
        action="accounts.apply",
        target=batch,
        scope=unit_scope(plan.unit),
        request=request,
        details={"kind": plan.kind.value, **counts},
    )
    return ApplyResult(
        batch=batch, credentials=credentials, counts=counts, message=apply_message(credentials)
    )


# --- apply in the background ------------------------------------------------------------------
#
# Each new account hashes a password (argon2, tens of ms), so a file of a region's schools takes
# minutes: the apply runs as a Job keyed by the batch, so a double click or a redelivered message
# applies once. The job stores ids and the client's address only; passwords exist in plaintext
# solely inside the encrypted credentials payload, as with a synchronous apply.

APPLY_MAX_ATTEMPTS = 5
APPLY_RUNNING = "Файл уже применяется; дождитесь окончания."
APPLY_GONE = "Загрузка или подразделение больше недоступны. Ничего не изменено."
APPLY_DB_BUSY = (
    "Не удалось применить файл: база данных временно недоступна. Ничего не изменено; "
    "нажмите «Применить изменения» ещё раз позже."
)
APPLY_FAILED = (
    "Не удалось применить файл из-за внутренней ошибки. Ничего не изменено; нажмите "
    "«Применить изменения» ещё раз или обратитесь в поддержку."
)


def apply_job_key(batch_id: int) -> str:
    return f"{ACCOUNTS_APPLY}:{batch_id}"


def apply_job_live(job: Job | None) -> bool:
    """True while a worker holds the job (its lease has not expired)."""
    return (
        job is not None
        and job.status == Job.Status.RUNNING
        and job.lease_until is not None
        and job.lease_until >= timezone.now()
    )


def _apply_job_find(actor: Actor, batch_id: int) -> Job | None:
    return (
        Job.objects.for_actor(actor, A.IMPORT_ACCOUNTS)
        .filter(kind=ACCOUNTS_APPLY, key=apply_job_key(batch_id))
        .first()
    )


@dataclass
class ApplyRequest:
    """What asking to apply a batch did: ``job`` is None when it was refused (``refusal``)."""

    batch: ImportBatch
    job: Job | None = None
    refusal: str = ""


def _client_params(request: HttpRequest | None) -> dict[str, str]:
    if request is None:
        return {}
    return {
        "ip": request.META.get("REMOTE_ADDR") or "",
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
    }


def _client_request(job: Job) -> HttpRequest | None:
    """A stand-in request carrying the asker's address, so audit rows say where it came from."""
    client = job.params.get("client") or {}
    if not client:
        return None
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = client.get("ip", "")
    request.META["HTTP_USER_AGENT"] = client.get("user_agent", "")
    return request


def account_import_apply_request(
    *, actor: Actor, batch_id: int, request: HttpRequest | None = None
) -> ApplyRequest:
    """Check a batch can be applied and queue its apply job (one job per batch).

    Raises ``DoesNotExist`` (out of scope) and ``RegistrationError`` (stale preview) before
    anything is queued. A batch already applied or discarded is refused with the reason. A job
    that is queued, failed or lost its worker is queued again; the claim keeps it to one run.
    """
    if actor.user is None:  # the job runs as the person who asked
        raise PermissionDenied
    # A worker holds the batch's row lock while it applies: answer at once instead of waiting.
    job = _apply_job_find(actor, batch_id)
    if apply_job_live(job):
        batch = ImportBatch.objects.for_actor(actor, A.IMPORT_ACCOUNTS).get(pk=batch_id)
        return ApplyRequest(batch=batch, job=job)
    with transaction.atomic():
        batch = _batch_for(actor, batch_id)
        refusal = _not_applicable(batch, actor)
        if refusal:
            return ApplyRequest(batch=batch, refusal=refusal)
        _apply_plan(actor, batch)  # a stale preview is refused now, not in the worker
        params = {"batch_id": batch.pk, "client": _client_params(request)}
        job = _apply_job_find(actor, batch.pk)
        if job is None:
            job = Job.objects.create(
                kind=ACCOUNTS_APPLY,
                key=apply_job_key(batch.pk),
                actor=actor.user,
                params=params,
                region_id=batch.region_id,
                municipality_id=batch.municipality_id,
                school_id=batch.school_id,
            )
        elif not apply_job_live(job):
            # Failed, finished early, queued with a lost message or its worker died: again.
            job.status = Job.Status.QUEUED
            job.error = ""
            job.lease_until = None
            job.actor = actor.user
            job.params = params
            job.save(
                update_fields=["status", "error", "lease_until", "actor", "params", "updated_at"]
            )
        else:
            return ApplyRequest(batch=batch, job=job)
        from apps.registration.tasks import account_import_apply_task

        job_id = job.pk
        transaction.on_commit(lambda: job_send(account_import_apply_task, job_id=job_id))
    return ApplyRequest(batch=batch, job=job)


def account_import_apply_run(*, job_id: int) -> Job | None:
    """Apply a queued batch as the person who asked, in one transaction with the job's end.

    Idempotent: a job already claimed or finished is left alone (None), and a batch found
    applied marks the job done. A transient database error puts the job back in the queue and
    re-raises (the task retries, up to APPLY_MAX_ATTEMPTS runs); any other error rolls the whole
    apply back and is recorded on the job, in Russian, as final.
    """
    job = job_claim(job_id=job_id)
    if job is None:
        return None
    if job.actor is None:
        return job_fail(job=job, error=APPLY_GONE)
    actor = actor_for_user(job.actor)
    try:
        with transaction.atomic():
            result = account_import_apply(
                actor=actor, batch_id=int(job.params["batch_id"]), request=_client_request(job)
            )
            if result.done or result.batch.status == ImportBatch.Status.APPLIED:
                return job_mark_done(job=job, output="", sha256="")
        return job_fail(job=job, error=result.message)
    except DomainError as exc:
        return job_fail(job=job, error=exc.message)
    except (ObjectDoesNotExist, PermissionDenied):
        return job_fail(job=job, error=APPLY_GONE)
    except OperationalError:
        if job.attempts >= APPLY_MAX_ATTEMPTS:
            logger.warning("accounts apply job %s: database unavailable, giving up", job.pk)
            return job_fail(job=job, error=APPLY_DB_BUSY)
        mine = Job.objects.filter(pk=job.pk)  # unscoped: the job this worker claimed
        mine.update(status=Job.Status.QUEUED, lease_until=None)
        raise
    except Exception:
        # The traceback names code, not values; the job keeps a Russian sentence only.
        logger.exception("accounts apply job %s failed", job.pk)
        return job_fail(job=job, error=APPLY_FAILED)


@transaction.atomic
def account_import_discard(
    *, actor: Actor, batch_id: int, request: HttpRequest | None = None
) -> ApplyResult:
    """Drop a previewed upload; its stored file is deleted after commit."""
    if apply_job_live(_apply_job_find(actor, batch_id)):
        batch = ImportBatch.objects.for_actor(actor, A.IMPORT_ACCOUNTS).get(pk=batch_id)
        return ApplyResult(batch=batch, done=False, message=APPLY_RUNNING)
    batch = _batch_for(actor, batch_id)
    refusal = _not_applicable(batch, actor)
    if refusal:
        return ApplyResult(
            batch=batch, done=False, message=refusal.replace("применить", "отменить")
        )
    batch.status = ImportBatch.Status.DISCARDED
    batch.save(update_fields=["status", "updated_at"])
    scope = Scope.of_row(batch)
    audit_record(actor=actor, action="accounts.discard", target=batch, scope=scope, request=request)
    path = batch.file
    transaction.on_commit(lambda: default_storage.delete(path) if path else None)
    return ApplyResult(batch=batch, done=True, message="Загрузка отменена; ничего не изменено.")


# --- credentials download ---------------------------------------------------------------------


@transaction.atomic
def credentials_download(
    *, actor: Actor, credentials_id: int, request: HttpRequest | None = None
) -> tuple[str, bytes]:
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
        action="credentials.download",
        target=cf,
        scope=Scope.of_row(cf),
        request=request,
        details={"logins": cf.logins},
    )
    safe_title = re.sub(r"[^\w\s.-]", "", cf.title, flags=re.UNICODE).strip()[:80]
    return f"Пароли {safe_title} {now:%Y-%m-%d}.xlsx", content


# --- technical specialists --------------------------------------------------------------------


def _school_for(actor: Actor, school_id: int) -> School:
    return (
        School.objects.for_actor(actor, A.MANAGE_SPECIALISTS).select_for_update().get(pk=school_id)
    )


def _next_specialist_login(school: School) -> str:
    prefix = f"{school.code}_t"
    taken = User.objects.filter(username__startswith=prefix).values_list("username", flat=True)
    numbers = [int(m.group(1)) for u in taken if (m := re.fullmatch(rf"{prefix}(\d+)", u))]
    return f"{prefix}{max(numbers, default=0) + 1}"


@transaction.atomic
def specialist_add(
    *, actor: Actor, school_id: int, person: Person, request: HttpRequest | None = None
) -> AccountOutcome:
    """A technical specialist of the actor's school: login <school code>_t<n>, one-time password."""
    school = _school_for(actor, school_id)
    login = _next_specialist_login(school)
    user, password = _create_account(
        unit=school, login=login, person=person, codename=c.PERM_SCHOOL_TECH
    )
    audit_record(
        actor=actor,
        action="account.create",
        target=user,
        scope=unit_scope(school),
        request=request,
        details={"unit": school.code, "login": login, "role": "school_tech"},
    )
    cf = _credentials_issue(
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
def specialist_disable(
    *, actor: Actor, school_id: int, user_id: int, request: HttpRequest | None = None
) -> User | None:
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
        action="account.disable",
        target=user,
        scope=unit_scope(school),
        request=request,
        details={"unit": school.code, "login": user.username},
    )
    return user


@transaction.atomic
def specialist_reissue(
    *, actor: Actor, school_id: int, user_id: int, request: HttpRequest | None = None
) -> CredentialsFile | None:
    """A new one-time password for a specialist of the school (None if it is not one)."""
    school = _school_for(actor, school_id)
    user = _specialist(school, user_id)
    if user is None:
        return None
    row = _reset_password(actor=actor, unit=school, user=user, request=request)
    return _credentials_issue(actor=actor, title=f"Новый пароль: {user.username}", rows=[row])


# --- own account: password, TOTP, login audit -------------------------------------------------


def _self_actor(user: User) -> Actor:
    return actor_for_user(user)


@transaction.atomic
def password_change(*, user: User, new_password: str, request: HttpRequest | None = None) -> User:
    """Set the user's own password (validated by the caller's form) and lift the forced change.

    Ends the user's API tokens, as the password change ends its other browser sessions.
    """
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    api_tokens_revoke(user=user)
    audit_record(
        actor=_self_actor(user), action="auth.password_change", target=user, request=request
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
def totp_confirm(*, user: User, code: str, request: HttpRequest | None = None) -> User:
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
    audit_record(actor=_self_actor(user), action="auth.totp_enable", target=user, request=request)
    return user


@transaction.atomic
def totp_disable(*, user: User, code: str, request: HttpRequest | None = None) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.totp_enabled or not _totp_accept(user, code):
        raise RegistrationInvalidError("totp_bad_code")
    user.totp_enabled = False
    user.totp_secret = ""
    user.totp_last_counter = None
    user.save(update_fields=["totp_enabled", "totp_secret", "totp_last_counter"])
    api_tokens_revoke(user=user)
    audit_record(actor=_self_actor(user), action="auth.totp_disable", target=user, request=request)
    return user


@transaction.atomic
def totp_login_check(*, user_id: int, code: str, request: HttpRequest | None = None) -> User | None:
    """The second login step: the user if ``code`` is valid (and unused), else None (audited)."""
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None or not user.totp_enabled:
        return None
    if _totp_accept(user, code):
        user.save(update_fields=["totp_last_counter"])
        return user
    login_failed_record(username=user.username, reason="totp", request=request)
    return None


def login_record(*, user: User, request: HttpRequest | None) -> None:
    """Audit a successful login (called by the user_logged_in signal)."""
    audit_record(actor=_self_actor(user), action="auth.login", target=user, request=request)


def login_failed_record(*, username: str, reason: str, request: HttpRequest | None) -> None:
    """Audit a failed login: the attempted login only, never the password."""
    who = Actor(user=None, role=None, scope=Scope(level=Level.FEDERAL), reason=username[:150])
    audit_record(actor=who, action="auth.login_failed", request=request, details={"reason": reason})


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
                action="credentials.expire",
                target=cf,
                scope=Scope.of_row(cf),
                details={"logins": cf.logins},
            )
            wiped += 1
    return wiped
