"""An XSS corpus for Markdown people write (comments, agendas, notes), and a checker that
finds anything executable in HTML."""

import html
import re
from html.parser import HTMLParser

CORPUS = [
    # script tags, plain, nested, broken up, in odd case
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script>alert(1)",
    "text <script\n>alert(1)</script\n> more",
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)"/>',
    "<body onload=alert(1)>",
    '<div onmouseover="alert(1)">hover</div>',
    "<a href=https://ok.example onclick=alert(1)>x</a>",
    '<p ONCLICK="alert(1)">x</p>',
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    # javascript:, data:, vbscript: URLs, in raw HTML and in Markdown, encoded and mixed case
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#x3A;alert(1))",
    "[x](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "<javascript:alert(1)>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    '[x](https://ok.example "title" onclick="alert(1)")',
    '[x](https://ok.example"onmouseover="alert(1))',
    "![x](javascript:alert(1))",
    "![x](https://evil.example/x.png)",
    '![x" onerror="alert(1)](https://evil.example/x.png)',
    "[![x](javascript:alert(1))](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    # SVG and MathML
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # style, iframes, objects, meta, forms, base
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width: expression(alert(1))">x</div>',
    "<iframe src=javascript:alert(1)></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    # malformed HTML and parser confusion
    "<<script>alert(1)//<</script>",
    '<img """><script>alert(1)</script>">',
    "<a href='javascript:alert(1)'",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    '"><script>alert(1)</script>',
    "'';!--\"<XSS>=&{()}",
    "</p><script>alert(1)</script><p>",
    # inside Markdown constructs
    "**<script>alert(1)</script>**",
    "> <img src=x onerror=alert(1)>",
    "- <svg onload=alert(1)>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "```html onload=alert(1)\nx\n```",
    '<https://ok.example/"onmouseover="alert(1)>',
    "@mia<script>alert(1)</script>",
]

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
ALLOWED_ATTRIBUTES = {"a": {"href", "rel"}, "span": {"class"}}
SAFE_URL = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)


class _Checker(HTMLParser):
    def __init__(self, allowed_tags: set[str] | None) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        if self.allowed_tags is not None and tag not in self.allowed_tags:
            self.problems.append(f"tag <{tag}>")
        if tag in {
            "script",
            "style",
            "iframe",
            "object",
            "embed",
            "svg",
            "math",
            "img",
            "base",
            "meta",
            "link",
            "form",
            "frame",
            "frameset",
        }:
            self.problems.append(f"dangerous tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in {"href", "src", "action", "data", "xlink:href", "background", "poster"}:
                url = re.sub(r"[\x00-\x20]", "", html.unescape(value or ""))
                if not SAFE_URL.match(url):
                    self.problems.append(f"url {value!r} in {name} on <{tag}>")
            if self.allowed_tags is not None and name not in ALLOWED_ATTRIBUTES.get(tag, set()):
                self.problems.append(f"attribute {name} on <{tag}>")


def executable_parts(fragment: str, *, allowed_tags: set[str] | None = ALLOWED_TAGS) -> list[str]:
    """What in an HTML fragment could run script: tags beyond the allow-list, event-handler or
    style attributes, URLs that are not http(s)/mailto. Empty when the fragment is safe."""
    checker = _Checker(allowed_tags)
    checker.feed(fragment)
    checker.close()
    return checker.problems
