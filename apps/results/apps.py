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
        # The school day's checking progress counts the codes with scores entered (schoolday
        # sits below results in the layers, so results hands it the reader).
        from apps.results.selectors import scored_codes
        from apps.schoolday.checking.selectors import register_scored_codes

        register_scored_codes(scored_codes)
