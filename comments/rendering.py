"""Comment Markdown → safe HTML, done once when a comment is written.

Two layers: Python-Markdown with raw HTML switched off (typed-in tags come out as text), then
nh3 (ammonia) with a small allow-list as the actual guarantee: whatever Markdown produces,
only these tags and attributes survive, links only to http(s) and mailto, with
rel="nofollow noopener". Mentions become <span class="mention"> only for the handles passed in
(the convoy's people); anything else stays plain text.
"""

import re
import xml.etree.ElementTree as etree
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import markdown
import nh3
from django.utils.html import strip_tags
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "a",
    "span",
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener"
# @handle, not inside a word or an e-mail address (accounts.models.HANDLE_PATTERN, any case).
MENTION_RE = r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9_]{1,29})\b"
MENTION_CLASS = "mention"


def _href_filter(tag: str, attribute: str, value: str) -> str | None:
    # nh3 checks schemes too; this also drops relative and scheme-less links, which in a
    # comment would only ever point somewhere unexpected inside Konvoi.
    if attribute == "href":
        scheme = urlsplit(value.strip()).scheme.lower()
        return value if scheme in URL_SCHEMES else None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}, "*": set()},  # "*": no generic ones (title, lang)
    allowed_classes={"span": {MENTION_CLASS}},
    attribute_filter=_href_filter,
    url_schemes=URL_SCHEMES,
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)


def sanitise(html: str) -> str:
    return _cleaner.clean(html)


class _MentionProcessor(InlineProcessor):
    def __init__(self, pattern: str, md: markdown.Markdown, found: "Rendered") -> None:
        super().__init__(pattern, md)
        self.found = found

    def handleMatch(self, m: re.Match, data: str):
        handle = m.group(1).lower()
        user_id = self.found.people.get(handle)
        if user_id is None:
            return None, None, None  # not a convoy person: left as text
        self.found.mentioned[handle] = user_id
        element = etree.Element("span", {"class": MENTION_CLASS})
        element.text = AtomicString(f"@{handle}")
        return element, m.start(0), m.end(0)


@dataclass
class Rendered:
    people: Mapping[str, int]  # handle → user id of everyone who may be mentioned
    html: str = ""
    mentioned: dict[str, int] = field(default_factory=dict)  # handle → user id

    @property
    def mentioned_ids(self) -> set[int]:
        return set(self.mentioned.values())


def _markdown(found: Rendered) -> markdown.Markdown:
    md = markdown.Markdown(extensions=["fenced_code", "nl2br", "sane_lists"])
    # No raw HTML: typed-in tags are escaped and shown as text.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    # After code spans and links (so `@x` in code or a URL is no mention), before emphasis.
    md.inlinePatterns.register(_MentionProcessor(MENTION_RE, md, found), "mention", 65)
    return md


def render(body: str, *, people: Mapping[str, int]) -> Rendered:
    """Markdown body → sanitised HTML, and who of `people` it mentions."""
    found = Rendered(people=people)
    found.html = sanitise(_markdown(found).convert(body))
    return found


def excerpt(html: str, length: int = 140) -> str:
    """Plain text of rendered HTML, cut to `length` characters (for notifications)."""
    text = " ".join(strip_tags(html).split())
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    text = text.replace("&quot;", '"').replace("&#x27;", "'").replace("&#39;", "'")
    if len(text) <= length:
        return text
    return text[: length - 1].rstrip() + "…"
