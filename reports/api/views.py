"""The programme report over the API: JSON, and the same figures as XLSX and CSV.

Managers only (a coach gets 403, anyone else 404, through programmes.selectors'
programme_for_staff); the period is `?from=YYYY-MM-DD&to=YYYY-MM-DD` (local days, both
included). The figures come from reports.programme_report, the one home of the counting rules.
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import audit_export_downloaded
from checkins.exports import XLSX_CONTENT_TYPE
from programmes.models import Programme
from programmes.selectors import programme_for_staff
from reports.api.serializers import ProgrammeReportOutput
from reports.programme_report import (
    ProgrammeReport,
    period_parse,
    programme_report,
    report_filename,
)
from reports.report_exports import report_csv_text, report_xlsx_bytes

REPORT_TAGS = ["programme report"]
_ERRORS = (
    " Managers of the programme only: a coach gets 403, anyone else 404. A missing or "
    "invalid period is a 400 naming `from` or `to`."
)

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        required=True,
        description=(
            "First day of the period (YYYY-MM-DD, local day, included; a year from 2000 to "
            "next year)."
        ),
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.DATE,
        required=True,
        description=(
            "Last day of the period (YYYY-MM-DD, included; a year from 2000 to next year; at "
            "most five years after `from`)."
        ),
    ),
]


def _report(request: Request, programme_id: int) -> tuple[Programme, ProgrammeReport]:
    # The gate first: an outsider learns nothing, not even whether the period was valid.
    programme, _role = programme_for_staff(
        programme_id=programme_id, user=request.user, manager=True
    )
    period = period_parse(
        start=request.query_params.get("from"), end=request.query_params.get("to")
    )
    return programme, programme_report(programme=programme, period=period)


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ProgrammeReportView(APIView):
    """The programme report for a period: every indicator with its value, its counting rule
    and its breakdowns. The same figures as files: `report.xlsx` and `report.csv`."""

    @extend_schema(
        operation_id="programmes_report_retrieve",
        tags=REPORT_TAGS,
        summary="The programme report for a period",
        description=(
            "The figures a programme owes its funders for the period `from`…`to` (local days, "
            "both included): every indicator in order with its `key`, `label`, `value`, its "
            "counting `rule` (label and rule in the request language) and, where it has them, "
            "its breakdowns by dimension (e.g. `size_class`, `sector`, `stage`)." + _ERRORS
        ),
        parameters=PERIOD_PARAMETERS,
        responses={200: ProgrammeReportOutput},
    )
    def get(self, request: Request, id: int) -> Response:
        _programme, report = _report(request, id)
        return Response(report.as_json())


class ProgrammeReportXlsxView(APIView):
    """The programme report as an Excel workbook: indicators, companies reached, services
    and convoys of the period (sheets "Indicators", "Companies", "Services", "Convoys")."""

    @extend_schema(
        operation_id="programmes_report_xlsx",
        tags=REPORT_TAGS,
        summary="The programme report as an Excel workbook",
        description=(
            "The same figures as the JSON report, as an XLSX attachment in the request "
            "language: the sheets Indicators (label, value and counting rule, then key, "
            "dimension and value key), Companies (each company reached, first and last contact "
            "as dates), Services (each service dated in the period, without the staff's notes) "
            "and Convoys. The download is recorded in the audit log." + _ERRORS
        ),
        parameters=PERIOD_PARAMETERS,
        responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, id: int) -> HttpResponse:
        programme, report = _report(request, id)
        audit_export_downloaded(
            request=request._request,
            target=f"programme:{programme.pk}",
            export="programme_report",
            format="xlsx",
        )
        response = HttpResponse(report_xlsx_bytes(report), content_type=XLSX_CONTENT_TYPE)
        return _attachment(
            response, report_filename(programme=programme, period=report.period, extension="xlsx")
        )


class ProgrammeReportCsvView(APIView):
    """The indicators as CSV for German Excel: `key;dimension;value_key;value;label;rule`,
    UTF-8 with a BOM, one row per indicator and per breakdown entry."""

    @extend_schema(
        operation_id="programmes_report_csv",
        tags=REPORT_TAGS,
        summary="The programme report's indicators as CSV",
        description=(
            "The indicators of the JSON report as CSV for German Excel (`;`, UTF-8 with a BOM, "
            "every cell quoted): one row per indicator and per breakdown entry. The header "
            "`key;dimension;value_key;value;label;rule` stays English in every language (a "
            "machine header); `label` and `rule` are in the request language. The download is "
            "recorded in the audit log." + _ERRORS
        ),
        parameters=PERIOD_PARAMETERS,
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request, id: int) -> HttpResponse:
        programme, report = _report(request, id)
        audit_export_downloaded(
            request=request._request,
            target=f"programme:{programme.pk}",
            export="programme_report",
            format="csv",
        )
        response = HttpResponse(report_csv_text(report), content_type="text/csv; charset=utf-8")
        return _attachment(
            response, report_filename(programme=programme, period=report.period, extension="csv")
        )
