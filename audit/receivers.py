"""Logins, failed logins and logouts, from Django's auth signals: every login path (the web
form, the admin, single sign-on, the API token endpoint's `authenticate`) sends them, so each
attempt is recorded here exactly once.

- `user_logged_in` comes from `login()`: the web and admin forms, sign-up, single sign-on
  (recorded as LOGIN_SSO by the SSO backend's own code, so skipped here). The API token
  endpoint calls `authenticate` but not `login()`: it records its LOGIN itself.
- `user_login_failed` comes from `authenticate` when no backend accepts the credentials,
  also when django-axes refuses a locked-out account or address (then data {"locked": true}).
- `user_logged_out` comes from `logout()`.

A login of someone who still owes a second factor is LOGIN_PENDING ("password correct, code not
entered yet"); the code's check records LOGIN. Who owes one is accounts.mfa's rule (a layer
above): it registers it with `login_pending_register`.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest
from django.utils.module_loading import import_string

from audit.models import Action
from audit.services import audit_record

# Backends whose logins their own code records (as LOGIN_SSO, with the provider's subject).
SSO_BACKEND_BASES = ("mozilla_django_oidc.auth.OIDCAuthenticationBackend",)


def _is_sso_backend(path: str) -> bool:
    if not path:
        return False
    try:
        backend = import_string(path)
    except ImportError:
        return False
    for base_path in SSO_BACKEND_BASES:
        try:
            base = import_string(base_path)
        except ImportError:
            continue
        if isinstance(backend, type) and issubclass(backend, base):
            return True
    return False


def _attempted_login(request: HttpRequest | None, credentials: dict[str, Any]) -> str:
    """Which account an attempt was for: by the rule the login limits count with (the
    AXES_USERNAME_CALLABLE setting; the web and admin forms send `username`, the API `email`)."""
    rule = getattr(settings, "AXES_USERNAME_CALLABLE", None)
    if rule and request is not None:
        value = import_string(rule)(request, credentials)
    else:
        value = credentials.get("username") or credentials.get("email")
    return value.strip().lower()[:254] if isinstance(value, str) else ""


LoginPendingCheck = Callable[[Any], bool]
_login_pending: list[LoginPendingCheck] = []


def login_pending_register(check: LoginPendingCheck) -> None:
    """Say how to tell that a login still waits for a second factor (accounts.mfa, in
    AppConfig.ready(); registering again replaces)."""
    _login_pending[:] = [check]


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if _is_sso_backend(getattr(user, "backend", "") or ""):
        return
    pending = any(check(user) for check in _login_pending)
    action = Action.LOGIN_PENDING if pending else Action.LOGIN
    audit_record(action=action, user=user, request=request)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    attempted = _attempted_login(request, credentials or {})
    account = None
    if attempted:
        account = get_user_model().objects.filter(email__iexact=attempted).first()
    data = {"locked": True} if getattr(request, "axes_locked_out", False) else {}
    audit_record(
        action=Action.LOGIN_FAILED,
        user=account,
        request=request,
        attempted_login="" if account is not None else attempted,
        data=data,
    )


def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        return
    audit_record(action=Action.LOGOUT, user=user, request=request)


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="audit.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="audit.logout")
