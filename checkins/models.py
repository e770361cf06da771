"""Check-ins: the convoy's meetings, the people's answers (RSVPs with a waitlist), each
company's report before the meeting, and the per-person calendar subscription."""

from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from convoys.models import Convoy

# Plausible meeting dates; far-off years have no sensible time-zone rules (or calendars).
YEARS = (2000, 2100)


def wall_time_exists(value: datetime) -> bool:
    """False for a local time the clocks skip (02:30 on the spring-forward night in Berlin).

    Such a value (a naive time made aware in the convoy's or the server's zone) gets the
    offset from before the change, so it is not the instant it names, and comparisons
    between values of the same zone ignore offsets: an end "after" the start could be
    stored before it and only the database constraint would notice.
    """
    there_and_back = value.astimezone(UTC).astimezone(value.tzinfo)
    return there_and_back.replace(tzinfo=None) == value.replace(tzinfo=None)


def checkin_time_errors(
    *, starts_at: datetime | None, ends_at: datetime | None, rsvp_deadline: datetime | None
) -> dict[str, str]:
    """The rules of a check-in's times, by field (empty: all good). The one home of the rule:
    the model's clean(), the API's input serializer and the page's form all ask here; the
    check constraints of CheckIn hold it in the database too.

    First each time on its own (a sensible year; a wall time that exists in its zone), then,
    only if those hold, their order: the end after the start, the RSVP deadline not after it.
    """
    errors: dict[str, str] = {}
    for name, value in (
        ("starts_at", starts_at),
        ("ends_at", ends_at),
        ("rsvp_deadline", rsvp_deadline),
    ):
        if value and not YEARS[0] <= value.year <= YEARS[1]:
            errors[name] = _("Please choose a date between %(first)s and %(last)s.") % {
                "first": YEARS[0],
                "last": YEARS[1],
            }
        elif value and not wall_time_exists(value):
            errors[name] = _(
                "This time does not exist in the time zone %(zone)s (the clocks are put "
                "forward that night). Please choose another time."
            ) % {"zone": value.tzinfo}
    if errors:
        return errors
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = _("The check-in must end after it starts.")
    if starts_at and rsvp_deadline and rsvp_deadline > starts_at:
        errors["rsvp_deadline"] = _("The RSVP deadline cannot be after the start.")
    return errors


def rsvp_open(checkin: "CheckIn", now: datetime | None = None) -> bool:
    """Whether answers are taken: a scheduled check-in, until its RSVP deadline (inclusive).
    The one home of the rule for the service, the API and the pages."""
    return checkin.status == CheckInStatus.SCHEDULED and (
        (now or timezone.now()) <= checkin.rsvp_deadline
    )


class CheckInStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")


# A series: every 1 to 8 weeks, 2 to 12 meetings (a convoy's year of monthly check-ins).
SERIES_EVERY_WEEKS = (1, 8)
SERIES_COUNT = (2, 12)


class CheckInSeries(models.Model):
    """Check-ins that repeat every N weeks at the same local wall-clock time in the convoy's
    time zone (also across a DST change). Each occurrence is an ordinary CheckIn linked here,
    with its own RSVPs, seats and reports; the series only says which ones belong together
    (for "this and all following")."""

    convoy = models.ForeignKey(Convoy, on_delete=models.CASCADE, related_name="checkin_series")
    every_weeks = models.PositiveSmallIntegerField(
        _("every … weeks"),
        validators=[
            MinValueValidator(SERIES_EVERY_WEEKS[0]),
            MaxValueValidator(SERIES_EVERY_WEEKS[1]),
        ],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("check-in series")
        verbose_name_plural = _("check-in series")
        constraints = [
            models.CheckConstraint(
                condition=Q(every_weeks__gte=SERIES_EVERY_WEEKS[0])
                & Q(every_weeks__lte=SERIES_EVERY_WEEKS[1]),
                name="checkin_series_every_weeks_range",
            ),
        ]

    def __str__(self) -> str:
        return f"series {self.pk} of convoy {self.convoy_id}"


class CheckIn(models.Model):
    """A convoy meeting scheduled by a facilitator.

    Times are aware instants; they are shown (and exported to calendars) in the convoy's time
    zone. `sequence` is the iCalendar SEQUENCE: raised on every change a calendar must pick up.
    """

    # Not columns: annotations set by checkins.selectors.with_seats (declared for type checking).
    seats_confirmed: int
    seats_waitlisted: int

    convoy = models.ForeignKey(Convoy, on_delete=models.CASCADE, related_name="checkins")
    series = models.ForeignKey(
        CheckInSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checkins",
        verbose_name=_("series"),
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("place"), max_length=300, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    agenda = models.TextField(_("agenda"), max_length=10000, blank=True)
    # agenda and notes rendered and sanitised when written (checkins.markdown), never per read.
    agenda_html = models.TextField(blank=True, editable=False)
    capacity = models.PositiveIntegerField(
        _("seats"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: no limit."),
    )
    rsvp_deadline = models.DateTimeField(_("RSVP deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=CheckInStatus.choices, default=CheckInStatus.SCHEDULED
    )
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    notes = models.TextField(_("notes"), max_length=20000, blank=True)
    notes_html = models.TextField(blank=True, editable=False)
    notes_posted_at = models.DateTimeField(_("notes posted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="checkin_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(rsvp_deadline__lte=F("starts_at")),
                name="checkin_deadline_before_start",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="checkin_capacity_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["convoy", "starts_at"], name="checkin_convoy_start_idx"),
            # The reminder sweep: scheduled check-ins by start and by deadline.
            models.Index(fields=["status", "starts_at"], name="checkin_status_start_idx"),
            models.Index(fields=["status", "rsvp_deadline"], name="checkin_status_deadline_idx"),
            # "This and all following" of a series.
            models.Index(fields=["series", "starts_at"], name="checkin_series_start_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # The check constraints alone would report nameless errors; name the field.
        errors = checkin_time_errors(
            starts_at=self.starts_at, ends_at=self.ends_at, rsvp_deadline=self.rsvp_deadline
        )
        if errors:
            raise ValidationError(errors)


class RsvpResponse(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    MAYBE = "maybe", _("Maybe")


class RsvpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    DECLINED = "declined", _("Declined")
    TENTATIVE = "tentative", _("Tentative")


class Rsvp(models.Model):
    """One person's answer to a check-in. A yes takes a seat (confirmed) or, when the seats
    are taken, a place on the waitlist, ordered by `queued_at` and then id."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps"
    )
    response = models.CharField(_("response"), max_length=5, choices=RsvpResponse.choices)
    status = models.CharField(_("status"), max_length=10, choices=RsvpStatus.choices)
    queued_at = models.DateTimeField(_("on the waitlist since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        ordering = ["checkin_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "user"], name="rsvp_one_per_person"),
            models.CheckConstraint(
                condition=Q(response="yes", status__in=["confirmed", "waitlisted"])
                | Q(response="no", status="declined")
                | Q(response="maybe", status="tentative"),
                name="rsvp_status_matches_response",
            ),
            models.CheckConstraint(
                condition=Q(status="waitlisted", queued_at__isnull=False)
                | (~Q(status="waitlisted") & Q(queued_at__isnull=True)),
                name="rsvp_queued_iff_waitlisted",
            ),
        ]
        indexes = [
            models.Index(fields=["checkin", "status", "queued_at"], name="rsvp_checkin_status_idx"),
            models.Index(fields=["user", "checkin"], name="rsvp_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.checkin_id}: {self.response}"


class CheckInReport(models.Model):
    """A company's short report before a check-in: what moved, what is next, where help is
    needed. One per company and check-in; filing again replaces it."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="reports")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="checkin_reports")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moved = models.TextField(_("what moved since the last check-in"), max_length=5000)
    next_steps = models.TextField(_("what is next"), max_length=5000, blank=True)
    help_needed = models.TextField(_("where help is needed"), max_length=5000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("check-in report")
        verbose_name_plural = _("check-in reports")
        ordering = ["checkin_id", "company__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["checkin", "company"], name="checkin_report_one_per_company"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} for {self.checkin_id}"


class CalendarFeed(models.Model):
    """A person's secret calendar subscription URL. At most one is active; rotating revokes it
    and creates a new one.

    The secret in the URL is HMAC(SECRET_KEY, nonce): only its SHA-256 hash is looked up, and
    the nonce alone reveals nothing, yet the person's own page can show the URL again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_active_per_user",
            ),
        ]
        # The retention purge: feeds revoked longer ago than the period.
        indexes = [
            models.Index(
                fields=["revoked_at"],
                condition=Q(revoked_at__isnull=False),
                name="calendar_feed_revoked_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"
