from django.urls import path

from supportdesk.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.ticket_list, name="tickets"),
    path("new", views.new_ticket, name="new"),
    path("contact", views.contact, name="contact"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:number>/reply", views.reply, name="reply"),
    path("tickets/<str:number>/severity-request", views.request_severity, name="request"),
    path("tickets/<str:number>/status", views.change_status, name="status"),
    path(
        "tickets/<str:number>/escalation/<slug:step>",
        views.escalation_step,
        name="escalation_step",
    ),
]
