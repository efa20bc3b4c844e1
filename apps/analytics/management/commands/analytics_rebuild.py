"""Recompute every analytics aggregate from the participants' results."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Пересчитать всю статистику «Аналитики» заново по результатам участников."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--work", type=int, default=None, help="только эта работа (id)")

    def handle(self, *args: Any, **options: Any) -> None:
        from apps.analytics.services import analytics_rebuild

        written = analytics_rebuild(work_id=options["work"])
        self.stdout.write(f"Записано строк статистики: {written}")
