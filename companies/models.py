"""Companies (SMEs) and the people who belong to them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    CRAFT = "craft", _("Craft")
    RETAIL = "retail", _("Retail")
    INDUSTRY = "industry", _("Industry")
    SERVICES = "services", _("Services")
    HOSPITALITY = "hospitality", _("Hospitality")
    HEALTH = "health", _("Health")
    CONSTRUCTION = "construction", _("Construction")
    LOGISTICS = "logistics", _("Logistics")
    OTHER = "other", _("Other")


class SizeBand(models.TextChoices):
    SOLO = "1", _("1 person")
    MICRO = "2-9", _("2–9 staff")
    SMALL = "10-49", _("10–49 staff")
    MEDIUM = "50-249", _("50–249 staff")
    LARGE = "250+", _("250+ staff")


class CompanyRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MEMBER = "member", _("Member")


class Company(models.Model):
    """A small or medium enterprise that runs digital projects in one or more convoys."""

    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    size = models.CharField(_("size"), max_length=10, choices=SizeBand.choices)
    city = models.CharField(_("city"), max_length=120)
    region = models.CharField(_("region"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CompanyMember", related_name="companies"
    )

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CompanyMember(models.Model):
    """A person's place in a company: owner (manages the company) or member."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=CompanyRole.choices)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("company member")
        verbose_name_plural = _("company members")
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="company_member_unique"),
        ]
        indexes = [models.Index(fields=["user", "company"], name="company_member_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.company_id} ({self.role})"
