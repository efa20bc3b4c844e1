from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "apps.applications"
    verbose_name = "Заявки"

    def ready(self) -> None:
        # Its actions (and the roles holding them), audit actions and menu items (core.registry).
        from apps.applications import actions, audit, menu
        from apps.core import registry
        from apps.core.audit_actions import register_audit_actions

        registry.register_actions(self.label, actions.HOLDERS, names=actions.ApplicationActions)
        register_audit_actions(audit.SECTION, audit.ApplicationsAudit)
        registry.register_menu(menu.ITEMS)

        # Campaigns list a school's works from its application without importing this app.
        from apps.applications.selectors import applied_work_ids
        from apps.campaigns.selectors import applied_works_source_register

        applied_works_source_register(applied_work_ids)

        # The application file's kind of the import framework (ADR 0019).
        from apps.applications.imports import APPLICATIONS
        from apps.core.imports import import_kind_register

        import_kind_register(APPLICATIONS)
