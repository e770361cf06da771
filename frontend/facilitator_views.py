"""The facilitator's tools and the company page: an overview across one's convoys, editing a
convoy, nudging a company for an update, removing a company, withdrawing an invitation.

Like frontend.views: look things up through the scoped selectors (what a person may not see is
a 404), confirm what notifies people or cannot be undone on a page of its own (it works without
JavaScript), call one service, redirect with a message.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from companies.models import CompanyRole
from companies.selectors import companies_for_user, company_members, company_role
from companies.services import company_update
from convoys.models import Convoy, Invitation, Membership
from convoys.selectors import (
    company_convoys_for_viewer,
    company_page_companies,
    convoy_invitations,
    convoy_list_for_user,
    convoy_memberships,
)
from convoys.services import convoy_update, invitation_revoke, membership_end
from frontend.facilitator_forms import ConvoyEditForm, NudgeForm
from frontend.forms import CompanyForm, errors_to_form
from frontend.redirects import next_url
from notifications.selectors import nudges_today
from notifications.services import company_nudge
from overview.convoy_health import convoys_overview
from programmes.selectors import programme_choices_for_user
from projects.models import Project
from projects.selectors import project_detail_queryset, unarchived

COMPANY_FIELDS = ("name", "sector", "size", "city", "region", "website")
CONVOY_FIELDS = (
    "name",
    "topic",
    "description",
    "status",
    "timezone",
    "language",
    "update_cadence_days",
    "max_companies",
)


def _facilitated_convoy(request: HttpRequest, convoy_id: int) -> Convoy:
    """A convoy the user facilitates: others' convoys are 404, its members get 403."""
    convoy = get_object_or_404(convoy_list_for_user(user=request.user), pk=convoy_id)
    if not convoy.is_facilitator:
        raise PermissionDenied
    return convoy


def _member_company(convoy: Convoy, company_id: int) -> Membership:
    """The active membership of a company in the convoy; 404 for any other company."""
    # company__pk, not company_id: a lookup through the related key stays range-checked, so an
    # id too large for the database is a 404, not an overflow error.
    return get_object_or_404(convoy_memberships(convoy=convoy), company__pk=company_id)


# --- the company page ------------------------------------------------------------------------


@login_required
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    """A company's data, people (with their e-mail: everyone who may open this page may reach
    them), projects and convoys; for its own people everything, for a facilitator of one of
    its convoys what is shared there. Everyone else: 404. (Owners add colleagues through
    frontend.onboarding_views.)"""
    company = get_object_or_404(company_page_companies(user=request.user), pk=company_id)
    role = company_role(user=request.user, company=company)
    convoys = list(
        company_convoys_for_viewer(
            user=request.user, company_id=company.pk, is_member=role is not None
        )
    )
    projects = project_detail_queryset(user=request.user).filter(company=company)
    if role is None:
        # Unshared projects are private to the company: a facilitator sees what is shared in
        # the convoys they run.
        shared = Project.convoys.through.objects.filter(convoy_id__in=[c.pk for c in convoys])
        projects = projects.filter(pk__in=shared.values("project_id"))
    # Archived projects leave the list; the company's own people find them below it.
    archived = projects.filter(archived_at__isnull=False) if role else Project.objects.none()
    projects = unarchived(projects)
    return render(
        request,
        "frontend/company_detail.html",
        {
            "company": company,
            "role": role,
            "members": company_members(company=company),
            "show_contact": True,  # members and facilitators of its convoys (see above)
            "projects": projects.order_by("id"),
            "archived_projects": archived.order_by("id"),
            "convoys": convoys,
            "facilitated_convoys": [c for c in convoys if c.is_facilitator],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_edit_view(request: HttpRequest, company_id: int) -> HttpResponse:
    company = get_object_or_404(companies_for_user(user=request.user), pk=company_id)
    if company_role(user=request.user, company=company) != CompanyRole.OWNER:
        raise PermissionDenied  # a member sees the company but does not manage it
    form = CompanyForm(
        request.POST or None, initial={name: getattr(company, name) for name in COMPANY_FIELDS}
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in COMPANY_FIELDS}
        try:
            company_update(actor=request.user, company=company, **data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The company’s details were saved."))
            return redirect("frontend:company", company_id=company.pk)
    return render(request, "frontend/company_edit.html", {"company": company, "form": form})


# --- convoys ---------------------------------------------------------------------------------


@login_required
def convoys_overview_view(request: HttpRequest) -> HttpResponse:
    """ "My convoys": every convoy of the user; the health of those they facilitate."""
    rows = convoys_overview(user=request.user, now=timezone.now())
    return render(
        request,
        "frontend/convoys_overview.html",
        {"rows": rows, "facilitates": any(row.is_facilitator for row in rows)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def convoy_edit_view(request: HttpRequest, convoy_id: int) -> HttpResponse:
    convoy = _facilitated_convoy(request, convoy_id)
    programmes = programme_choices_for_user(user=request.user)
    if convoy.programme_id is not None and convoy.programme_id not in dict(programmes):
        programmes = []  # in a programme the person is not staff of: not theirs to change
    initial = {name: getattr(convoy, name) for name in CONVOY_FIELDS}
    form = ConvoyEditForm(
        request.POST or None,
        initial={**initial, "programme": convoy.programme_id},
        programmes=programmes,
    )
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = {k: v for k, v in form.cleaned_data.items() if k in CONVOY_FIELDS}
        if "programme" in form.fields:
            data["programme"] = form.cleaned_data["programme"]
        try:
            convoy_update(actor=request.user, convoy=convoy, **data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The convoy’s settings were saved."))
            return redirect("frontend:convoy", convoy_id=convoy.pk)
    return render(request, "frontend/convoy_form.html", {"form": form, "convoy": convoy})


@login_required
@require_http_methods(["GET", "POST"])
def company_nudge_view(request: HttpRequest, convoy_id: int, company_id: int) -> HttpResponse:
    """Ask a company for an update: a page that says who will be notified, then the nudge."""
    convoy = _facilitated_convoy(request, convoy_id)
    membership = _member_company(convoy, company_id)
    company = membership.company
    back = next_url(request, reverse("frontend:convoy", kwargs={"convoy_id": convoy.pk}))
    form = NudgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company_nudge(
                actor=request.user,
                convoy=convoy,
                company=company,
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("%(company)s was asked for an update.") % {"company": company.name},
            )
            return redirect(back)
    return render(
        request,
        "frontend/company_nudge.html",
        {
            "convoy": convoy,
            "company": company,
            "people": company_members(company=company),
            "earlier": nudges_today(convoy=convoy, now=timezone.now()).get(company.pk),
            "form": form,
            "back": back,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove_view(request: HttpRequest, convoy_id: int, company_id: int) -> HttpResponse:
    """Take a company out of the convoy, after a page that says what that means."""
    convoy = _facilitated_convoy(request, convoy_id)
    membership = _member_company(convoy, company_id)
    error = None
    if request.method == "POST":
        try:
            membership_end(actor=request.user, membership=membership)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("%(company)s is no longer part of the convoy.")
                % {"company": membership.company.name},
            )
            return redirect("frontend:convoy", convoy_id=convoy.pk)
    return render(
        request,
        "frontend/membership_remove.html",
        {"convoy": convoy, "company": membership.company, "error": error},
    )


@login_required
@require_http_methods(["GET", "POST"])
def convoy_invitation_revoke_view(
    request: HttpRequest, convoy_id: int, invitation_id: int
) -> HttpResponse:
    """Withdraw an invitation, after a page that asks (the link in the e-mail stops working)."""
    convoy = _facilitated_convoy(request, convoy_id)
    invitation: Invitation = get_object_or_404(convoy_invitations(convoy=convoy), pk=invitation_id)
    if request.method == "GET":
        return render(
            request,
            "frontend/invitation_revoke.html",
            {"convoy": convoy, "invitation": invitation},
        )
    try:
        invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s was withdrawn: its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("frontend:convoy_invitations", convoy_id=convoy.pk)
