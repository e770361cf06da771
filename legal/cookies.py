"""The cookies Konvoi sets: one list, shown in the privacy notice and checked by the tests
(tests/legal/test_cookies.py fails on any Set-Cookie that is not here). All of them are
strictly necessary (§ 25 (2) no. 2 TDDDG), so there is no consent banner."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str | Promise
    lifetime: str


def _days(seconds: int) -> str:
    days = max(1, round(seconds / 86400))
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def _browser_session() -> str:
    return str(_("until the browser is closed"))


def cookies() -> list[Cookie]:
    """The cookies with their names and lifetimes as configured now (call it inside the
    language the text is shown in)."""
    found: list[Cookie] = [
        Cookie(
            name=settings.SESSION_COOKIE_NAME,
            purpose=_("Keeps you logged in and remembers your session (login, language, forms)."),
            lifetime=_browser_session()
            if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
            else _days(settings.SESSION_COOKIE_AGE),
        ),
    ]
    if not settings.CSRF_USE_SESSIONS:
        found.append(
            Cookie(
                name=settings.CSRF_COOKIE_NAME,
                purpose=_("Protects forms against cross-site request forgery."),
                lifetime=_days(settings.CSRF_COOKIE_AGE)
                if settings.CSRF_COOKIE_AGE
                else _browser_session(),
            )
        )
    found.append(
        Cookie(
            name=settings.LANGUAGE_COOKIE_NAME,
            purpose=_("Remembers the language you chose (German or English)."),
            lifetime=_days(settings.LANGUAGE_COOKIE_AGE)
            if settings.LANGUAGE_COOKIE_AGE
            else _browser_session(),
        )
    )
    if settings.MESSAGE_STORAGE.endswith(("FallbackStorage", "CookieStorage")):
        found.append(
            Cookie(
                name="messages",  # CookieStorage.cookie_name
                purpose=_(
                    "Carries a short confirmation (such as “Saved”) to the next page; deleted "
                    "once it is shown."
                ),
                lifetime=_browser_session(),
            )
        )
    return found


def cookie_names() -> set[str]:
    return {cookie.name for cookie in cookies()}
