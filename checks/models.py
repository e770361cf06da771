"""The Digitalisierungs-Check: a digital maturity self-assessment aligned with the EU EDIH
Digital Maturity Assessment (DMA).

The questions are versioned data (`checks/questionnaires/<version>.json`, read by
`checks.questionnaire`); the scoring is a separately versioned rule (`checks.scoring`). A
response keeps its raw answers, so that it can be re-scored with a later rule; the scores and
suggestions it was given are a snapshot (`rule_version`, `scores`, `recommendations`) that
changes only when someone re-scores it on purpose (`checks.services.check_rescore`).

A response is taken for a company by its members (optionally with an advisor of the
programme), or anonymously from a programme's public page with a resume token (only its hash
is stored). An anonymous respondent may leave an e-mail address (then the full report is
theirs) and, separately, let the programme see the result: the programme's register learns of
it only then (`checks.services`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from companies.models import Company, Sector, SizeBand
from convoys.models import Convoy
from programmes.models import Programme


class Dimension(models.TextChoices):
    """The six DMA dimensions for SMEs (the pages call them areas), in the questionnaire's
    order. The labels are the questionnaire file's titles, word for word in English and
    German (checks.questionnaire.dimension_title; a test keeps them the same), so that one
    page never names an area two ways."""

    STRATEGY = "strategy", pgettext_lazy("check area", "Digital strategy")
    READINESS = "readiness", pgettext_lazy("check area", "Digital tools")
    HUMAN = "human", pgettext_lazy("check area", "Team and skills")
    DATA = "data", pgettext_lazy("check area", "Data and security")
    AUTOMATION = "automation", pgettext_lazy("check area", "Automation and AI")
    GREEN = "green", pgettext_lazy("check area", "Environment")


DIMENSIONS: tuple[str, ...] = tuple(d.value for d in Dimension)


class CheckStage(models.TextChoices):
    """When in the support a check is taken: T0 before it starts, T1 and T2 later (the DMA's
    re-assessments), or ad hoc."""

    T0 = "T0", _("T0: before the support")
    T1 = "T1", _("T1: first re-assessment")
    T2 = "T2", _("T2: second re-assessment")
    ADHOC = "adhoc", _("Ad hoc")


class CheckStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("check status", "In progress")
    SUBMITTED = "submitted", pgettext_lazy("check status", "Submitted")


class Band(models.TextChoices):
    """Maturity bands of the overall score (0–25, 26–50, 51–75, 76–100)."""

    BASIC = "basic", _("Basic")
    AVERAGE = "average", _("Average")
    MODERATE = "moderate", _("Moderately advanced")
    ADVANCED = "advanced", _("Advanced")


class CheckResponse(models.Model):
    """One taking of the check: raw answers, and once submitted the score snapshot."""

    questionnaire_version = models.CharField(_("questionnaire version"), max_length=20)
    stage = models.CharField(
        _("stage"), max_length=6, choices=CheckStage.choices, default=CheckStage.ADHOC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CheckStatus.choices, default=CheckStatus.DRAFT
    )
    # {question_key: value} in the wire format of checks.questionnaire; partial while a draft.
    answers = models.JSONField(_("answers"), default=dict, blank=True)

    # Whose it is. A company's check: its members take it (respondent: who started it).
    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="check_responses",
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="check_responses",
    )
    # The programme it was taken for (its public page, or the convoy's programme) and the
    # convoy (T0 on joining, T1 when it closes); both optional.
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="check_responses",
    )
    convoy = models.ForeignKey(
        Convoy, on_delete=models.SET_NULL, null=True, blank=True, related_name="check_responses"
    )
    # Advisor-assisted: taken together with a coach of the programme, who is recorded.
    advisor_assisted = models.BooleanField(_("taken with an advisor"), default=False)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("advisor"),
    )

    # Module 1, the company data the peer comparison groups by: copied from the company, or
    # given by an anonymous respondent.
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=SizeBand.choices, blank=True)

    # The anonymous check: only the resume token's hash; the language its e-mails are in.
    # The token is an HMAC of the nonce (checks.keys), so that e-mails can carry the link.
    token_nonce = models.CharField(max_length=64, blank=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    language = models.CharField(_("language"), max_length=8, default="de")
    # Left by an anonymous respondent for the full report (with consent_at); the programme
    # sees the result and may contact them only with share_consent_at, confirmed from an
    # e-mail to the address (email_confirmed_at).
    email = models.EmailField(_("e-mail address"), blank=True)
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    share_consent_at = models.DateTimeField(_("shared with the programme"), null=True, blank=True)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed"), null=True, blank=True)

    # The snapshot of the submitted response (checks.scoring, checks.recommendations).
    rule_version = models.CharField(_("scoring rule"), max_length=20, blank=True)
    # {"overall": 0–100, "band": key, "dimensions": {key: 0–100 or null}}
    scores = models.JSONField(_("scores"), null=True, blank=True)
    overall = models.FloatField(_("overall score"), null=True, blank=True)
    band = models.CharField(_("band"), max_length=10, choices=Band.choices, blank=True)
    # [{"category": key, "reasons": [reason keys of the questionnaire]}], best first; texts
    # are made in the reader's language when shown (checks.recommendations).
    recommendations = models.JSONField(_("suggestions"), default=list, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Digitalisierungs-Check")
        verbose_name_plural = _("Digitalisierungs-Checks")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(submitted_at__isnull=False, scores__isnull=False, overall__isnull=False),
                name="check_submitted_has_scores",
            ),
            models.CheckConstraint(
                condition=Q(company__isnull=False) | Q(token_hash__isnull=False),
                name="check_company_or_token",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "status", "submitted_at"], name="check_company_idx"),
            models.Index(
                fields=["programme", "status", "submitted_at"], name="check_programme_idx"
            ),
            models.Index(fields=["convoy", "status"], name="check_convoy_idx"),
            models.Index(fields=["status", "created_at"], name="check_status_created_idx"),
        ]

    def __str__(self) -> str:
        return f"check {self.pk} ({self.stage}, {self.status})"

    @property
    def is_submitted(self) -> bool:
        return self.status == CheckStatus.SUBMITTED
