"""The header's "Programmes" entry, shown to programme staff only: one query per page,
remembered on the request."""

from typing import Any

from django import template

from programmes.selectors import is_programme_staff

register = template.Library()


@register.simple_tag(takes_context=True)
def programme_nav_visible(context: dict[str, Any]) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return False
    if not hasattr(request, "_programme_nav_visible"):
        request._programme_nav_visible = is_programme_staff(user)
    return request._programme_nav_visible
