"""The convoy dashboard's small display rules: who sees which attention items, and how many
updates stay open before "show older updates"."""

from typing import Any

from django import template

register = template.Library()

# The newest updates shown open on the dashboard; older ones sit behind "show older updates".
OPEN_UPDATES = 3
# The newest feed entries shown open; the rest behind "show more".
OPEN_FEED_ENTRIES = 6


@register.simple_tag
def attention_items(
    dashboard: dict[str, Any], is_facilitator: bool, my_company_ids: Any
) -> list[dict[str, Any]]:
    """The facilitator sees every item; a member only those of their own companies."""
    items = dashboard.get("attention") or []
    if is_facilitator:
        return list(items)
    mine = set(my_company_ids or ())
    return [item for item in items if item["company"]["id"] in mine]


@register.filter
def newest(items: Any, count: int | None = None) -> list[Any]:
    return list(items)[: OPEN_UPDATES if count is None else count]


@register.filter
def older(items: Any, count: int | None = None) -> list[Any]:
    return list(items)[OPEN_UPDATES if count is None else count :]


@register.simple_tag
def open_feed_entries() -> int:
    return OPEN_FEED_ENTRIES


@register.filter
def newest_first(items: Any) -> list[Any]:
    return list(reversed(list(items)))
