"""API of 'download my data': the person's ZIP and, for its owners, the company's ZIP.

POST, not GET: each download is recorded in the audit log. The ZIPs are built by
privacy.export, the same functions the web page and the operators' commands use."""

from typing import cast

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import User
from companies.selectors import is_company_owner
from convoys.selectors import companies_visible_to
from modelutils import MAX_ID
from privacy.export import (
    company_data_export,
    company_export_filename,
    data_export_allowed,
    personal_data_export,
    personal_export_filename,
)

ZIP_CONTENT_TYPE = "application/zip"


def _zip(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ZIP_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _limited() -> Throttled:
    return Throttled(
        detail=_(
            "You have downloaded your data several times in the last hour. Please try again later."
        )
    )


class MyDataExportView(APIView):
    permission_classes = [IsAuthenticated]
    serializer_class = None

    @extend_schema(
        request=None,
        responses={
            (200, ZIP_CONTENT_TYPE): OpenApiTypes.BINARY,
            429: OpenApiResponse(description="Too many exports in the last hour."),
        },
        operation_id="me_export",
    )
    def post(self, request: Request) -> HttpResponse:
        """Everything Konvoi holds about the caller, as a ZIP (JSON files, the texts they
        wrote as Markdown, a README.txt). Recorded in the audit log."""
        user = cast(User, request.user)
        if not data_export_allowed(user_id=user.pk):
            raise _limited()
        content = personal_data_export(user, request=request._request)
        return _zip(content, personal_export_filename(user))


class CompanyDataExportView(APIView):
    permission_classes = [IsAuthenticated]
    serializer_class = None

    @extend_schema(
        request=None,
        responses={
            (200, ZIP_CONTENT_TYPE): OpenApiTypes.BINARY,
            403: OpenApiResponse(description="Not an owner of the company."),
            404: OpenApiResponse(description="No such company, or not visible to the caller."),
            429: OpenApiResponse(description="Too many exports in the last hour."),
        },
        operation_id="companies_export",
    )
    def post(self, request: Request, company_id: int) -> HttpResponse:
        """Owner: the company's data as a ZIP. Who cannot see the company gets 404; who can
        (its people, its convoys' facilitators) but is not an owner 403."""
        user = cast(User, request.user)
        if company_id > MAX_ID:
            raise Http404
        company = get_object_or_404(companies_visible_to(user=user), pk=company_id)
        if not is_company_owner(user=user, company_id=company.pk):
            raise PermissionDenied(_("Only an owner of the company may do this."))
        if not data_export_allowed(user_id=user.pk):
            raise _limited()
        content = company_data_export(company, actor=user, request=request._request)
        return _zip(content, company_export_filename(company))
