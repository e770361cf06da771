"""The one home of the legal pages' paths, and their absolute links for e-mails.

The domain (notifications, accounts) writes e-mails and may not ask the interface for a URL
(no `reverse("frontend:…")` below it), so the paths are fixed here and frontend/urls.py routes
them to its views."""

from django.conf import settings
from django.template import Context, engines
from django.utils import translation

from legal.models import Kind

# The English path serves the request's language; the German one German (unless ?lang=).
PATHS: dict[str, str] = {
    Kind.IMPRINT: "/imprint/",
    Kind.PRIVACY: "/privacy/",
    Kind.ACCESSIBILITY: "/accessibility/",
}
GERMAN_PATHS: dict[str, str] = {
    Kind.IMPRINT: "/impressum/",
    Kind.PRIVACY: "/datenschutz/",
    Kind.ACCESSIBILITY: "/barrierefreiheit/",
}
# ?lang=<code> shows a page in that language whatever the browser asks for (e-mail links).
LANGUAGE_PARAMETER = "lang"


def legal_path(kind: str, language: str) -> str:
    """The path of a page that opens in `language`."""
    if language == "de":
        return GERMAN_PATHS[kind]
    return f"{PATHS[kind]}?{LANGUAGE_PARAMETER}={language}"


def legal_links(language: str) -> dict[str, str]:
    """Absolute links (SITE_URL) to the three pages, each opening in `language`."""
    return {kind: f"{settings.SITE_URL}{legal_path(kind, language)}" for kind in PATHS}


def email_footer_text(language: str) -> str:
    """The plain-text footer every e-mail ends with (legal/email/_footer.txt), for e-mails
    written without a template."""
    engine = engines["django"].engine  # type: ignore[attr-defined]
    with translation.override(language):
        return engine.get_template("legal/email/_footer.txt").render(Context(autoescape=False))
