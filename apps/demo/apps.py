from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: a synthetic country, campaigns dated from the day it runs, banks, results.

    Installed by the local and test settings only; production never has ``seed_demo``."""

    name = "apps.demo"
    verbose_name = "Демонстрационные данные"
