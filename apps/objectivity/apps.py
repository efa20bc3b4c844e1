from django.apps import AppConfig


class ObjectivityConfig(AppConfig):
    name = "apps.objectivity"
    verbose_name = "Контроль объективности"

    def ready(self) -> None:
        # Its actions (and the roles holding them), audit actions and menu items (core.registry).
        from apps.core import registry
        from apps.core.audit_actions import register_audit_actions
        from apps.objectivity import actions, audit, menu

        registry.register_actions(self.label, actions.HOLDERS, names=actions.ObjectivityActions)
        register_audit_actions(audit.SECTION, audit.ObjectivityAudit)
        registry.register_menu(menu.ITEMS)
