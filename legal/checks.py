"""legal.W001: a production Konvoi without an imprint (§ 5 DDG) says so at startup.
legal.W002: a LEGAL_* value that still carries a note copied from .env.example."""

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register
from django.db import DatabaseError

# The imprint cannot be written without these (§ 5 (1) nos. 1 and 2 DDG).
IMPRINT_REQUIRED = ("LEGAL_OPERATOR_NAME", "LEGAL_OPERATOR_ADDRESS", "LEGAL_OPERATOR_EMAIL")


def imprint_missing_settings() -> list[str]:
    return [name for name in IMPRINT_REQUIRED if not str(getattr(settings, name, "")).strip()]


def _imprint_stored() -> bool:
    from legal.models import Kind, LegalText

    try:
        return LegalText.objects.filter(kind=Kind.IMPRINT).exists()
    except DatabaseError:  # not migrated yet (the check runs before `migrate`, too)
        return False


@register()
def imprint_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.DEBUG:
        return []
    missing = imprint_missing_settings()
    if not missing or _imprint_stored():
        return []
    return [
        Warning(
            "The imprint has no operator: " + ", ".join(missing) + " not set.",
            hint="Set the LEGAL_* variables (README: Going live: legal pages), or write the "
            "imprint in the admin (Legal texts).",
            id="legal.W001",
        )
    ]


# Notes .env.example once wrote beside a value; django-environ keeps them as part of it, and
# the public pages would then print "(optional)" in the imprint.
NOTE_MARKERS = ("(optional)", "default:")


def legal_settings_with_notes() -> list[str]:
    return [
        name
        for name in sorted(set(dir(settings)))  # overridden names appear twice
        if name.startswith("LEGAL_")
        and isinstance(value := getattr(settings, name, ""), str)
        and any(marker in value.lower() for marker in NOTE_MARKERS)
    ]


@register()
def legal_notes_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    return [
        Warning(
            f'{name} contains a note ("(optional)" or "default:"); the public legal pages '
            "show it as part of the value.",
            hint="Put notes on their own '#' line in .env; everything after '=' is the value.",
            id="legal.W002",
        )
        for name in legal_settings_with_notes()
    ]
