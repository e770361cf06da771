"""'Your data': the page that explains what Konvoi holds about a person and lets them
download it (and, added by privacy's erasure, delete their account); the company owners'
download of the company's data. The ZIPs are built by privacy.export, which the API and the
operators' commands use too."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from companies.selectors import is_company_owner
from convoys.selectors import company_page_companies
from modelutils import MAX_ID
from privacy.export import (
    company_data_export,
    company_export_filename,
    data_export_allowed,
    personal_data_export,
    personal_export_filename,
)


def zip_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: never kept by a shared cache or the browser's back button.
    response["Cache-Control"] = "no-store"
    return response


def export_limited_message() -> str:
    return _(
        "You have downloaded your data several times in the last hour. Please try again later."
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_data_view(request: HttpRequest) -> HttpResponse:
    """GET: what Konvoi holds about the person; POST: the ZIP of it."""
    user = cast(User, request.user)
    if request.method == "GET":
        return render(request, "frontend/profile/data.html", {})
    if not data_export_allowed(user_id=user.pk):
        messages.error(request, export_limited_message())
        return render(request, "frontend/profile/data.html", {}, status=429)
    content = personal_data_export(user, request=request)
    return zip_response(content, filename=personal_export_filename(user))


@login_required
@require_POST
def company_data_export_view(request: HttpRequest, company_id: int) -> HttpResponse:
    """Who cannot open the company's page gets 404; who can (its people, its convoys'
    facilitators) but is not an owner 403."""
    user = cast(User, request.user)
    if company_id > MAX_ID:
        raise Http404
    company = get_object_or_404(company_page_companies(user=user), pk=company_id)
    if not is_company_owner(user=user, company_id=company.pk):
        raise PermissionDenied
    if not data_export_allowed(user_id=user.pk):
        messages.error(request, export_limited_message())
        return redirect("frontend:company", company_id=company.pk)
    content = company_data_export(company, actor=user, request=request)
    return zip_response(content, filename=company_export_filename(company))
