"""Values every page's header needs."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The header badge: unread count and the newest notification id the page was rendered
    with (the live socket resumes after it, so it neither misses nor repeats one). One query,
    and only when a page shows the badge."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from notifications.selectors import badge_state

    state = SimpleLazyObject(lambda: badge_state(user=user))
    return {"notification_badge": state}
