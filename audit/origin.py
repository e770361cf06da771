"""Where a request comes from: the client's address and browser, as the audit log and the
login limits record them (one rule, used by both)."""

from django.conf import settings
from django.http import HttpRequest

USER_AGENT_MAX = 300


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front the
    address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, the
    rule DRF's NUM_PROXIES follows). Entries further left are chosen by the client: ignored."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return remote


def user_agent(request: HttpRequest) -> str:
    return (request.META.get("HTTP_USER_AGENT", "") or "")[:USER_AGENT_MAX]
