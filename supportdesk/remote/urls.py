from django.urls import path

from supportdesk.remote import views

app_name = "remote"
urlpatterns = [
    # The workspace.
    path("desk/tickets/<str:number>/remote-access", views.request_access, name="request"),
    path("desk/tickets/<str:number>/remote-access/<int:pk>/grant", views.grant, name="grant"),
    path("desk/tickets/<str:number>/remote-access/<int:pk>/decline", views.decline, name="decline"),
    path("desk/tickets/<str:number>/remote-access/<int:pk>/revoke", views.revoke, name="revoke"),
    # The portal.
    path(
        "portal/tickets/<str:number>/remote-access/<int:pk>/grant",
        views.portal_grant,
        name="portal_grant",
    ),
    path(
        "portal/tickets/<str:number>/remote-access/<int:pk>/decline",
        views.portal_decline,
        name="portal_decline",
    ),
    path(
        "portal/tickets/<str:number>/remote-access/<int:pk>/revoke",
        views.portal_revoke,
        name="portal_revoke",
    ),
]
