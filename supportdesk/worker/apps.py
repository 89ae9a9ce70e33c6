from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "supportdesk.worker"
    verbose_name = "Worker"
