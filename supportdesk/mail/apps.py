from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "supportdesk.mail"
    verbose_name = "Mail"

    def ready(self) -> None:
        from supportdesk.mail import outbound
        from supportdesk.tickets import notify

        notify.on_public_reply(outbound.on_public_reply)
        notify.on_invite(outbound.mail_invite)
