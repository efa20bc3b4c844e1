"""Reads for the account pages: units with their current account, credentials, uploads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from apps.core.imports import import_apply_job, import_apply_jobs
from apps.core.models import ImportBatch, Job
from apps.registration import constants as c
from apps.registration.access import A, Actor, actor_for_user
from apps.registration.accounts.rules import AccountFileKind, TemplateRow
from apps.registration.accounts.services import (
    ACCOUNT_IMPORT_KINDS,
    account_import_kind,
    holders,
    import_children,
    import_unit_get,
    unit_login,
)
from apps.registration.models import (
    CredentialsFile,
    Municipality,
    Region,
    School,
    SchoolGrant,
    User,
)


@dataclass(frozen=True)
class UnitAccount:
    """A unit and the active account that serves it (None if nobody yet)."""

    unit: Region | Municipality | School
    login: str
    user: User | None


def regional_coordinator_get(*, actor: Actor, region_id: int) -> UnitAccount:
    region = Region.objects.for_actor(actor, A.MANAGE_REGIONAL_COORDINATOR).get(pk=region_id)
    return UnitAccount(region, unit_login(region), holders([region]).get(region.pk))


def unit_accounts_list(*, actor: Actor, kind: AccountFileKind, unit_id: int) -> list[UnitAccount]:
    """Every municipality of a region (or active school of a municipality) with its account."""
    unit = import_unit_get(actor=actor, kind=kind, unit_id=unit_id)
    children = import_children(actor=actor, kind=kind, unit=unit)
    current = holders(children)
    return [UnitAccount(u, unit_login(u), current.get(u.pk)) for u in children]


def template_rows(accounts: list[UnitAccount]) -> list[TemplateRow]:
    rows = []
    for a in accounts:
        name = a.unit.short_name if isinstance(a.unit, School) else a.unit.name
        u = a.user
        rows.append(
            TemplateRow(
                code=a.unit.code,
                name=name,
                login=a.login,
                full_name=u.full_name if u else "",
                position=u.position if u else "",
                phone=u.phone if u else "",
                email=u.email if u else "",
            )
        )
    return rows


def specialist_list(*, actor: Actor, school_id: int) -> tuple[School, list[User], list[User]]:
    """A school's technical specialists: active ones, then disabled ones (by login prefix)."""
    school = School.objects.for_actor(actor, A.MANAGE_SPECIALISTS).get(pk=school_id)
    active_ids = SchoolGrant.objects.filter(
        content_object=school, permission__codename=c.PERM_SCHOOL_TECH, user__is_active=True
    ).values_list("user_id", flat=True)
    active = list(User.objects.filter(pk__in=active_ids).order_by("username"))
    disabled = list(
        User.objects.filter(username__startswith=f"{school.code}_t", is_active=False).order_by(
            "username"
        )
    )
    return school, active, disabled


def expert_account_list(*, actor: Actor, school: School) -> list[User]:
    """A school's active expert accounts (role «эксперт по проверке работ»), by login; the
    organizer issues and revokes them on the people page of the school day."""
    School.objects.for_actor(actor, A.MANAGE_SPECIALISTS).get(pk=school.pk)
    ids = SchoolGrant.objects.filter(
        content_object=school, permission__codename=c.PERM_SCHOOL_EXPERT, user__is_active=True
    ).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids).order_by("username"))


def account_role(user: User) -> str:
    """«Эксперт по проверке работ, edu660101 …»: the role of an account and the unit it serves
    (as its actor is built), for the account lists."""
    actor = actor_for_user(user)
    if actor.role is None:
        return "нет роли" if user.is_active else "отключена"
    if actor.unit is None:
        return actor.role_label
    name = getattr(actor.unit, "short_name", None) or getattr(actor.unit, "name", "")
    return f"{actor.role_label}, {actor.unit.code} {name}"


def credentials_list(*, actor: Actor) -> QuerySet[CredentialsFile]:
    """The credentials files the actor issued, newest first."""
    return (
        CredentialsFile.objects.for_actor(actor, A.DOWNLOAD_CREDENTIALS)
        .filter(issued_by=actor.user)
        .select_related("downloaded_by")
        .order_by("-created_at", "-id")
    )


def account_import_list(*, actor: Actor) -> QuerySet[ImportBatch]:
    return (
        ImportBatch.objects.for_actor(actor, A.IMPORT_ACCOUNTS)
        .filter(kind__in=ACCOUNT_IMPORT_KINDS, actor=actor.user)
        .order_by("-created_at", "-id")
    )


def account_import_get(*, actor: Actor, batch_id: int) -> ImportBatch:
    """Any upload in the actor's scope (the page says so if it is not an accounts upload)."""
    return ImportBatch.objects.for_actor(actor, A.IMPORT_ACCOUNTS).get(pk=batch_id)


def credentials_for_batch(*, actor: Actor, batch: ImportBatch) -> CredentialsFile | None:
    return (
        CredentialsFile.objects.for_actor(actor, A.DOWNLOAD_CREDENTIALS).filter(batch=batch).first()
    )


def account_import_apply_job(*, actor: Actor, batch: ImportBatch) -> Job | None:
    """The background apply of an upload, if one was asked for (the job of its kind)."""
    if batch.kind not in ACCOUNT_IMPORT_KINDS:
        return None
    return import_apply_job(account_import_kind(batch.kind), actor=actor, batch_id=batch.pk)


def account_import_apply_jobs(*, actor: Actor, batches: Sequence[ImportBatch]) -> dict[int, Job]:
    """The background applies of several uploads by batch id (one query per kind)."""
    found: dict[int, Job] = {}
    for code in ACCOUNT_IMPORT_KINDS:
        ids = [b.pk for b in batches if b.kind == code]
        if ids:
            kind = account_import_kind(code)
            found.update(import_apply_jobs(kind, actor=actor, batch_ids=ids))
    return found
