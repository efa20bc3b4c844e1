"""Reads of the audit log (``core.AuditEvent``), always as an actor sees it.

An actor sees its own unit and below; the federal operator sees all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps as django_apps
from django.db.models import QuerySet
from django.utils.text import capfirst

from apps.core import audit_actions, instants
from apps.core.audit_actions import SECTION_PREFIX, section_codes
from apps.core.audit_actions import action_label as action_label
from apps.core.models import AuditEvent
from apps.registration.access import A, Actor
from apps.registration.constants import Role
from apps.registration.models import Municipality, Region, School

# The Russian names live in apps/core/audit_actions.py; the same dicts, under their old names.
ACTION_LABELS = audit_actions.ACTION_LABELS
TARGET_LABELS = audit_actions.TARGET_LABELS
MAX_EXPORT_ROWS = 1_000_000  # an xlsx sheet holds 1,048,576 rows


def _describe_user(obj: Any) -> str:
    return f"Пользователь {obj.username}"


def _describe_work(work: Any) -> str:
    return f"{work.subject.name} {work.grade}"


def _describe_school(obj: Any) -> str:
    return f"ОО {obj.code}"


def _describe_result_version(v: Any) -> str:
    sheet = v.sheet
    return f"Версия результатов № {v.number} — {_describe_work(sheet.work)}, ОО {sheet.school.code}"


def _describe_context_upload(v: Any) -> str:
    return f"Версия контекстных данных № {v.number}, ОО {v.sheet.school.code}"


def _describe_kit(k: Any) -> str:
    return f"Комплект материалов — {_describe_work(k.work)}, ОО {k.school.code}"


def _describe_application(a: Any) -> str:
    return f"Заявка ОО {a.school.code}, {a.campaign.label}"


# Richer descriptions of the objects events are most often about: (select_related, describe).
_DESCRIBERS: dict[str, tuple[tuple[str, ...], Any]] = {
    "registration.user": ((), _describe_user),
    "registration.school": ((), lambda s: f"ОО {s.code} {s.short_name}".strip()),
    "registration.municipality": ((), lambda m: f"МО {m.code} {m.name}".strip()),
    "registration.region": ((), lambda r: f"Регион {r.code} {r.name}".strip()),
    "results.resultversion": (
        ("sheet__work__subject", "sheet__school"),
        _describe_result_version,
    ),
    "results.contextupload": (("sheet__school",), _describe_context_upload),
    "materials.kit": (("work__subject", "school"), _describe_kit),
    "applications.application": (("school", "campaign"), _describe_application),
    "campaigns.work": (("subject", "campaign"), lambda w: f"Работа {_describe_work(w)}"),
}


def _kind(target_type: str) -> str:
    """«Версия результатов» for ``results.resultversion`` (the model's own Russian name)."""
    if target_type in TARGET_LABELS:
        return capfirst(TARGET_LABELS[target_type])
    try:
        model = django_apps.get_model(target_type)
    except (LookupError, ValueError):
        return target_type
    return capfirst(str(model._meta.verbose_name))


def target_label(event: AuditEvent, described: dict[tuple[str, str], str] | None = None) -> str:
    """The object of an event in Russian: a description, or at least «Версия результатов № 168»."""
    if not event.target_type:
        return ""
    if described and (text := described.get((event.target_type, event.target_id))):
        return text
    return f"{_kind(event.target_type)} № {event.target_id}".strip()


def target_descriptions(
    *, actor: Actor, events: Iterable[AuditEvent]
) -> dict[tuple[str, str], str]:
    """Descriptions of the events' objects, one scoped query per kind of object.

    An object the actor no longer sees (or that no longer exists) is left out: the row then
    shows the kind and number only.
    """
    wanted: dict[str, set[int]] = {}
    for e in events:
        if e.target_type in _DESCRIBERS and e.target_id.isdigit():
            wanted.setdefault(e.target_type, set()).add(int(e.target_id))
    out: dict[tuple[str, str], str] = {}
    for target_type, ids in wanted.items():
        related, describe = _DESCRIBERS[target_type]
        model = django_apps.get_model(target_type)
        manager = model._default_manager
        qs = (
            manager.for_actor(actor, A.VIEW_AUDIT)
            if hasattr(manager, "for_actor")
            else manager.all()  # users and campaign reference data are not tenant rows
        )
        for obj in qs.filter(pk__in=ids).select_related(*related):
            out[(target_type, str(obj.pk))] = describe(obj)
    return out


def role_label(code: str) -> str:
    return str(Role(code).label) if code in Role.values else code


@dataclass(frozen=True)
class AuditFilter:
    """Filters of the audit log. Dates are whole days in the portal's zone (Moscow time)."""

    date_from: date | None = None
    date_to: date | None = None
    action: str = ""
    username: str = ""
    region_id: int | None = None

    def as_details(self) -> dict[str, Any]:
        return {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "action": self.action,
            "username": self.username,
            "region_id": self.region_id,
        }


def _day_start(day: date, unit: Any = None) -> datetime:
    """00:00 of ``day`` on the unit's clock: the log is read and filtered on the actor's clock."""
    return datetime.combine(day, time.min, tzinfo=instants.place_of(unit).tz)


def audit_event_list(*, actor: Actor, filters: AuditFilter | None = None) -> QuerySet[AuditEvent]:
    """Audit events of the actor's unit and below, newest first.

    ``action`` matches exactly, as a prefix when it ends with a dot (``school_list.``), or
    every action of a section (``section:results``).
    """
    f = filters or AuditFilter()
    qs = AuditEvent.objects.for_actor(actor, A.VIEW_AUDIT)
    if f.date_from is not None:
        qs = qs.filter(at__gte=_day_start(f.date_from, actor.unit))
    if f.date_to is not None:
        qs = qs.filter(at__lt=_day_start(f.date_to + timedelta(days=1), actor.unit))
    if action := f.action.strip():
        if action.startswith(SECTION_PREFIX):
            qs = qs.filter(action__in=section_codes(action.removeprefix(SECTION_PREFIX)))
        elif action.endswith("."):
            qs = qs.filter(action__startswith=action)
        else:
            qs = qs.filter(action=action)
    if username := f.username.strip():
        qs = qs.filter(username=username)
    if f.region_id is not None:
        qs = qs.filter(region_id=f.region_id)
    return qs.order_by("-at", "-id")


def audit_event_get(*, actor: Actor, event_id: int) -> AuditEvent:
    return AuditEvent.objects.for_actor(actor, A.VIEW_AUDIT).get(pk=event_id)


def audit_unit_codes(*, actor: Actor, events: Iterable[AuditEvent]) -> dict[int, str]:
    """The code of the most specific unit of each event (3 small queries, scoped)."""
    events = list(events)
    wanted: dict[type[Any], set[int]] = {School: set(), Municipality: set(), Region: set()}
    for e in events:
        if e.school_id:
            wanted[School].add(e.school_id)
        elif e.municipality_id:
            wanted[Municipality].add(e.municipality_id)
        elif e.region_id:
            wanted[Region].add(e.region_id)
    codes: dict[type[Any], dict[int, str]] = {}
    for model, ids in wanted.items():
        codes[model] = (
            dict(
                model.objects.for_actor(actor, A.VIEW_AUDIT)
                .filter(pk__in=ids)
                .values_list("pk", "code")
            )
            if ids
            else {}
        )
    out: dict[int, str] = {}
    for e in events:
        if e.school_id:
            out[e.pk] = codes[School].get(e.school_id, f"ОО {e.school_id}")
        elif e.municipality_id:
            out[e.pk] = codes[Municipality].get(e.municipality_id, f"МО {e.municipality_id}")
        elif e.region_id:
            out[e.pk] = f"регион {codes[Region].get(e.region_id, e.region_id)}"
        else:
            out[e.pk] = "РФ"
    return out


EXPORT_HEADERS = (
    "Время",  # followed by the zone label of the actor's unit (export_headers)
    "Логин",
    "Роль",
    "Действие",
    "Код действия",
    "Подразделение",
    "Объект",
    "IP-адрес",
    "Браузер",
    "Подробности",
)


def export_headers(actor: Actor) -> tuple[str, ...]:
    """The export's headers; the time column is labelled with the actor's clock (core.instants)."""
    return (f"{EXPORT_HEADERS[0]} {instants.zone_suffix(actor.unit)}", *EXPORT_HEADERS[1:])


def _export_row(event: AuditEvent, unit: str, target: str, clock: Any) -> tuple[str, ...]:
    details = json.dumps(event.details, ensure_ascii=False, sort_keys=True) if event.details else ""
    return (
        instants.format_clock(event.at, clock, seconds=True),
        event.username,
        role_label(event.role),
        action_label(event.action),
        event.action,
        unit,
        target,
        event.ip or "",
        event.user_agent,
        details,
    )


def audit_export_rows(
    *, actor: Actor, filters: AuditFilter, chunk: int = 2000
) -> Iterator[tuple[str, ...]]:
    """The rows of the audit export (at most MAX_EXPORT_ROWS), read in chunks of ``chunk``."""
    events = audit_event_list(actor=actor, filters=filters)[:MAX_EXPORT_ROWS]
    batch: list[AuditEvent] = []
    for event in events.iterator(chunk_size=chunk):
        batch.append(event)
        if len(batch) == chunk:
            yield from _export_batch(actor, batch)
            batch = []
    yield from _export_batch(actor, batch)


def _export_batch(actor: Actor, batch: list[AuditEvent]) -> Iterator[tuple[str, ...]]:
    units = audit_unit_codes(actor=actor, events=batch)
    described = target_descriptions(actor=actor, events=batch)
    for e in batch:
        yield _export_row(e, units[e.pk], target_label(e, described), actor.unit)
