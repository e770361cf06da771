"""Markdown of a legal page → safe HTML.

The same parser and sanitiser as comments (richtext: cmark, then nh3 with its allow-list), plus
what a long document needs and a comment must not have: headings, and links inside Konvoi
(the privacy notice links /profile/). The text comes from the operator's staff or from our own
defaults, but is sanitised all the same."""

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

from richtext.rendering import ALLOWED_TAGS, LINK_REL, URL_SCHEMES

DOCUMENT_TAGS = ALLOWED_TAGS | {"h2", "h3", "h4", "hr"}
# Typed single newlines are line breaks (as in comments: addresses); raw HTML is dropped.
_OPTIONS = Options.CMARK_OPT_HARDBREAKS | Options.CMARK_OPT_NORMALIZE

_cleaner = nh3.Cleaner(
    tags=DOCUMENT_TAGS,
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}, "*": set()},
    url_schemes=URL_SCHEMES,
    link_rel=LINK_REL,
    strip_comments=True,
)


def document_html(body: str) -> str:
    """Markdown → sanitised HTML; a level-1 heading becomes level 2 (the page has the h1)."""
    html = cmarkgfm.markdown_to_html(body, options=_OPTIONS)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return _cleaner.clean(html).strip()
