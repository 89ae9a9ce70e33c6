from django.urls import path

from supportdesk.tickets import (
    escalation_views,
    limitation_views,
    report_views,
    saved_reply_views,
    scope_views,
    views,
)

app_name = "tickets"
urlpatterns = [
    path("desk/", views.queue, name="workspace"),
    path("desk/queue/<slug:queue>/", views.queue, name="queue"),
    path("desk/tickets/<str:number>/", views.ticket_detail, name="ticket"),
    path("desk/tickets/<str:number>/reply", views.reply, name="reply"),
    path("desk/tickets/<str:number>/note", views.note, name="note"),
    path("desk/tickets/<str:number>/call", views.log_call, name="call"),
    path("desk/tickets/<str:number>/severity", views.change_severity, name="severity"),
    path("desk/tickets/<str:number>/severity-request", views.request_severity, name="request"),
    path("desk/tickets/<str:number>/severity-decision", views.decide_severity, name="decide"),
    path("desk/tickets/<str:number>/assign", views.assign, name="assign"),
    path("desk/tickets/<str:number>/status", views.change_status, name="status"),
    path("desk/tickets/<str:number>/forward", views.forward, name="forward"),
    path("desk/tickets/<str:number>/watchers", views.set_watchers, name="watchers"),
    path("desk/tickets/<str:number>/workaround", views.record_workaround, name="workaround"),
    # §4: the support matrix: the category, the override, quotes.
    path("desk/tickets/<str:number>/category", scope_views.set_category, name="category"),
    path(
        "desk/tickets/<str:number>/scope-override",
        scope_views.override_scope,
        name="scope_override",
    ),
    path("desk/tickets/<str:number>/quote", scope_views.offer_quote, name="quote"),
    path("desk/tickets/<str:number>/quote/decision", scope_views.decide_quote, name="quote_decide"),
    path(
        "desk/tickets/<str:number>/quote/withdraw",
        scope_views.withdraw_quote,
        name="quote_withdraw",
    ),
    # §3: third-party software and the options of §3.3; "cannot reproduce" (§3.2).
    path(
        "desk/tickets/<str:number>/third-party",
        limitation_views.record_third_party,
        name="third_party",
    ),
    path(
        "desk/tickets/<str:number>/third-party/option",
        limitation_views.choose_option,
        name="third_party_option",
    ),
    path(
        "desk/tickets/<str:number>/cannot-reproduce",
        limitation_views.cannot_reproduce,
        name="cannot_reproduce",
    ),
    path(
        "desk/tickets/<str:number>/escalation/<slug:step>",
        views.escalation_step,
        name="escalation_step",
    ),
    path("desk/escalations/", escalation_views.queue, name="escalations"),
    path("desk/reports/breaches", report_views.breaches, name="breach_report"),
    path("desk/saved-replies/", saved_reply_views.saved_replies, name="saved_replies"),
    path(
        "desk/saved-replies/<int:pk>/", saved_reply_views.saved_reply_edit, name="saved_reply_edit"
    ),
    path(
        "desk/saved-replies/<int:pk>/delete",
        saved_reply_views.saved_reply_delete,
        name="saved_reply_delete",
    ),
    # Shared by the workspace and the portal: access decides, not the URL.
    path("attachments/<int:pk>/", views.download_attachment, name="attachment"),
]
