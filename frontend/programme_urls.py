"""Pages of programmes and their staff, and the public programme page (frontend namespace,
via frontend.urls)."""

from django.urls import URLPattern, URLResolver, path

from frontend import programme_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("programmes/", views.programmes_view, name="programmes"),
    path("programmes/<id:programme_id>/", views.programme_view, name="programme"),
    path(
        "programmes/<id:programme_id>/staff/",
        views.programme_staff_view,
        name="programme_staff",
    ),
    path(
        "programmes/<id:programme_id>/staff/<id:staff_id>/role/",
        views.programme_staff_role_view,
        name="programme_staff_role",
    ),
    path(
        "programmes/<id:programme_id>/staff/<id:staff_id>/remove/",
        views.programme_staff_remove_view,
        name="programme_staff_remove",
    ),
    path(
        "programmes/<id:programme_id>/staff-invitations/<id:invitation_id>/revoke/",
        views.programme_staff_invitation_revoke_view,
        name="programme_staff_invitation_revoke",
    ),
    path(
        "programmes/<id:programme_id>/settings/",
        views.programme_settings_view,
        name="programme_settings",
    ),
    path(
        "programme-invitations/<str:token>/",
        views.programme_invitation_view,
        name="programme_invitation",
    ),
    path("p/<slug:slug>/", views.programme_public_view, name="programme_public"),
]
