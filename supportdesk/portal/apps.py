from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "supportdesk.portal"
    verbose_name = "Customer portal"
