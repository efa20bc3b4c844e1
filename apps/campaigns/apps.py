from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "apps.campaigns"
    verbose_name = "Кампании"

    def ready(self) -> None:
        # Its actions (and the roles holding them), audit actions and menu items (core.registry).
        from apps.campaigns import actions, audit, menu
        from apps.core import registry
        from apps.core.audit_actions import register_audit_actions

        registry.register_actions(self.label, actions.HOLDERS, names=actions.CampaignActions)
        register_audit_actions(audit.SECTION, audit.CampaignsAudit)
        registry.register_menu(menu.ITEMS)
