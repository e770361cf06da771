"""The staff's pages of a programme's open events: the list, the event form, publish and
cancel, the event page with its registrations, the door check-in for a phone, messages after
the event and the participant export.

Every page is under /programmes/<id>/events/…; `_event` gates it: staff of the programme
(programmes.selectors.programme_for_staff) and an event of that programme
(events.selectors.event_for_staff), else 404. Writes go through events.services (and
events.messaging), which check the role again. Times are the programme's local times.
"""

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import audit_export_downloaded
from events import services
from events.exports import column_label, column_value, registrations_csv, registrations_xlsx
from events.matching import suggestions_for
from events.models import EventStatus, MessageSegment, OpenEvent, Registration
from events.selectors import (
    event_for_staff,
    events_for_programme,
    registration_columns,
    registration_contact_pending,
    registration_for_staff,
    registrations_for_staff,
    seats_left,
)
from events.times import zone_words
from frontend.event_forms import (
    CheckInForm,
    EventForm,
    MessageForm,
    RegistrationFilterForm,
    WalkInForm,
    event_initial,
)
from frontend.forms import errors_to_form
from notifications.links import Target, link_url
from programmes.models import Programme, StaffRole
from programmes.selectors import programme_for_staff

# The door's list of search results: enough for one name, not the whole list.
DOOR_RESULTS = 20


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _event(
    request: HttpRequest, programme_id: int, event_id: int
) -> tuple[Programme, StaffRole, OpenEvent]:
    """The event (with its counts), its programme and the user's role there; 404 unless the
    user is staff of the programme and the event is the programme's."""
    event = event_for_staff(event_id=event_id, user=request.user)
    if event.programme_id != programme_id:
        raise Http404("No such event.")
    return event.programme, StaffRole(event.my_role), event


def _tz(programme: Programme) -> ZoneInfo:
    return ZoneInfo(programme.timezone)


def public_event_url(event: OpenEvent) -> str | None:
    """The public page's address to copy (None while the public pages are not there)."""
    try:
        return link_url(Target(type="event_public", id=event.pk, slug=event.programme.slug))
    except NoReverseMatch:
        return None


def _event_page(event: OpenEvent) -> str:
    return reverse(
        "frontend:programme_event",
        kwargs={"programme_id": event.programme_id, "event_id": event.pk},
    )


def _door_page(event: OpenEvent) -> str:
    return reverse(
        "frontend:programme_event_door",
        kwargs={"programme_id": event.programme_id, "event_id": event.pk},
    )


def _back(request: HttpRequest, default: str) -> str:
    """Where a form posted from the event page or the door goes back to."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- the list and the form -----------------------------------------------------------------


@login_required
@require_GET
def events_view(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The programme's events: upcoming first (soonest first), then past ones (latest first),
    drafts and cancelled ones marked, with registered/seats, waiting list and attendance."""
    programme, role = programme_for_staff(programme_id=programme_id, user=request.user)
    now = timezone.now()
    events = list(events_for_programme(programme=programme))
    upcoming = [e for e in events if e.ends_at >= now]
    past = sorted((e for e in events if e.ends_at < now), key=lambda e: e.starts_at, reverse=True)
    context = {
        "programme": programme,
        "role": role,
        "upcoming": sorted(upcoming, key=lambda e: e.starts_at),
        "past": past,
        "tz": programme.timezone,
        "zone": zone_words(programme.timezone),
    }
    return render(request, "frontend/events/staff/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def event_create_view(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme, role = programme_for_staff(programme_id=programme_id, user=request.user)
    with timezone.override(_tz(programme)):
        form = EventForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                event = services.event_create(
                    programme=programme,
                    by=request.user,
                    draft=bool(form.cleaned_data.get("draft")),
                    **form.values(),
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                if event.status == EventStatus.DRAFT:
                    messages.success(
                        request, _("The event was saved as a draft; it is not public.")
                    )
                else:
                    messages.success(request, _("The event was created and is public now."))
                return redirect(_event_page(event))
        context = {
            "programme": programme,
            "role": role,
            "form": form,
            "event": None,
            "zone": zone_words(programme.timezone),
        }
        status = 400 if request.method == "POST" else 200
        return render(request, "frontend/events/staff/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit_view(request: HttpRequest, programme_id: int, event_id: int) -> HttpResponse:
    programme, role, event = _event(request, programme_id, event_id)
    if event.status == EventStatus.CANCELLED:
        messages.error(request, _("A cancelled event cannot be changed."))
        return redirect(_event_page(event))
    with timezone.override(_tz(programme)):
        form = EventForm(request.POST or None, initial=event_initial(event), event=event)
        if request.method == "POST" and form.is_valid():
            try:
                services.event_update(event=event, by=request.user, **form.values())
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect(_event_page(event))
        context = {
            "programme": programme,
            "role": role,
            "form": form,
            "event": event,
            "people": event.registrations.exclude(status="cancelled").count(),
            "zone": zone_words(programme.timezone),
        }
        status = 400 if request.method == "POST" else 200
        return render(request, "frontend/events/staff/form.html", context, status=status)


@login_required
@require_POST
def event_publish_view(request: HttpRequest, programme_id: int, event_id: int) -> HttpResponse:
    _programme, _role, event = _event(request, programme_id, event_id)
    try:
        services.event_publish(event=event, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The event is public now."))
    return redirect(_event_page(event))


@login_required
@require_http_methods(["GET", "POST"])
def event_cancel_view(request: HttpRequest, programme_id: int, event_id: int) -> HttpResponse:
    """GET asks to confirm (and says who is told), POST cancels."""
    programme, role, event = _event(request, programme_id, event_id)
    if event.status == EventStatus.CANCELLED:
        messages.error(request, _("The event is already cancelled."))
        return redirect(_event_page(event))
    if request.method == "POST":
        try:
            services.event_cancel(event=event, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("The event was cancelled; everyone registered is being told.")
            )
        return redirect(_event_page(event))
    people = event.registrations.exclude(status="cancelled").count()
    context = {"programme": programme, "role": role, "event": event, "people": people}
    return render(request, "frontend/events/staff/cancel.html", context)


# --- the event page ----------------------------------------------------------------------


def _rows(
    event: OpenEvent, registrations: list[Registration], columns: list[str], role: str
) -> list[dict[str, Any]]:
    """The registrations as rows of (label, value), by the role's columns (one home: the
    export's column_value), then the answers to the event's questions where the role sees
    them."""
    questions = [q for q in (event.questions or []) if isinstance(q, dict) and q.get("key")]
    answers = "answers" in registration_columns(role)
    # Register entries of the same company (name and postcode), for "match": one query.
    suggested = suggestions_for([r for r in registrations if r.company_id is None])
    rows = []
    for r in registrations:
        cells = [(column_label(c), column_value(c, r, role)) for c in columns]
        if answers:
            given = r.answers or {}
            cells += [(q.get("label") or q["key"], given.get(q["key"], "")) for q in questions]
        rows.append(
            {
                "registration": r,
                "cells": cells,
                "suggested": len(suggested.get(r.pk, [])),
                "contact_pending": registration_contact_pending(r),
            }
        )
    return rows


@login_required
@require_GET
def event_detail_view(request: HttpRequest, programme_id: int, event_id: int) -> HttpResponse:
    programme, role, event = _event(request, programme_id, event_id)
    filters = RegistrationFilterForm(request.GET or None)
    q, status = "", ""
    if filters.is_valid():
        q = filters.cleaned_data.get("q") or ""
        status = filters.cleaned_data.get("status") or ""
    registrations = list(registrations_for_staff(event=event, q=q, status=status))
    columns = [
        c
        for c in registration_columns(role)
        if c not in {"answers", "id", "name", "status", "attended", "attended_at", "walk_in"}
    ]
    context = {
        "programme": programme,
        "role": role,
        "event": event,
        "seats_left": seats_left(event),
        "public_url": public_event_url(event) if event.status != EventStatus.DRAFT else None,
        "filters": filters,
        "filtered": bool(q or status),
        "rows": _rows(event, registrations, columns, role),
        "can_check_in": event.status != EventStatus.CANCELLED,
        "is_over": event.ends_at <= timezone.now(),
        "tz": programme.timezone,
        "zone": zone_words(programme.timezone),
    }
    return render(request, "frontend/events/staff/detail.html", context)


# --- check-in: from the event page and at the door -------------------------------------------


def _feedback(request: HttpRequest, event: OpenEvent, feedback: dict[str, Any]) -> HttpResponse:
    """After a check-in: the door's feedback fragment (htmx), or back to the page with the
    same words as a message."""
    if _is_htmx(request):
        # 200 also for a refusal: htmx swaps only successful answers, and the words are
        # the feedback (the count comes along, out of band).
        context = {
            "event": event,
            "feedback": feedback,
            "programme": event.programme,
            "counts": _door_counts(event, fresh=True),
        }
        return render(request, "frontend/events/staff/partials/door_feedback.html", context)
    (messages.success if feedback["ok"] else messages.error)(request, feedback["text"])
    return redirect(_back(request, _door_page(event)))


@login_required
@require_POST
def event_check_in_view(request: HttpRequest, programme_id: int, event_id: int) -> HttpResponse:
    """Check someone in: by the registration (a row of the list) or by the door code."""
    programme, _role, event = _event(request, programme_id, event_id)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        text = " ".join(m for errors in form.errors.values() for m in errors)
        return _feedback(request, event, {"ok": False, "text": text})
    registration = None
    if form.cleaned_data.get("registration"):
        registration = registration_for_staff(
            event=event, registration_id=form.cleaned_data["registration"]
        )
    try:
        result = services.attendance_check_in(
            event=event,
            by=request.user,
            registration=registration,
            code=None if registration else form.cleaned_data["code"],
        )
    except ValidationError as exc:
        return _feedback(request, event, {"ok": False, "text": " ".join(exc.messages)})
    person = result.registration
    if result.already:
        at = time_format(timezone.localtime(person.attended_at, _tz(programme)), "H:i")
        text = _("%(name)s was already checked in at %(time)s.") % {
            "name": person.name,
            "time": at,
        }
    else:
        text = _("%(name)s is checked in.") % {"name": person.name}
    feedback = {"ok": True, "already": result.already, "text": text, "registration": person}
    return _feedback(request, event, feedback)


@login_required
@require_POST
def event_check_in_undo_view(
    request: HttpRequest, programme_id: int, event_id: int, registration_id: int
) -> HttpResponse:
    _programme, _role, event = _event(request, programme_id, event_id)
    registration = registration_for_staff(event=event, registration_id=registration_id)
    try:
        services.attendance_undo(registration=registration, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The check-in of %(name)s was undone.") % {"name": registration.name}
        )
    return redirect(_back(request, _door_page(event)))


def _door_counts(event: OpenEvent, *, fresh: bool = False) -> dict[str, int]:
    """Checked in, of registered: from the event's counts, or read again after a check-in
    (which also turns a waitlisted person at the door into a registered one)."""
    if fresh:
        event = events_for_programme(programme=event.programme).get(pk=event.pk)
    return {"attended": event.attended_count, "registered": event.registered_count}


@login_required
@require_GET
def event_door_view(request: HttpRequest, programme_id: int, event_id: int) -> HttpResponse:
    """The door, on a phone: the live count, the camera scan and the typed code, search by
    name with a check-in button per person, walk-ins."""
    programme, role, event = _event(request, programme_id, event_id)
    q = (request.GET.get("q") or "").strip()[:100]
    results = (
        list(registrations_for_staff(event=event, q=q).exclude(status="cancelled")[:DOOR_RESULTS])
        if q
        else []
    )
    context = {
        "programme": programme,
        "role": role,
        "event": event,
        "q": q,
        "results": results,
        "counts": _door_counts(event),
        "code_form": CheckInForm(),
        "walk_in_form": WalkInForm(),
        "can_check_in": event.status != EventStatus.CANCELLED,
        "door_problem": services.check_in_problem(event, now=timezone.now()),
        "tz": programme.timezone,
        "zone": zone_words(programme.timezone),
    }
    if _is_htmx(request) and request.GET.get("part") == "results":
        return render(request, "frontend/events/staff/partials/door_results.html", context)
    return render(request, "frontend/events/staff/door.html", context)


@login_required
@require_GET
def event_door_count_view(request: HttpRequest, programme_id: int, event_id: int) -> HttpResponse:
    """The live count, polled by everyone at the door (a few constant queries)."""
    _programme, _role, event = _event(request, programme_id, event_id)
    context = {"event": event, "counts": _door_counts(event)}
    return render(request, "frontend/events/staff/partials/door_count.html", context)


@login_required
@require_POST
def event_walk_in_view(request: HttpRequest, programme_id: int, event_id: int) -> HttpResponse:
    """Someone came without registering: registered and checked in at once."""
    programme, role, event = _event(request, programme_id, event_id)
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            person = services.walk_in_register(event=event, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request, _("%(name)s is registered and checked in.") % {"name": person.name}
            )
            return redirect(_door_page(event))
    context = {
        "programme": programme,
        "role": role,
        "event": event,
        "q": "",
        "results": [],
        "counts": _door_counts(event),
        "code_form": CheckInForm(),
        "walk_in_form": form,
        "walk_in_open": True,
        "can_check_in": event.status != EventStatus.CANCELLED,
        "tz": programme.timezone,
        "zone": zone_words(programme.timezone),
    }
    return render(request, "frontend/events/staff/door.html", context, status=400)


# --- messages after the event --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def event_messages_view(request: HttpRequest, programme_id: int, event_id: int) -> HttpResponse:
    # events.messaging is read when the page is used (the e-mail part brings it).
    from events.messaging import event_message_create, message_recipients

    programme, role, event = _event(request, programme_id, event_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = event_message_create(event=event, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("The message “%(subject)s” is being sent.") % {"subject": message.subject},
            )
            return redirect(
                "frontend:programme_event_messages",
                programme_id=programme.pk,
                event_id=event.pk,
            )
    segments = [
        (value, label, message_recipients(event, value).count())
        for value, label in MessageSegment.choices
    ]
    sent = list(event.messages.select_related("sent_by").all())
    context = {
        "programme": programme,
        "role": role,
        "event": event,
        "form": form,
        "segments": segments,
        "sent": sent,
        "tz": programme.timezone,
        "zone": zone_words(programme.timezone),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "frontend/events/staff/messages.html", context, status=status)


# --- exports -----------------------------------------------------------------------------


@login_required
@require_GET
def event_registrations_xlsx_view(
    request: HttpRequest, programme_id: int, event_id: int
) -> HttpResponse:
    _programme, role, event = _event(request, programme_id, event_id)
    audit_export_downloaded(
        request=request, target=f"event:{event.pk}", export="registrations", format="xlsx"
    )
    return registrations_xlsx(event, role)


@login_required
@require_GET
def event_registrations_csv_view(
    request: HttpRequest, programme_id: int, event_id: int
) -> HttpResponse:
    _programme, role, event = _event(request, programme_id, event_id)
    audit_export_downloaded(
        request=request, target=f"event:{event.pk}", export="registrations", format="csv"
    )
    return registrations_csv(event, role)
