"""The convoy dashboard's small display rules: who sees which attention items, and how many
updates stay open before "show older updates"."""

from typing import Any

from django import template

register = template.Library()

# The newest updates shown open on the dashboard; older ones sit behind "show older updates"
# (open from the start on a wide screen, see fold.js). One keeps the phone page at ~4 screens.
OPEN_UPDATES = 1


@register.simple_tag
def attention_items(
    dashboard: dict[str, Any], is_facilitator: bool, my_company_ids: Any, shared: bool = False
) -> list[dict[str, Any]]:
    """The facilitator sees every item; a member only those of their own companies. `shared`:
    the live fragment of all members, with every item (nothing a member cannot see on the
    company cards anyway); live.js keeps those of the reader's companies."""
    items = dashboard.get("attention") or []
    if is_facilitator or shared:
        return list(items)
    mine = set(my_company_ids or ())
    return [item for item in items if item["company"]["id"] in mine]


@register.filter
def newest(items: Any, count: int | None = None) -> list[Any]:
    return list(items)[: OPEN_UPDATES if count is None else count]


@register.filter
def older(items: Any, count: int | None = None) -> list[Any]:
    return list(items)[OPEN_UPDATES if count is None else count :]


@register.filter
def newest_first(items: Any) -> list[Any]:
    return list(reversed(list(items)))
