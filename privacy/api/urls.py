"""API routes of the privacy app: a person's and a company's data (export, erasure)."""

from django.urls import path

from privacy.api.erasure_views import AccountDeleteView, CompanyDeleteView
from privacy.api.views import CompanyDataExportView, MyDataExportView

urlpatterns: list = [
    # export (part "export") and erasure (part "erasure") routes are added here.
    path("me/export/", MyDataExportView.as_view(), name="me-export"),
    path(
        "companies/<int:company_id>/export/",
        CompanyDataExportView.as_view(),
        name="company-export",
    ),
    path("me/delete/", AccountDeleteView.as_view(), name="me-delete"),
    path("companies/<int:company_id>/delete/", CompanyDeleteView.as_view(), name="company-delete"),
]
