"""Markdown written by people (comments, check-in agendas and notes) → safe HTML, rendered
once when the text is written and stored, never when it is read.

Three steps, each linear in the length of the text:

1. cmark (cmarkgfm, GitHub's C CommonMark parser, linear-time by design): plain CommonMark,
   newlines are line breaks. No raw HTML: every `<` that does not open an autolink is swapped
   for a placeholder before parsing and comes out as `&lt;`, so typed-in tags are shown as
   text (cmark's own safe mode would drop them silently instead).
2. nh3 (ammonia) with a small allow-list is the actual guarantee: whatever the parser
   produces, only these tags and attributes survive, links only to http(s) and mailto, with
   rel="nofollow noopener". Nesting deeper than MAX_DEPTH is flattened first (an HTML
   parser's cost grows with the depth).
3. Mention candidates: every @handle in text outside code and links is wrapped in
   <span class="mention"> (only [A-Za-z0-9_] inside: safe after sanitising). Which of them
   are people of the convoy is decided later, by `resolve_mentions` (a cheap substitution),
   so the expensive steps need no database and run before a write transaction opens.

Python-Markdown did this before and was quadratic on unbalanced brackets (10,000 `[` took
35 s); `make bench-markdown` measures the worst of a pathological corpus.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import unescape as html_unescape
from urllib.parse import urlsplit

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from django.utils.html import strip_tags

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
MENTION_RE = re.compile(r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9_]{1,29})\b")
MENTION_CLASS = "mention"

# Hard line breaks for single newlines (as people type in a text box); no raw HTML, and
# javascript:/data: URLs are emptied (cmark's safe default; nh3 checks links again).
_CMARK_OPTIONS = Options.CMARK_OPT_HARDBREAKS | Options.CMARK_OPT_NORMALIZE
# A private-use character stands for a typed `<` while cmark parses (see _escape_raw_html).
_LT = "\ue000"
_LT_IN_HREF = "%EE%80%80"  # how cmark percent-encodes it inside a link destination
# A `<` that opens a CommonMark autolink (URI or e-mail) stays; a backslash escape is kept
# whole (`\<` is already literal). Both alternatives stop at the next `<` or space, so the
# scan stays linear.
_RAW_LT = re.compile(
    r"\\.|<(?!(?:[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\x00-\x20<>]*"
    r"|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*)>)",
    re.DOTALL,
)
# Deeper than any quote or list people write; beyond it the nesting is flattened.
MAX_DEPTH = 32
# cmark's output only: tags never contain `>` (attribute values are escaped), code, pre and
# links never nest in themselves.
_TAG = re.compile(r"<(/?)([a-z0-9]+)[^>]*>\n?")
_TAG_RUN = re.compile(r"((?:<[a-z][^>]*>\n?)+)|((?:</[a-z0-9]+>\n?)+)")
_TEXT = re.compile(r">[^<]+")
_DEEP_RUN = re.compile(rf"(?:<[a-z][^>]*>\n?){{{MAX_DEPTH + 1}}}")
_VOID = re.compile(r"<[^>]*/>")
_END = re.compile(r"</[^>]*>")
_START = re.compile(r"<[^>]*>")
_TAG_OR_UNMENTIONABLE = re.compile(r"(<(code|pre|a)\b[^>]*>.*?</\2>|<[^>]*>)", re.DOTALL)
_MENTION_CANDIDATE = rf'<span class="{MENTION_CLASS}">\g<0></span>'
_CANDIDATE = re.compile(rf'<span class="{MENTION_CLASS}">@([A-Za-z0-9][A-Za-z0-9_]{{1,29}})</span>')


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


def _escape_raw_html(body: str) -> str:
    return _RAW_LT.sub(lambda m: m[0] if m[0][0] == "\\" else _LT, body.replace(_LT, ""))


def _deeper_than_max(html: str) -> bool:
    """Whether tags nest deeper than MAX_DEPTH, with string operations only (no Python work
    per tag): the tags become a skeleton of parentheses, and each pass removes the innermost
    pairs, so MAX_DEPTH passes empty it unless it is deeper."""
    if html.count("<") <= MAX_DEPTH:
        return False
    if _DEEP_RUN.search(html):
        return True
    skeleton = _TEXT.sub(">", html.replace("\n", ""))
    skeleton = _START.sub("(", _END.sub(")", _VOID.sub("", skeleton)))
    if "(" * (MAX_DEPTH + 1) in skeleton:
        return True
    for _pass in range(MAX_DEPTH):
        if not skeleton:
            return False
        skeleton = skeleton.replace("()", "")
    return bool(skeleton)


def _flatten(html: str) -> str:
    """Drop the tags nested deeper than MAX_DEPTH (their text stays): an HTML parser checks
    the open elements on every tag, so 10,000 nested quotes would cost nh3 seconds.

    cmark's output is well-formed, so a depth counter tells which end tags belong to dropped
    start tags. Runs of start or end tags are handled whole, so the Python work is per run,
    not per tag, whatever the nesting."""
    if not _deeper_than_max(html):
        return html
    parts: list[str] = []
    depth = 0
    last = 0
    for m in _TAG_RUN.finditer(html):
        parts.append(html[last : m.start()])
        last = m.end()
        run = m[0]
        if m[1] is None:  # end tags, never void
            count = run.count("<")
            keep = count - max(0, depth - MAX_DEPTH)  # the first ones close dropped elements
            if keep < count:
                run = "<" + "<".join(run.rsplit("<", keep)[1:]) if keep > 0 else ""
            depth -= count
        else:
            opened = run.count("<") - run.count("/>")  # void tags end in " />"
            if depth + opened > MAX_DEPTH:
                kept = []
                for tag in _TAG.finditer(run):
                    if depth >= MAX_DEPTH:
                        rest = run[tag.start() :]
                        depth += rest.count("<") - rest.count("/>")
                        break
                    kept.append(tag[0])
                    if not tag[0].endswith("/>"):
                        depth += 1
                run = "".join(kept)
            else:
                depth += opened
        parts.append(run)
    parts.append(html[last:])
    return "".join(parts)


def _mark_mentions(html: str) -> str:
    """Wrap each @handle of the text outside tags, code and links in a mention span."""
    if "@" not in html:
        return html
    pieces = _TAG_OR_UNMENTIONABLE.split(html)
    # re.split with two groups: text, the skipped part, its element name, text, …
    for i in range(0, len(pieces), 3):
        if "@" in pieces[i]:
            pieces[i] = MENTION_RE.sub(_MENTION_CANDIDATE, pieces[i])
    return "".join(pieces[i] for i in range(len(pieces)) if i % 3 != 2)


def markdown_html(body: str) -> str:
    """Markdown → sanitised HTML with every @handle marked as a mention candidate.

    The costly part of rendering, and free of the database: call it before a write
    transaction opens (SQLite takes its write lock at BEGIN), then `resolve_mentions`."""
    html = cmarkgfm.markdown_to_html(_escape_raw_html(body), options=_CMARK_OPTIONS)
    html = html.replace(_LT_IN_HREF, "%3C").replace(_LT, "&lt;")
    html = _IMAGE.sub(_image_as_link, html)
    return _mark_mentions(sanitise(_flatten(html))).strip()


# cmark writes an image as <img src="…" alt="…" /> (alt already escaped, no markup inside).
_IMAGE = re.compile(r'<img src="([^"]*)" alt="([^"]*)"(?: title="[^"]*")? />')


def _image_as_link(match: re.Match[str]) -> str:
    """Images are not shown (no tracking pixels, nothing loaded from elsewhere): a link with
    the image's description instead, so the text is not lost. nh3 then checks the link."""
    src, alt = match.group(1), match.group(2)
    return f'<a href="{src}">{alt or src}</a>'


@dataclass
class Rendered:
    people: Mapping[str, int]  # handle → user id of everyone who may be mentioned
    html: str = ""
    mentioned: dict[str, int] = field(default_factory=dict)  # handle → user id

    @property
    def mentioned_ids(self) -> set[int]:
        return set(self.mentioned.values())


def resolve_mentions(html: str, *, people: Mapping[str, int]) -> Rendered:
    """Keep the mention spans of `markdown_html` that name one of `people` (shown in lower
    case, as the handle is); any other @handle goes back to plain text."""
    found = Rendered(people=people)

    def resolve(m: re.Match) -> str:
        handle = m[1].lower()
        user_id = people.get(handle)
        if user_id is None:
            return f"@{m[1]}"  # not a convoy person: left as typed
        found.mentioned[handle] = user_id
        return f'<span class="{MENTION_CLASS}">@{handle}</span>'

    found.html = _CANDIDATE.sub(resolve, html)
    return found


def render(body: str, *, people: Mapping[str, int]) -> Rendered:
    """Markdown body → sanitised HTML, and who of `people` it mentions."""
    return resolve_mentions(markdown_html(body), people=people)


def mentioned_handles(html: str) -> set[str]:
    """The handles stored HTML mentions (what a comment mentioned before an edit)."""
    return {m[1].lower() for m in _CANDIDATE.finditer(html)}


def excerpt(html: str, length: int = 140) -> str:
    """Plain text of rendered HTML, cut to `length` characters (for notifications)."""
    # One pass: unescaping entity by entity would turn a written "&lt;" into "<".
    text = html_unescape(" ".join(strip_tags(html).split()))
    if len(text) <= length:
        return text
    return text[: length - 1].rstrip() + "…"
