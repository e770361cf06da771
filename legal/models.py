from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    IMPRINT = "imprint", _("Imprint")
    PRIVACY = "privacy", _("Privacy notice")
    ACCESSIBILITY = "accessibility", _("Accessibility statement")


class Language(models.TextChoices):
    DE = "de", _("German")
    EN = "en", _("English")


class LegalText(models.Model):
    """The operator's own text of a legal page in one language, written in the admin. Where
    none is stored, the page shows the built-in default filled from the LEGAL_* settings."""

    kind = models.CharField(_("page"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    body = models.TextField(
        _("text (Markdown)"),
        help_text=_(
            "Markdown: ## for a heading, a blank line between paragraphs, [text](https://…) "
            "for a link. Leave the page without a text to show the built-in default again."
        ),
    )
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        verbose_name = _("legal text")
        verbose_name_plural = _("legal texts")
        ordering = ("kind", "language")
        constraints = [
            models.UniqueConstraint(fields=("kind", "language"), name="legal_text_kind_language")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"
