from django.urls import path

from supportdesk.feedback import views

app_name = "feedback"
urlpatterns = [
    path("portal/feedback", views.submit, name="submit"),
    path("desk/feedback/", views.triage_list, name="triage"),
    path("desk/feedback/<int:pk>/", views.triage_detail, name="detail"),
]
