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

        # Its kinds of import files (apps.core.imports).
        from apps.core.imports import import_kind_register
        from apps.registration.reconciliation.imports import SCHOOL_LIST

        import_kind_register(SCHOOL_LIST)

        # The coordinator files (apply in the background, one task for both kinds).
        from apps.registration.accounts.imports import KINDS as ACCOUNT_KINDS
        from apps.registration.tasks import account_import_apply_task

        for account_kind in ACCOUNT_KINDS:
            import_kind_register(account_kind, account_import_apply_task)

        from apps.registration import signals  # noqa: F401 - connects the login audit
