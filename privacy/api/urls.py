"""API routes of the privacy app: a person's and a company's data (export, erasure)."""

from django.urls import path  # noqa: F401  (used as routes are added below)

urlpatterns: list = [
    # export (part "export") and erasure (part "erasure") routes are added here.
]
