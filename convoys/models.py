"""Convoys: peer groups of companies, their facilitators, memberships, invitations and the
ordered event log every live view is built from."""

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_timezone
from companies.models import Company
from modelutils.invitations import InvitationState, invitation_state
from programmes.models import Programme


class ConvoyStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Convoy(models.Model):
    """A private peer group of companies going digital together, led by facilitators."""

    # Not a column: annotated by convoys.selectors.convoy_list_for_user (for type checking).
    is_facilitator: bool

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ConvoyStatus.choices, default=ConvoyStatus.FORMING
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_timezone]
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="de"
    )
    update_cadence_days = models.PositiveSmallIntegerField(
        _("update cadence (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("How often each company is expected to post an update."),
    )
    max_companies = models.PositiveSmallIntegerField(
        _("maximum number of companies"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    # The programme that runs this convoy, if any: its staff see the convoy's aggregates, and
    # its member companies are in the programme's register.
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="convoys",
        verbose_name=_("programme"),
    )
    # Highest seq handed out in this convoy's event log; bumped under a row lock.
    last_event_seq = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Facilitator", related_name="facilitated_convoys"
    )
    companies = models.ManyToManyField(Company, through="Membership", related_name="convoys")

    class Meta:
        verbose_name = _("convoy")
        verbose_name_plural = _("convoys")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(update_cadence_days__gte=1), name="convoy_cadence_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Facilitator(models.Model):
    """A person who runs a convoy (an innovation coach); need not belong to a member company."""

    convoy = models.ForeignKey(Convoy, on_delete=models.CASCADE, related_name="facilitator_links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="facilitator_links"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("facilitator")
        verbose_name_plural = _("facilitators")
        constraints = [
            models.UniqueConstraint(fields=["convoy", "user"], name="facilitator_unique"),
        ]
        indexes = [models.Index(fields=["user", "convoy"], name="facilitator_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} facilitates {self.convoy_id}"


class MembershipStatus(models.TextChoices):
    # The "invited" stage of a membership is an open Invitation (it names an e-mail address,
    # not yet a company); a Membership row exists from acceptance on.
    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")
    REMOVED = "removed", _("Removed")


def active_membership_q(prefix: str = "memberships") -> Q:
    """ "Through `prefix`, an active membership": the one spelling of the rule for lookups from
    other models (`Convoy`: "memberships", `Company`: "memberships", `CompanyMember`:
    "company__memberships", `CheckIn`: "convoy__memberships"). Put it in the same filter()
    call as the other conditions on that membership, so that they hold for the same row."""
    return Q(**{f"{prefix}__status": MembershipStatus.ACTIVE})


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> "MembershipQuerySet":
        """Seats held now (not left, not removed)."""
        return self.filter(status=MembershipStatus.ACTIVE)


class Membership(models.Model):
    """A company's seat in a convoy."""

    convoy = models.ForeignKey(Convoy, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    invitation = models.ForeignKey(
        "Invitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["convoy", "company"],
                condition=Q(status="active"),
                name="membership_one_active_per_company",
            ),
        ]
        indexes = [
            models.Index(fields=["convoy", "status"], name="membership_convoy_status_idx"),
            models.Index(fields=["company", "status"], name="membership_company_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} in {self.convoy_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE


class Invitation(models.Model):
    """An e-mailed, single-use, expiring invitation for a company to join a convoy.

    Only a SHA-256 hash of the token is stored; the token itself exists in the e-mail (and in
    the facilitator's API response) only.
    """

    convoy = models.ForeignKey(Convoy, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["convoy", "-created_at"], name="invitation_convoy_idx")]

    def __str__(self) -> str:
        return f"{self.email} → {self.convoy_id}"

    def state(self, now: datetime | None = None) -> InvitationState:
        return invitation_state(
            revoked_at=self.revoked_at,
            accepted_at=self.accepted_at,
            expires_at=self.expires_at,
            now=now,
        )


class Event(models.Model):
    """One entry of a convoy's ordered log (the outbox). seq is gapless and strictly
    increasing per convoy, allocated in the same transaction as the change it records."""

    convoy = models.ForeignKey(Convoy, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(db_index=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["convoy_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["convoy", "seq"], name="event_convoy_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.convoy_id}#{self.seq} {self.kind}"
