from django.apps import AppConfig


class SchoolDayConfig(AppConfig):
    name = "apps.schoolday"
    verbose_name = "День проведения"

    def ready(self) -> None:
        # Its actions (and the roles holding them), audit actions and menu items (core.registry).
        from apps.core import registry
        from apps.core.audit_actions import register_audit_actions
        from apps.schoolday import actions, audit, menu

        registry.register_actions(self.label, actions.HOLDERS, names=actions.SchoolDayActions)
        register_audit_actions(audit.SECTION, audit.SchoolDayAudit)
        registry.register_menu(menu.ITEMS)

        # Its background job kind (apps.core.jobs): one delivery packet's build.
        from apps.core.jobs import job_kind_register
        from apps.schoolday.packets.constants import PACKET_BUILD
        from apps.schoolday.packets.tasks import packet_build_task

        job_kind_register(PACKET_BUILD, packet_build_task)
