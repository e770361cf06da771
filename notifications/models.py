"""Notifications addressed to one person, how each person wants them, and the delivery rows
that make reminders and digests exactly-once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    UPDATE_DUE = "reminder.update_due", _("Update due")
    RSVP_MISSING = "reminder.rsvp_missing", _("RSVP missing")
    CHECKIN_SOON = "reminder.checkin_soon", _("Check-in tomorrow")
    REPORT_DUE = "reminder.report_due", _("Check-in report due")
    FACILITATOR_DIGEST = "digest.facilitator", _("Weekly facilitator digest")
    MENTION = "mention", _("Mentions")
    COMMENT_REPLY = "comment.reply", _("Replies to my comments")
    COMMENT_ON_POST = "comment.on_post", _("Comments on my company's posts")
    INVITATION = "invitation", _("Invitations")
    CHECKIN_CHANGED = "checkin.changed", _("Check-in changes")
    CHECKIN_PROMOTED = "checkin.promoted", _("Seat freed for me")
    NUDGE = "nudge", _("Nudges from the facilitator")
    CHECK_DUE = "reminder.check_due", _("Digitalisierungs-Check due again")


class Channel(models.TextChoices):
    """How a person wants one kind of notification."""

    IN_APP = "in_app", _("In the app only")
    EMAIL = "email", _("E-mail at once")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Off")


class TargetType(models.TextChoices):
    """What a notification is about; the interface turns (type, id, anchor) into a link."""

    CONVOY = "convoy", _("Convoy")
    PROJECT = "project", _("Project")
    CHECKIN = "checkin", _("Check-in")
    INVITATION = "invitation", _("Invitation")
    COMPANY = "company", _("Company")


class Notification(models.Model):
    """One thing addressed to one person; shown in the app and delivered by e-mail or in a
    digest according to the channel chosen when it was created.

    It is also the delivery row of reminders: `key` is the reminder's natural key (kind,
    convoy, company or check-in, period), unique per recipient, so a sweep run twice, two
    sweeps at once, or a sweep re-run after a crash create each reminder once.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    convoy = models.ForeignKey(
        "convoys.Convoy",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # What it is about, not where the web UI shows it: the interface builds the link
    # (notifications.links). The anchor names a place on the target's page ("comment-12").
    target_type = models.CharField(max_length=16, choices=TargetType.choices, blank=True)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    anchor = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # NULL, not "": only keyed notifications take part in the unique constraint.
    key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.IN_APP)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # E-mail state: due from email_after on; claimed by one sender; sent once.
    email_after = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "DigestDelivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=Q(key__isnull=False),
                name="notification_recipient_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_recipient_idx"),
            # The retention purge: read notifications older than the period.
            models.Index(
                fields=["read_at"], condition=Q(read_at__isnull=False), name="notification_read_idx"
            ),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(
                fields=["email_after"],
                condition=Q(channel="email", emailed_at__isnull=True),
                name="notification_email_due_idx",
            ),
            models.Index(
                fields=["channel", "recipient"],
                condition=Q(channel__in=["daily", "weekly"], digest__isnull=True),
                name="notification_digest_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class NotificationPreference(models.Model):
    """A person's channel for one kind; kinds without a row use the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_user_kind_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} → {self.channel}"


class DeliverySettings(models.Model):
    """When a person may be reached: quiet hours in their local time, and whether on weekends.

    Language and time zone live on the user; a person without a row has the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="delivery_settings",
    )
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)
    weekends = models.BooleanField(_("also on weekends"), default=False)

    class Meta:
        verbose_name = _("delivery settings")
        verbose_name_plural = _("delivery settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_from__isnull=True, quiet_until__isnull=True)
                | Q(quiet_from__isnull=False, quiet_until__isnull=False),
                name="delivery_quiet_hours_both_or_none",
            ),
        ]

    def __str__(self) -> str:
        return f"delivery settings of {self.user_id}"


class ConvoyMute(models.Model):
    """A person mutes a convoy for good (until empty) or snoozes it until a date (inclusive)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="convoy_mutes"
    )
    convoy = models.ForeignKey("convoys.Convoy", on_delete=models.CASCADE, related_name="+")
    until = models.DateField(_("snoozed until"), null=True, blank=True)

    class Meta:
        verbose_name = _("muted convoy")
        verbose_name_plural = _("muted convoys")
        constraints = [
            models.UniqueConstraint(fields=["user", "convoy"], name="convoy_mute_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.convoy_id}"


class DigestDelivery(models.Model):
    """One digest e-mail: (person, daily|weekly, local period) is its natural key."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    period = models.CharField(max_length=16)  # local date "2026-11-21" or ISO week "2026-W47"
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "channel", "period"], name="digest_delivery_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="digest_unsent_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} digest {self.period} for {self.user_id}"


class Nudge(models.Model):
    """A facilitator's friendly reminder to one company of a convoy to post an update.

    At most one per company, convoy and day (the convoy's local date): the unique constraint
    holds that rule even when two facilitators press the button at the same moment. The
    people of the company receive it as a `nudge` notification."""

    convoy = models.ForeignKey("convoys.Convoy", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("nudge")
        verbose_name_plural = _("nudges")
        constraints = [
            models.UniqueConstraint(
                fields=["convoy", "company", "day"], name="nudge_once_per_company_and_day"
            ),
        ]

    def __str__(self) -> str:
        return f"nudge of {self.company_id} in {self.convoy_id} on {self.day}"
