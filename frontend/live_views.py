"""The convoy dashboard's live regions: `GET /convoys/<id>/live/?after=N` (live.js).

An event is rendered once per (convoy, seq, language), not once per viewer nor per role: the
regions an event touches are rendered for a *shared* reader, with what differs between
facilitators and members side by side (frontend.live_roles), and cached under (convoy, seq,
language, region); every other viewer's fetch is a cache hit, their role chosen by a string
operation.
What differs between two members (their own company's controls, their own comments' edit
forms, the reactions they gave, their CSRF token) is not rendered into the shared HTML for
them: the fragment marks such elements (`data-own-company`, `data-own-link`, `data-own-user`,
`data-member-attention`) and the response's `viewer` part lets live.js keep only the reader's.
Facilitator-only controls and what only facilitators read (a hidden comment) are cut out of
the members' variant on the server, never sent to them.

Only the regions the events after N touch are sent: a comment or a reaction sends its thread
(not the update feed, not the chart). Access is checked as for the page; the regions are those
of the seq read in the same query that confirms access, and the events consulted are bounded
by it.

The answer's body (`{"seq", "regions"}`) is the same for every viewer of the role who asks
after the same seq, so it is built and gzip-compressed once and cached too; the viewer's own
part comes in the `X-Konvoi-Viewer` header. The body holds no secret of anyone (the CSRF
fields carry a placeholder), so compressing it gives BREACH nothing to find.
"""

import copy
import gzip
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from checkins.selectors import checkins_upcoming
from comments.models import Emoji, Reaction, TargetType
from comments.selectors import threads_for_targets
from convoys.models import Event
from convoys.selectors import convoy_list_for_user, convoy_member_companies_of_user, events_recent
from frontend.comments_views import FEED_UPDATES
from frontend.live_roles import FACILITATOR, MEMBER, RoleSplit, role_of, role_select
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
THREAD_TEMPLATE = "frontend/partials/live/thread.html"
THREAD_PREFIX = "comments-update-"
# Which regions an event kind touches, by the kind's prefix; a kind not named touches all.
# Comments and reactions touch their thread (see regions_touched).
TOUCHES: dict[str, set[str]] = {
    "comment.": set(),
    "reaction.": set(),
    "update.": {"update-feed", "dashboard-attention", "dashboard-companies"},
    "milestone.": _PROGRESS,
    "project.": _PROGRESS,
    "checkin.": {"convoy-checkins"},
    "rsvp.": {"convoy-checkins"},
}


def _cursor(value: str | None) -> int | None:
    """A seq from the query string (ASCII digits, at most 18), else None."""
    if value and len(value) <= 18 and value.isascii() and value.isdigit():
        return int(value)
    return None


def regions_touched(events: list[tuple[str, Any]]) -> set[str]:
    """The regions that these events (kind, data) change; the activity feed shows every event.
    A comment or reaction on an update touches that update's thread only."""
    touched = {"activity-feed"} if events else set()
    for kind, data in events:
        prefix = next((p for p in TOUCHES if kind.startswith(p)), None)
        touched |= TOUCHES[prefix] if prefix else set(REGIONS)
        if prefix in ("comment.", "reaction."):
            comment = data.get("comment") if isinstance(data, dict) else None
            if isinstance(comment, dict) and comment.get("target_type") == TargetType.UPDATE:
                touched.add(f"{THREAD_PREFIX}{int(comment['target_id'])}")
    return touched


def _cache_key(convoy_id: int, seq: int, language: str, region: str) -> str:
    return f"live-split:{convoy_id}:{seq}:{language}:{region}"


# A region rendered for both roles: (the render's marker nonce, the split HTML).
SplitRegion = tuple[str, str]


def for_role(regions: dict[str, SplitRegion], role: str) -> dict[str, str]:
    """The regions as a reader of `role` gets them (the other role's branches cut out)."""
    return {region: role_select(html, nonce, role) for region, (nonce, html) in regions.items()}


def _reader(convoy_id: int) -> HttpRequest:
    """The request the shared fragments are rendered with: nobody's (no own reactions, no own
    forms, no session), on the dashboard's address (the forms' "next")."""
    reader = HttpRequest()
    reader.method = "GET"
    reader.path = reader.path_info = reverse("frontend:convoy", args=[convoy_id])
    reader.user = AnonymousUser()
    return reader


def _shared_render(
    convoy: Any, regions: list[str], memo: dict[str, Any] | None = None
) -> dict[str, SplitRegion]:
    """Render these regions once for both roles (frontend.live_roles), in the active language.
    `memo`: the data read for another language of the same event, read again only if absent."""
    memo = {} if memo is None else memo

    def once(name: str, load: Any) -> Any:
        if name not in memo:
            memo[name] = load()
        return memo[name]

    as_facilitator, as_member = copy.copy(convoy), copy.copy(convoy)
    as_facilitator.is_facilitator, as_member.is_facilitator = True, False
    split = RoleSplit(
        roles={
            FACILITATOR: {"convoy": as_facilitator, "comment_moderator": True},
            MEMBER: {"convoy": as_member, "comment_moderator": False},
        }
    )
    now = once("now", timezone.now)
    reader = _reader(convoy.pk)
    context: dict[str, Any] = {
        # Outside the marked branches the fragment is what a member sees.
        "convoy": as_member,
        "live_roles": split,
        "live_shared": True,
        "my_company_ids": [],
        "user": reader.user,
        # A placeholder: live.js puts the reader's own token in (never someone else's).
        "csrf_token": "live",
    }
    if _PROGRESS & set(regions):
        context["dashboard"] = once("dashboard", lambda: convoy_dashboard(convoy=convoy, now=now))
        context["nudged_today"] = once("nudged", lambda: nudges_today(convoy=convoy, now=now))
    if "convoy-checkins" in regions:
        context["checkins"] = once("checkins", lambda: checkins_upcoming(convoy=convoy, now=now))
    if "activity-feed" in regions:
        context["events"] = once("events", lambda: events_recent(convoy=convoy, limit=FEED_LENGTH))
    threads = [int(r.removeprefix(THREAD_PREFIX)) for r in regions if r.startswith(THREAD_PREFIX)]
    if "update-feed" in regions:
        updates = once(
            "updates",
            lambda: list(updates_for_convoy(convoy=convoy).prefetch_related(None)[:FEED_UPDATES]),
        )
        # The cards only: a thread with comments stays as the page has it (data-live-keep);
        # it changes by its own events, as its own region.
        context["feed_updates"] = updates
        context["live_keep_threads"] = True
        threads += [u.pk for u in updates]
    if threads:
        context.update(
            comment_convoy=convoy,
            # The caller has established the person sees the convoy; a thread of an update
            # of another convoy is simply empty (comments are read by convoy).
            comment_threads=once(
                f"threads:{sorted(threads)}",
                lambda: threads_for_targets(
                    user=reader.user,
                    convoy_id=convoy.pk,
                    targets=[(TargetType.UPDATE, pk) for pk in threads],
                ),
            ),
            comment_moderator=False,
            comment_emoji=Emoji.choices,
        )
    rendered: dict[str, SplitRegion] = {}
    for region in regions:
        if region.startswith(THREAD_PREFIX):
            target_id = int(region.removeprefix(THREAD_PREFIX))
            html = render_to_string(
                THREAD_TEMPLATE, {**context, "target_id": target_id}, request=reader
            )
        else:
            html = render_to_string(REGIONS[region], context, request=reader)
        rendered[region] = (split.nonce, html)
    return rendered


def shared_regions(
    *, convoy: Any, seq: int, wanted: set[str], memo: dict[str, Any] | None = None
) -> dict[str, SplitRegion]:
    """The regions at `seq` for both roles, in the active language: from the cache, or
    rendered once and cached for every other viewer (`for_role` gives a reader's)."""
    language = translation.get_language()
    keys = {region: _cache_key(convoy.pk, seq, language, region) for region in wanted}
    found = cache.get_many(list(keys.values()))
    html = {region: found[k] for region, k in keys.items() if k in found}
    missing = sorted(wanted - set(html))
    if missing:
        rendered = _shared_render(convoy, missing, memo)
        cache.set_many({keys[r]: split for r, split in rendered.items()}, CACHE_SECONDS)
        html.update(rendered)
    return html


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


def _regions_body(
    request: HttpRequest, convoy: Any, after: int | None, head: int, variant: tuple[str, str]
) -> tuple[bytes, bool]:
    """The shared body for viewers of this variant who show `after`: (gzipped JSON, whether
    it holds comment threads). Cached under `key`; the regions inside are cached one by one."""
    if after is None or after > head or head - after > MAX_SPAN:
        wanted = set(REGIONS)
    else:
        events = Event.objects.filter(convoy_id=convoy.pk, seq__gt=after, seq__lte=head)
        wanted = regions_touched(list(events.values_list("kind", "data")))
    html = for_role(shared_regions(convoy=convoy, seq=head, wanted=wanted), variant[0])
    threads = "update-feed" in html or any(r.startswith(THREAD_PREFIX) for r in html)
    body = gzip.compress(json.dumps({"seq": head, "regions": html}).encode(), compresslevel=6)
    cache.set(_body_key(convoy.pk, after, head, variant), (body, threads), CACHE_SECONDS)
    return body, threads


def _body_key(convoy_id: int, after: int | None, head: int, variant: tuple[str, str]) -> str:
    return f"live-regions:{convoy_id}:{after}:{head}:{variant[0]}:{variant[1]}"


@login_required
@require_GET
def convoy_live_regions(request: HttpRequest, convoy_id: int) -> HttpResponse:
    convoy = get_object_or_404(convoy_list_for_user(user=request.user), pk=convoy_id)
    head = convoy.last_event_seq
    after = _cursor(request.GET.get("after"))
    variant = (role_of(convoy), translation.get_language())
    cached = cache.get(_body_key(convoy.pk, after, head, variant))
    if cached is None:
        cached = _regions_body(request, convoy, after, head, variant)
    body, threads = cached
    viewer: dict[str, Any] = {
        "user": request.user.pk,
        "companies": convoy_member_companies_of_user(user=request.user, convoy_id=convoy.pk),
    }
    if threads:
        viewer["reactions"] = _own_reactions(request.user, convoy.pk)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(body, content_type="application/json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(body), content_type="application/json")
    response["Vary"] = "Accept-Encoding, Cookie"
    response["Cache-Control"] = "private, no-store"
    response["X-Konvoi-Viewer"] = json.dumps(viewer, separators=(",", ":"))
    return response
