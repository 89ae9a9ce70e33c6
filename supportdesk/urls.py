from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from supportdesk.health import healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="policies:statement"), name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("supportdesk.accounts.urls")),
    path("", include("supportdesk.policies.urls")),
]
