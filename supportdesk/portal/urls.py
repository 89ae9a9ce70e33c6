from django.urls import path

from supportdesk.portal import views
from supportdesk.tickets import limitation_views

app_name = "portal"
urlpatterns = [
    path("", views.ticket_list, name="tickets"),
    path("new", views.new_ticket, name="new"),
    path("contact", views.contact, name="contact"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:number>/reply", views.reply, name="reply"),
    path("tickets/<str:number>/severity-request", views.request_severity, name="request"),
    path("tickets/<str:number>/status", views.change_status, name="status"),
    # §3.3: the customer's answer to the options for unsupported software.
    path(
        "tickets/<str:number>/third-party/option",
        limitation_views.portal_choose_option,
        name="third_party_option",
    ),
    path("tickets/<str:number>/quote/decision", views.decide_quote, name="quote_decide"),
    path(
        "tickets/<str:number>/escalation/<slug:step>",
        views.escalation_step,
        name="escalation_step",
    ),
]
