from django.apps import AppConfig


class MaterialsConfig(AppConfig):
    name = "apps.materials"
    verbose_name = "Материалы"

    def ready(self) -> None:
        # Its actions (and the roles holding them), audit actions and menu items (core.registry).
        from apps.core import registry
        from apps.core.audit_actions import register_audit_actions
        from apps.materials import actions, audit, menu

        registry.register_actions(self.label, actions.HOLDERS, names=actions.MaterialsActions)
        register_audit_actions(audit.SECTION, audit.MaterialsAudit)
        registry.register_menu(menu.ITEMS)

        # Its kind of import file (apps.core.imports): the item bank.
        from apps.core.imports import import_kind_register
        from apps.materials.imports import BANK

        import_kind_register(BANK)
