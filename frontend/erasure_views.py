"""Deleting one's account (/profile/delete/, then the public goodbye page) and a company
(/companies/<id>/delete/, its owners), and an owner making a colleague owner (needed to hand a
company over before leaving). Each page says before confirming what stays, what goes and what
blocks it (with where to resolve it); privacy.erasure does the work, the API and the operators'
commands call the same functions."""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.mfa import mfa_enabled
from accounts.models import User
from companies.models import Company, CompanyRole
from companies.selectors import is_company_owner
from companies.services import company_member_role_set
from convoys.selectors import company_page_companies
from frontend.forms import errors_to_form
from modelutils import MAX_ID
from privacy.erasure import (
    ConfirmRateLimited,
    account_delete,
    account_delete_blockers_elsewhere,
    account_delete_plan,
    account_delete_refusal,
    company_delete,
    company_delete_name_error,
    company_delete_name_matches,
)


class AccountDeleteForm(forms.Form):
    """The confirmation: the password, or (no password: single sign-on) the e-mail address."""

    password = forms.CharField(
        label=gettext_lazy("Your password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    email = forms.CharField(
        label=gettext_lazy("Your e-mail address"),
        required=False,
        help_text=gettext_lazy("Your account has no password: type its e-mail address instead."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Code from your app"),
        max_length=32,
        help_text=gettext_lazy("Or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )
    delete_companies = forms.BooleanField(
        label=gettext_lazy("Delete these companies together with my account"),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        has_password: bool,
        sole_companies: bool,
        has_second_factor: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The confirmation that applies is required (never marked "optional"); the other goes.
        del self.fields["email" if has_password else "password"]
        self.fields["password" if has_password else "email"].required = True
        if not has_second_factor:
            del self.fields["code"]
        if not sole_companies:
            del self.fields["delete_companies"]


class CompanyDeleteForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("The company’s name"),
        max_length=200,
        help_text=gettext_lazy("Type the company’s name to confirm."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_delete_view(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    has_password = user.has_usable_password()
    wants_companies = request.method == "POST" and bool(request.POST.get("delete_companies"))
    plan = account_delete_plan(user=user, delete_companies=wants_companies)
    # Blockers to resolve on other pages: the confirmation is not offered while they remain.
    elsewhere = account_delete_blockers_elsewhere(user=user)
    form = AccountDeleteForm(
        request.POST or None,
        has_password=has_password,
        sole_companies=bool(plan.sole_companies),
        has_second_factor=mfa_enabled(user),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if not elsewhere:
            form.is_valid()
            data = form.cleaned_data
            try:
                refusal = account_delete_refusal(
                    user=user,
                    password=data.get("password", ""),
                    email=data.get("email", ""),
                    code=data.get("code", ""),
                    delete_companies=bool(data.get("delete_companies")),
                    request=request,
                )
            except ConfirmRateLimited as exc:
                refusal = {exc.field_name: [exc.message]}
                status = 429
            for field_name, errors in refusal.items():
                # A field the form already found empty keeps its own message.
                if field_name not in form.errors:
                    form.add_error(field_name if field_name in form.fields else None, errors)
            if not form.errors:
                try:
                    account_delete(
                        user,
                        actor=user,
                        request=request,
                        delete_companies=bool(data.get("delete_companies")),
                    )
                except ValidationError as exc:
                    errors_to_form(form, exc)
                else:
                    # Not logout(): its signal would write a "logout" audit row with this
                    # request's address about the account just erased.
                    request.session.flush()
                    request.user = AnonymousUser()
                    return redirect("frontend:account_deleted")
    return render(
        request,
        "frontend/profile/delete.html",
        {"form": form, "plan": plan, "elsewhere": elsewhere, "has_password": has_password},
        status=status,
    )


def account_deleted_view(request: HttpRequest) -> HttpResponse:
    """The goodbye page after deleting one's account (public: the person is logged out)."""
    return render(request, "frontend/profile/deleted.html", {})


def _owned_company(request: HttpRequest, company_id: int) -> Company:
    """The person's company: 404 for whoever cannot open its page, 403 for those who can (its
    members, its convoys' facilitators) but are not an owner."""
    if company_id > MAX_ID:
        raise Http404
    company = get_object_or_404(company_page_companies(user=request.user), pk=company_id)  # type: ignore[arg-type]
    if not is_company_owner(user=request.user, company_id=company.pk):  # type: ignore[arg-type]
        raise PermissionDenied
    return company


@login_required
@require_http_methods(["GET", "POST"])
def company_delete_view(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _owned_company(request, company_id)
    form = CompanyDeleteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if not company_delete_name_matches(company=company, typed=form.cleaned_data["name"]):
                form.add_error("name", company_delete_name_error())
            else:
                name = company.name
                company_delete(company, actor=request.user, request=request)  # type: ignore[arg-type]
                messages.success(
                    request, _("The company %(company)s was deleted.") % {"company": name}
                )
                return redirect("frontend:home")
    people = company.members.exclude(user_id=cast(User, request.user).pk).count()
    return render(
        request,
        "frontend/company_delete.html",
        {"company": company, "form": form, "other_people": people},
        status=status,
    )


@login_required
@require_POST
def company_member_role_view(request: HttpRequest, company_id: int, member_id: int) -> HttpResponse:
    """An owner makes a colleague owner, or an owner a member again."""
    company = _owned_company(request, company_id)
    if member_id > MAX_ID:
        raise Http404
    member = get_object_or_404(company.members.select_related("company", "user"), pk=member_id)
    role = request.POST.get("role", "")
    try:
        company_member_role_set(actor=request.user, member=member, role=role, request=request)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if role == CompanyRole.OWNER:
            text = _("%(name)s is now an owner of the company.")
        else:
            text = _("%(name)s is now a member of the company.")
        messages.success(request, text % {"name": member.user.display_name})
    return redirect("frontend:company", company_id=company.pk)
