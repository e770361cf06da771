"""Two-factor authentication on the web: the code asked after login (/login/verify/) and the
profile's security page (/profile/security/): turn on with an authenticator app (QR code as
inline SVG, or the secret to type), recovery codes (shown once, downloadable as a text file),
new recovery codes, turn off. Every write goes through accounts.mfa, which the API uses too."""

import time
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.mfa import (
    RECOVERY_CODE_COUNT,
    mfa_disable,
    mfa_enabled,
    mfa_login_complete,
    mfa_required_roles,
    mfa_verify_explained,
    recovery_codes_left,
    recovery_codes_regenerate,
    request_second_factor_verified,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_pending_device,
    totp_secret,
)
from frontend.forms import errors_to_form
from frontend.redirects import next_url

# The recovery codes just made, kept in the session while the person is on their page (so
# they can be downloaded as a file), never stored anywhere readable: for at most
# _CODES_LIFETIME seconds, and dropped by "I have saved them" and by any other page
# (SecondFactorMiddleware calls recovery_codes_session_forget).
_CODES_SESSION_KEY = "mfa_recovery_codes"
_CODES_LIFETIME = 10 * 60


def _codes_keep(request: HttpRequest, codes: list[str]) -> None:
    request.session[_CODES_SESSION_KEY] = {"codes": codes, "at": int(time.time())}


def _codes_kept(request: HttpRequest) -> list[str] | None:
    """The codes just made, if they are still young enough to show; else None (and gone)."""
    kept = request.session.get(_CODES_SESSION_KEY)
    if not isinstance(kept, dict) or time.time() - kept.get("at", 0) > _CODES_LIFETIME:
        request.session.pop(_CODES_SESSION_KEY, None)
        return None
    return list(kept.get("codes") or []) or None


def recovery_codes_session_paths() -> tuple[str, str]:
    """The two pages that may read the codes kept in the session."""
    return (
        reverse("frontend:profile_security_codes"),
        reverse("frontend:profile_security_codes_download"),
    )


def recovery_codes_session_forget(request: HttpRequest) -> None:
    """Drop the codes kept in the session (a page other than theirs was opened)."""
    session = getattr(request, "session", None)
    if session is not None and _CODES_SESSION_KEY in session:
        session.pop(_CODES_SESSION_KEY, None)


def _code_widget(**attrs: str) -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "inputmode": "numeric",
            "autocomplete": "one-time-code",
            "pattern": "[0-9 ]*",
            "maxlength": "12",
            "spellcheck": "false",
            **attrs,
        }
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your app"),
        max_length=32,
        help_text=gettext_lazy("The six digits your authenticator app shows now."),
        widget=_code_widget(),
    )


def _password_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ConfirmForm(CodeForm):
    """The first code, and the current password: a session alone must not turn it on (an
    account without a usable password, single sign-on only, has no password field)."""

    password = _password_field()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():
            del self.fields["password"]


class VerifyForm(forms.Form):
    """One form, two ways: the app's six digits, or (folded away) a recovery code."""

    code = forms.CharField(
        label=gettext_lazy("Code from your app"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("The six digits your authenticator app shows now."),
        widget=_code_widget(autofocus="autofocus"),
    )
    recovery_code = forms.CharField(
        label=gettext_lazy("Recovery code"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("One of the ten codes you saved. Each works only once."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("code") or "").strip() and not (data.get("recovery_code") or "").strip():
            raise ValidationError(_("Please enter the code from your app or a recovery code."))
        return data


class DisableForm(forms.Form):
    password = _password_field()
    code = forms.CharField(
        label=gettext_lazy("Code from your app"), max_length=32, widget=_code_widget()
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():  # single sign-on only: the code alone
            del self.fields["password"]


# --- the code after login ---


@require_http_methods(["GET", "POST"])
def login_verify_view(request: HttpRequest) -> HttpResponse:
    """Asked after the password (or single sign-on) of someone with a second factor."""
    if not request.user.is_authenticated:
        return redirect_to_login(next_url(request, reverse("frontend:home")))
    target = next_url(request, reverse("frontend:home"))
    if request_second_factor_verified(request) or not mfa_enabled(request.user):
        return redirect(target)
    form = VerifyForm(request.POST if request.method == "POST" else None)
    status = 400 if request.method == "POST" else 200  # unless the code is accepted
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip() or form.cleaned_data["recovery_code"]
        device, message = mfa_verify_explained(user=request.user, code=code, request=request)
        if device is not None:
            mfa_login_complete(user=request.user, request=request, device=device)
            if isinstance(device, StaticDevice):
                left = recovery_codes_left(request.user)
                messages.warning(
                    request,
                    _(
                        "You used a recovery code (%(left)d left). Make new ones in your "
                        "profile when they run low."
                    )
                    % {"left": left},
                )
            return redirect(target)
        form.add_error(
            "recovery_code" if not form.cleaned_data["code"].strip() else "code", message
        )
    return render(
        request, "frontend/auth/verify.html", {"form": form, "next": target}, status=status
    )


# --- the profile's security page ---


def _qr_svg(url: str) -> str:
    """The otpauth:// URL as an inline SVG QR code (segno: made here, nothing sent anywhere)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=5, border=2, dark="#000", light="#fff", omitsize=False
    )
    return mark_safe(svg)  # noqa: S308 — made by segno from our own URL


def _page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    user = request.user
    enabled = mfa_enabled(user)
    context.setdefault("codes_form", CodeForm(prefix="codes"))
    context.setdefault("disable_form", DisableForm(prefix="disable", user=user))
    return render(
        request,
        "frontend/profile/security.html",
        {
            "enabled": enabled,
            "required_roles": mfa_required_roles(user),
            "codes_left": recovery_codes_left(user) if enabled else 0,
            **context,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def profile_security_view(request: HttpRequest) -> HttpResponse:
    request.session.pop(_CODES_SESSION_KEY, None)
    return _page(request)


def _setup_page(request: HttpRequest, form: ConfirmForm, status: int = 200) -> HttpResponse:
    device = totp_pending_device(request.user)
    if device is None:
        return redirect("frontend:profile_security")
    return render(
        request,
        "frontend/profile/security_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            # On the phone itself the QR code cannot be scanned: a link opens the app instead.
            "otpauth_url": device.config_url,
            "secret": totp_secret(device),
            "issuer": _issuer(),
            "account": request.user.get_username(),
        },
        status=status,
    )


def _issuer() -> str:
    from django.conf import settings

    return str(settings.OTP_TOTP_ISSUER)


@login_required
@require_http_methods(["GET", "POST"])
def profile_security_setup_view(request: HttpRequest) -> HttpResponse:
    """POST: a new secret (replacing one not yet confirmed); GET shows the one being set up."""
    if request.method == "POST":
        try:
            totp_enrolment_start(user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("frontend:profile_security")
        return redirect("frontend:profile_security_setup")
    return _setup_page(request, ConfirmForm(user=request.user))


@login_required
@require_POST
def profile_security_confirm_view(request: HttpRequest) -> HttpResponse:
    form = ConfirmForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            device, codes = totp_enrolment_confirm(
                user=request.user,
                code=form.cleaned_data["code"],
                password=form.cleaned_data.get("password", ""),
                request=request,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            # This session has just shown the code: it counts as verified.
            otp_login(request, device)
            _codes_keep(request, codes)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("frontend:profile_security_codes")
    return _setup_page(request, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def profile_security_codes_view(request: HttpRequest) -> HttpResponse:
    """GET: the recovery codes just made (once). POST: new ones, for a code."""
    if request.method == "POST":
        form = CodeForm(request.POST, prefix="codes")
        if form.is_valid():
            try:
                codes = recovery_codes_regenerate(
                    user=request.user, code=form.cleaned_data["code"], request=request
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                _codes_keep(request, codes)
                messages.success(
                    request, _("New recovery codes made. The old ones no longer work.")
                )
                return redirect("frontend:profile_security_codes")
        return _page(request, status=400, codes_form=form)
    kept = _codes_kept(request)
    if not kept:
        return redirect("frontend:profile_security")
    return render(
        request,
        "frontend/profile/security_codes.html",
        {"codes": kept, "count": RECOVERY_CODE_COUNT},
    )


@login_required
@require_http_methods(["GET"])
def profile_security_codes_download_view(request: HttpRequest) -> HttpResponse:
    codes = _codes_kept(request)
    if not codes:
        return redirect("frontend:profile_security")
    lines = [
        _("%(issuer)s recovery codes for %(account)s")
        % {"issuer": _issuer(), "account": request.user.get_username()},
        _("Each code works once. Keep this file safe, away from your phone."),
        "",
        *codes,
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="konvoi-recovery-codes.txt"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def profile_security_disable_view(request: HttpRequest) -> HttpResponse:
    form = DisableForm(request.POST, prefix="disable", user=request.user)
    if form.is_valid():
        try:
            mfa_disable(
                user=request.user,
                password=form.cleaned_data.get("password", ""),
                code=form.cleaned_data["code"],
                request=request,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("frontend:profile_security")
    return _page(request, status=400, disable_form=form)
