"""The coordinator files as kinds of the import framework (``apps.core.imports``, ADR 0019).

A regional coordinator uploads its municipalities' coordinators, a municipal coordinator its
schools' organizers: one class, two kinds (``code`` is the ``AccountFileKind`` value, also the
``ImportBatch.kind``). A file is read against the unit's children and their current accounts;
the preview says, row by row, whether an account is created, replaced, updated or left alone. The
apply locks the units written to, re-plans against their current accounts and refuses the whole
file if anything differs from the preview (``ImportStaleError``); otherwise it writes every row
(one audit row per effect) and issues one credentials file with the new one-time passwords (the
kind's ``Applied.result``).

Each new account hashes a password (argon2, tens of ms), so a file of a region's schools takes
minutes: the apply runs in the background (``import_apply_request`` queues one job per batch).
The job stores ids and the asker's client only; passwords exist in plaintext solely inside the
encrypted credentials payload.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from apps.core.imports import Applied, ImportAudit, ImportKind, ImportStaleError, Staged, Target
from apps.core.models import ImportBatch
from apps.registration.access import A
from apps.registration.accounts.rules import AccountFileKind, PersonRow, parse_account_file
from apps.registration.accounts.services import (
    CREATED,
    OUTCOME_LABELS,
    REPLACED,
    UNCHANGED,
    UPDATED,
    Person,
    account_write,
    apply_message,
    credentials_issue,
    holders,
    import_children,
    import_unit_get,
    plan_outcome,
    unit_label,
    unit_login,
    unit_scope,
)
from apps.registration.audit import AccountsAudit
from apps.registration.models import Municipality, School


def _stale(row: Any, code: str) -> ImportStaleError:
    return ImportStaleError(what=f"строка {row}: {code}")


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
    """What each row does to the account of its unit (the preview's rows)."""
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


@dataclass
class AccountsPlan:
    """A batch re-planned under row locks against the current accounts."""

    unit: Any
    rows: list[PersonRow]
    locked: dict[str, Any]
    fresh: list[dict[str, Any]]


class AccountsImport(ImportKind):
    """A coordinator file: the accounts of a region's municipalities or a municipality's schools."""

    action = A.IMPORT_ACCOUNTS
    label = "учётным записям"
    folder = "accounts"
    audit = ImportAudit(
        upload=AccountsAudit.ACCOUNTS_UPLOAD,
        rejected=AccountsAudit.ACCOUNTS_UPLOAD_REJECTED,
        apply=AccountsAudit.ACCOUNTS_APPLY,
        discard=AccountsAudit.ACCOUNTS_DISCARD,
    )
    background = True

    def __init__(self, file_kind: AccountFileKind) -> None:
        self.file_kind = file_kind
        self.code = file_kind.value

    def target(self, *, actor: Any, **params: Any) -> Target:
        """The region (or municipality) the file is about, with its children."""
        unit = import_unit_get(actor=actor, kind=self.file_kind, unit_id=params["unit_id"])
        children = import_children(actor=actor, kind=self.file_kind, unit=unit)
        return Target(
            scope=unit_scope(unit), obj=unit, details={"kind": self.code}, data=(unit, children)
        )

    def stage(self, *, actor: Any, target: Target, content: bytes, name: str) -> Staged:
        unit, children = target.data
        is_region = self.file_kind is AccountFileKind.MUNICIPAL_COORDINATORS
        rows = parse_account_file(
            content,
            kind=self.file_kind,
            unit_code=unit_login(unit) if is_region else unit.code,
            expected_codes=[u.code for u in children],
            current=_people_as_written(children),
        )
        plan = _plan(rows, children)
        counts = _counts(plan)
        return Staged(
            preview={
                "unit": {"id": unit.pk, "code": unit.code, "label": unit_label(unit)},
                "rows": plan,
                "counts": counts,
            },
            counts=counts,
        )

    def plan(self, *, actor: Any, batch: ImportBatch) -> AccountsPlan:
        """Lock the units the batch writes to and re-plan it; stale if anything changed."""
        kind = self.file_kind
        unit = import_unit_get(
            actor=actor, kind=kind, unit_id=batch.preview["unit"]["id"], lock=True
        )
        children = import_children(actor=actor, kind=kind, unit=unit)
        rows = [PersonRow.from_dict(p["person"]) for p in batch.preview["rows"]]
        known = {u.code for u in children}
        for p in batch.preview["rows"]:
            if p["code"] not in known:
                raise _stale(p["row"], p["code"])
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
                raise _stale(old["row"], old["code"])
        return AccountsPlan(unit=unit, rows=rows, locked=locked, fresh=fresh)

    def write(self, *, actor: Any, batch: ImportBatch, plan: Any) -> Applied:
        """Every row's account (one audit row per effect), then one credentials file."""
        current = holders([plan.locked[r.code] for r in plan.rows])
        creds = []
        for r, p in zip(plan.rows, plan.fresh, strict=True):
            unit = plan.locked[r.code]
            _, _, cred = account_write(
                actor=actor,
                unit=unit,
                person=Person.of(r),
                replace=r.replace,
                batch=batch,
                current=current.get(unit.pk),
                expected=p["outcome"],
            )
            if cred is not None:
                creds.append(cred)
        credentials = None
        if creds:
            credentials = credentials_issue(
                actor=actor,
                title=f"{self.file_kind.label}: {unit_label(plan.unit)}",
                rows=creds,
                batch=batch,
            )
        return Applied(
            message=apply_message(credentials),
            details={"kind": self.code, **_counts(plan.fresh)},
            result=credentials,
        )


MUNICIPAL_COORDINATORS = AccountsImport(AccountFileKind.MUNICIPAL_COORDINATORS)
SCHOOL_ORGANIZERS = AccountsImport(AccountFileKind.SCHOOL_ORGANIZERS)
KINDS = (MUNICIPAL_COORDINATORS, SCHOOL_ORGANIZERS)
