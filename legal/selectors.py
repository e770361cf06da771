"""What a legal page shows: the operator's stored text, or the built-in default for its kind
and language filled from the LEGAL_* settings (legal/templates/legal/defaults/)."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.template import Context, engines
from django.utils import translation

from legal.checks import imprint_missing_settings
from legal.cookies import Cookie, cookies
from legal.models import Kind, LegalText
from legal.rendering import document_html

# When the built-in texts were last revised (their "last updated" date and the date the
# accessibility statement was prepared). Change it with the texts.
DEFAULTS_UPDATED = datetime.date(2026, 11, 29)
# Without a text of the request's language, the other one (German first: the programmes are).
FALLBACK_LANGUAGES = ("de", "en")


@dataclass(frozen=True)
class LegalDocument:
    kind: str
    language: str  # the language of the text (the page's lang)
    html: str
    updated: datetime.date
    is_default: bool
    # The settings the imprint lacks (only for the default imprint).
    missing: list[str] = field(default_factory=list)


def _day(seconds: int) -> int:
    return max(1, round(seconds / 86400))


def default_context(*, links: dict[str, str] | None = None) -> dict[str, Any]:
    """What the default texts are filled from; `links` are the pages of the interface the
    privacy notice points to (only those that exist: the domain may not reverse them)."""
    accessibility_contact = (
        getattr(settings, "LEGAL_ACCESSIBILITY_CONTACT", "") or settings.LEGAL_OPERATOR_EMAIL
    )
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    return {
        "operator": {
            "name": settings.LEGAL_OPERATOR_NAME.strip(),
            "address": settings.LEGAL_OPERATOR_ADDRESS.strip(),
            "email": settings.LEGAL_OPERATOR_EMAIL.strip(),
            "phone": settings.LEGAL_OPERATOR_PHONE.strip(),
            "representative": settings.LEGAL_REPRESENTATIVE.strip(),
            "register": settings.LEGAL_REGISTER.strip(),
            "vat_id": settings.LEGAL_VAT_ID.strip(),
            "content_responsible": settings.LEGAL_CONTENT_RESPONSIBLE.strip(),
            "dpo": settings.LEGAL_DPO_CONTACT.strip(),
            "supervisory_authority": settings.LEGAL_SUPERVISORY_AUTHORITY.strip(),
            "accessibility_contact": accessibility_contact.strip(),
            "accessibility_enforcement": settings.LEGAL_ACCESSIBILITY_ENFORCEMENT.strip(),
            "hosting": settings.LEGAL_HOSTING.strip(),
            "email_provider": getattr(settings, "LEGAL_EMAIL_PROVIDER", "").strip(),
            "third_country_transfers": getattr(
                settings, "LEGAL_THIRD_COUNTRY_TRANSFERS", ""
            ).strip(),
        },
        "retention": {
            "session_days": _day(settings.SESSION_COOKIE_AGE),
            "read_notifications_days": settings.RETENTION_READ_NOTIFICATIONS_DAYS,
            "comment_revisions_days": settings.RETENTION_COMMENT_REVISIONS_DAYS,
            "revoked_feeds_days": settings.RETENTION_REVOKED_FEEDS_DAYS,
            "audit_days": settings.RETENTION_AUDIT_DAYS,
            "invitation_days": getattr(settings, "INVITATION_VALID_DAYS", 14),
            # Used, withdrawn or expired invitations (with the address) are kept this long.
            "invitations_kept_days": getattr(settings, "RETENTION_INVITATIONS_DAYS", 90),
            # Open events' registrants: name, address and answers erased after the event.
            "event_registration_days": getattr(settings, "EVENT_REGISTRATION_RETENTION_DAYS", 365),
            "event_cancelled_registration_days": getattr(
                settings, "EVENT_CANCELLED_REGISTRATION_RETENTION_DAYS", 30
            ),
            # Anonymous Digitalisierungs-Checks: unfinished, and finished with the address.
            "check_draft_days": getattr(settings, "CHECK_DRAFT_RETENTION_DAYS", 90),
            "check_anonymous_days": getattr(settings, "CHECK_ANONYMOUS_RETENTION_DAYS", 365),
            "server_log_days": getattr(settings, "LEGAL_SERVER_LOG_DAYS", 7),
            "backup_days": getattr(settings, "LEGAL_BACKUP_DAYS", 30),
        },
        "login_limit": getattr(settings, "AXES_FAILURE_LIMIT", 10),
        "login_cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else 0,
        "cookies": cookies(),
        "sso": bool(getattr(settings, "OIDC_ENABLED", False)),
        "sso_provider": getattr(settings, "OIDC_PROVIDER_NAME", "") or "",
        "mfa": apps.is_installed("django_otp"),
        "links": links or {},
        "missing": imprint_missing_settings(),
        "prepared": DEFAULTS_UPDATED,
        "site_url": settings.SITE_URL,
    }


def default_text(*, kind: str, language: str, links: dict[str, str] | None = None) -> str:
    """The built-in Markdown of a page in `language`, filled from the settings."""
    engine = engines["django"].engine  # type: ignore[attr-defined]
    template = engine.get_template(f"legal/defaults/{kind}.{language}.md")
    with translation.override(language):
        # Markdown, not HTML: no autoescaping ("Vogt & Partner"); the result is sanitised.
        context = default_context(links=links)
        return template.render(Context(context, autoescape=False))


def cookie_list(language: str) -> list[Cookie]:
    with translation.override(language):
        return cookies()


def legal_document(
    *, kind: str, language: str, links: dict[str, str] | None = None
) -> LegalDocument:
    """The page `kind` in `language` (or the other language if only that one is stored)."""
    if language not in FALLBACK_LANGUAGES:
        language = FALLBACK_LANGUAGES[0]
    stored = {text.language: text for text in LegalText.objects.filter(kind=kind)}
    # The operator's own words win over a default, even in the other language.
    text = stored.get(language) or next(
        (stored[other] for other in FALLBACK_LANGUAGES if other in stored), None
    )
    if text is not None:
        return LegalDocument(
            kind=kind,
            language=text.language,
            html=document_html(text.body),
            updated=text.updated_at.date(),
            is_default=False,
        )
    missing = imprint_missing_settings() if kind == Kind.IMPRINT else []
    return LegalDocument(
        kind=kind,
        language=language,
        html=document_html(default_text(kind=kind, language=language, links=links)),
        updated=DEFAULTS_UPDATED,
        is_default=True,
        missing=missing,
    )
