"""Companies' digital projects, their milestones, and the progress updates posted to convoys."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from convoys.models import Convoy


class ProjectCategory(models.TextChoices):
    APPOINTMENTS = "appointments", _("Online appointments")
    ECOMMERCE = "ecommerce", _("E-commerce")
    INVENTORY = "inventory", _("Digital inventory")
    ROUTE_PLANNING = "route_planning", _("Route planning")
    WEBSITE = "website", _("Website")
    ACCOUNTING = "accounting", _("Accounting / ERP")
    CLOUD = "cloud", _("Cloud")
    SECURITY = "security", _("IT security")
    DATA_AI = "data_ai", _("Data / AI")
    OTHER = "other", _("Other")


class ProjectStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    PAUSED = "paused", _("Paused")
    DROPPED = "dropped", _("Dropped")


class ProjectQuerySet(models.QuerySet["Project"]):
    def unarchived(self) -> "ProjectQuerySet":
        """Projects not archived: the ones lists and dashboards show."""
        return self.filter(archived_at__isnull=True)


class Project(models.Model):
    """A company's digitalisation project, shared with one or more of its convoys.

    An archived project (archived_at set) is kept and can be restored, but lists and the
    convoy dashboard leave it out.
    """

    # Not columns: annotations set by projects.selectors.with_progress (for type checking).
    milestones_total: int
    milestones_done: int
    weight_total: int
    weight_done: int

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=ProjectCategory.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    follow_up_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up of"),
    )
    convoys = models.ManyToManyField(Convoy, related_name="projects", blank=True)
    # blank: a project outlives the account that created it and can still be edited.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When the project first went in progress and when it was done (the programme report
    # counts projects started and completed in a period); set by projects.services.
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["company_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(target_date__gte=F("start_date")),
                name="project_target_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "archived_at"], name="project_company_archived_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def clean(self) -> None:
        # The check constraint alone would report a nameless "__all__" error; name the field.
        if self.start_date and self.target_date and self.target_date < self.start_date:
            raise ValidationError(
                {"target_date": _("The target date cannot be before the start date.")}
            )


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked")


class Milestone(models.Model):
    """A step of a project. Project progress is the weighted share of done milestones."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=MilestoneStatus.choices,
        default=MilestoneStatus.PLANNED,
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project_id", "due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=100), name="milestone_weight_range"
            ),
            models.CheckConstraint(
                condition=Q(status="done", completed_at__isnull=False)
                | (~Q(status="done") & Q(completed_at__isnull=True)),
                name="milestone_completed_at_iff_done",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status"], name="milestone_project_status_idx"),
            models.Index(fields=["status", "completed_at"], name="milestone_done_at_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Update(models.Model):
    """A company's progress post in a convoy: what moved, what is next, where it is stuck."""

    convoy = models.ForeignKey(Convoy, on_delete=models.CASCADE, related_name="updates")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("what moved"), max_length=5000)
    next_steps = models.TextField(_("what is next"), max_length=5000, blank=True)
    help_wanted = models.BooleanField(_("help wanted"), default=False)
    stuck_on = models.TextField(_("where we are stuck"), max_length=5000, blank=True)
    milestones = models.ManyToManyField(Milestone, related_name="updates", blank=True)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("update")
        verbose_name_plural = _("updates")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["convoy", "company", "-created_at"], name="update_convoy_company_idx"
            ),
            models.Index(fields=["convoy", "-created_at"], name="update_convoy_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} in {self.convoy_id} at {self.created_at:%Y-%m-%d}"
