from django.apps import AppConfig


class RemoteConfig(AppConfig):
    name = "supportdesk.remote"
    verbose_name = "Remote access"
