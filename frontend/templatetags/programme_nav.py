"""The header's "Programmes" entry, shown to programme staff only.

Whether someone is staff is kept in Django's cache (Redis in the scaled topology, local memory
embedded) per person, so pages cost no query for it once known. The staff services drop it
when the transaction that may change it commits (`programmes.services.programme_staff_forget`:
adding, accepting an invitation, removing, creating a programme, erasing an account), so
someone a manager adds sees the entry on their next page, and someone removed stops seeing it,
without logging in again and in every browser and process at once.
"""

from typing import Any

from django import template
from django.core.cache import cache

from programmes.selectors import is_programme_staff
from programmes.services import PROGRAMME_STAFF_CACHE_SECONDS, programme_staff_cache_key

register = template.Library()


@register.simple_tag(takes_context=True)
def programme_nav_visible(context: dict[str, Any]) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return False
    key = programme_staff_cache_key(user.pk)
    known = cache.get(key)
    if known is None:
        known = is_programme_staff(user)
        cache.set(key, known, PROGRAMME_STAFF_CACHE_SECONDS)
    return bool(known)
