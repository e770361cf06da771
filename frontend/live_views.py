"""The convoy dashboard's live regions: `GET /convoys/<id>/live/?after=N` (live.js).

An event is rendered once per (convoy, seq, language, role), not once per viewer: the regions
an event touches are rendered for a *shared* reader of the role (facilitator or member) and
cached under (convoy, seq, language, role, region); every other viewer's fetch is a cache hit.
What differs between two members (their own company's controls, their own comments' edit
forms, the reactions they gave, their CSRF token) is not rendered into the shared HTML for
them: the fragment marks such elements (`data-own-company`, `data-own-link`, `data-own-user`,
`data-member-attention`) and the response's `viewer` part lets live.js keep only the reader's.
Facilitator-only controls are rendered only into the facilitator's variant, never into the
members' one.

Only the regions the events after N touch are sent (a comment does not re-render the chart).
Access is checked as for the page; the regions are those of the seq read in the same query
that confirms access, and the events consulted are bounded by it.
"""

import copy
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from checkins.selectors import checkins_upcoming
from comments.models import Emoji, Reaction, TargetType
from comments.selectors import threads_for_targets
from convoys.consumers import parse_cursor
from convoys.models import Event
from convoys.selectors import convoy_list_for_user, convoy_member_companies_of_user, events_recent
from frontend.comments_views import FEED_UPDATES
from notifications.selectors import nudges_today
from overview.dashboard import convoy_dashboard
from projects.selectors import updates_for_convoy

FEED_LENGTH = 20  # as the page (frontend.views.FEED_LENGTH)
# Beyond this many events, or for an unusable cursor, every region is sent.
MAX_SPAN = 200
CACHE_SECONDS = 600

# The dashboard's regions: id → template.
REGIONS = {
    "dashboard-attention": "frontend/partials/live/attention.html",
    "convoy-checkins": "frontend/partials/live/checkins.html",
    "dashboard-companies": "frontend/partials/live/companies.html",
    "update-feed": "frontend/partials/live/updates.html",
    "dashboard-chart": "frontend/partials/live/chart.html",
    "activity-feed": "frontend/partials/live/activity.html",
}
_PROGRESS = {"dashboard-attention", "dashboard-companies", "dashboard-chart"}
# Which regions an event kind touches, by the kind's prefix; a kind not named touches all.
TOUCHES: dict[str, set[str]] = {
    "comment.": {"update-feed"},
    "reaction.": {"update-feed"},
    "update.": {"update-feed", "dashboard-attention", "dashboard-companies"},
    "milestone.": _PROGRESS,
    "project.": _PROGRESS,
    "checkin.": {"convoy-checkins"},
    "rsvp.": {"convoy-checkins"},
}


def regions_touched(kinds: set[str]) -> set[str]:
    """The regions that events of these kinds change; the activity feed shows every event."""
    touched = {"activity-feed"} if kinds else set()
    for kind in kinds:
        prefix = next((p for p in TOUCHES if kind.startswith(p)), None)
        touched |= TOUCHES[prefix] if prefix else set(REGIONS)
    return touched


def _cache_key(convoy_id: int, seq: int, language: str, role: str, region: str) -> str:
    return f"live-region:{convoy_id}:{seq}:{language}:{role}:{region}"


def _shared_render(request: HttpRequest, convoy: Any, regions: list[str]) -> dict[str, str]:
    """Render these regions for the shared reader of the viewer's role (one render each)."""
    now = timezone.now()
    reader = copy.copy(request)
    reader.user = AnonymousUser()  # nothing of this viewer: no own reactions, no own forms
    reader.path = reader.path_info = reverse("frontend:convoy", args=[convoy.pk])  # "next" links
    reader.META = {**request.META, "QUERY_STRING": ""}
    context: dict[str, Any] = {
        "convoy": convoy,
        "live_shared": True,
        "my_company_ids": [],
        "user": reader.user,
        # A placeholder: live.js puts the reader's own token in (never someone else's).
        "csrf_token": "live",
    }
    if _PROGRESS & set(regions):
        context["dashboard"] = convoy_dashboard(convoy=convoy, now=now)
        context["nudged_today"] = (
            nudges_today(convoy=convoy, now=now) if convoy.is_facilitator else {}
        )
    if "convoy-checkins" in regions:
        context["checkins"] = checkins_upcoming(convoy=convoy, now=now)
    if "activity-feed" in regions:
        context["events"] = events_recent(convoy=convoy, limit=FEED_LENGTH)
    if "update-feed" in regions:
        updates = list(updates_for_convoy(convoy=convoy).prefetch_related(None)[:FEED_UPDATES])
        context.update(
            feed_updates=updates,
            comment_convoy=convoy,
            comment_threads=threads_for_targets(
                user=reader.user,
                convoy_id=convoy.pk,
                targets=[(TargetType.UPDATE, u.pk) for u in updates],
            ),
            comment_moderator=bool(convoy.is_facilitator),
            comment_emoji=Emoji.choices,
        )
    return {
        region: render_to_string(REGIONS[region], context, request=reader) for region in regions
    }


def _own_reactions(user: Any, convoy_id: int) -> dict[int, list[str]]:
    """The reactions this person gave in the convoy's recent comments (aria-pressed)."""
    mine: dict[int, list[str]] = {}
    rows = (
        Reaction.objects.filter(user=user, comment__convoy_id=convoy_id)
        .order_by("-id")
        .values_list("comment_id", "emoji")[:500]
    )
    for comment_id, emoji in rows:
        mine.setdefault(comment_id, []).append(emoji)
    return mine


@login_required
@require_GET
def convoy_live_regions(request: HttpRequest, convoy_id: int) -> JsonResponse:
    convoy = get_object_or_404(convoy_list_for_user(user=request.user), pk=convoy_id)
    head = convoy.last_event_seq
    after = parse_cursor(request.GET.get("after"))
    if after is None or after > head or head - after > MAX_SPAN:
        wanted = set(REGIONS)
    else:
        kinds = set(
            Event.objects.filter(convoy_id=convoy.pk, seq__gt=after, seq__lte=head)
            .values_list("kind", flat=True)
            .distinct()
        )
        wanted = regions_touched(kinds)
    role = "facilitator" if convoy.is_facilitator else "member"
    language = translation.get_language() or "de"
    keys = {region: _cache_key(convoy.pk, head, language, role, region) for region in wanted}
    found = cache.get_many(list(keys.values()))
    html = {region: found[key] for region, key in keys.items() if key in found}
    missing = sorted(set(wanted) - set(html))
    if missing:
        rendered = _shared_render(request, convoy, missing)
        cache.set_many({keys[r]: text for r, text in rendered.items()}, CACHE_SECONDS)
        html.update(rendered)
    viewer = {
        "user": request.user.pk,
        "companies": convoy_member_companies_of_user(user=request.user, convoy_id=convoy.pk),
    }
    if "update-feed" in wanted:
        viewer["reactions"] = _own_reactions(request.user, convoy.pk)
    return JsonResponse({"seq": head, "regions": html, "viewer": viewer})
