"""Pages of a programme's company register, for its staff (managers and coaches): the list
with search and filters, recording a company, a record's page (facts, funnel stage, touches,
services, duplicate suggestions), recording/editing/deleting a service, merging duplicates.

Each view starts at programmes.selectors.programme_for_staff (non-staff: 404), reads through
the register selectors and writes through one programmes service; a service's
ValidationError is shown on the form.
"""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from checks.services import check_touch_text
from frontend.company_check_views import record_checks_context
from frontend.forms import errors_to_form
from frontend.register_forms import (
    CompanyRecordEditForm,
    CompanyRecordForm,
    RegisterFilterForm,
    ServiceForm,
)
from programmes.models import CompanyRecord, Programme, Service, ServiceKind, TouchKind
from programmes.selectors import (
    company_record_for_company,
    company_record_for_staff,
    company_record_has_accounts,
    company_record_services,
    company_record_touches,
    company_register,
    duplicate_suggestions,
    programme_coaches,
    programme_for_staff,
    register_duplicate_of,
    register_regions,
    service_for_staff,
)
from programmes.services import (
    company_record_create,
    company_record_update,
    company_records_merge,
    service_delete,
    service_record,
    service_update,
    stage_ways,
)

REGISTER_PAGE_SIZE = 25


def _programme(request: HttpRequest, programme_id: int) -> Programme:
    programme, _role = programme_for_staff(programme_id=programme_id, user=request.user)
    return programme


def _record_page(record: CompanyRecord) -> HttpResponse:
    return redirect(
        "frontend:programme_record", programme_id=record.programme_id, record_id=record.pk
    )


def _touch_text(kind: str, label: str) -> str:
    """What a touch's label says, in the reader's language: a service touch holds its kind's
    wire value ("voucher"); a convoy touch the convoy's name; a check touch its stage's key
    (checks.services.check_touch_label); others nothing."""
    if kind == TouchKind.SERVICE and label in ServiceKind.values:
        return str(ServiceKind(label).label)
    if kind == TouchKind.CHECK_SUBMITTED:
        return check_touch_text(label)
    return label


def _existing_record(
    programme: Programme, form: CompanyRecordForm, *, exclude_company_id: int | None = None
) -> CompanyRecord | None:
    """The record a refused name and postcode already belong to, to link on the form."""
    if not form.is_bound or "name" not in form.errors or "postcode" not in form.fields:
        return None
    return register_duplicate_of(
        programme=programme,
        name=str(form["name"].value() or ""),
        postcode=str(form["postcode"].value() or ""),
        exclude_company_id=exclude_company_id,
    )


@login_required
def register_view(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The register: phone-first cards, newest touch first, searchable and filtered."""
    programme = _programme(request, programme_id)
    form = RegisterFilterForm(request.GET or None, regions=register_regions(programme=programme))
    filters = form.filters()
    records = company_register(programme=programme, **filters)
    page = Paginator(records, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    page_records = list(page.object_list)
    for record in page_records:
        first = _touch_text(record.first_touch_kind, record.first_touch_label)
        last = _touch_text(record.last_touch_kind, record.last_touch_label)
        record.first_touch_text, record.last_touch_text = first, last  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "programme": programme,
        "form": form,
        "filtered": bool(filters),
        "page": page,
        "records": page_records,
        "query": query.urlencode(),
    }
    return render(request, "frontend/programmes/register.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_create_view(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Record a company the programme reached that has no Konvoi account."""
    programme = _programme(request, programme_id)
    form = CompanyRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = company_record_create(
                programme=programme, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The company is in the register."))
            return _record_page(record)
    status = 400 if request.method == "POST" else 200
    context = {
        "programme": programme,
        "form": form,
        "existing": _existing_record(programme, form),
    }
    return render(request, "frontend/programmes/register_form.html", context, status=status)


def _touches_with_text(record: CompanyRecord) -> list[Any]:
    touches = list(company_record_touches(record=record))
    for touch in touches:
        touch.text = _touch_text(touch.kind, touch.label)
    return touches


def _record_context(
    request: HttpRequest, programme: Programme, record: CompanyRecord, **extra: Any
) -> dict[str, Any]:
    coaches = programme_coaches(programme=programme)
    return {
        "programme": programme,
        "record": record,
        "has_accounts": company_record_has_accounts(record=record),
        "stages": stage_ways(),
        "touches": _touches_with_text(record),
        "services": list(company_record_services(record=record)),
        "suggestions": duplicate_suggestions(programme=programme, record=record),
        # The company's Digitalisierungs-Checks the programme may see, and a coach's start.
        **record_checks_context(programme=programme, record=record, user=cast(User, request.user)),
        "service_form": ServiceForm(
            initial={"date": timezone.localdate()},
            coaches=coaches,
            me=request.user,
            prefix="service",
        ),
        **extra,
    }


@login_required
def record_view(request: HttpRequest, programme_id: int, record_id: int) -> HttpResponse:
    """A record: the company's facts, its stage in the funnel, its touches, its services."""
    programme = _programme(request, programme_id)
    record = company_record_for_staff(programme=programme, record_id=record_id)
    return render(
        request,
        "frontend/programmes/record.html",
        _record_context(request, programme, record),
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_edit_view(request: HttpRequest, programme_id: int, record_id: int) -> HttpResponse:
    """Edit the contact person, and the company's facts while it has no Konvoi account."""
    programme = _programme(request, programme_id)
    record = company_record_for_staff(programme=programme, record_id=record_id)
    company_facts = not company_record_has_accounts(record=record)
    company = record.company
    initial = {
        "name": company.name,
        "sector": company.sector,
        "size": company.size,
        "city": company.city,
        "postcode": company.postcode,
        "region": company.region,
        "website": company.website,
        "contact_name": record.contact_name,
        "contact_email": record.contact_email,
    }
    form = CompanyRecordEditForm(request.POST or None, initial=initial, company_facts=company_facts)
    if request.method == "POST" and form.is_valid():
        try:
            company_record_update(record=record, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The record was saved."))
            return _record_page(record)
    status = 400 if request.method == "POST" else 200
    context = {
        "programme": programme,
        "record": record,
        "form": form,
        "existing": _existing_record(programme, form, exclude_company_id=company.pk),
    }
    return render(request, "frontend/programmes/record_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def service_create_view(request: HttpRequest, programme_id: int, record_id: int) -> HttpResponse:
    """Record a service for this record's company (the form is also on the record page)."""
    programme = _programme(request, programme_id)
    record = company_record_for_staff(programme=programme, record_id=record_id)
    form = ServiceForm(
        request.POST or None,
        initial={"date": timezone.localdate()},
        coaches=programme_coaches(programme=programme),
        me=request.user,
        prefix="service",
    )
    if request.method == "POST" and form.is_valid():
        try:
            service_record(
                programme=programme, company=record.company, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The service was recorded."))
            return _record_page(record)
    status = 400 if request.method == "POST" else 200
    context = {"programme": programme, "record": record, "form": form, "service": None}
    return render(request, "frontend/programmes/service_form.html", context, status=status)


def _service_and_record(
    request: HttpRequest, programme_id: int, service_id: int
) -> tuple[Programme, Service, CompanyRecord | None]:
    programme = _programme(request, programme_id)
    service = service_for_staff(programme=programme, service_id=service_id)
    record = company_record_for_company(programme=programme, company_id=service.company_id)
    return programme, service, record


def _after_service(programme: Programme, record: CompanyRecord | None) -> HttpResponse:
    if record is None:
        return redirect("frontend:programme_register", programme_id=programme.pk)
    return _record_page(record)


@login_required
@require_http_methods(["GET", "POST"])
def service_edit_view(request: HttpRequest, programme_id: int, service_id: int) -> HttpResponse:
    programme, service, record = _service_and_record(request, programme_id, service_id)
    initial = {
        "kind": service.kind,
        "category": service.category,
        "date": service.date,
        "minutes": service.minutes,
        "coach": None if service.coach_id == request.user.pk else service.coach_id,
        "notes": service.notes,
    }
    form = ServiceForm(
        request.POST or None,
        initial=initial,
        coaches=programme_coaches(programme=programme),
        me=request.user,
        prefix="service",
    )
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        values["coach"] = values["coach"] or request.user
        try:
            service_update(service=service, by=request.user, **values)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The service was saved."))
            return _after_service(programme, record)
    status = 400 if request.method == "POST" else 200
    context = {"programme": programme, "record": record, "form": form, "service": service}
    return render(request, "frontend/programmes/service_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def service_delete_view(request: HttpRequest, programme_id: int, service_id: int) -> HttpResponse:
    """Delete a service after a confirmation page; the record is recomputed."""
    programme, service, record = _service_and_record(request, programme_id, service_id)
    if request.method == "POST":
        service_delete(service=service, by=request.user)
        messages.success(request, _("The service was deleted."))
        return _after_service(programme, record)
    context = {"programme": programme, "record": record, "service": service}
    return render(request, "frontend/programmes/service_delete.html", context)


@login_required
def duplicates_view(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Records that may be one company, each pair with a way to merge it."""
    programme = _programme(request, programme_id)
    context = {
        "programme": programme,
        "suggestions": duplicate_suggestions(programme=programme),
    }
    return render(request, "frontend/programmes/register_duplicates.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_merge_view(
    request: HttpRequest, programme_id: int, record_id: int, duplicate_id: int
) -> HttpResponse:
    """Merge `duplicate_id` into `record_id`, after a confirmation page saying what happens."""
    programme = _programme(request, programme_id)
    keep = company_record_for_staff(programme=programme, record_id=record_id)
    duplicate = company_record_for_staff(programme=programme, record_id=duplicate_id)
    error = None
    if request.method == "POST":
        try:
            company_records_merge(
                programme=programme, keep=keep, duplicate=duplicate, by=request.user
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The records were merged."))
            return _record_page(keep)
    context = {"programme": programme, "keep": keep, "duplicate": duplicate, "error": error}
    status = 400 if error else 200
    return render(request, "frontend/programmes/record_merge.html", context, status=status)
