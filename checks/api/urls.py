"""The check's API for signed-in people: /api/v1/check/questionnaire/, /api/v1/checks/…,
/api/v1/companies/{id}/checks/, /api/v1/convoys/{id}/maturity/ (part B)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
