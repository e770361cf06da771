"""Public pages of open events, for people without an account: the event with its
registration form, and the registrant's own page (status, QR code for the door, calendar
file, cancel) opened by the token from their e-mail.

Reads go through events.selectors, writes through events.services (the same functions the
API calls). Pages opened by a token are not cached, not indexed and send no Referer, so
that the token does not leave the page.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.origin import client_ip
from events.calendars import CONTENT_TYPE, event_calendar
from events.keys import registration_by_token
from events.models import EventStatus, OpenEvent, Registration, RegistrationStatus
from events.selectors import (
    event_public,
    public_events,
    registration_open,
    seats_left,
    waitlist_position,
)
from events.services import (
    registration_allowed,
    registration_closed_problem,
    registration_contact_withdraw,
    registration_create,
    registration_email_confirm,
    registration_limited_message,
)
from events.services import registration_cancel as registration_cancel_service
from events.tickets import door_qr_svg
from frontend.event_public_forms import RegistrationForm
from programmes.models import Programme


def _private(
    view: Callable[..., HttpResponse] | None = None, *, referrer: str = "no-referrer"
) -> Any:
    """A page opened by the registrant's token: no Referer (by default), no caching
    anywhere, not indexed."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response["Referrer-Policy"] = referrer
            response["Cache-Control"] = "private, no-store"
            response["X-Robots-Tag"] = "noindex"
            return response

        return wrapped

    return decorate(view) if view is not None else decorate


def _registration(token: str) -> Registration:
    registration = registration_by_token(token=token)
    if registration is None:
        raise Http404("No such registration.")
    return registration


def _event_context(event: OpenEvent) -> dict[str, Any]:
    return {
        "event": event,
        "programme": event.programme,
        "tz": event.programme.timezone,
        "cancelled": event.status == EventStatus.CANCELLED,
        "over": event.ends_at <= timezone.now(),
    }


@require_http_methods(["GET", "POST"])
def event_public_view(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    """An event's public page with the registration form (POST/redirect/GET to the
    registrant's page)."""
    event = event_public(event_id=event_id, slug=slug)
    context = _event_context(event)
    is_open = registration_open(event)
    data = request.POST if request.method == "POST" else None
    form = RegistrationForm(data, event=event) if is_open else None
    status = 200
    if request.method == "POST":
        status = 400
        if form is not None and form.is_valid():
            if not registration_allowed(client_key=client_ip(request)):
                form.add_error(None, registration_limited_message())
                status = 429
            else:
                cleaned = form.cleaned_data
                try:
                    created = registration_create(
                        event=event,
                        name=cleaned["name"],
                        email=cleaned["email"],
                        company_name=cleaned["company_name"],
                        postcode=cleaned["postcode"],
                        size=cleaned["size"],
                        sector=cleaned["sector"],
                        consent=cleaned["consent"],
                        contact_consent=cleaned["contact_consent"],
                        answers=form.answers(),
                        language=get_language() or "de",
                    )
                except ValidationError as exc:
                    form.service_errors(exc)
                    # The deadline may have passed or the event closed meanwhile.
                    event.refresh_from_db()
                    is_open = registration_open(event)
                else:
                    url = reverse("frontend:registration", kwargs={"token": created.token})
                    return redirect(f"{url}?new=1")
    context.update(
        {
            "form": form,
            "registration_is_open": is_open,
            "closed_problem": None
            if is_open
            else registration_closed_problem(event, now=timezone.now()),
            "seats_left": seats_left(event),
        }
    )
    return render(request, "frontend/events/public/event.html", context, status=status)


@_private
@require_http_methods(["GET"])
def registration_view(request: HttpRequest, token: str) -> HttpResponse:
    """The registrant's page: status, the event, the QR code for the door, calendar, cancel."""
    registration = _registration(token)
    event = registration.event
    context = _event_context(event)
    active = registration.status != RegistrationStatus.CANCELLED and not context["cancelled"]
    context.update(
        {
            "registration": registration,
            "token": token,
            "position": waitlist_position(registration),
            "active": active,
            "registered": active and registration.status == RegistrationStatus.REGISTERED,
            "can_cancel": active and not context["over"],
            "qr_svg": door_qr_svg(registration)
            if active and registration.status == RegistrationStatus.REGISTERED
            else None,
            "new": request.GET.get("new") == "1",
        }
    )
    return render(request, "frontend/events/public/registration.html", context)


# same-origin, not no-referrer: under no-referrer the browser posts this page's form with
# "Origin: null", which Django's CSRF check refuses; the token still never leaves the site.
@_private(referrer="same-origin")
@require_http_methods(["GET", "POST"])
def registration_cancel_view(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm (GET) and cancel (POST) one's own registration, also while waitlisted."""
    registration = _registration(token)
    page = reverse("frontend:registration", kwargs={"token": token})
    context = _event_context(registration.event)
    if (
        registration.status == RegistrationStatus.CANCELLED
        or context["cancelled"]
        or context["over"]
    ):
        return redirect(page)
    # The waiting list as it is now: whether a freed seat goes to someone (only before the
    # start, see events.services._promote).
    counted = event_public(event_id=registration.event_id)
    had_seat = registration.status == RegistrationStatus.REGISTERED
    error = None
    if request.method == "POST":
        try:
            registration_cancel_service(registration=registration)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if not had_seat:
                messages.success(request, _("You are no longer on the waiting list."))
            elif event_public(event_id=registration.event_id).waitlisted_count < getattr(
                counted, "waitlisted_count", 0
            ):
                messages.success(
                    request, _("Your seat has gone to the next person on the waiting list.")
                )
            return redirect(page)
    context.update(
        {
            "registration": registration,
            "token": token,
            "error": error,
            "seat_goes_on": had_seat
            and getattr(counted, "waitlisted_count", 0) > 0
            and timezone.now() < counted.starts_at,
        }
    )
    return render(
        request,
        "frontend/events/public/registration_cancel.html",
        context,
        status=400 if error else 200,
    )


@_private
@require_http_methods(["GET"])
def registration_ics_view(request: HttpRequest, token: str) -> HttpResponse:
    """The event as a calendar file (no names in it, the public event page as its link); a
    cancelled registration or event gets the cancelling version (STATUS:CANCELLED, the reader
    as ATTENDEE), which takes the entry out of the calendar; the waiting list a tentative
    entry; only a seat the video link."""
    registration = _registration(token)
    event = registration.event
    cancelled = (
        registration.status == RegistrationStatus.CANCELLED or event.status == EventStatus.CANCELLED
    )
    if cancelled:
        content = event_calendar(event, method="CANCEL", email=registration.email)
    else:
        content = event_calendar(
            event,
            registered=registration.status == RegistrationStatus.REGISTERED,
            waitlisted=registration.status == RegistrationStatus.WAITLISTED,
        )
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


def public_event_rows(*, programme: Programme) -> list[dict[str, Any]]:
    """The programme page's list of upcoming events: each with its seats left and whether
    it takes registrations (one query: the counts come with the events)."""
    now = timezone.now()
    return [
        {"event": event, "seats_left": seats_left(event), "open": registration_open(event, now)}
        for event in public_events(programme=programme, now=now)
    ]


# same-origin for the CSRF check of the buttons (see registration_cancel_view).
@_private(referrer="same-origin")
@require_http_methods(["GET", "POST"])
def registration_contact_view(request: HttpRequest, token: str) -> HttpResponse:
    """Double opt-in: the page behind the e-mail's "confirm contact" link. Confirming is a
    button (a POST): mail filters open links by themselves, and opening one is no consent.
    The person may also say no (someone else may have ticked the box for their address)."""
    registration = _registration(token)
    page = reverse("frontend:registration", kwargs={"token": token})
    proof = (
        request.POST.get("proof", "") if request.method == "POST" else request.GET.get("proof", "")
    )
    if request.method == "POST":
        if request.POST.get("answer") == "no":
            registration_contact_withdraw(registration=registration)
            messages.success(request, _("Understood: nobody will contact you about this."))
            return redirect(page)
        if registration_email_confirm(registration=registration, proof=proof):
            messages.success(request, _("Thank you: your e-mail address is confirmed."))
            return redirect(page)
        messages.error(
            request, _("This confirmation link is not valid. Please use the link from the e-mail.")
        )
        return redirect(page)
    context = _event_context(registration.event)
    context.update(
        {
            "registration": registration,
            "token": token,
            "proof": proof,
            "confirmed": registration.email_confirmed_at is not None,
            "consent": registration.contact_consent
            and registration.status != RegistrationStatus.CANCELLED,
        }
    )
    return render(request, "frontend/events/public/registration_contact.html", context)
