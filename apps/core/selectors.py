"""Reads of the audit log, always as an actor sees it (its own unit and below; all for federal)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.core.models import AuditEvent
from apps.registration.access import A, Actor
from apps.registration.constants import Role

# Russian names of the actions the portal records (an unknown action shows its code).
ACTION_LABELS: dict[str, str] = {
    "auth.login": "Вход в систему",
    "auth.login_failed": "Неудачная попытка входа",
    "auth.password_change": "Смена пароля",
    "auth.totp_enable": "Включён вход с одноразовым кодом",
    "auth.totp_disable": "Отключён вход с одноразовым кодом",
    "account.create": "Создана учётная запись",
    "account.replace": "Учётная запись заменена",
    "account.update": "Изменены данные учётной записи",
    "account.reissue": "Выдан новый пароль",
    "account.disable": "Учётная запись отключена",
    "accounts.upload": "Загружен файл учётных записей",
    "accounts.upload_rejected": "Файл учётных записей отклонён",
    "accounts.apply": "Применён файл учётных записей",
    "accounts.discard": "Отменена загрузка файла учётных записей",
    "credentials.download": "Скачан файл с паролями",
    "export.download": "Скачана выгрузка",
    "school_list.export_request": "Запрошена выгрузка списка ОО",
    "school_list.template_download": "Скачан список ОО для выверки",
    "school_list.upload": "Загружен файл выверки списка ОО",
    "school_list.upload_rejected": "Файл выверки списка ОО отклонён",
    "school_list.apply": "Применена выверка списка ОО",
    "school_list.discard": "Отменена выверка списка ОО",
    "school_profile.save": "Сохранён опросный лист ОО",
    "audit.export": "Выгружен журнал действий",
}
# Russian names of the kinds of objects events are about.
TARGET_LABELS: dict[str, str] = {
    "registration.user": "пользователь",
    "registration.region": "регион",
    "registration.municipality": "муниципалитет",
    "registration.school": "ОО",
    "registration.schoolprofile": "опросный лист",
    "registration.credentialsfile": "файл с паролями",
    "core.importbatch": "загрузка файла",
    "core.job": "выгрузка",
}
MAX_EXPORT_ROWS = 1_000_000  # an xlsx sheet holds 1,048,576 rows


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def target_label(event: AuditEvent) -> str:
    if not event.target_type:
        return ""
    return f"{TARGET_LABELS.get(event.target_type, event.target_type)} {event.target_id}".strip()


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


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def audit_event_list(*, actor: Actor, filters: AuditFilter | None = None) -> QuerySet[AuditEvent]:
    """Audit events of the actor's unit and below, newest first.

    ``action`` matches exactly, or as a prefix when it ends with a dot (``school_list.``).
    """
    f = filters or AuditFilter()
    qs = AuditEvent.objects.for_actor(actor, A.VIEW_AUDIT)
    if f.date_from is not None:
        qs = qs.filter(at__gte=_day_start(f.date_from))
    if f.date_to is not None:
        qs = qs.filter(at__lt=_day_start(f.date_to + timedelta(days=1)))
    if action := f.action.strip():
        qs = (
            qs.filter(action__startswith=action)
            if action.endswith(".")
            else qs.filter(action=action)
        )
    if username := f.username.strip():
        qs = qs.filter(username=username)
    if f.region_id is not None:
        qs = qs.filter(region_id=f.region_id)
    return qs.order_by("-at", "-id")


def audit_event_get(*, actor: Actor, event_id: int) -> AuditEvent:
    return AuditEvent.objects.for_actor(actor, A.VIEW_AUDIT).get(pk=event_id)


def audit_unit_codes(*, actor: Actor, events: Iterable[AuditEvent]) -> dict[int, str]:
    """The code of the most specific unit of each event (3 small queries, scoped)."""
    from apps.registration.models import Municipality, Region, School

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
    "Время (МСК)",
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


def _export_row(event: AuditEvent, unit: str) -> tuple[str, ...]:
    details = json.dumps(event.details, ensure_ascii=False, sort_keys=True) if event.details else ""
    return (
        timezone.localtime(event.at).strftime("%d.%m.%Y %H:%M:%S"),
        event.username,
        role_label(event.role),
        action_label(event.action),
        event.action,
        unit,
        target_label(event),
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
            units = audit_unit_codes(actor=actor, events=batch)
            yield from (_export_row(e, units[e.pk]) for e in batch)
            batch = []
    units = audit_unit_codes(actor=actor, events=batch)
    yield from (_export_row(e, units[e.pk]) for e in batch)
