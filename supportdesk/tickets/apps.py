from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "supportdesk.tickets"
    verbose_name = "Tickets"
