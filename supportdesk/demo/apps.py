from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "supportdesk.demo"
    verbose_name = "Demo data"
