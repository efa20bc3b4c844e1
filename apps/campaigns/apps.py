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

        # The works file's kind of the import framework (ADR 0019).
        from apps.campaigns.imports import WORKS
        from apps.core.imports import import_kind_register

        import_kind_register(WORKS)

        # "The grades of the current campaign", for the apps below (the school questionnaire).
        from apps.campaigns.selectors import current_campaign_grades

        registry.register_current_grades(current_campaign_grades)
