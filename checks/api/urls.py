"""The check's API for signed-in people: /api/v1/check/questionnaire/, /api/v1/checks/…,
/api/v1/companies/{id}/checks/, /api/v1/convoys/{id}/maturity/."""

from django.urls import URLPattern, URLResolver, path

from checks.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("check/questionnaire/", views.QuestionnaireView.as_view(), name="check-questionnaire"),
    path("checks/", views.ChecksView.as_view(), name="checks"),
    path("checks/<id:id>/", views.CheckView.as_view(), name="check"),
    path("checks/<id:id>/answers/", views.CheckAnswersView.as_view(), name="check-answers"),
    path("checks/<id:id>/submit/", views.CheckSubmitView.as_view(), name="check-submit"),
    path("checks/<id:id>/projects/", views.CheckProjectView.as_view(), name="check-projects"),
    path("companies/<id:id>/checks/", views.CompanyChecksView.as_view(), name="company-checks"),
    path("convoys/<id:id>/maturity/", views.ConvoyMaturityView.as_view(), name="convoy-maturity"),
]
