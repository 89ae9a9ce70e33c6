from django.urls import path

from supportdesk.policies import views

app_name = "policies"
urlpatterns = [
    path("policy", views.statement, name="statement"),
]
