from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Installed only to register its action, audit action and menu item at start-up."""

    name = "apps.audit"
    label = "audit"
    verbose_name = "Журнал действий"

    def ready(self) -> None:
        from apps.audit import actions, audit, menu
        from apps.core import registry
        from apps.core.audit_actions import register_audit_actions

        registry.register_actions(self.label, actions.HOLDERS, names=actions.AuditLogActions)
        register_audit_actions(audit.SECTION, audit.AuditLogAudit)
        registry.register_menu(menu.ITEMS)
