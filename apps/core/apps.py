from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = "Ядро"

    def ready(self) -> None:
        from apps.core import sqlite

        sqlite.install()
