"""Where a request comes from: the client's address and browser, as the audit log and the
login limits record them (one rule, used by both)."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

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


# A readable summary of a User-Agent header ("Firefox on Windows"): for the activity page and
# the list of signed-in browsers. Order matters: Edge and Opera also say "Chrome", Chrome also
# says "Safari", and iPadOS and Android also say "Linux" or "Mac OS X".
_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Opera", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
    ("Trident/", "Internet Explorer"),
    ("MSIE ", "Internet Explorer"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)
_PROGRAMS = (
    ("python-requests", "Python"),
    ("python-httpx", "Python"),
    ("curl/", "curl"),
)


def user_agent_summary(ua: str) -> str:
    """'Firefox on Windows', 'Safari on iPhone', 'curl', or 'Unknown device' (translated)."""
    ua = ua or ""
    browser = next((name for needle, name in _BROWSERS if needle in ua), "")
    system = next((name for needle, name in _SYSTEMS if needle in ua), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return browser or system
    program = next((name for needle, name in _PROGRAMS if needle.lower() in ua.lower()), "")
    return program or _("Unknown device")
