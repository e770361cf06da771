"""The anonymous check's API: /api/v1/public/checks/…"""

from django.urls import URLPattern, URLResolver, path

from checks.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("public/checks/", views.PublicChecksView.as_view(), name="public-checks"),
    path("public/checks/<str:token>/", views.PublicCheckView.as_view(), name="public-check"),
    path(
        "public/checks/<str:token>/answers/",
        views.PublicAnswersView.as_view(),
        name="public-check-answers",
    ),
    path(
        "public/checks/<str:token>/submit/",
        views.PublicSubmitView.as_view(),
        name="public-check-submit",
    ),
    path(
        "public/checks/<str:token>/contact/",
        views.PublicContactView.as_view(),
        name="public-check-contact",
    ),
    path(
        "public/checks/<str:token>/confirm/",
        views.PublicConfirmView.as_view(),
        name="public-check-confirm",
    ),
]
