from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "apps.registration"
    verbose_name = "Регистрация"

    def ready(self) -> None:
        from apps.registration import signals  # noqa: F401 - connects the login audit
