"""The school-list reconciliation as a kind of the import framework (``apps.core.imports``).

A coordinator uploads the list of its own municipality's or region's schools. A file with any
rejected row is refused whole (``RefusedUploadError``, with the preview of every row); an accepted
one is stored as an ``ImportBatch`` of kind ``school_list`` with its preview. The apply re-reads
the unit's schools under ``select_for_update`` and refuses a stale preview (``ImportStaleError``
with the rows as they read today); otherwise it writes: schools are never deleted, a school
missing from the file is left as it is, a school marked «Закрыта» is closed, a new school gets a
free code in its municipality's numbering.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from apps.core.imports import (
    Applied,
    ImportAudit,
    ImportKind,
    ImportStaleError,
    Staged,
    Target,
)
from apps.core.models import ImportBatch
from apps.core.scoping import Level, Scope
from apps.core.uploads import UploadError, file_error
from apps.registration.access import A, Actor
from apps.registration.audit import SchoolsAudit
from apps.registration.constants import SchoolStatus
from apps.registration.messages import RegistrationError, text
from apps.registration.models import Municipality, Region, School
from apps.registration.reconciliation import rules as rc

# Accounts of new schools are issued by the accounts flow (accounts/services.py): a new active
# school appears in its municipality's organizers file; its login is its code.
ACCOUNTS_NOTE = (
    "Учётные записи организаторов новых ОО (логин — код ОО) выдаются в разделе «Организаторы ОО»: "
    "новые ОО уже есть в файле организаторов муниципалитета."
)


class RefusedUploadError(UploadError):
    """A reconciliation file with rejected rows; ``preview`` (also the error's ``context``)
    shows what every row would have done."""

    def __init__(self, errors: list[Any], preview: dict[str, Any]) -> None:
        super().__init__(errors)
        self.preview = preview
        self.context = {"preview": preview}


# --- units ---------------------------------------------------------------------------------------


def _scope(unit: rc.UnitInfo, region_id: int) -> Scope:
    if unit.level == rc.LEVEL_MUNICIPALITY:
        return Scope(
            level=Level.MUNICIPALITY,
            anchor_id=unit.id,
            region_id=region_id,
            municipality_id=unit.id,
        )
    return Scope(level=Level.REGION, anchor_id=unit.id, region_id=unit.id)


def unit_get(
    *, actor: Actor, level: str, unit_id: int, lock: bool = False
) -> tuple[rc.UnitInfo, Scope, dict[str, Municipality]]:
    """The unit as the actor sees it (DoesNotExist → 404), its scope and its municipalities.

    ``lock`` takes the unit's municipality rows FOR UPDATE: applies to one unit are serialised.
    """
    munis = Municipality.objects.for_actor(actor, A.RECONCILE_SCHOOLS).select_related("region")
    if level == rc.LEVEL_REGION:
        region = Region.objects.for_actor(actor, A.VIEW_REGION).get(pk=unit_id)
        code, name, region_id = region.code, region.name, region.pk
        munis = munis.filter(region_id=unit_id)
    elif level == rc.LEVEL_MUNICIPALITY:
        munis = munis.filter(pk=unit_id)
    else:
        raise PermissionDenied
    if lock:
        munis = munis.select_for_update(of=("self",))
    by_code = {m.code: m for m in munis.order_by("code")}
    if level == rc.LEVEL_MUNICIPALITY:
        if not by_code:
            raise Municipality.DoesNotExist
        muni = next(iter(by_code.values()))
        code, name, region_id = muni.code, muni.name, muni.region_id
    unit = rc.UnitInfo(
        level=level,
        id=unit_id,
        code=code,
        name=name,
        municipalities={m.code: m.time_zone or m.region.time_zone for m in by_code.values()},
    )
    return unit, _scope(unit, region_id), by_code


def own_unit(actor: Actor) -> tuple[rc.UnitInfo, Scope, dict[str, Municipality]]:
    """The unit a coordinator reconciles: its own municipality or region."""
    if not actor.can(A.RECONCILE_SCHOOLS) or actor.scope.anchor_id is None:
        raise PermissionDenied
    if actor.scope.level is Level.MUNICIPALITY:
        return unit_get(actor=actor, level=rc.LEVEL_MUNICIPALITY, unit_id=actor.scope.anchor_id)
    if actor.scope.level is Level.REGION:
        return unit_get(actor=actor, level=rc.LEVEL_REGION, unit_id=actor.scope.anchor_id)
    raise PermissionDenied


def unit_schools(*, actor: Actor, unit: rc.UnitInfo, lock: bool = False) -> list[School]:
    qs = School.objects.for_actor(actor, A.RECONCILE_SCHOOLS).select_related("municipality")
    if unit.level == rc.LEVEL_MUNICIPALITY:
        qs = qs.filter(municipality_id=unit.id)
    else:
        qs = qs.filter(region_id=unit.id)
    if lock:
        qs = qs.select_for_update(of=("self",))
    return list(qs.order_by("municipality__code", "code"))


def existing(school: School) -> rc.ExistingSchool:
    return rc.ExistingSchool(
        id=school.pk,
        code=school.code,
        values=rc.SchoolValues(
            full_name=school.full_name,
            short_name=school.short_name,
            address=school.address,
            school_type=school.school_type,
            status=school.status,
            municipality_code=school.municipality.code,
            time_zone=school.time_zone,
        ),
    )


# --- codes of new schools ------------------------------------------------------------------------

# A school's code is edu<region><MM><SS>: MM numbers the municipality within the region, SS the
# school within the municipality (as the national list issues them, e.g. edu660512).
BLOCK_MAX = 99  # two digits each for the municipality block and the school within it
_MUNICIPALITY_INDEX = re.compile(r"_m0*(\d{1,2})$")  # «reg66_m005» → 5


@dataclass
class _Blocks:
    """The region's codes as municipality blocks: who numbers in which MM, which codes are taken."""

    prefix: str
    taken: set[str]
    owners: dict[str, set[int]]  # MM → municipalities with a school coded in that block
    own: dict[int, Counter[str]]  # municipality → how many of its schools are in each MM

    def free_in(self, mm: str) -> str | None:
        """The next free code of block ``mm``: after its highest, else its lowest gap."""
        used = {int(c[-2:]) for c in self.taken if c.startswith(f"{self.prefix}{mm}")}
        top = max(used, default=0)
        order = [*range(top + 1, BLOCK_MAX + 1), *range(1, top)]
        return next((f"{self.prefix}{mm}{n:02d}" for n in order if n not in used), None)

    def foreign(self, mm: str, muni_id: int) -> bool:
        return bool(self.owners.get(mm, set()) - {muni_id})

    def block_for(self, muni: Municipality) -> str | None:
        """The municipality's own block: where most of its schools are, else its number from its
        own code, else the lowest block no other municipality numbers in (with a free code)."""
        mine = self.own.get(muni.pk)
        candidates: list[str] = []
        if mine:
            candidates += [mm for mm, _ in sorted(mine.items(), key=lambda kv: (-kv[1], kv[0]))]
        if (match := _MUNICIPALITY_INDEX.search(muni.code)) and 1 <= int(match[1]) <= BLOCK_MAX:
            candidates.append(f"{int(match[1]):02d}")
        candidates += [f"{n:02d}" for n in range(1, BLOCK_MAX + 1)]
        for mm in candidates:
            if not self.foreign(mm, muni.pk) and self.free_in(mm) is not None:
                return mm
        return None


def _region_blocks(region_code: str) -> _Blocks:
    system = Actor.system(reason="выверка списка ОО: выбор свободного кода ОО")
    prefix = f"edu{region_code}"
    blocks = _Blocks(prefix=prefix, taken=set(), owners={}, own={})
    rows = (
        School.objects.for_actor(system, A.VIEW_SCHOOL)
        .filter(code__startswith=prefix)
        .values_list("code", "municipality_id")
    )
    for code, muni_id in rows:
        suffix = code[len(prefix) :]
        if len(suffix) != 4 or not suffix.isdigit():
            continue
        blocks.taken.add(code)
        blocks.owners.setdefault(suffix[:2], set()).add(muni_id)
        blocks.own.setdefault(muni_id, Counter())[suffix[:2]] += 1
    return blocks


def free_codes(region_code: str, municipalities: Sequence[Municipality]) -> list[str]:
    """A new code for each of ``municipalities`` (in order; callers hold the region lock), each
    in its own municipality's numbering: a new school of municipality 05 gets edu<region>05SS,
    never a code of another municipality's block."""
    blocks = _region_blocks(region_code)
    out: list[str] = []
    for muni in municipalities:
        mm = blocks.block_for(muni)
        code = blocks.free_in(mm) if mm is not None else None
        if mm is None or code is None:
            raise RegistrationError("school_codes_exhausted", region=region_code)
        blocks.taken.add(code)
        blocks.owners.setdefault(mm, set()).add(muni.pk)
        blocks.own.setdefault(muni.pk, Counter())[mm] += 1
        out.append(code)
    return out


def _lock_region(region_id: int) -> Region:
    """Serialises code allocation within a region (codes are unique across the country)."""
    system = Actor.system(reason="выверка списка ОО: блокировка выдачи кодов ОО")
    return Region.objects.for_actor(system, A.VIEW_REGION).select_for_update().get(pk=region_id)


_FIELDS = ("full_name", "short_name", "address", "school_type", "status", "time_zone")


# --- the kind ------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """A stored batch re-read under the unit's row locks: what to write."""

    unit: rc.UnitInfo
    scope: Scope
    munis: dict[str, Municipality]
    schools: dict[int, School]
    preview: rc.Preview
    columns: dict[str, Any]


class SchoolListImport(ImportKind):
    """The reconciled school list of the coordinator's own municipality or region."""

    code = rc.KIND
    action = A.RECONCILE_SCHOOLS
    label = "выверке списка ОО"
    folder = "school_list"
    audit = ImportAudit(
        upload=SchoolsAudit.SCHOOL_LIST_UPLOAD,
        rejected=SchoolsAudit.SCHOOL_LIST_UPLOAD_REJECTED,
        apply=SchoolsAudit.SCHOOL_LIST_APPLY,
        discard=SchoolsAudit.SCHOOL_LIST_DISCARD,
    )

    def target(self, *, actor: Any, **params: Any) -> Target:
        unit, scope, _ = own_unit(actor)
        return Target(scope=scope, details={"unit": unit.code}, data=unit)

    def stage(self, *, actor: Any, target: Target, content: bytes, name: str) -> Staged:
        unit: rc.UnitInfo = target.data
        parsed = rc.parse_upload(content, unit=unit, max_bytes=self.max_bytes)
        preview = rc.reconcile(
            parsed,
            unit=unit,
            existing=[existing(s) for s in unit_schools(actor=actor, unit=unit)],
        )
        if not parsed.rows:
            raise file_error(text("school_list_empty"))
        data = preview.as_dict()
        if preview.rejected:
            raise RefusedUploadError(preview.errors, preview=data)
        data["columns"] = dict(parsed.columns)
        return Staged(preview=data, counts=dict(data["counts"]), scope=target.scope)

    def plan(self, *, actor: Any, batch: ImportBatch) -> _Plan:
        stored = batch.preview
        unit, scope, munis = unit_get(
            actor=actor, level=stored["unit"]["level"], unit_id=stored["unit"]["id"], lock=True
        )
        locked = {s.pk: s for s in unit_schools(actor=actor, unit=unit, lock=True)}
        columns = stored.get("columns", {})
        parsed = rc.ParsedFile(rows=rc.rows_from_preview(stored), columns=columns)
        preview = rc.reconcile(parsed, unit=unit, existing=[existing(s) for s in locked.values()])
        if preview.rejected:
            first = preview.errors[0].where if preview.errors else ""
            raise ImportStaleError(
                what=f"список ОО, {first}" if first else "список ОО",
                details=[e.as_dict() for e in preview.errors],
                context={"preview": preview.as_dict()},
            )
        return _Plan(unit, scope, munis, locked, preview, columns)

    def write(self, *, actor: Any, batch: ImportBatch, plan: _Plan) -> Applied:
        preview, munis, locked = plan.preview, plan.munis, plan.schools
        created_rows = [r for r in preview.rows if r.outcome == rc.CREATED]
        codes: list[str] = []
        if created_rows:
            region = _lock_region(plan.scope.region_id or plan.unit.id)
            codes = free_codes(
                region.code,
                [munis[r.values.municipality_code] for r in created_rows if r.values is not None],
            )
        created: list[dict[str, Any]] = []
        changed = closed = 0
        touched: list[int] = []
        for row in preview.rows:
            values = row.values
            if values is None or row.outcome == rc.UNCHANGED:
                continue
            muni = munis[values.municipality_code]
            if row.outcome == rc.CHANGED and row.school_id is not None:
                school = locked[row.school_id]
                if values.status == SchoolStatus.CLOSED and school.status != SchoolStatus.CLOSED:
                    closed += 1
                update = [f for f in _FIELDS if getattr(school, f) != getattr(values, f)]
                for f in update:
                    setattr(school, f, getattr(values, f))
                if school.municipality_id != muni.pk:
                    school.municipality = muni
                    school.region_id = muni.region_id
                    update += ["municipality", "region"]
                school.full_clean()
                school.save(update_fields=[*update, "updated_at"])
                changed += 1
                touched.append(school.pk)
            elif row.outcome == rc.CREATED:
                school = School(
                    municipality=muni,
                    region_id=muni.region_id,
                    code=codes[len(created)],
                    full_name=values.full_name,
                    short_name=values.short_name,
                    address=values.address,
                    school_type=values.school_type,
                    status=values.status,
                    time_zone=values.time_zone,
                )
                school.full_clean()
                school.save()
                created.append(
                    {
                        "row": row.row,
                        "code": school.code,
                        "name": school.short_name,
                        "id": school.pk,
                    }
                )
                touched.append(school.pk)
        # The writes stay inside the actor's scope (checked in the same transaction).
        visible = School.objects.for_actor(actor, A.RECONCILE_SCHOOLS).filter(pk__in=touched)
        if visible.count() != len(touched):
            raise PermissionDenied
        result = {
            "created": created,
            "changed": changed,
            "closed": closed,
            "unchanged": preview.count(rc.UNCHANGED),
            "accounts_note": ACCOUNTS_NOTE if created else "",
        }
        data = preview.as_dict()
        data["columns"] = plan.columns
        data["result"] = result
        message = (
            f"Изменения применены: новых ОО — {len(created)}, изменено — {changed} "
            f"(из них закрыто — {closed}), без изменений — {result['unchanged']}."
        )
        return Applied(
            message=message,
            details={
                "unit": plan.unit.code,
                "created": [c["code"] for c in created],
                "changed": changed,
                "closed": closed,
                "unchanged": result["unchanged"],
            },
            preview=data,
            result=result,
        )


SCHOOL_LIST = SchoolListImport()
