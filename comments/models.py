"""Threaded comments on updates, milestones, projects and check-ins, their earlier versions
and the reactions people leave on them."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from convoys.models import Convoy

BODY_MAX_LENGTH = 10_000


@dataclass(frozen=True)
class ReactionSummary:
    """A comment's reactions as one person sees them (not stored: counted by a selector)."""

    counts: dict[str, int]  # emoji → count, in the order of the emoji set, only those > 0
    mine: list[str]  # the emoji the person gave

    def as_dict(self) -> dict:
        return {"reactions": self.counts, "mine": self.mine}


class TargetType(models.TextChoices):
    UPDATE = "update", _("Update")
    MILESTONE = "milestone", _("Milestone")
    PROJECT = "project", _("Project")
    CHECKIN = "checkin", _("Check-in")


class Emoji(models.TextChoices):
    THUMBS_UP = "👍", _("Thumbs up")
    HEART = "❤️", _("Heart")
    TADA = "🎉", _("Celebrate")
    PRAY = "🙏", _("Thanks")
    BULB = "💡", _("Idea")
    EYES = "👀", _("Looking into it")


class Comment(models.Model):
    """A comment on a target (update, milestone, project or check-in), made in one convoy.

    A project (and its milestones) can be shared with several convoys: a comment belongs to the
    convoy it was written in, and only that convoy's people see it. A reply has its parent's
    target and convoy. Deleting keeps the row (the thread keeps its shape); the text is gone.
    """

    # Not columns: set on loaded comments by comments.selectors.with_reactions and
    # thread_order (declared for type checking).
    reaction_summary: ReactionSummary
    depth: int

    convoy = models.ForeignKey(Convoy, on_delete=models.CASCADE, related_name="comments")
    target_type = models.CharField(_("target type"), max_length=16, choices=TargetType.choices)
    target_id = models.PositiveBigIntegerField(_("target id"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The author's company in the convoy when they wrote it (none for a facilitator).
    company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=BODY_MAX_LENGTH, blank=True)
    # Rendered from body and sanitised when written, never at read time.
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_type__in=TargetType.values), name="comment_target_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(body="", body_html=""),
                name="comment_deleted_has_no_text",
            ),
        ]
        indexes = [
            models.Index(
                fields=["target_type", "target_id", "created_at"], name="comment_target_idx"
            ),
            models.Index(fields=["convoy", "created_at"], name="comment_convoy_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.target_type} {self.target_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_visible(self) -> bool:
        """Whether its text may be shown (neither deleted nor hidden)."""
        return self.deleted_at is None and self.hidden_at is None


class CommentRevision(models.Model):
    """An earlier version of an edited comment; only the convoy's facilitators read these."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    # When this version was written (the comment's creation or its previous edit).
    written_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment revision")
        verbose_name_plural = _("comment revisions")
        ordering = ["comment_id", "written_at", "id"]
        indexes = [
            models.Index(fields=["comment", "written_at"], name="comment_revision_idx"),
            # The retention purge: revisions older than the period.
            models.Index(fields=["created_at"], name="comment_revision_created_idx"),
        ]

    def __str__(self) -> str:
        return f"revision of {self.comment_id} from {self.written_at:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    """One person's emoji on a comment; one per person per emoji, toggled."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=8, choices=Emoji.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "user", "emoji"], name="reaction_one_per_person_and_emoji"
            ),
            models.CheckConstraint(
                condition=Q(emoji__in=Emoji.values), name="reaction_emoji_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.emoji} by {self.user_id} on {self.comment_id}"
