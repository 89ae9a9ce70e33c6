from django.contrib import admin
from django.urls import include, path

from supportdesk.api.urls import api_urls
from supportdesk.health import healthz
from supportdesk.home import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls),
    path("accounts/", include("supportdesk.accounts.urls")),
    path("", include("supportdesk.policies.urls")),
    path("", include("supportdesk.tickets.urls")),
    path("desk/mail/", include("supportdesk.mail.urls")),
    path("desk/notifications/", include("supportdesk.notifications.urls")),
    path("portal/", include("supportdesk.portal.urls")),
    path("", include("supportdesk.remote.urls")),
    path("", include("supportdesk.feedback.urls")),
]
