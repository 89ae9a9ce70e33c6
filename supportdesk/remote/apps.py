from django.apps import AppConfig


class RemoteConfig(AppConfig):
    name = "supportdesk.remote"
    verbose_name = "Remote access"

    def ready(self) -> None:
        from supportdesk.remote import closing
        from supportdesk.tickets import notify

        notify.on_change(closing.on_change)
