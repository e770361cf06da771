"""Check-in pages: the check-in with RSVP buttons, seats, waitlist, reports and notes; the
facilitator's forms and attendance; the calendar subscription page.

As elsewhere: look up through scoped selectors (a check-in of someone else's convoy is a 404),
validate a form, call one service, redirect or render. Times in forms are the convoy's local
times (see frontend.checkin_forms).
"""

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import audit_export_downloaded
from checkins.calendars import CONTENT_TYPE, calendar_build
from checkins.exports import attendance_csv, attendance_xlsx
from checkins.feeds import feed_url_for
from checkins.models import CheckIn, CheckInStatus, rsvp_open
from checkins.selectors import (
    attendance_rows,
    checkin_audience_ids,
    checkin_change_reach,
    checkin_detail_queryset,
    checkin_reports,
    checkin_rsvps,
    rsvp_of,
    waitlist_position,
)
from checkins.services import (
    CHECKIN_FIELDS,
    calendar_feed_rotate,
    checkin_cancel,
    checkin_notes_post,
    checkin_reinstate,
    checkin_schedule,
    checkin_update,
    report_file,
    rsvp_set,
)
from companies.models import Company
from convoys.selectors import convoy_list_for_user, convoy_member_companies_of_user
from frontend.checkin_forms import (
    CheckInCreateForm,
    CheckInForm,
    NotesForm,
    ReportForm,
    RsvpForm,
    ScopeForm,
    checkin_defaults,
)
from frontend.comments_views import checkin_comments_context
from frontend.forms import errors_to_form


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _checkin(request: HttpRequest, checkin_id: int) -> CheckIn:
    return get_object_or_404(checkin_detail_queryset(user=request.user), pk=checkin_id)


def _facilitator_checkin(request: HttpRequest, checkin_id: int) -> CheckIn:
    checkin = _checkin(request, checkin_id)
    if not checkin.is_facilitator:
        raise PermissionDenied
    return checkin


def _rsvp_context(request: HttpRequest, checkin: CheckIn, **extra: Any) -> dict[str, Any]:
    rsvp = rsvp_of(user=request.user, checkin=checkin)
    company_ids = convoy_member_companies_of_user(user=request.user, convoy_id=checkin.convoy_id)
    return {
        "checkin": checkin,
        "convoy": checkin.convoy,
        "tz": checkin.convoy.timezone,
        "rsvp": rsvp,
        "position": waitlist_position(rsvp),
        "company_ids": company_ids,
        "can_rsvp": bool(company_ids or checkin.is_facilitator) and rsvp_open(checkin),
        "rsvp_error": None,
        **extra,
    }


def _report_form(request: HttpRequest, checkin: CheckIn, companies: list[Company], reports):
    own = next((r for r in reports if r.company_id in {c.pk for c in companies}), None)
    initial = (
        {"company": own.company_id, "moved": own.moved, "next_steps": own.next_steps,
         "help_needed": own.help_needed}
        if own
        else {"company": companies[0].pk if companies else None}
    )  # fmt: skip
    return ReportForm(initial=initial, companies=companies)


@login_required
def checkin_detail(request: HttpRequest, checkin_id: int, **extra: Any) -> HttpResponse:
    checkin = _checkin(request, checkin_id)
    context = _rsvp_context(request, checkin)
    reports = list(
        checkin_reports(checkin=checkin, user=request.user, is_facilitator=checkin.is_facilitator)
    )
    companies = list(Company.objects.filter(pk__in=context["company_ids"]).order_by("name"))
    context.update(
        # Undo of a cancellation, while the meeting is still ahead.
        can_reinstate=checkin.is_facilitator
        and checkin.status == CheckInStatus.CANCELLED
        and checkin.starts_at > timezone.now(),
        attendees=checkin_rsvps(checkin=checkin),
        reports=reports,
        companies=companies,
        report_form=extra.pop("report_form", None)
        or (_report_form(request, checkin, companies, reports) if companies else None),
        notes_form=extra.pop("notes_form", None) or NotesForm(initial={"notes": checkin.notes}),
        # Stored when written (checkins.services): a read never renders Markdown.
        agenda_html=checkin.agenda_html,
        notes_html=checkin.notes_html,
        **checkin_comments_context(request, checkin),
        **extra,
    )
    return render(request, "frontend/checkins/checkin_detail.html", context)


@login_required
@require_POST
def checkin_rsvp_view(request: HttpRequest, checkin_id: int) -> HttpResponse:
    checkin = _checkin(request, checkin_id)
    form = RsvpForm(request.POST)
    error = None
    if form.is_valid():
        try:
            rsvp_set(actor=request.user, checkin=checkin, response=form.cleaned_data["response"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("Answer yes, no or maybe.")
    if not _is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect("frontend:checkin", checkin_id=checkin.pk)
    checkin = _checkin(request, checkin_id)  # fresh seat counts
    return render(
        request,
        "frontend/checkins/partials/rsvp.html",
        _rsvp_context(request, checkin, rsvp_error=error),
    )


def _form_values(form: CheckInForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    for key in ("location", "video_url", "agenda"):
        data[key] = data.get(key) or ""
    return data


@login_required
@require_http_methods(["GET", "POST"])
def checkin_create_view(request: HttpRequest, convoy_id: int) -> HttpResponse:
    convoy = get_object_or_404(convoy_list_for_user(user=request.user), pk=convoy_id)
    if not convoy.is_facilitator:
        raise PermissionDenied
    tz = ZoneInfo(convoy.timezone)
    with timezone.override(tz):
        form = CheckInCreateForm(
            request.POST or None, initial=checkin_defaults(now=timezone.now(), tz=tz)
        )
        if request.method == "POST" and form.is_valid():
            values = {k: v for k, v in _form_values(form).items() if not k.startswith("repeat_")}
            try:
                checkin = checkin_schedule(
                    actor=request.user, convoy=convoy, repeat=form.repeat(), **values
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "repeat" in exc.error_dict:
                    # The series as a whole: shown at its first field.
                    exc = ValidationError(
                        {
                            "repeat_every" if k == "repeat" else k: v
                            for k, v in exc.error_dict.items()
                        }
                    )
                errors_to_form(form, exc)
            else:
                if checkin.series_id:
                    messages.success(
                        request, _("The series of check-ins was scheduled; everyone is told.")
                    )
                else:
                    messages.success(request, _("The check-in was scheduled; everyone is told."))
                return redirect("frontend:checkin", checkin_id=checkin.pk)
        return render(
            request,
            "frontend/checkins/checkin_form.html",
            {
                "form": form,
                "convoy": convoy,
                "checkin": None,
                "people": len(checkin_audience_ids(convoy_id=convoy.pk)),
            },
        )


@login_required
@require_http_methods(["GET", "POST"])
def checkin_edit_view(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """Change a check-in (or it and all following of its series). A change that moves the
    time goes through a confirmation step that says who is told."""
    checkin = _facilitator_checkin(request, checkin_id)
    if checkin.status != CheckInStatus.SCHEDULED:
        messages.error(request, _("Only a scheduled check-in can be changed."))
        return redirect("frontend:checkin", checkin_id=checkin.pk)
    reach = checkin_change_reach(checkin=checkin)
    with timezone.override(ZoneInfo(checkin.convoy.timezone)):
        initial = {key: getattr(checkin, key) for key in CHECKIN_FIELDS}
        form = CheckInForm(request.POST or None, initial=initial)
        scope_form = ScopeForm(request.POST or None) if reach["following"] else None
        context = {
            "form": form,
            "scope_form": scope_form,
            "convoy": checkin.convoy,
            "checkin": checkin,
            "people": reach["people"],
            "reach": reach,
        }
        if (
            request.method == "POST"
            and form.is_valid()
            and (scope_form is None or scope_form.is_valid())
        ):
            values = _form_values(form)
            values["rsvp_deadline"] = values.get("rsvp_deadline") or values["starts_at"]
            scope = scope_form.cleaned_data["scope"] if scope_form else "one"
            moves = any(values[key] != getattr(checkin, key) for key in ("starts_at", "ends_at"))
            if moves and request.POST.get("confirmed") != "yes":
                # The confirmation step: the same data again, with what happens.
                return render(
                    request,
                    "frontend/checkins/confirm_change.html",
                    {**context, "values": values, "scope": scope},
                )
            try:
                checkin_update(actor=request.user, checkin=checkin, scope=scope, **values)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The check-in was changed; everyone is told."))
                return redirect("frontend:checkin", checkin_id=checkin.pk)
        return render(request, "frontend/checkins/checkin_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def checkin_cancel_view(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """GET: what cancelling does (and for a series: only this one or all following); POST:
    cancel. Nothing is cancelled by one click from a list."""
    checkin = _facilitator_checkin(request, checkin_id)
    if checkin.status != CheckInStatus.SCHEDULED:
        messages.error(request, _("Only a scheduled check-in can be cancelled."))
        return redirect("frontend:checkin", checkin_id=checkin.pk)
    reach = checkin_change_reach(checkin=checkin)
    scope_form = ScopeForm(request.POST or None) if reach["following"] else None
    if request.method == "POST" and (scope_form is None or scope_form.is_valid()):
        scope = scope_form.cleaned_data["scope"] if scope_form else "one"
        try:
            checkin_cancel(actor=request.user, checkin=checkin, scope=scope)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _(
                    "The check-in was cancelled; everyone is told. You can reinstate it "
                    "below while it is still ahead."
                ),
            )
        return redirect("frontend:checkin", checkin_id=checkin.pk)
    return render(
        request,
        "frontend/checkins/confirm_cancel.html",
        {
            "checkin": checkin,
            "convoy": checkin.convoy,
            "tz": checkin.convoy.timezone,
            "reach": reach,
            "scope_form": scope_form,
        },
    )


@login_required
@require_POST
def checkin_reinstate_view(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """Undo a cancellation (a check-in still ahead): its RSVPs are kept."""
    checkin = _facilitator_checkin(request, checkin_id)
    try:
        checkin_reinstate(actor=request.user, checkin=checkin)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The check-in takes place again; everyone is told."))
    return redirect("frontend:checkin", checkin_id=checkin.pk)


@login_required
@require_POST
def checkin_report_view(request: HttpRequest, checkin_id: int) -> HttpResponse:
    checkin = _checkin(request, checkin_id)
    company_ids = convoy_member_companies_of_user(user=request.user, convoy_id=checkin.convoy_id)
    if not company_ids:
        raise PermissionDenied
    companies = list(Company.objects.filter(pk__in=company_ids).order_by("name"))
    form = ReportForm(request.POST, companies=companies)
    if form.is_valid():
        data = dict(form.cleaned_data)
        company = next(c for c in companies if c.pk == data.pop("company"))
        try:
            report_file(actor=request.user, checkin=checkin, company=company, **data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Your report was filed."))
            return redirect("frontend:checkin", checkin_id=checkin.pk)
    return checkin_detail(request, checkin.pk, report_form=form)


@login_required
@require_POST
def checkin_notes_view(request: HttpRequest, checkin_id: int) -> HttpResponse:
    checkin = _facilitator_checkin(request, checkin_id)
    form = NotesForm(request.POST)
    if form.is_valid():
        try:
            checkin_notes_post(
                actor=request.user, checkin=checkin, notes=form.cleaned_data["notes"]
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The notes were posted to the convoy."))
            return redirect("frontend:checkin", checkin_id=checkin.pk)
    return checkin_detail(request, checkin.pk, notes_form=form)


@login_required
def checkin_attendance_view(request: HttpRequest, checkin_id: int) -> HttpResponse:
    checkin = _facilitator_checkin(request, checkin_id)
    return render(
        request,
        "frontend/checkins/attendance.html",
        {"checkin": checkin, "rows": attendance_rows(checkin=checkin)},
    )


@login_required
def checkin_attendance_csv_view(request: HttpRequest, checkin_id: int) -> HttpResponse:
    checkin = _facilitator_checkin(request, checkin_id)
    audit_export_downloaded(
        request=request, target=f"checkin:{checkin.pk}", export="attendance", format="csv"
    )
    return attendance_csv(checkin)


@login_required
def checkin_attendance_xlsx_view(request: HttpRequest, checkin_id: int) -> HttpResponse:
    checkin = _facilitator_checkin(request, checkin_id)
    audit_export_downloaded(
        request=request, target=f"checkin:{checkin.pk}", export="attendance", format="xlsx"
    )
    return attendance_xlsx(checkin)


@login_required
def checkin_ics_view(request: HttpRequest, checkin_id: int) -> HttpResponse:
    checkin = _checkin(request, checkin_id)
    response = HttpResponse(
        calendar_build([checkin], name=checkin.title), content_type=CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="checkin-{checkin.pk}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calendar_view(request: HttpRequest) -> HttpResponse:
    """The person's calendar subscription: the secret URL, and a button for a new one."""
    if request.method == "POST":
        had_one = feed_url_for(user=request.user) is not None
        calendar_feed_rotate(user=request.user)
        messages.success(
            request,
            _("Your calendar link is new; the old one no longer works.")
            if had_one
            else _("Your calendar link is ready. Add it to your calendar app."),
        )
        return redirect("frontend:calendar")
    url = feed_url_for(user=request.user)
    webcal = "webcal://" + url.split("://", 1)[1] if url else None
    return render(request, "frontend/checkins/calendar.html", {"url": url, "webcal": webcal})
