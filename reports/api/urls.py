"""The programme report: JSON, XLSX and CSV (reports.api.views)."""

from django.urls import URLPattern, URLResolver, path

from reports.api.views import ProgrammeReportCsvView, ProgrammeReportView, ProgrammeReportXlsxView

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "programmes/<id:id>/report/",
        ProgrammeReportView.as_view(),
        name="programme-report",
    ),
    path(
        "programmes/<id:id>/report.xlsx",
        ProgrammeReportXlsxView.as_view(),
        name="programme-report-xlsx",
    ),
    path(
        "programmes/<id:id>/report.csv",
        ProgrammeReportCsvView.as_view(),
        name="programme-report-csv",
    ),
]
