from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "apps.notices"
    verbose_name = "Объявления и документы"

    def ready(self) -> None:
        # Its actions (and the roles holding them), audit actions and objects, menu item.
        from apps.core import registry
        from apps.core.audit_actions import register_audit_actions
        from apps.notices import actions, audit, menu

        registry.register_actions(self.label, actions.HOLDERS, names=actions.NoticeActions)
        register_audit_actions(audit.SECTION, audit.NoticesAudit, targets=audit.TARGETS)
        registry.register_menu(menu.ITEMS)
