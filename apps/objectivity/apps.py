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

        # The scans' background job kind (apps.core.jobs): one upload's processing.
        from apps.core.jobs import job_kind_register
        from apps.objectivity.scans.constants import SCANS_PROCESS
        from apps.objectivity.scans.tasks import scans_process_task

        job_kind_register(SCANS_PROCESS, scans_process_task)
