"""`manage.py seed_demo`: the synthetic demo country and one demo account per role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from apps.registration import demo
from apps.registration.constants import Role

_SIZE_LABELS = {demo.SMALL: "малый набор", demo.NATIONAL: "вся страна"}


class Command(BaseCommand):
    help = (
        "Создаёт демонстрационные данные: регионы, муниципалитеты, ОО и по одной учётной "
        "записи на каждую роль. Повторный запуск ничего не дублирует."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            choices=demo.SIZES,
            default=demo.SMALL,
            help="small: 3 региона, ~10 муниципалитетов, ~60 ОО; national: 89 регионов, "
            "~2500 муниципалитетов, ~40000 ОО.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Ничего не делать, если в базе уже есть хотя бы один регион.",
        )

    def handle(self, *args: Any, size: str, if_empty: bool, verbosity: int, **_: Any) -> None:
        if if_empty and demo.country_exists():
            if verbosity:
                self.stdout.write("В базе уже есть данные: демонстрационные данные не создавались.")
            return
        result = demo.demo_seed(size=size)
        accounts = demo.demo_accounts_ensure()
        if verbosity:
            self._report(size, result, accounts)
        # The demo campaigns (ВПР 2026 and its autumn session) and the demo school's schedule.
        call_command("seed_campaign", verbosity=verbosity, stdout=self.stdout)
        # The demo item bank, the demo school's submitted application, its kits and codes.
        from apps.materials.demo import demo_materials_seed

        materials = demo_materials_seed()
        if verbosity and materials.application:
            self.stdout.write(
                f"Материалы: банков заданий обновлено {materials.banks_loaded}; заявка "
                f"демонстрационной ОО — {materials.application}; комплектов создано "
                f"{materials.kits_created}, архивов в очереди сборки {materials.builds_queued}."
            )
        # Spring ВПР 2026 results of the demo schools (analytics history).
        from apps.results.demo import demo_results_seed

        results = demo_results_seed()
        if verbosity:
            self.stdout.write(
                f"Результаты ВПР 2026 (весна): ведомостей создано {results.sheets_created}, "
                f"участников {results.participants}, кодов выдано {results.codes_created}; "
                f"из них после срока {results.late_created}; заявок подтверждено "
                f"{results.applications_created}; контекстных данных загружено "
                f"{results.contexts_created}; не загружено в срок (оставлено для мониторинга) "
                f"{results.withheld}."
            )

    def _report(
        self, size: str, result: demo.SeedResult, accounts: list[tuple[str, str, bool]]
    ) -> None:
        created, totals = result.created, result.totals
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
        for role, username, was_created in accounts:
            mark = " (создана)" if was_created else ""
            self.stdout.write(f"  {Role(role).label}: {username}{mark}")
        self.stdout.write(
            f"Пароль всех демонстрационных записей: {settings.DEMO_PASSWORD} "
            "(только для демонстрации, не используйте его в рабочей системе)."
        )
