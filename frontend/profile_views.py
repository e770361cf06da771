"""The profile page: name, language and time zone; the e-mail address (confirmed from the new
address); the password. Every write goes through accounts.services, which the API uses too."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.ratelimit import (
    limit_hit,
    password_check_allowed,
    password_check_limited_message,
    rate_limited_message,
)
from accounts.services import (
    email_change_read,
    user_email_change_confirm,
    user_email_change_request,
    user_password_change,
    user_update,
)
from frontend.forms import errors_to_form
from frontend.timezones import TimezoneField


class ProfileForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    timezone = TimezoneField()


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("New e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=gettext_lazy("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("At least 8 characters; not too common, not only digits."),
    )


def _page(request: HttpRequest, status: int = 200, **forms_: forms.Form) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "profile_form": ProfileForm(
            initial={"name": user.name, "language": user.language, "timezone": user.timezone},
            prefix="profile",
        ),
        "email_form": EmailChangeForm(prefix="email"),
        "password_form": PasswordChangeForm(prefix="password"),
    }
    context.update(forms_)
    return render(request, "frontend/profile/profile.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = ProfileForm(request.POST, prefix="profile")
    if form.is_valid():
        try:
            user_update(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            language = form.cleaned_data["language"]
            translation.activate(language)
            messages.success(request, _("Your profile is saved."))
            response = redirect("frontend:profile")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language)
            return response
    return _page(request, status=400, profile_form=form)


def _confirm_link(token: str) -> str:
    return settings.SITE_URL + reverse("frontend:profile_email_confirm", kwargs={"token": token})


@login_required
@require_POST
def profile_email_view(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST, prefix="email")
    if form.is_valid():
        if not limit_hit(
            scope="email-change",
            key=str(request.user.pk),
            limit=settings.PASSWORD_RESET_RATE_LIMIT,
        ):
            form.add_error(None, rate_limited_message())
            return _page(request, status=429, email_form=form)
        try:
            user_email_change_request(
                user=request.user,
                new_email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                link_for=_confirm_link,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _(
                    "We sent a link to %(email)s. Your address changes when you open it; "
                    "until then, log in with your current address."
                )
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("frontend:profile")
    return _page(request, status=400, email_form=form)


@login_required
@require_POST
def profile_password_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST, prefix="password")
    if form.is_valid():
        if not password_check_allowed(user_id=request.user.pk):
            form.add_error(None, password_check_limited_message())
            return _page(request, status=429, password_form=form)
        try:
            user = user_password_change(
                user=request.user,
                keep_session_key=request.session.session_key,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            # This session stays logged in; every other one (and every API token) ends.
            update_session_auth_hash(request, user)
            messages.success(
                request,
                _("Your password is changed. Other devices and API tokens are logged out."),
            )
            return redirect("frontend:profile")
    return _page(request, status=400, password_form=form)


@require_http_methods(["GET", "POST"])
def profile_email_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail: a page with one button (mail scanners open links with GET, so
    only the POST changes the address). Works without being logged in."""
    try:
        user, new_email = email_change_read(token=token)
        if request.method == "POST":
            user_email_change_confirm(token=token, request=request)
    except ValidationError as exc:
        return render(
            request,
            "frontend/profile/email_confirm.html",
            {"errors": [m for errors in exc.message_dict.values() for m in errors]},
            status=400,
        )
    if request.method == "POST":
        messages.success(request, _("Your e-mail address is now %(email)s.") % {"email": new_email})
        if request.user.is_authenticated and request.user.pk == user.pk:
            return redirect("frontend:profile")
        return redirect("frontend:login")
    return render(request, "frontend/profile/email_confirm.html", {"new_email": new_email})
