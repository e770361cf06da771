"""Companies (SMEs) and the people who belong to them."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modelutils.invitations import InvitationState, invitation_state


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


class SizeClass(models.TextChoices):
    """The EU's mutually exclusive enterprise size classes (micro < 10 staff, small < 50,
    medium < 250, large), as funders count them; every SizeBand is in exactly one."""

    MICRO = "micro", _("Micro (under 10 staff)")
    SMALL = "small", _("Small (10–49 staff)")
    MEDIUM = "medium", _("Medium (50–249 staff)")
    LARGE = "large", _("Large (250 staff or more)")


SIZE_CLASS_SIZES: dict[SizeClass, tuple[str, ...]] = {
    SizeClass.MICRO: (SizeBand.SOLO, SizeBand.MICRO),
    SizeClass.SMALL: (SizeBand.SMALL,),
    SizeClass.MEDIUM: (SizeBand.MEDIUM,),
    SizeClass.LARGE: (SizeBand.LARGE,),
}


def size_class_of(size: str) -> SizeClass:
    for size_class, sizes in SIZE_CLASS_SIZES.items():
        if size in sizes:
            return size_class
    raise ValueError(f"unknown size band {size!r}")


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
    # Optional; with the name it tells duplicates apart in a programme's register.
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CompanyMember", related_name="companies"
    )
    # Set when an owner deleted the company (privacy.erasure): the row stays, so that what its
    # people wrote in convoys keeps its company, shown as "Former company"; its name, city,
    # region and website are cleared.
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name shown wherever the company is named, in the viewer's language."""
        if self.deleted_at is not None:
            return former_company_label()
        return self.name


def former_company_label() -> str:
    """What a deleted company is called (also for its name in stored convoy events)."""
    return str(_("Former company"))


class CompanyMember(models.Model):
    """A person's place in a company: owner (manages the company) or member."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=CompanyRole.choices)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    # When this person put the first-steps guide away (overview.first_steps).
    first_steps_dismissed_at = models.DateTimeField(
        _("first steps dismissed at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("company member")
        verbose_name_plural = _("company members")
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="company_member_unique"),
        ]
        indexes = [models.Index(fields=["user", "company"], name="company_member_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.company_id} ({self.role})"


# A colleague's invitation stands where a convoy's does (modelutils.invitations).
CompanyInvitationState = InvitationState


class CompanyInvitation(models.Model):
    """An e-mailed, single-use, expiring invitation for a colleague to join a company, with an
    account or not: nobody is added to a company without accepting.

    Like a convoy invitation, only a SHA-256 hash of the token is stored; the token itself
    exists in the e-mail only.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        _("role"), max_length=10, choices=CompanyRole.choices, default=CompanyRole.MEMBER
    )
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
        verbose_name = _("colleague invitation")
        verbose_name_plural = _("colleague invitations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-created_at"], name="company_invitation_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → company {self.company_id}"

    def state(self, now: datetime | None = None) -> InvitationState:
        return invitation_state(
            revoked_at=self.revoked_at,
            accepted_at=self.accepted_at,
            expires_at=self.expires_at,
            now=now,
        )
