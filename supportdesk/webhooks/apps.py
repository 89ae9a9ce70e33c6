from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "supportdesk.webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from supportdesk.tickets import notify
        from supportdesk.webhooks import publish

        notify.on_change(publish.on_change)
