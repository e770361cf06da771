"""The second factor at the door: a logged-in session that has not passed it goes nowhere else.

After the password (or single sign-on) a person with a second factor is logged in but not
verified (django-otp's OTPMiddleware tells which): every page sends them to /login/verify/
(keeping where they wanted to go), every API request on that session gets 403. Someone the
operator requires to have a second factor (MFA_REQUIRED_FOR) and who has none is sent to set
it up. The rules of who owes what are accounts.mfa's; this only decides where to send them.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.mfa import request_second_factor_verified, session_second_factor_state
from frontend.security_views import (
    recovery_codes_session_forget,
    recovery_codes_session_paths,
)

# Open to every session, whatever it owes: leaving, the legal pages, the language, health
# checks and static files.
_ALWAYS_OPEN = (
    "/logout/",
    "/admin/logout/",
    "/oidc/logout/",
    "/imprint/",
    "/privacy/",
    "/accessibility/",
    "/impressum/",
    "/datenschutz/",
    "/barrierefreiheit/",
    "/language/",
    "/i18n/",
    "/healthz",
    "/readyz",
    "/favicon.ico",
)
# Also open while the person must set a second factor up: the pages to do that.
_OPEN_FOR_ENROLMENT = ("/profile/security/", "/api/v1/me/mfa/")
_OPEN_FOR_ENROLMENT_EXACT = ("/profile/",)
# API calls that do not use the session: a token is made from e-mail and password (and code).
_API_WITHOUT_SESSION = ("/api/v1/auth/token/", "/api/v1/auth/register/", "/api/v1/auth/logout/")


def _static_prefix() -> str:
    url = settings.STATIC_URL or "/static/"
    return url if url.startswith("/") else f"/{url}"


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect; for htmx (which would follow it and swap the page into a fragment) the
    instruction to load the whole page there instead."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _is_page_visit(request: HttpRequest) -> bool:
    """A page the person opens (not a fetch a page makes in the background, nor htmx)."""
    if request.headers.get("HX-Request"):
        return False
    return request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"


class SecondFactorMiddleware:
    """After OTPMiddleware and MessageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        path = request.path_info
        if path.startswith(_static_prefix()) or path == "/favicon.ico":
            return self.get_response(request)
        if _is_page_visit(request) and path not in recovery_codes_session_paths():
            # Recovery codes just made live in the session only while their page is open.
            recovery_codes_session_forget(request)
        if path.startswith(_ALWAYS_OPEN):
            return self.get_response(request)
        api = path.startswith("/api/")
        if api and (
            path.startswith(_API_WITHOUT_SESSION)
            # An API token decides who this is, not the session (tokens are only issued
            # after the second factor).
            or request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("token ")
        ):
            return self.get_response(request)
        verify_path = reverse("frontend:login_verify")
        if path == verify_path:
            return self.get_response(request)
        verified = request_second_factor_verified(request)
        state = session_second_factor_state(user, verified=verified)
        if state == "ok":
            return self.get_response(request)
        if state == "verify":
            if api:
                return JsonResponse(
                    {
                        "detail": _(
                            "This session has not passed the second factor yet. Enter your "
                            "code at /login/verify/, or use an API token."
                        ),
                        "code": "second_factor_needed",
                    },
                    status=403,
                )
            return _redirect(
                request, f"{verify_path}?{urlencode({'next': request.get_full_path()})}"
            )
        # state == "enrol"
        if path.startswith(_OPEN_FOR_ENROLMENT) or path in _OPEN_FOR_ENROLMENT_EXACT:
            return self.get_response(request)
        if api:
            return JsonResponse(
                {
                    "detail": _(
                        "Your role requires two-factor authentication. Please set it up in "
                        "your profile first (Profile › Two-factor authentication)."
                    ),
                    "code": "second_factor_setup_needed",
                },
                status=403,
            )
        messages.warning(
            request,
            _(
                "Your role requires two-factor authentication. Please set it up now: it "
                "takes two minutes and an app on your phone."
            ),
        )
        return _redirect(request, reverse("frontend:profile_security"))
