from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "apps.families"
    verbose_name = "Результаты для родителей"

    def ready(self) -> None:
        # Its actions (and the roles holding them), audit actions and objects, menu items.
        from apps.core import registry
        from apps.core.audit_actions import register_audit_actions
        from apps.families import actions, audit, menu

        registry.register_actions(self.label, actions.HOLDERS, names=actions.FamiliesActions)
        register_audit_actions(audit.SECTION, audit.FamiliesAudit, targets=audit.TARGETS)
        registry.register_menu(menu.ITEMS)
