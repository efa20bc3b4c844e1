from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "apps.results"
    verbose_name = "Результаты"

    def ready(self) -> None:
        # Its actions (and the roles holding them), audit actions and menu items (core.registry).
        from apps.core import registry
        from apps.core.audit_actions import register_audit_actions
        from apps.results import actions, audit, menu

        registry.register_actions(self.label, actions.HOLDERS, names=actions.ResultsActions)
        register_audit_actions(audit.SECTION, audit.ResultsAudit)
        registry.register_menu(menu.ITEMS)
