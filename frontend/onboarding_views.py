"""Pages of the way in: a colleague's invitation to a company (the accept page, and the owner's
invite, revoke and resend), and putting the first-steps guide away."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.ratelimit import colleague_invitation_allowed, colleague_invitation_limited_message
from companies.models import Company, CompanyInvitation
from companies.selectors import company_invitations_pending, is_company_owner
from companies.services import (
    company_colleague_add,
    company_invitation_accept,
    company_invitation_by_token,
    company_invitation_is_for,
    company_invitation_mismatch_message,
    company_invitation_problem,
    company_invitation_resend,
    company_invitation_revoke,
    first_steps_dismiss,
)
from convoys.selectors import companies_visible_to
from frontend.forms import CompanyMemberForm
from frontend.redirects import next_url

_back = next_url


@login_required
@require_POST
def first_steps_dismiss_view(request: HttpRequest) -> HttpResponse:
    first_steps_dismiss(actor=request.user)
    return redirect(_back(request, reverse("frontend:home")))


@require_http_methods(["GET", "POST"])
def company_invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    """The page a colleague's invitation e-mail links to: sign up (prefilled) or log in, then
    join the company with one button."""
    invitation = company_invitation_by_token(token=token)
    context: dict = {"invitation": invitation, "token": token}
    if invitation is None:
        context["problem"] = _("This invitation link is not valid.")
        return render(request, "frontend/company_invitation.html", context, status=404)
    problem = company_invitation_problem(invitation)
    if problem or not request.user.is_authenticated:
        context["problem"] = problem
        status = 410 if problem else 200
        return render(request, "frontend/company_invitation.html", context, status=status)
    if not company_invitation_is_for(invitation=invitation, user=request.user):
        context["mismatch"] = company_invitation_mismatch_message(
            invitation=invitation, user=request.user
        )
        return render(request, "frontend/company_invitation.html", context, status=403)
    if request.method == "POST":
        try:
            company_invitation_accept(actor=request.user, token=token)
        except ValidationError as exc:
            context["problem"] = " ".join(exc.messages)
            return render(request, "frontend/company_invitation.html", context, status=400)
        messages.success(
            request,
            _("Welcome to %(company)s!") % {"company": invitation.company.name},
        )
        return redirect("frontend:company", company_id=invitation.company_id)
    return render(request, "frontend/company_invitation.html", context)


def _owned_company(request: HttpRequest, company_id: int) -> Company:
    """A company the user owns: one they cannot see is 404, one they see but do not own 403."""
    company = get_object_or_404(companies_visible_to(user=request.user), pk=company_id)
    if not is_company_owner(user=request.user, company_id=company.pk):
        raise PermissionDenied
    return company


def _company_page(company: Company) -> str:
    return reverse("frontend:company", kwargs={"company_id": company.pk}) + "#colleagues"


@login_required
@require_POST
def company_colleague_add_view(request: HttpRequest, company_id: int) -> HttpResponse:
    """Invite a colleague by e-mail: the same for every address, with an account or not (they
    join by accepting); the owner learns nothing about who has an account."""
    company = _owned_company(request, company_id)
    form = CompanyMemberForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_company_page(company))
    if not colleague_invitation_allowed(user_id=request.user.pk):
        messages.error(request, colleague_invitation_limited_message())
        return redirect(_company_page(company))
    try:
        invitation = company_colleague_add(actor=request.user, company=company, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("We sent an invitation to %(email)s. They join the company when they accept it.")
            % {"email": invitation.email},
        )
    return redirect(_company_page(company))


def _invitation_of(request: HttpRequest, company_id: int, invitation_id: int) -> CompanyInvitation:
    company = _owned_company(request, company_id)
    return get_object_or_404(company_invitations_pending(company=company), pk=invitation_id)


@login_required
@require_POST
def company_invitation_revoke_view(
    request: HttpRequest, company_id: int, invitation_id: int
) -> HttpResponse:
    invitation = _invitation_of(request, company_id, invitation_id)
    try:
        company_invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s was withdrawn: its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect(_company_page(invitation.company))


@login_required
@require_POST
def company_invitation_resend_view(
    request: HttpRequest, company_id: int, invitation_id: int
) -> HttpResponse:
    invitation = _invitation_of(request, company_id, invitation_id)
    try:
        company_invitation_resend(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("A new link was sent to %(email)s; the previous link no longer works.")
            % {"email": invitation.email},
        )
    return redirect(_company_page(invitation.company))
