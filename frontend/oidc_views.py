"""Single sign-on pages: start the login at the provider, take its answer, log out of both.

mozilla-django-oidc's views with the endpoints from discovery (accounts.oidc) and Konvoi's
ways: `next` by frontend.redirects.next_url, every failure back on the login page with a
message (never a 500), the language of the account remembered, and the provider's session
ended too when the person logged in through it (RP-initiated logout).
"""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

from accounts.oidc import (
    OIDCError,
    discovery,
    local_login_disabled_message,
    local_login_enabled,
    oidc_setting,
    sso_enabled,
)
from frontend.language import language_cookie_set
from frontend.redirects import next_url


def _login_page(request: HttpRequest, message: str | None = None) -> HttpResponseRedirect:
    if message:
        messages.error(request, message)
    return redirect("frontend:login")


class OIDCLoginView(OIDCAuthenticationRequestView):
    """GET /oidc/login/?next=…: to the provider's authorization endpoint, with state, nonce and
    a PKCE challenge (S256) kept in the session."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads the endpoint here; discovery may fail, so it is read in get().
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discovery()["authorization_endpoint"]
        except OIDCError as exc:
            return _login_page(request, str(exc))
        self.OIDC_RP_CLIENT_ID = settings.OIDC_CLIENT_ID
        response = super().get(request)
        # The project's rule for where to go afterwards (only paths of this site).
        request.session["oidc_login_next"] = next_url(request, "") or None
        return response


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """GET /oidc/callback/?code=…&state=…: the provider's answer. The backend exchanges the
    code (with the PKCE verifier), verifies the ID token and finds or creates the account."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    @property
    def failure_url(self) -> str:
        return reverse("frontend:login")

    def login_failure(self) -> HttpResponse:
        message = getattr(self.request, "oidc_error", None) or _(
            "Logging in with single sign-on did not work. Please try again."
        )
        return _login_page(self.request, message)

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        # As the password login does: the interface in the person's language from now on.
        language_cookie_set(response, self.user.language)
        return response

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        if request.GET.get("error"):
            # The provider refused or the person cancelled: the state is spent either way.
            states = request.session.get("oidc_states")
            if isinstance(states, dict) and states.pop(request.GET.get("state", ""), None):
                request.session.modified = True
            if request.GET["error"] == "access_denied":
                message = _("The login at the single sign-on service was cancelled.")
                return _login_page(request, message)
            return self.login_failure()
        try:
            return super().get(request)
        except SuspiciousOperation:
            # A state this browser did not start (an old tab, a forged link).
            message = _(
                "This login link has expired or was started in another browser. Please try again."
            )
            return _login_page(request, message)


def provider_logout_url(request: HttpRequest) -> str | None:
    """The provider's end-session URL for a person who logged in through it, else None.
    Read before Konvoi's session is flushed (it holds the ID token)."""
    id_token = request.session.get("oidc_id_token")
    if not id_token or not sso_enabled():
        return None
    try:
        endpoint = discovery().get("end_session_endpoint")
    except OIDCError:
        return None  # the provider is down: at least Konvoi's session ends
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("frontend:login")),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


class LogoutView(auth_views.LogoutView):
    """Konvoi's logout (POST /logout/): a person who logged in with SSO is then sent to the
    provider to end that session too, and comes back to the login page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider_url = provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_url) if provider_url else response


class OIDCLogout(OIDCLogoutView):
    """POST /oidc/logout/: the same as /logout/, under the library's name."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        if attr == "OIDC_OP_LOGOUT_URL_METHOD":
            return "frontend.oidc_views.provider_logout_url_or_login"
        if attr == "LOGOUT_REDIRECT_URL":
            return settings.LOGOUT_REDIRECT_URL
        return oidc_setting(attr, *args)


def provider_logout_url_or_login(request: HttpRequest) -> str:
    return provider_logout_url(request) or reverse("frontend:login")


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's login page; with local login off, the way in is SSO (the login page)."""
    if local_login_enabled():
        return admin.site.login(request)
    if request.user.is_authenticated:
        # Logged in but not staff: the login page would send them straight back here.
        raise PermissionDenied
    if request.method == "POST":
        messages.error(request, local_login_disabled_message())
    target = next_url(request, reverse("admin:index"))
    return redirect(f"{reverse('frontend:login')}?{urlencode({'next': target})}")


def local_login_refused(request: HttpRequest) -> HttpResponse:
    """A password login, sign-up or reset while local login is off: the login page, which
    offers SSO, with the reason."""
    return _login_page(request, local_login_disabled_message())
