"""Who is asking, and how often: the client address, login lockout wiring, form rate limits.

Logins (web, admin, API token) are limited by django-axes, which calls the three callables
below (settings AXES_*). Sign-up and password reset are limited here with Django's cache.
"""

import hashlib
import ipaddress
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from audit.origin import client_ip


def client_network_key(client: str) -> str:
    """The rate limit's key of a client address: an IPv4 address as it is, an IPv6 address by
    its /64 network (one household or server gets a whole /64 and may rotate within it), an
    IPv4-mapped IPv6 address as its IPv4 address; anything else as given (cut short). Forms
    without an account (open events' registration, the anonymous check) count by it."""
    text = (client or "").strip()
    try:
        address = ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return text[:100]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a login attempt is for, the same however it is spelt: the web and admin
    forms send `username`, the API `email`."""
    credentials = credentials or {}
    value = credentials.get("username") or credentials.get("email")
    if not value:
        value = getattr(request, "POST", {}).get("username")
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = max(1, lockout_seconds() // 60)
    return _(
        "Too many failed login attempts for this account or from your network. For your "
        "security, logging in is blocked for %(minutes)d minutes. If you have forgotten your "
        "password, reset it: that also lifts the block."
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, *_args: Any) -> HttpResponse:
    """Axes' answer to a locked-out login: JSON for the API, the lockout page otherwise.
    Always 429 with Retry-After (the cool-off). Extra arguments (axes passes the original
    response and the credentials, or only the credentials on its async path) are not needed."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        response = render(
            request,
            "frontend/auth/lockout.html",
            {"message": lockout_message(), "minutes": max(1, lockout_seconds() // 60)},
            status=429,
        )
    response["Retry-After"] = str(lockout_seconds())
    return response


def _counter_key(scope: str, key: str) -> str:
    # Hashed: no e-mail addresses or IPs in the cache's key space.
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def limit_hit(*, scope: str, key: str, limit: int, window: int | None = None) -> bool:
    """Count one attempt for (scope, key); True while the count is within `limit` in the
    current fixed window of `window` seconds (default RATE_LIMIT_WINDOW_SECONDS)."""
    window = window or settings.RATE_LIMIT_WINDOW_SECONDS
    cache_key = _counter_key(scope, key)
    if cache.add(cache_key, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        count = 1
    return count <= limit


def signup_allowed(*, request: HttpRequest, email: str) -> bool:
    """Counts a sign-up attempt per client address and per e-mail address."""
    limit = settings.SIGNUP_RATE_LIMIT
    by_address = limit_hit(scope="signup-ip", key=client_ip(request), limit=limit)
    by_email = limit_hit(scope="signup-email", key=email.strip().lower(), limit=limit)
    return by_address and by_email


def password_reset_address_allowed(*, request: HttpRequest) -> bool:
    """Counts a password-reset request per client address."""
    return limit_hit(
        scope="reset-ip", key=client_ip(request), limit=settings.PASSWORD_RESET_RATE_LIMIT
    )


def password_reset_mail_allowed(*, email: str) -> bool:
    """Counts a reset e-mail to one address; beyond the limit it is not sent."""
    return limit_hit(
        scope="reset-email", key=email.strip().lower(), limit=settings.PASSWORD_RESET_RATE_LIMIT
    )


def colleague_invitation_allowed(*, user_id: int) -> bool:
    """Counts an invitation of a colleague (to any of their companies) per inviting owner."""
    return limit_hit(
        scope="colleague-invite", key=str(user_id), limit=settings.COLLEAGUE_INVITATION_RATE_LIMIT
    )


def colleague_invitation_limited_message() -> str:
    return _(
        "You have sent a lot of invitations in a short time. Please wait a while before you "
        "invite more colleagues."
    )


def rate_limited_message() -> str:
    return _("Too many attempts from your connection. Please try again later.")


def password_check_allowed(*, user_id: int) -> bool:
    """Counts an attempt to prove one's current password (password change, in the API and on
    the profile page), per person: guessing it from a stolen session stays slow."""
    return limit_hit(
        scope="password-check", key=str(user_id), limit=settings.PASSWORD_RESET_RATE_LIMIT
    )


def password_check_limited_message() -> str:
    return _("Too many attempts with your current password. Please try again later.")
