"""Pages of the Digitalisierungs-Check (frontend namespace, via frontend.urls): the anonymous
check under /p/<slug>/check/ and /check/<token>/… (part C), a company's checks under
/companies/<id>/checks/ and /checks/<id>/… (part D)."""

from django.urls import URLPattern, URLResolver, path

from frontend import check_views as views

# check_public and check_public_confirm are reversed by frontend.links for the e-mails: keep
# them and their kwargs.
urlpatterns: list[URLPattern | URLResolver] = [
    path("p/<slug:slug>/check/", views.check_programme_start_view, name="check_programme_start"),
    path("check/", views.check_start_public_view, name="check_start_public"),
    path("check/<str:token>/", views.check_public_view, name="check_public"),
    path(
        "check/<str:token>/step/<int:step>/",
        views.check_public_step_view,
        name="check_public_step",
    ),
    path("check/<str:token>/result/", views.check_public_result_view, name="check_public_result"),
    path(
        "check/<str:token>/contact/", views.check_public_contact_view, name="check_public_contact"
    ),
    path(
        "check/<str:token>/confirm/", views.check_public_confirm_view, name="check_public_confirm"
    ),
    path("check/<str:token>/print/", views.check_public_print_view, name="check_public_print"),
    path("check/<str:token>/delete/", views.check_public_delete_view, name="check_public_delete"),
    path(
        "check/<str:token>/projects/<slug:category>/",
        views.check_public_project_view,
        name="check_public_project",
    ),
    path("checks/<id:check_id>/step/<int:step>/", views.check_step_view, name="check_step"),
    path("checks/<id:check_id>/result/", views.check_result_view, name="check_result"),
    path("checks/<id:check_id>/print/", views.check_print_view, name="check_print"),
    path(
        "checks/<id:check_id>/projects/<slug:category>/",
        views.check_project_view,
        name="check_project",
    ),
]
