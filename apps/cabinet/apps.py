from django.apps import AppConfig


class CabinetConfig(AppConfig):
    name = "apps.cabinet"
    verbose_name = "Кабинет: что сделать сейчас"

    def ready(self) -> None:
        # Its menu item (core.registry); it declares no actions or audit actions of its own.
        from apps.cabinet import menu
        from apps.core import registry

        registry.register_menu(menu.ITEMS)
