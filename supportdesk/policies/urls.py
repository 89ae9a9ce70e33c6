from django.urls import path

from supportdesk.policies import views

app_name = "policies"
urlpatterns = [
    path("policy", views.statement, name="statement"),
    path("desk/policy/", views.versions, name="versions"),
    path("desk/policy/upload", views.upload, name="upload"),
    path("desk/policy/confirm", views.confirm, name="confirm"),
    path("desk/policy/withdraw", views.withdraw, name="withdraw"),
]
