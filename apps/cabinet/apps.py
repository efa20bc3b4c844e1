from django.apps import AppConfig


class CabinetConfig(AppConfig):
    name = "apps.cabinet"
    verbose_name = "Кабинет: что сделать сейчас"
