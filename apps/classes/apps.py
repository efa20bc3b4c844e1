from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "apps.classes"
    verbose_name = "Классы"

    def ready(self) -> None:
        # Its actions (and the roles holding them), audit actions and menu items (core.registry).
        from apps.classes import actions, audit, menu
        from apps.core import registry
        from apps.core.audit_actions import register_audit_actions

        registry.register_actions(self.label, actions.HOLDERS, names=actions.ClassActions)
        register_audit_actions(audit.SECTION, audit.ClassesAudit)
        registry.register_menu(menu.ITEMS)

        # The class register file (ADR 0019).
        from apps.classes.register.imports import CLASS_REGISTER
        from apps.core.imports import import_kind_register

        import_kind_register(CLASS_REGISTER)
        # The campaigns app's grade rules need the registers (classes sit above campaigns).
        from apps.campaigns.grades import grade_usage_source_register
        from apps.classes.assignment.services import grade_usage

        grade_usage_source_register(grade_usage)
        # Reserve days per class: campaigns asks the classes whether a school's days of a work are
        # kept per class and hands them the decided requests that name classes.
        from apps.classes.timetable.services import reserve_day_by_class, reserve_day_decided

        registry.register_reserve_day_handler(
            registry.ReserveDayHandler(by_class=reserve_day_by_class, decided=reserve_day_decided)
        )
