from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "supportdesk.assets"
    verbose_name = "Products and devices"
