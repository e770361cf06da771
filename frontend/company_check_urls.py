"""Pages of a company's Digitalisierungs-Checks over time, and a coach's advisor-assisted
start from the register (frontend namespace, via frontend.urls)."""

from django.urls import URLPattern, URLResolver, path

from frontend import company_check_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    # Reversed by frontend.links for the "company" target (the check-due reminder).
    path("companies/<id:company_id>/checks/", views.company_checks_view, name="company_checks"),
    path(
        "programmes/<id:programme_id>/companies/<id:record_id>/checks/new/",
        views.record_check_start_view,
        name="programme_record_check_start",
    ),
]
