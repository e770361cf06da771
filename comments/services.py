"""Writes for comments and reactions.

Each function is the one write path for its action (API, web UI, demo). Every change is an
Event in the comment's convoy (published after commit) so open threads refresh live; event
data names the comment and its target, never its text. Notifications (mention, reply, comment
on your company's post) are written in the same transaction through notifications.services.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from comments.models import BODY_MAX_LENGTH, Comment, CommentRevision, Emoji, Reaction, TargetType
from comments.selectors import (
    ReactionSummary,
    convoy_handles,
    reaction_summary,
    target_convoys_for_user,
)
from comments.targets import Target, target_resolve
from companies.models import Company, CompanyMember
from convoys.events import EventKind, event_record
from convoys.selectors import convoy_member_companies_of_user, convoy_visible, is_facilitator
from notifications.models import NotificationKind
from notifications.models import TargetType as NotificationTarget
from notifications.services import notify
from projects.models import Milestone
from richtext.rendering import (
    Rendered,
    excerpt,
    markdown_html,
    mentioned_handles,
    resolve_mentions,
)


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError({"body": [_("Please write a comment.")]})
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError(
            {
                "body": [
                    _("A comment can have at most %(max)d characters.") % {"max": BODY_MAX_LENGTH}
                ]
            }
        )
    return body


def _unknown_target() -> ValidationError:
    # The same answer for a target that does not exist and one the person cannot see.
    return ValidationError({"target_id": [_("Unknown target.")]})


def _comment_data(comment: Comment, *, target_title: str | None = None) -> dict[str, Any]:
    company = comment.company
    data: dict[str, Any] = {
        "id": comment.pk,
        "target_type": comment.target_type,
        "target_id": comment.target_id,
        "parent": comment.parent_id,
        "company": {"id": company.pk, "name": company.name} if company else None,
    }
    if target_title is not None:
        data["target_title"] = target_title
    return {"comment": data}


def comment_target(comment: Comment) -> dict[str, Any]:
    """What a comment's notification is about: the page-level thing it is shown on (the
    convoy for an update, the project for a milestone or project, the check-in) and the
    comment's anchor there. The interface builds the link (notifications.links)."""
    anchor = f"comment-{comment.pk}"
    if comment.target_type in (TargetType.MILESTONE, TargetType.PROJECT):
        project_id: int | None = comment.target_id
        if comment.target_type == TargetType.MILESTONE:
            project_id = (
                Milestone.objects.filter(pk=comment.target_id)
                .values_list("project_id", flat=True)
                .first()
            )
        if project_id is not None:
            return {
                "target_type": NotificationTarget.PROJECT,
                "target_id": project_id,
                "anchor": anchor,
            }
        return {"target_type": NotificationTarget.CONVOY, "target_id": comment.convoy_id}
    if comment.target_type == TargetType.CHECKIN:
        return {
            "target_type": NotificationTarget.CHECKIN,
            "target_id": comment.target_id,
            "anchor": anchor,
        }
    return {
        "target_type": NotificationTarget.CONVOY,
        "target_id": comment.convoy_id,
        "anchor": anchor,
    }


def _author_company(*, actor: User, convoy_id: int) -> Company | None:
    company_ids = convoy_member_companies_of_user(user=actor, convoy_id=convoy_id)
    return Company.objects.filter(pk__in=company_ids).order_by("name", "id").first()


def _notify_comment(
    *,
    comment: Comment,
    actor: User,
    target: Target,
    rendered: Rendered,
    people_ids: set[int],
    parent: Comment | None,
) -> None:
    """mention beats reply beats comment.on_post: one notification per person and comment
    (also across later edits: the key is the comment), never to the author, only to people of
    the comment's convoy."""
    mentioned = rendered.mentioned_ids & people_ids
    replied = {parent.author_id} & people_ids if parent and parent.author_id else set()
    owners: set[int] = set()
    if target.company_id is not None:
        owners = set(
            CompanyMember.objects.filter(company_id=target.company_id).values_list(
                "user_id", flat=True
            )
        )
    owners &= people_ids
    common: dict[str, Any] = {
        "actor": actor,
        "convoy_id": comment.convoy_id,
        **comment_target(comment),
        "data": {"excerpt": excerpt(comment.body_html), "target_title": target.title},
        "key": f"comment:{comment.pk}",
    }
    for kind, recipients in (
        (NotificationKind.MENTION, mentioned),
        (NotificationKind.COMMENT_REPLY, replied - mentioned),
        (NotificationKind.COMMENT_ON_POST, owners - mentioned - replied),
    ):
        recipient_ids = sorted(recipients - {actor.pk})
        if recipient_ids:
            notify(recipient_ids=recipient_ids, kind=kind, **common)


def _resolve_for_actor(*, actor: User, target_type: str, target_id: int) -> tuple[Target, list]:
    target = target_resolve(target_type=target_type, target_id=target_id)
    if target is None:
        raise _unknown_target()
    convoy_ids = target_convoys_for_user(user=actor, target=target)
    if not convoy_ids:
        raise _unknown_target()
    return target, convoy_ids


def _markdown_before_transaction(body: str) -> str:
    """The body's HTML, rendered before the write transaction opens: SQLite takes its write
    lock at BEGIN (and PostgreSQL would hold row locks) for as long as rendering takes.
    Mentions are resolved inside, against the convoy's people (a cheap substitution)."""
    body = body.strip()
    return markdown_html(body) if 0 < len(body) <= BODY_MAX_LENGTH else ""


def comment_create(
    *,
    actor: User,
    body: str,
    target_type: str | None = None,
    target_id: int | None = None,
    parent: Comment | None = None,
    convoy_id: int | None = None,
) -> Comment:
    """Comment on a target, or reply to a comment (the reply takes the parent's target and
    convoy). A target visible in several of the person's convoys needs `convoy_id`."""
    html = _markdown_before_transaction(body)
    return _comment_create(
        actor=actor,
        body=body,
        html=html,
        target_type=target_type,
        target_id=target_id,
        parent=parent,
        convoy_id=convoy_id,
    )


@transaction.atomic
def _comment_create(
    *,
    actor: User,
    body: str,
    html: str,
    target_type: str | None,
    target_id: int | None,
    parent: Comment | None,
    convoy_id: int | None,
) -> Comment:
    body = _clean_body(body)
    if parent is not None:
        parent = _locked(parent)  # its current state; a concurrent delete waits for us
        if convoy_visible(user=actor, convoy_id=parent.convoy_id) is None:
            raise ValidationError({"parent": [_("Unknown comment.")]})
        if not parent.is_visible:
            raise ValidationError({"parent": [_("This comment cannot be answered any more.")]})
        if (target_type is not None and target_type != parent.target_type) or (
            target_id is not None and target_id != parent.target_id
        ):
            raise ValidationError(
                {"parent": [_("A reply belongs to the same thing as the comment it answers.")]}
            )
        if convoy_id is not None and convoy_id != parent.convoy_id:
            raise ValidationError(
                {"convoy": [_("A reply belongs to the convoy of the comment it answers.")]}
            )
        target_type, target_id, convoy_id = parent.target_type, parent.target_id, parent.convoy_id
    if target_type is None or target_id is None:
        raise ValidationError({"target_id": [_("Say what you are commenting on.")]})
    target, convoy_ids = _resolve_for_actor(
        actor=actor, target_type=target_type, target_id=target_id
    )
    if convoy_id is None:
        if len(convoy_ids) > 1:
            raise ValidationError(
                {"convoy": [_("This is shared with several of your convoys: choose the convoy.")]}
            )
        convoy_id = convoy_ids[0]
    elif convoy_id not in convoy_ids:
        raise ValidationError({"convoy": [_("This is not shared with that convoy.")]})

    people = convoy_handles(convoy_id=convoy_id)
    rendered = resolve_mentions(html, people=people)
    comment = Comment(
        convoy_id=convoy_id,
        target_type=target.type,
        target_id=target.id,
        parent=parent,
        author=actor,
        company=_author_company(actor=actor, convoy_id=convoy_id),
        body=body,
        body_html=rendered.html,
    )
    comment.full_clean()
    comment.save()
    event_record(
        convoy_id=convoy_id,
        kind=EventKind.COMMENT_CREATED,
        data=_comment_data(comment, target_title=target.title),
        actor=actor,
    )
    _notify_comment(
        comment=comment,
        actor=actor,
        target=target,
        rendered=rendered,
        people_ids=set(people.values()),
        parent=parent,
    )
    return comment


def _locked(comment: Comment) -> Comment:
    return (
        Comment.objects.select_for_update(of=("self",)).select_related("company").get(pk=comment.pk)
    )


def _require_author(*, actor: User, comment: Comment, message: str) -> None:
    if comment.author_id is None or comment.author_id != actor.pk:
        raise PermissionDenied(message)


def comment_update(*, actor: User, comment: Comment, body: str) -> Comment:
    """The author edits: the earlier version is kept (facilitators see it), the comment is
    marked edited, and people newly mentioned are told (once per comment)."""
    html = _markdown_before_transaction(body)
    return _comment_update(actor=actor, comment=comment, body=body, html=html)


@transaction.atomic
def _comment_update(*, actor: User, comment: Comment, body: str, html: str) -> Comment:
    comment = _locked(comment)
    _require_author(
        actor=actor, comment=comment, message=_("Only the author may edit this comment.")
    )
    if not comment.is_visible:
        raise ValidationError({"body": [_("A deleted or hidden comment cannot be edited.")]})
    body = _clean_body(body)
    if body == comment.body:
        return comment
    people = convoy_handles(convoy_id=comment.convoy_id)
    # Who the stored version mentioned (read from its HTML: nothing is rendered in here).
    before = {people[h] for h in mentioned_handles(comment.body_html) if h in people}
    rendered = resolve_mentions(html, people=people)
    now = timezone.now()
    CommentRevision.objects.create(
        comment=comment, body=comment.body, written_at=comment.edited_at or comment.created_at
    )
    comment.body, comment.body_html, comment.edited_at = body, rendered.html, now
    comment.full_clean()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    target = target_resolve(target_type=comment.target_type, target_id=comment.target_id)
    event_record(
        convoy_id=comment.convoy_id,
        kind=EventKind.COMMENT_UPDATED,
        data=_comment_data(comment, target_title=target.title if target else None),
        actor=actor,
    )
    new_mentions = (rendered.mentioned_ids - before) & set(people.values())
    new_mentions.discard(actor.pk)
    if target is not None and new_mentions:
        notify(
            recipient_ids=sorted(new_mentions),
            kind=NotificationKind.MENTION,
            actor=actor,
            convoy_id=comment.convoy_id,
            **comment_target(comment),
            data={"excerpt": excerpt(comment.body_html), "target_title": target.title},
            key=f"comment:{comment.pk}",
        )
    return comment


@transaction.atomic
def comment_delete(*, actor: User, comment: Comment) -> Comment:
    """The author deletes: the row stays (replies keep their place), its text, earlier
    versions and reactions go."""
    comment = _locked(comment)
    _require_author(
        actor=actor, comment=comment, message=_("Only the author may delete this comment.")
    )
    if comment.is_deleted:
        return comment
    comment.body, comment.body_html, comment.deleted_at = "", "", timezone.now()
    comment.save(update_fields=["body", "body_html", "deleted_at"])
    comment.revisions.all().delete()
    comment.reactions.all().delete()
    event_record(
        convoy_id=comment.convoy_id,
        kind=EventKind.COMMENT_DELETED,
        data=_comment_data(comment),
        actor=actor,
    )
    return comment


@transaction.atomic
def comment_hide(*, actor: User, comment: Comment) -> Comment:
    """A facilitator of the comment's convoy hides it from everyone else."""
    comment = _locked(comment)
    if not is_facilitator(user=actor, convoy_id=comment.convoy_id):
        raise PermissionDenied(_("Only a facilitator of the convoy may hide comments."))
    if comment.is_hidden or comment.is_deleted:
        return comment
    comment.hidden_at, comment.hidden_by = timezone.now(), actor
    comment.save(update_fields=["hidden_at", "hidden_by"])
    event_record(
        convoy_id=comment.convoy_id,
        kind=EventKind.COMMENT_HIDDEN,
        data=_comment_data(comment),
        actor=actor,
    )
    return comment


@transaction.atomic
def reaction_toggle(*, actor: User, comment: Comment, emoji: str) -> ReactionSummary:
    """Add the person's emoji to a comment, or take it back if it is there."""
    if emoji not in Emoji.values:
        raise ValidationError({"emoji": [_("Choose one of the offered emoji.")]})
    comment = _locked(comment)
    if not comment.is_visible:
        raise ValidationError({"emoji": [_("A deleted or hidden comment takes no reactions.")]})
    removed, _by_model = Reaction.objects.filter(comment=comment, user=actor, emoji=emoji).delete()
    if not removed:
        try:
            with transaction.atomic():
                Reaction.objects.create(comment=comment, user=actor, emoji=emoji)
        except IntegrityError:
            pass  # a concurrent toggle of the same person added it first: it is there
    summary = reaction_summary(user=actor, comment=comment)
    event_record(
        convoy_id=comment.convoy_id,
        kind=EventKind.REACTION_CHANGED,
        data={
            **_comment_data(comment),
            "emoji": emoji,
            "added": not removed,
            "reactions": summary.counts,
        },
        actor=actor,
    )
    return summary


def comments_delete_for_targets(*, targets: list[tuple[str, int]]) -> None:
    """Delete the comments (with replies, versions and reactions) on things that are being
    deleted (projects.hooks: called inside the deleting transaction)."""
    by_type: dict[str, list[int]] = {}
    for target_type, target_id in targets:
        by_type.setdefault(target_type, []).append(target_id)
    for target_type, ids in by_type.items():
        Comment.objects.filter(target_type=target_type, target_id__in=ids).delete()
