from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "apps.notices"
    verbose_name = "Объявления и документы"

    def ready(self) -> None:
        # The audit log's Russian names of this app's actions and objects live with the app.
        from apps.core import audit_actions
        from apps.notices.constants import AUDIT_ACTIONS, AUDIT_TARGETS

        audit_actions.register(
            audit_actions.Section("notices", "Объявления и документы"), AUDIT_ACTIONS
        )
        audit_actions.TARGET_LABELS.update(AUDIT_TARGETS)
