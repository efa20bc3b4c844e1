"""`manage.py seed_campaign`: the demo campaigns ВПР 2026 (spring) and its autumn session."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.campaigns import demo


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"«{value}» — не дата; укажите её как ГГГГ-ММ-ДД.") from exc


class Command(BaseCommand):
    help = (
        "Создаёт или обновляет демонстрационные кампании: «ВПР 2026» (весна, структура работ "
        "и шкалы) и «ВПР 2026, осенний этап» (текущая). Повторный запуск ничего не дублирует."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--autumn-start",
            type=_date,
            default=demo.AUTUMN_START,
            help="Первый день самого раннего периода осеннего этапа (по умолчанию "
            f"{demo.AUTUMN_START.isoformat()}); весь план-график этапа сдвигается вместе с ним.",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="Не создавать даты проведения и запрос резервного дня демонстрационной ОО.",
        )

    def handle(
        self, *args: Any, autumn_start: dt.date, no_schedule: bool, verbosity: int, **_: Any
    ) -> None:
        seeds = demo.demo_campaigns_seed(autumn_start=autumn_start)
        rows = 0 if no_schedule else demo.demo_schedule_seed()
        if not verbosity:
            return
        for seed in seeds:
            mark = "создана" if seed.created else "обновлена"
            current = ", текущая" if seed.campaign.is_active else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"Кампания «{seed.campaign.name}» ({mark}{current}): работ {seed.works}, "
                    f"заявки до {seed.campaign.application_deadline:%d.%m.%Y}."
                )
            )
        if rows:
            self.stdout.write(f"Демонстрационная ОО {demo.DEMO_SCHOOL}: добавлено записей {rows}.")
