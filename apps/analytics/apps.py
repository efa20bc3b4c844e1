from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    verbose_name = "Аналитика"

    def ready(self) -> None:
        # Its actions (and the roles holding them) and menu item (core.registry); it records
        # no audit actions.
        from apps.analytics import actions, menu
        from apps.core import registry

        registry.register_actions(self.label, actions.HOLDERS, names=actions.AnalyticsActions)
        registry.register_menu(menu.ITEMS)

        # Every accepted results upload refreshes the aggregates; results never import analytics.
        from apps.analytics.services import analytics_schools_refresh
        from apps.results.services import results_refresh_listener_register

        results_refresh_listener_register(analytics_schools_refresh)
