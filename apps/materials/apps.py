from django.apps import AppConfig


class MaterialsConfig(AppConfig):
    name = "apps.materials"
    verbose_name = "Материалы"
