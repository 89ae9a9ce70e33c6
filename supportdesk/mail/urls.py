from django.urls import path

from supportdesk.mail import views

app_name = "mail"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("in/<int:pk>/", views.inbound, name="inbound"),
    path("in/<int:pk>/original.eml", views.raw, name="raw"),
    path("in/<int:pk>/reprocess", views.reprocess, name="reprocess"),
    path("in/<int:pk>/attach", views.attach, name="attach"),
    path("in/<int:pk>/discard", views.discard, name="discard"),
    path("out/", views.outbox, name="outbox"),
    path("out/<int:pk>/", views.outbound, name="outbound"),
]
