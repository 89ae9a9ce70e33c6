from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "supportdesk.feedback"
    verbose_name = "Product feedback"
