"""Reads for comments, scoped to the person asking.

A comment belongs to one convoy; it is visible to that convoy's people (facilitators and the
people of its active member companies) and to nobody else. Threads are read in a constant
number of queries: the comments (with author and company), then their reactions aggregated.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from comments.models import Comment, CommentRevision, Emoji, Reaction, ReactionSummary
from comments.targets import Target
from convoys.models import Facilitator
from convoys.selectors import convoy_company_members, convoy_people, convoys_for_user

PEOPLE_SUGGESTIONS = 8


def convoy_handles(*, convoy_id: int) -> dict[str, int]:
    """handle → user id of the convoy's people (those who may be @mentioned), in one query."""
    return dict(convoy_people(convoy_id=convoy_id).values_list("handle", "pk"))


def convoy_people_search(*, convoy_id: int, query: str) -> list[dict]:
    """A few of the convoy's people whose handle or name starts with / contains `query`, for
    @mention autocomplete: handle, name and their companies in this convoy."""
    query = query.strip().lstrip("@")
    people = convoy_people(convoy_id=convoy_id)
    if query:
        people = people.filter(Q(handle__istartswith=query) | Q(name__icontains=query))
    rows = list(people.order_by("handle").values("pk", "handle", "name")[:PEOPLE_SUGGESTIONS])
    companies: dict[int, list[str]] = defaultdict(list)
    for user_id, company in (
        convoy_company_members(convoy_id=convoy_id)
        .filter(user_id__in=[r["pk"] for r in rows])
        .order_by("company__name")
        .values_list("user_id", "company__name")
    ):
        companies[user_id].append(company)
    return [
        {"id": r["pk"], "handle": r["handle"], "name": r["name"], "companies": companies[r["pk"]]}
        for r in rows
    ]


def target_convoys_for_user(*, user: User, target: Target) -> list[int]:
    """Ids of the convoys in which this person sees the target (and may comment on it)."""
    if not user.is_authenticated or not target.convoy_ids:
        return []
    return sorted(
        convoys_for_user(user=user).filter(pk__in=target.convoy_ids).values_list("pk", flat=True)
    )


def comments_for_user(*, user: User) -> QuerySet[Comment]:
    """Comments in the convoys the person belongs to (anything else is a 404)."""
    if not user.is_authenticated:
        return Comment.objects.none()
    return Comment.objects.filter(convoy__in=convoys_for_user(user=user).values("pk"))


def comment_queryset(queryset: QuerySet[Comment]) -> QuerySet[Comment]:
    return queryset.select_related("author", "company").order_by("created_at", "id")


def facilitated_convoy_ids(*, user: User) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Facilitator.objects.filter(user=user).values_list("convoy_id", flat=True))


def reaction_summaries(*, user: User, comment_ids: Iterable[int]) -> dict[int, ReactionSummary]:
    """Per comment: count per emoji and the person's own, in one aggregated query."""
    ids = list(comment_ids)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    mine: dict[int, list[str]] = defaultdict(list)
    if ids:
        rows = (
            Reaction.objects.filter(comment_id__in=ids)
            .values("comment_id", "emoji")
            .annotate(n=Count("id"), own=Count("id", filter=Q(user_id=user.pk)))
            .order_by()
        )
        for row in rows:
            counts[row["comment_id"]][row["emoji"]] = row["n"]
            if row["own"]:
                mine[row["comment_id"]].append(row["emoji"])
    order = {emoji: i for i, emoji in enumerate(Emoji.values)}
    return {
        pk: ReactionSummary(
            counts=dict(sorted(counts[pk].items(), key=lambda kv: order.get(kv[0], 99))),
            mine=sorted(mine[pk], key=lambda e: order.get(e, 99)),
        )
        for pk in ids
    }


def reaction_summary(*, user: User, comment: Comment) -> ReactionSummary:
    return reaction_summaries(user=user, comment_ids=[comment.pk])[comment.pk]


def with_reactions(comments: list[Comment], *, user: User) -> list[Comment]:
    """Sets `.reaction_summary` on each comment (one query for all)."""
    summaries = reaction_summaries(user=user, comment_ids=[c.pk for c in comments])
    for comment in comments:
        comment.reaction_summary = summaries[comment.pk]
    return comments


def thread_order(comments: list[Comment]) -> list[Comment]:
    """Chronological comments → thread order (each followed by its replies, depth first),
    with `.depth` set: 0 for a top-level comment."""
    children: dict[int | None, list[Comment]] = defaultdict(list)
    ids = {c.pk for c in comments}
    for comment in comments:
        parent = comment.parent_id if comment.parent_id in ids else None
        children[parent].append(comment)
    ordered: list[Comment] = []

    def walk(parent: int | None, depth: int) -> None:
        for comment in children.get(parent, []):
            comment.depth = depth
            ordered.append(comment)
            walk(comment.pk, depth + 1)

    walk(None, 0)
    return ordered


def thread_key(target_type: str, target_id: int) -> str:
    return f"{target_type}:{target_id}"


def threads_for_targets(
    *, user: User, convoy_id: int, targets: Iterable[tuple[str, int]]
) -> dict[str, list[Comment]]:
    """The threads of several targets in one convoy (a page full of them), in two queries.

    The caller has established that the person sees the convoy and the targets. Keys are
    thread_key(type, id); each list is in thread order with reactions attached.
    """
    by_type: dict[str, list[int]] = defaultdict(list)
    for target_type, target_id in targets:
        by_type[target_type].append(target_id)
    threads: dict[str, list[Comment]] = {
        thread_key(t, i): [] for t, ids in by_type.items() for i in ids
    }
    if not by_type:
        return threads
    condition = Q()
    for target_type, ids in by_type.items():
        condition |= Q(target_type=target_type, target_id__in=ids)
    comments = list(comment_queryset(Comment.objects.filter(condition, convoy_id=convoy_id)))
    with_reactions(comments, user=user)
    flat: dict[str, list[Comment]] = defaultdict(list)
    for comment in comments:
        flat[thread_key(comment.target_type, comment.target_id)].append(comment)
    for key, rows in flat.items():
        threads[key] = thread_order(rows)
    return threads


def comment_revisions(*, comment: Comment) -> QuerySet[CommentRevision]:
    return CommentRevision.objects.filter(comment=comment).order_by("written_at", "id")
