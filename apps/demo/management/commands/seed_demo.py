"""`manage.py seed_demo`: the whole demo, dated from today (or from ``--today``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.demo import country
from apps.demo.seed import DemoReport, calendar_lines, demo_build
from apps.registration.constants import Role

_SIZE_LABELS = {country.SMALL: "малый набор", country.NATIONAL: "вся страна"}


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"«{value}» — не дата; укажите её как ГГГГ-ММ-ДД.") from exc


class Command(BaseCommand):
    help = (
        "Создаёт демонстрационные данные: регионы, муниципалитеты, ОО, по одной учётной записи "
        "на каждую роль и три кампании ВПР, даты которых отсчитываются от сегодняшнего дня "
        "(завершённая, текущая и следующая). Повторный запуск в тот же день ничего не дублирует."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            choices=country.SIZES,
            default=country.SMALL,
            help="small: 3 региона, ~10 муниципалитетов, ~60 ОО; national: 89 регионов, "
            "~2500 муниципалитетов, ~40000 ОО.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Ничего не делать, если в базе уже есть хотя бы один регион.",
        )
        parser.add_argument(
            "--today",
            type=_date,
            default=None,
            help="День, от которого отсчитывается календарь демонстрации (ГГГГ-ММ-ДД); по "
            "умолчанию — сегодня по московскому времени.",
        )

    def handle(
        self,
        *args: Any,
        size: str,
        if_empty: bool,
        today: dt.date | None,
        verbosity: int,
        **_: Any,
    ) -> None:
        if if_empty and country.country_exists():
            if verbosity:
                self.stdout.write("В базе уже есть данные: демонстрационные данные не создавались.")
            return
        report = demo_build(today=today or timezone.localdate(), size=size)
        if verbosity:
            self._report(size, report)

    def _report(self, size: str, report: DemoReport) -> None:
        created, totals = report.country.created, report.country.totals
        self.stdout.write(
            self.style.SUCCESS(
                f"Демонстрационные данные ({_SIZE_LABELS[size]}): "
                f"регионов +{created['regions']} (всего {totals['regions']}), "
                f"муниципалитетов +{created['municipalities']} "
                f"(всего {totals['municipalities']}), "
                f"ОО +{created['schools']} (всего {totals['schools']})."
            )
        )
        self.stdout.write("Учётные записи — только для демонстрации:")
        for role, username, was_created in report.accounts:
            mark = " (создана)" if was_created else ""
            self.stdout.write(f"  {Role(role).label}: {username}{mark}")
        self.stdout.write(
            f"Пароль всех демонстрационных записей: {settings.DEMO_PASSWORD} "
            "(только для демонстрации, не используйте его в рабочей системе)."
        )
        for seed in report.campaigns.seeds:
            mark = "создана" if seed.created else "обновлена"
            current = ", текущая" if seed.campaign.is_active else ""
            self.stdout.write(
                f"Кампания «{seed.campaign.name}» ({mark}{current}): работ {seed.works}."
            )
        built = report.materials
        if built.application:
            self.stdout.write(
                f"Материалы: банков заданий обновлено {built.banks_loaded}; заявка "
                f"демонстрационной ОО — {built.application}; комплектов создано "
                f"{built.kits_created}, архивов в очереди сборки {built.builds_queued}."
            )
        res = report.results
        self.stdout.write(
            f"Результаты завершённой кампании: ведомостей создано {res.sheets_created}, "
            f"участников {res.participants}, кодов выдано {res.codes_created}; из них после "
            f"срока {res.late_created}; заявок подтверждено {res.applications_created}; "
            f"контекстных данных загружено {res.contexts_created}; не загружено в срок "
            f"(оставлено для мониторинга) {res.withheld}."
        )
        by_class = report.classes
        if by_class is not None:
            self.stdout.write(
                f"Классы текущей кампании: реестров создано {by_class.schools}, классов "
                f"{by_class.classes}; дней классов назначено {by_class.days}."
            )
        for line in calendar_lines(report):
            self.stdout.write(line)
