"""Comment threads in page templates: `{% comment_thread "update" update.pk %}` renders the
thread the view prepared in the context (comments.selectors.threads_for_targets), so pages
stay at a constant number of queries however many threads they show."""

from typing import Any

from django import template

from comments.models import Emoji
from comments.selectors import thread_key

register = template.Library()


@register.inclusion_tag("frontend/comments/thread.html", takes_context=True)
def comment_thread(
    context: template.Context, target_type: str, target_id: int, fold: bool = False
) -> dict[str, Any]:
    """`fold=True` (the convoy dashboard) puts the comments behind "Show N comments"."""
    threads = context.get("comment_threads") or {}
    rows = threads.get(thread_key(target_type, target_id), [])
    return {
        "fold": fold,
        "comment_total": sum(1 for c in rows if not c.is_deleted),
        "request": context.get("request"),
        "user": context.get("user"),
        "target_type": target_type,
        "target_id": target_id,
        "thread": rows,
        "comment_convoy": context.get("comment_convoy"),
        "comment_moderator": context.get("comment_moderator", False),
        "live_shared": context.get("live_shared", False),
        # A split render for both roles (frontend.live_roles) goes on into the thread.
        "live_roles": context.get("live_roles"),
    }


@register.simple_tag
def comment_count(threads: dict | None, target_type: str, target_id: int) -> int:
    """How many comments (not deleted) a prepared thread has."""
    rows = (threads or {}).get(thread_key(target_type, target_id), [])
    return sum(1 for c in rows if not c.is_deleted)


@register.filter
def reaction_rows(comment: Any) -> list[dict[str, Any]]:
    """Every emoji of the set with its count and whether the reader gave it."""
    summary = getattr(comment, "reaction_summary", None)
    counts = summary.counts if summary else {}
    mine = set(summary.mine) if summary else set()
    return [
        {"emoji": emoji, "label": label, "count": counts.get(emoji, 0), "mine": emoji in mine}
        for emoji, label in Emoji.choices
    ]
