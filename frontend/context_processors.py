"""Values every page's header needs."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the header badge: one query, and only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from notifications.selectors import unread_count

    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user=user))}
