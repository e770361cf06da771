"""The header's "Programmes" entry, shown to programme staff only.

Whether someone is staff is asked once per browser session and kept in it, so pages cost no
query for it after the first; the programme pages set it again whenever they learn the
answer (creating, joining or leaving a programme, opening one, the list of one's programmes).
Someone a manager adds sees the entry after opening the programme from the e-mail, or at the
next login.
"""

from typing import Any

from django import template
from django.http import HttpRequest

from programmes.selectors import is_programme_staff

register = template.Library()

SESSION_KEY = "programme_nav"


def programme_nav_remember(request: HttpRequest, visible: bool) -> None:
    """Keep what the programme pages know (written only when it changes)."""
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) is not visible:
        session[SESSION_KEY] = visible


@register.simple_tag(takes_context=True)
def programme_nav_visible(context: dict[str, Any]) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    known = session.get(SESSION_KEY) if session is not None else None
    if known is None:
        known = is_programme_staff(user)
        if session is not None:
            session[SESSION_KEY] = known
    return bool(known)
