"""The staff's page that matches a registration to the programme's company register: the
entries Konvoi suggests (same normalised name and postcode), a search of the register, and a
new entry made from the registration. Reached from the staff's event page ("Match to
register" on each unmatched registration).

Gate: events.selectors.event_for_staff and registration_for_staff (anyone not on the
programme's staff, or an event of another programme: 404). Writes: events.matching, which
checks the role again.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from companies.models import Sector, SizeBand
from events.matching import (
    register_record_of,
    registration_company_confirm,
    registration_company_suggestions,
)
from events.models import OpenEvent, Registration
from events.selectors import event_for_staff, registration_for_staff
from frontend.forms import errors_to_form
from modelutils import MAX_ID
from programmes.models import CompanyRecord
from programmes.selectors import company_record_for_company, company_register

# Register entries a search shows at most (enough to find one company, not the register).
SEARCH_RESULTS = 10


class RegisterEntryCreateForm(forms.Form):
    """A new register entry from the registration: what it did not ask (the city), and size
    and sector where it has none (a walk-in)."""

    city = forms.CharField(label=gettext_lazy("City"), max_length=120)
    size = forms.ChoiceField(
        label=gettext_lazy("Size"), choices=[("", "—"), *SizeBand.choices], required=True
    )
    sector = forms.ChoiceField(
        label=gettext_lazy("Sector"), choices=[("", "—"), *Sector.choices], required=True
    )


class RegisterSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search the register"), max_length=200, required=False)


def _registration(
    request: HttpRequest, programme_id: int, event_id: int, registration_id: int
) -> tuple[OpenEvent, Registration]:
    event = event_for_staff(event_id=event_id, user=request.user)
    if event.programme_id != programme_id:
        raise Http404("No such event.")
    return event, registration_for_staff(event=event, registration_id=registration_id)


def _record_id(value: str) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


@login_required
@require_http_methods(["GET", "POST"])
def event_registration_company_view(
    request: HttpRequest, programme_id: int, event_id: int, registration_id: int
) -> HttpResponse:
    event, registration = _registration(request, programme_id, event_id, registration_id)
    programme = event.programme
    create_form = RegisterEntryCreateForm(
        request.POST if "create" in request.POST else None,
        initial={"size": registration.size, "sector": registration.sector},
    )
    choice_errors: list[str] = []
    if request.method == "POST":
        try:
            if "create" in request.POST:
                if create_form.is_valid():
                    registration_company_confirm(
                        registration=registration, by=request.user, **create_form.cleaned_data
                    )
                    messages.success(request, _("The company is in the register now."))
                    return redirect("frontend:programme_event", programme.pk, event.pk)
            else:
                record_id = _record_id(request.POST.get("record", ""))
                if record_id is None:
                    raise ValidationError(
                        {"record": [_("Choose an entry of the register, or create a new one.")]}
                    )
                record = register_record_of(registration=registration, record_id=record_id)
                registration_company_confirm(
                    registration=registration, by=request.user, record=record
                )
                messages.success(request, _("The registration is matched to the company."))
                return redirect("frontend:programme_event", programme.pk, event.pk)
        except ValidationError as exc:
            if "create" in request.POST:
                errors_to_form(create_form, exc)
            else:
                choice_errors = [m for messages_ in exc.message_dict.values() for m in messages_]
    search = RegisterSearchForm(request.GET or None)
    found: list[CompanyRecord] = []
    if search.is_valid() and search.cleaned_data["q"].strip():
        found = list(
            company_register(programme=programme, q=search.cleaned_data["q"])[:SEARCH_RESULTS]
        )
    current = (
        company_record_for_company(programme=programme, company_id=registration.company_id)
        if registration.company_id
        else None
    )
    context = {
        "programme": programme,
        "event": event,
        "registration": registration,
        "current": current,
        "suggestions": registration_company_suggestions(registration=registration),
        "search": search,
        "found": found,
        "create_form": create_form,
        "choice_errors": choice_errors,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "frontend/events/register/match.html", context, status=status)
