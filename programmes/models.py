"""Programmes: the support programme (a Mittelstand-Digital centre, an agency, an EDIH) that
runs convoys, events and checks, its staff, what it knows of the companies it reached (the
company register) and the services it delivered to them.

The register is written, never computed on the fly: every way a programme touches a company
(a convoy membership, a service, a project, later an event registration or a check) goes
through `programmes.services.company_touch`, which keeps one `Touch` row per occasion and the
company's `CompanyRecord` (stage, first and last touch) up to date. The apps above call it;
this app imports nothing above `companies`.
"""

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_timezone
from companies.models import Company
from modelutils.invitations import InvitationState, invitation_state


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=200)
    # Public pages live under /p/<slug>/.
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    region = models.CharField(_("region"), max_length=120, blank=True)
    # The zone its events' times are entered and shown in.
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_timezone]
    )
    description = models.TextField(_("description"), blank=True)
    # When a company that took the check at T0 is reminded to take it again (T1 also when its
    # convoy closes, whichever comes first).
    check_t1_months = models.PositiveSmallIntegerField(
        _("months to the first re-assessment (T1)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    check_t2_months = models.PositiveSmallIntegerField(
        _("months to the second re-assessment (T2)"),
        default=12,
        validators=[MinValueValidator(2), MaxValueValidator(60)],
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    # The operator's imprint and privacy notice of the programme (public bodies have their own).
    imprint_url = models.URLField(_("imprint"), blank=True)
    privacy_contact = models.EmailField(_("privacy contact"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Staff", related_name="programmes"
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.TextChoices):
    MANAGER = "manager", _("Manager")
    COACH = "coach", _("Coach")


class Staff(models.Model):
    """A person working in a programme: a manager (everything, including the report) or a
    coach (runs convoys and events, records services)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="staff_links")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_staff"
    )
    role = models.CharField(_("role"), max_length=10, choices=StaffRole.choices)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("programme staff")
        verbose_name_plural = _("programme staff")
        ordering = ["programme_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "user"], name="programme_staff_unique"),
        ]
        indexes = [models.Index(fields=["user", "programme"], name="programme_staff_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} in programme {self.programme_id}"


class StaffInvitation(models.Model):
    """An e-mailed, single-use, expiring invitation to a programme's staff, accepted by the
    invited address; also for an existing account, so that nobody is put on a staff without
    agreeing (programmes.services.staff_add). Only the token's hash is stored
    (modelutils.invitations)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="staff_invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=StaffRole.choices)
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
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["programme", "-created_at"], name="programme_invitation_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → programme {self.programme_id}"

    def state(self, now: datetime | None = None) -> InvitationState:
        return invitation_state(
            revoked_at=self.revoked_at,
            accepted_at=self.accepted_at,
            expires_at=self.expires_at,
            now=now,
        )


class Stage(models.TextChoices):
    """The funnel, in order: how far a company has come with the programme."""

    LEAD = "lead", _("Lead")
    ENGAGED = "engaged", _("Engaged")
    QUALIFIED = "qualified", _("Qualified")
    ENROLLED = "enrolled", _("Enrolled")
    PROJECT_STARTED = "project_started", _("Project started")
    PROJECT_COMPLETED = "project_completed", _("Project completed")


STAGE_ORDER: dict[str, int] = {stage.value: rank for rank, stage in enumerate(Stage)}


class TouchKind(models.TextChoices):
    """The ways a programme reaches a company. The stage each one means is
    programmes.services.TOUCH_STAGE (one home for that rule)."""

    RECORDED = "recorded", _("Recorded by staff")
    SERVICE = "service", _("Service")
    CONVOY_JOINED = "convoy_joined", _("Joined a convoy")
    PROJECT_STARTED = "project_started", _("Project started")
    PROJECT_COMPLETED = "project_completed", _("Project completed")
    EVENT_REGISTERED = "event_registered", _("Registered for an event")
    EVENT_ATTENDED = "event_attended", _("Attended an event")
    CHECK_SUBMITTED = "check_submitted", _("Took the Digitalisierungs-Check")


class CompanyRecord(models.Model):
    """What a programme knows of one company it reached: counted once however often it is
    touched. Staff only."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="company_records"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="programme_records")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.LEAD)
    first_touch_at = models.DateTimeField(_("first contact"))
    first_touch_kind = models.CharField(max_length=20, choices=TouchKind.choices)
    first_touch_label = models.CharField(max_length=200, blank=True)
    last_touch_at = models.DateTimeField(_("last contact"))
    last_touch_kind = models.CharField(max_length=20, choices=TouchKind.choices)
    last_touch_label = models.CharField(max_length=200, blank=True)
    # A contact person staff recorded (a visit to a bakery without a Konvoi account).
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("company record")
        verbose_name_plural = _("company records")
        ordering = ["-last_touch_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "company"], name="company_record_unique"),
        ]
        indexes = [
            models.Index(fields=["programme", "-last_touch_at"], name="record_recent_idx"),
            models.Index(fields=["programme", "stage"], name="record_stage_idx"),
            models.Index(fields=["company"], name="record_company_idx"),
        ]

    def __str__(self) -> str:
        return f"company {self.company_id} in programme {self.programme_id}: {self.stage}"


class Touch(models.Model):
    """One occasion on which a programme reached a company. `source` names it uniquely within
    its kind (e.g. "service:12", "convoy:3", "project:7"), so touching twice is harmless."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="touches")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="programme_touches")
    kind = models.CharField(max_length=20, choices=TouchKind.choices)
    # The stage this touch means (programmes.services.touch_stage), kept so that the stage at
    # any date is one aggregate over the touches up to it.
    stage = models.CharField(max_length=20, choices=Stage.choices)
    source = models.CharField(max_length=60)
    label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "company", "kind", "source"], name="touch_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "at"], name="touch_period_idx"),
            models.Index(fields=["programme", "company", "at"], name="touch_company_idx"),
            models.Index(fields=["source"], name="touch_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source} @ {self.at:%Y-%m-%d}"


class ServiceKind(models.TextChoices):
    VISIT = "visit", _("On-site visit")
    CONSULTATION = "consultation", _("Consultation")
    WORKSHOP = "workshop", _("Workshop")
    CHECK_REVIEW = "check_review", _("Check review")
    CONVOY = "convoy", _("Convoy")
    VOUCHER = "voucher", _("Voucher")
    OTHER = "other", _("Other")


class ServiceCategory(models.TextChoices):
    """The four EDIH functions."""

    TEST_BEFORE_INVEST = "test_before_invest", _("Test before invest")
    SKILLS_TRAINING = "skills_training", _("Skills and training")
    ACCESS_TO_FINANCE = "access_to_finance", _("Access to finance")
    ECOSYSTEM_NETWORKING = "ecosystem_networking", _("Innovation ecosystem and networking")


class Service(models.Model):
    """Something a programme delivered to a company. Notes are for staff only."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="services")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices)
    category = models.CharField(_("category"), max_length=30, choices=ServiceCategory.choices)
    date = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("minutes"), null=True, blank=True)
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coach"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["programme", "date"], name="service_period_idx"),
            models.Index(fields=["programme", "company", "-date"], name="service_company_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for company {self.company_id} on {self.date}"
