from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "supportdesk.notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from supportdesk.notifications import rules
        from supportdesk.tickets import notify

        notify.on_change(rules.on_change)
        notify.on_caught_up(rules.caught_up)
