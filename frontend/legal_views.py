"""The imprint, the privacy notice and the accessibility statement: public, in the request's
language (or ?lang=, which the e-mails' links carry), German when neither fits."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from legal.links import LANGUAGE_PARAMETER
from legal.models import Kind
from legal.selectors import legal_document

LANGUAGES = {code for code, _name in settings.LANGUAGES}
# Pages of the profile the privacy notice points to, where they exist.
_PROFILE_PAGES = {
    "profile": "frontend:profile",
    "profile_data": "frontend:profile_data",
    "profile_activity": "frontend:profile_activity",
    "account_delete": "frontend:account_delete",
}


def optional_url(name: str) -> str | None:
    """The path of a page that may not exist (yet): None instead of an error."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _language(request: HttpRequest, default: str | None) -> str:
    asked = request.GET.get(LANGUAGE_PARAMETER, "")
    if asked in LANGUAGES:
        return asked
    if default:
        return default
    current = getattr(request, "LANGUAGE_CODE", "") or ""
    return current if current in LANGUAGES else settings.LANGUAGE_CODE


@require_safe
def legal_page(request: HttpRequest, kind: str, language: str | None = None) -> HttpResponse:
    language = _language(request, language)
    links = {key: url for key, name in _PROFILE_PAGES.items() if (url := optional_url(name))}
    document = legal_document(kind=kind, language=language, links=links)
    # The page around the text in the text's own language (a stored text may be the other).
    with translation.override(document.language):
        return render(
            request,
            "frontend/legal/page.html",
            {
                "document": document,
                "title": Kind(kind).label,
                "imprint_incomplete": bool(document.missing),
            },
        )
