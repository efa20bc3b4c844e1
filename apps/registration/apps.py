from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "apps.registration"
    verbose_name = "Регистрация"

    def ready(self) -> None:
        # Its actions (and the roles holding them), audit actions and menu items (core.registry).
        from apps.core import registry
        from apps.core.audit_actions import register_audit_actions
        from apps.registration import actions, audit, menu

        registry.register_actions(self.label, actions.HOLDERS, names=actions.RegistrationActions)
        register_audit_actions(audit.ACCOUNTS, audit.AccountsAudit)
        register_audit_actions(audit.SCHOOLS, audit.SchoolsAudit)
        registry.register_menu(menu.ITEMS)

        from apps.registration import signals  # noqa: F401 - connects the login audit
