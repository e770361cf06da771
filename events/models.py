"""Open events of a programme (an info afternoon, a workshop, a consultation day) and the
people registered for them, who need no account.

A registration is a person of a company; the same company is the same normalised name and
postcode (`company_key`). Only attendance checked in at the door (`attended_at`) counts as
attendance. The registrant's key to their registration (ticket page, self-cancel) is a token
derived from a stored nonce (`events.keys.registration_token`), so that later e-mails
(promotion, reminder) can carry the link; only the token's hash is looked up. The door code
on the QR code opens nothing: it only lets staff check the person in.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from companies.models import Company, Sector, SizeBand
from programmes.models import Programme


class EventFormat(models.TextChoices):
    INFO_EVENT = "info_event", _("Info event")
    WORKSHOP = "workshop", _("Workshop")
    CONSULTATION_DAY = "consultation_day", _("Consultation day")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class OpenEvent(models.Model):
    """An event of a programme that anyone may register for, without an account."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    format = models.CharField(
        _("format"), max_length=20, choices=EventFormat.choices, default=EventFormat.INFO_EVENT
    )
    # Stored as instants; shown and entered in the programme's time zone (Programme.timezone).
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("video link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("seats"))
    registration_deadline = models.DateTimeField(_("registration deadline"))
    # At most this many people of one company (same normalised name and postcode); None: any.
    max_per_company = models.PositiveSmallIntegerField(
        _("at most per company"), null=True, blank=True
    )
    # Optional questions of the registration form: [{"key": str, "label": str,
    # "required": bool}], answered as free text (Registration.answers).
    questions = models.JSONField(_("questions"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.PUBLISHED
    )
    # iCalendar SEQUENCE: rises with every change registrants are told of.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("open event")
        verbose_name_plural = _("open events")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["programme", "starts_at"], name="event_programme_idx"),
            models.Index(fields=["status", "starts_at"], name="event_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="event_capacity_min"),
        ]

    def __str__(self) -> str:
        return self.title


class RegistrationStatus(models.TextChoices):
    # Their own context: "Cancelled" of a registration (German "Storniert") is not the
    # event's "Cancelled" ("Fällt aus").
    REGISTERED = "registered", pgettext_lazy("registration status", "Registered")
    WAITLISTED = "waitlisted", pgettext_lazy("registration status", "Waiting list")
    CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")


class Registration(models.Model):
    """A person of a company registered for an event (or registered at the door, `walk_in`).
    Personal data: seen by the programme's staff only, e-mail address only with
    `contact_consent` and a confirmed address where the role may contact (events.selectors)."""

    event = models.ForeignKey(OpenEvent, on_delete=models.CASCADE, related_name="registrations")
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    company_name = models.CharField(_("company"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=10)
    size = models.CharField(_("size"), max_length=10, choices=SizeBand.choices, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    # Normalised company name and postcode: "the same company" for max_per_company.
    company_key = models.CharField(max_length=300, editable=False)
    # When the person agreed to the processing of this registration (required).
    consent_at = models.DateTimeField(_("consent given at"))
    # Optional, separate: may the programme contact them after the event?
    contact_consent = models.BooleanField(_("may be contacted afterwards"), default=False)
    # When the address was proven (double opt-in): the registrant followed a link of an
    # e-mail to it (its proof, events.keys.registration_email_proof; the token alone proves
    # nothing, they get it when registering); walk-ins gave it in person.
    # contact_consent counts only with a confirmed address (events.selectors.contactable_q).
    email_confirmed_at = models.DateTimeField(
        _("e-mail address confirmed at"), null=True, blank=True
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # The language of the e-mails to this person (the page's language when they registered).
    language = models.CharField(max_length=10, default="de")
    token_nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Printed under the QR code for the door; unique per event, typed as a fallback.
    code = models.CharField(_("door code"), max_length=12, editable=False)
    walk_in = models.BooleanField(_("registered at the door"), default=False)
    attended_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    promoted_at = models.DateTimeField(
        _("moved up from the waiting list at"), null=True, blank=True
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Claimed by the reminder sweep before the e-mail goes out: sent at most once.
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The company in the programme's register, once staff confirmed the match (or created it).
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="registration_code_unique"),
        ]
        indexes = [
            models.Index(fields=["event", "status", "created_at"], name="registration_queue_idx"),
            models.Index(fields=["event", "company_key"], name="registration_company_idx"),
            models.Index(fields=["event", "email"], name="registration_email_idx"),
            models.Index(fields=["company"], name="registration_company_fk_idx"),
        ]

    def __str__(self) -> str:
        return f"registration {self.pk} for event {self.event_id}: {self.status}"


class MessageSegment(models.TextChoices):
    """Who a message after the event goes to."""

    ATTENDEES = "attendees", _("Attendees")
    NO_SHOWS = "no_shows", _("Registered but did not come")
    WAITLIST = "waitlist", _("Waiting list")


class EventMessage(models.Model):
    """A message staff sent to one segment of an event's registrants (materials, a next step).
    Only people who agreed to be contacted get it."""

    event = models.ForeignKey(OpenEvent, on_delete=models.CASCADE, related_name="messages")
    segment = models.CharField(_("recipients"), max_length=10, choices=MessageSegment.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message to registrants")
        verbose_name_plural = _("messages to registrants")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class EventMessageDelivery(models.Model):
    """One recipient of an EventMessage; `sent_at` set once the e-mail went out (a retried
    task skips it: each person gets the message once)."""

    message = models.ForeignKey(EventMessage, on_delete=models.CASCADE, related_name="deliveries")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="message_deliveries"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "registration"], name="event_message_delivery_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.message_id} → registration {self.registration_id}"
