"""Pages of the web UI. Each view looks things up through the scoped selectors (so that what a
person may not see is a 404), validates a form, calls one service, and redirects or renders.

Services raise ValidationError for bad input (shown on the form) and PermissionDenied for a
known-but-forbidden action (Django turns it into a 403).
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from accounts.forms import PasswordResetRequestForm
from accounts.oidc import local_login_enabled
from accounts.ratelimit import password_reset_address_allowed, rate_limited_message, signup_allowed
from accounts.services import user_register, user_update
from checkins.selectors import checkins_upcoming
from checks.selectors import check_company_initial, convoy_maturity
from companies.selectors import (
    companies_for_user,
    companies_owned_by,
)
from companies.services import (
    company_create,
    company_invitation_by_token,
    company_invitation_problem,
)
from convoys.selectors import (
    companies_visible_to,
    convoy_invitations,
    convoy_list_for_user,
    convoy_member_companies_of_user,
    convoys_for_user,
    events_recent,
)
from convoys.services import (
    convoy_create,
    invitation_accept,
    invitation_by_token,
    invitation_create,
    invitation_is_for,
    invitation_mismatch_message,
    invitation_problem,
    invitation_resend,
)
from frontend.check_views import check_handoff_token
from frontend.comments_views import convoy_comments_context
from frontend.forms import (
    CompanyForm,
    ConvoyForm,
    EmailAuthenticationForm,
    InvitationAcceptForm,
    InvitationForm,
    SignupForm,
    UpdateForm,
    errors_to_form,
)
from frontend.language import language_cookie_set
from frontend.oidc_views import local_login_refused
from frontend.redirects import next_url
from notifications.selectors import nudges_today
from overview.dashboard import convoy_dashboard
from overview.first_steps import first_steps_for
from overview.me import user_profile
from programmes.selectors import programme_choices_for_user, programmes_with_role
from programmes.services import staff_invitation_by_token, staff_invitation_problem
from projects.selectors import milestones_for_user
from projects.services import update_post

FEED_LENGTH = 20


# --- helpers ---------------------------------------------------------------------------------


_next_url = next_url  # the name the views of this package use


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- accounts --------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """E-mail login that switches the UI to the language the person chose before."""

    template_name = "frontend/auth/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not local_login_enabled():  # SSO only (README "Single sign-on")
            return local_login_refused(request)
        return super().post(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        # Coming from an invitation: the invited address, looked up by its token (as sign-up).
        email, _path = _signup_invitation(self.request)
        return {**super().get_initial(), **({"username": email} if email else {})}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # On the way from a check's result to a project: say so, and offer sign-up first.
        context["check_handoff"] = bool(check_handoff_token(context.get("next") or ""))
        return context

    def form_valid(self, form: EmailAuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        language_cookie_set(response, form.get_user().language)
        return response


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request, reverse("frontend:home")))
    if request.method == "POST" and not local_login_enabled():  # SSO only
        return local_login_refused(request)
    # Invited: the address comes from the invitation the token opens (not from a parameter
    # anyone could write), and the way leads back to the invitation.
    invited_email, invitation_path = _signup_invitation(request)
    form = SignupForm(request.POST or None, initial={"email": invited_email})
    next_url = _next_url(request, invitation_path)
    check_handoff = bool(check_handoff_token(next_url))
    if request.method == "POST" and form.is_valid():
        language = translation.get_language() or settings.LANGUAGE_CODE
        if not signup_allowed(request=request, email=form.cleaned_data["email"]):
            form.add_error(None, rate_limited_message())
            context = {"form": form, "next": next_url, "check_handoff": check_handoff}
            return render(request, "frontend/auth/signup.html", context, status=429)
        try:
            user = user_register(**form.cleaned_data, language=language[:2])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to Konvoi, %(name)s!") % {"name": user.name})
            response = redirect(next_url or reverse("frontend:home"))
            language_cookie_set(response, user.language)
            return response
    context = {
        "form": form,
        "next": next_url,
        "invited": bool(invited_email),
        "check_handoff": check_handoff,
    }
    return render(request, "frontend/auth/signup.html", context)


def _signup_invitation(request: HttpRequest) -> tuple[str, str]:
    """(address, invitation page) of a usable invitation named by `?invitation=<token>` (a
    convoy's), `?colleague=<token>` (a company's) or `?staff=<token>` (a programme's), else
    ("", "")."""
    token = request.GET.get("invitation", "")
    if token:
        invitation = invitation_by_token(token=token)
        if invitation is not None and invitation_problem(invitation) is None:
            return invitation.email, reverse("frontend:invitation", kwargs={"token": token})
    token = request.GET.get("colleague", "")
    if token:
        colleague = company_invitation_by_token(token=token)
        if colleague is not None and company_invitation_problem(colleague) is None:
            return colleague.email, reverse("frontend:company_invitation", kwargs={"token": token})
    token = request.GET.get("staff", "")
    if token:
        staff = staff_invitation_by_token(token=token)
        if staff is not None and staff_invitation_problem(staff) is None:
            return staff.email, reverse("frontend:programme_invitation", kwargs={"token": token})
    return "", ""


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, limited per client address; the per-recipient limit and the link
    built from SITE_URL live in the form."""

    form_class = PasswordResetRequestForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not local_login_enabled():  # no passwords to reset: SSO only
            return local_login_refused(request)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: PasswordResetRequestForm) -> HttpResponse:
        if not password_reset_address_allowed(request=self.request):
            form.add_error(None, rate_limited_message())
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page of the reset link; the form gets the request for the audit log."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not local_login_enabled():  # an older reset link: no passwords while SSO only
            return local_login_refused(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        form.request = self.request
        return form


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie + redirect), and remember the choice on the account."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_update(user=request.user, language=language)
    return response


# --- home, companies -------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    profile = user_profile(user=request.user)
    programmes = list(programmes_with_role(user=request.user))
    # Programme staff without a company of their own are not sent to create one first.
    staff_only = bool(programmes) and not profile["companies"]
    return render(
        request,
        "frontend/home.html",
        {
            "companies": profile["companies"],
            "convoys": convoy_list_for_user(user=request.user),
            "programmes": programmes,
            "staff_only": staff_only,
            "first_steps": None if staff_only else first_steps_for(user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_create_view(request: HttpRequest) -> HttpResponse:
    # On the way from an anonymous check to a project: what the check knows, pre-filled.
    from_check = check_company_initial(token=check_handoff_token(_next_url(request, "")))
    form = CompanyForm(request.POST or None, initial=from_check)
    if request.method == "POST" and form.is_valid():
        try:
            company = company_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request, _("The company “%(name)s” was created.") % {"name": company.name}
            )
            return redirect(
                _next_url(request, reverse("frontend:company", kwargs={"company_id": company.pk}))
            )
    return render(
        request,
        "frontend/company_form.html",
        {"form": form, "next": _next_url(request, ""), "from_check": bool(from_check)},
    )


# --- convoys ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def convoy_create_view(request: HttpRequest) -> HttpResponse:
    programmes = programme_choices_for_user(user=request.user)
    form = ConvoyForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        try:
            convoy = convoy_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("The convoy “%(name)s” was created. Now invite the companies.")
                % {"name": convoy.name},
            )
            return redirect("frontend:convoy_invitations", convoy_id=convoy.pk)
    return render(request, "frontend/convoy_form.html", {"form": form})


@login_required
def convoy_detail(request: HttpRequest, convoy_id: int) -> HttpResponse:
    """The convoy dashboard: every company's projects and progress, the feed and the chart."""
    convoy = get_object_or_404(convoy_list_for_user(user=request.user), pk=convoy_id)
    dashboard = convoy_dashboard(convoy=convoy, now=timezone.now())
    return render(
        request,
        "frontend/convoy_detail.html",
        {
            "convoy": convoy,
            "dashboard": dashboard,
            "events": events_recent(convoy=convoy, limit=FEED_LENGTH),
            "my_company_ids": convoy_member_companies_of_user(
                user=request.user, convoy_id=convoy.pk
            ),
            "checkins": checkins_upcoming(convoy=convoy, now=timezone.now()),
            # The Digitalisierungs-Check's card: the convoy's median per dimension, of the
            # other companies for a member (one query).
            "maturity": convoy_maturity(convoy=convoy, user=request.user),
            "first_steps": first_steps_for(user=request.user, convoy=convoy),
            # Which companies a facilitator already asked for an update today (one query).
            "nudged_today": nudges_today(convoy=convoy, now=timezone.now())
            if convoy.is_facilitator
            else {},
            **convoy_comments_context(request, convoy),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def convoy_invitations_view(request: HttpRequest, convoy_id: int) -> HttpResponse:
    convoy = get_object_or_404(convoy_list_for_user(user=request.user), pk=convoy_id)
    if not convoy.is_facilitator:
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = invitation_create(
                actor=request.user, convoy=convoy, email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request, _("The invitation was sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("frontend:convoy_invitations", convoy_id=convoy.pk)
    return render(
        request,
        "frontend/convoy_invitations.html",
        {
            "convoy": convoy,
            "form": form,
            "invitations": convoy_invitations(convoy=convoy),
            "now": timezone.now(),
        },
    )


def _facilitated_invitation(request: HttpRequest, convoy_id: int, invitation_id: int):
    """An invitation of a convoy the user facilitates: others' convoys are 404, members 403."""
    convoy = get_object_or_404(convoy_list_for_user(user=request.user), pk=convoy_id)
    if not convoy.is_facilitator:
        raise PermissionDenied
    return get_object_or_404(convoy_invitations(convoy=convoy), pk=invitation_id)


@login_required
@require_POST
def convoy_invitation_resend_view(
    request: HttpRequest, convoy_id: int, invitation_id: int
) -> HttpResponse:
    invitation = _facilitated_invitation(request, convoy_id, invitation_id)
    try:
        invitation_resend(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("A new link was sent to %(email)s; the previous link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("frontend:convoy_invitations", convoy_id=convoy_id)


@login_required
@require_http_methods(["GET", "POST"])
def update_create_view(request: HttpRequest, convoy_id: int) -> HttpResponse:
    convoy = get_object_or_404(convoys_for_user(user=request.user), pk=convoy_id)
    company_ids = convoy_member_companies_of_user(user=request.user, convoy_id=convoy.pk)
    if not company_ids:
        # A facilitator sees the convoy but has no company in it to post for.
        raise PermissionDenied
    companies = companies_visible_to(user=request.user).filter(pk__in=company_ids).order_by("name")
    milestones = (
        milestones_for_user(user=request.user, include_archived=False)
        .filter(project__company_id__in=company_ids, project__convoys=convoy)
        .select_related("project")
        .order_by("project__title", "due_date", "id")
    )
    form = UpdateForm(request.POST or None, companies=companies, milestones=milestones)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        company = next(c for c in companies if c.pk == data.pop("company"))
        try:
            update_post(
                actor=request.user,
                convoy=convoy,
                company=company,
                milestone_ids=data.pop("milestones"),
                **data,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Your update was posted."))
            return redirect("frontend:convoy", convoy_id=convoy.pk)
    return render(request, "frontend/update_form.html", {"form": form, "convoy": convoy})


@require_http_methods(["GET", "POST"])
def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    """The page the invitation e-mail links to (URL name frontend:invitation, kwarg token).

    A visitor is offered to create an account (prefilled with the invited address) or to log
    in. Someone without a company creates it here and joins in the same step; with one company
    the page says which joins, with several it asks which (nothing chosen beforehand)."""
    invitation = invitation_by_token(token=token)
    context: dict[str, Any] = {"invitation": invitation, "token": token}
    if invitation is None:
        context["problem"] = _("This invitation link is not valid.")
        return render(request, "frontend/invitation.html", context, status=404)
    problem = invitation_problem(invitation)
    if problem or not request.user.is_authenticated:
        context["problem"] = problem
        return render(request, "frontend/invitation.html", context, status=410 if problem else 200)
    if not invitation_is_for(invitation=invitation, user=request.user):
        # Logged in with another address: say for which one it is and offer to log out.
        context["mismatch"] = invitation_mismatch_message(invitation=invitation, user=request.user)
        return render(request, "frontend/invitation.html", context, status=403)
    companies = list(companies_owned_by(user=request.user))
    data = request.POST if request.method == "POST" else None
    form: CompanyForm | InvitationAcceptForm
    if not companies:
        form = CompanyForm(data, prefix="company")
    else:
        form = InvitationAcceptForm(data, companies=companies)
    if data is not None and form.is_valid():
        try:
            # The new company and its seat in the convoy are one step: both or neither.
            with transaction.atomic():
                if isinstance(form, CompanyForm):
                    company = company_create(actor=request.user, **form.cleaned_data)
                else:
                    company = next(c for c in companies if c.pk == form.cleaned_data["company"])
                invitation_accept(actor=request.user, token=token, company=company)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("%(company)s is now part of the convoy “%(convoy)s”.")
                % {"company": company.name, "convoy": invitation.convoy.name},
            )
            return redirect("frontend:convoy", convoy_id=invitation.convoy_id)
    if not companies:
        # A colleague (not an owner) of a company: its owner accepts for it, say so.
        context["member_of"] = list(companies_for_user(user=request.user))
    context.update(form=form, companies=companies)
    return render(request, "frontend/invitation.html", context)
