"""Markdown people write (comments, check-in agendas and notes) is rendered and sanitised:
a safe subset (emphasis, lists, quotes, code, links with rel="nofollow noopener"), nothing
executable from an XSS corpus, mentions only of the people given."""

import re
import subprocess
import sys
import time

import pytest
from django.conf import settings

from bench.markdown_worst import corpus, max_length
from richtext.rendering import (
    MAX_DEPTH,
    excerpt,
    markdown_html,
    mentioned_handles,
    render,
    resolve_mentions,
)
from tests.richtext.xss import CORPUS, executable_parts

PEOPLE = {"mia": 1, "olaf": 2}


@pytest.mark.parametrize("body", CORPUS)
def test_nothing_executable_survives(body):
    html = render(body, people=PEOPLE).html
    assert executable_parts(html) == [], html
    # Typed-in markup may remain as *text* (escaped); never as a tag.
    lowered = html.lower()
    for tag in ("<script", "<svg", "<math", "<style", "<iframe", "<img", "<object", "<embed"):
        assert tag not in lowered, html


def test_the_checker_finds_what_it_should():
    # The corpus test is only as good as its checker.
    assert executable_parts('<a href="javascript:alert(1)">x</a>')
    assert executable_parts('<a href="&#106;avascript:alert(1)">x</a>')
    assert executable_parts("<img src=x onerror=alert(1)>")
    assert executable_parts("<svg></svg>")
    assert executable_parts('<p style="x">y</p>')
    assert executable_parts('<a href="/relative">x</a>')
    assert not executable_parts('<p><a href="https://ok.example" rel="nofollow noopener">x</a></p>')


def test_the_safe_subset_renders():
    body = (
        "*kursiv* und **fett**\n\n"
        "- eins\n- zwei\n\n"
        "1. erst\n2. dann\n\n"
        "> zitiert\n\n"
        "`code` und\n\n```\nblock <b>\n```\n\n"
        "[Link](https://example.com/a?b=1&c=2) <mailto:info@example.com>"
    )
    html = render(body, people=PEOPLE).html
    for fragment in (
        "<em>kursiv</em>",
        "<strong>fett</strong>",
        "<ul>\n<li>eins</li>",
        "<ol>\n<li>erst</li>",
        "<blockquote>",
        "<code>code</code>",
        "<pre><code>block &lt;b&gt;",
        '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener">Link</a>',
        '<a href="mailto:info@example.com" rel="nofollow noopener">',
    ):
        assert fragment in html, html


def test_typed_html_is_shown_as_text():
    html = render("Ich mag <b>fett</b> & <i>so</i>", people=PEOPLE).html
    assert html == "<p>Ich mag &lt;b&gt;fett&lt;/b&gt; &amp; &lt;i&gt;so&lt;/i&gt;</p>"


def test_no_images_and_no_relative_links():
    html = render("![Bild](https://example.com/x.png) [intern](/admin/)", people=PEOPLE).html
    assert "<img" not in html
    assert "/admin/" not in html


def test_mentions_only_of_the_people_given():
    result = render("Hallo @mia, @Olaf und @niemand; mail@mia.example `@mia`", people=PEOPLE)
    assert result.mentioned_ids == {1, 2}
    assert '<span class="mention">@mia</span>' in result.html
    assert '<span class="mention">@olaf</span>' in result.html
    assert "@niemand" in result.html and 'class="mention">@niemand' not in result.html
    assert "<code>@mia</code>" in result.html


def test_excerpt_is_plain_text_and_short():
    text = excerpt(render("**Hallo** <b> & " + "lang " * 60, people={}).html)
    assert text.startswith("Hallo <b> & lang")
    assert len(text) == 140 and text.endswith("…")


def test_excerpt_keeps_a_written_entity_as_written():
    """Someone writing about HTML types "&lt;": the excerpt shows "&lt;", not "<"."""
    assert excerpt(render("Schreiben Sie &amp;lt; statt <", people={}).html) == (
        "Schreiben Sie &lt; statt <"
    )


def test_an_image_becomes_a_link_with_its_description():
    html = render(
        '![Foto der Werkstatt](https://x.example/a.png "t") ![](https://x.example/b.png) '
        "![x](javascript:alert(1))",
        people={},
    ).html
    assert "<img" not in html
    assert 'href="https://x.example/a.png"' in html and ">Foto der Werkstatt</a>" in html
    assert ">https://x.example/b.png</a>" in html
    assert "javascript" not in html


def test_typed_mention_markup_is_text_not_a_mention():
    result = render(
        '<span class="mention">@niemand</span> <a href="https://x.example">x</a>', people=PEOPLE
    )
    assert result.mentioned_ids == set()
    assert "<span" not in result.html and "<a " not in result.html
    assert "&lt;span class=" in result.html


def test_mentions_are_resolved_after_rendering_without_rendering_again():
    html = markdown_html("@mia, @Olaf und @niemand `@mia` [@olaf](https://x.example/@mia)")
    result = resolve_mentions(html, people={"olaf": 2})
    assert result.mentioned == {"olaf": 2}
    assert result.html == (
        '<p>@mia, <span class="mention">@olaf</span> und @niemand <code>@mia</code> '
        '<a href="https://x.example/@mia" rel="nofollow noopener">@olaf</a></p>'
    )
    assert mentioned_handles(result.html) == {"olaf"}


def test_autolinks_code_and_escapes_keep_their_meaning():
    html = render("<https://example.com/a?b=1> `<b>` \\<i> x < y\n\n    <script>", people={}).html
    assert html == (
        '<p><a href="https://example.com/a?b=1" rel="nofollow noopener">'
        "https://example.com/a?b=1</a> <code>&lt;b&gt;</code> &lt;i&gt; x &lt; y</p>\n"
        "<pre><code>&lt;script&gt;\n</code></pre>"
    )


def test_deep_nesting_is_flattened_and_keeps_its_text():
    html = render(">" * 1000 + " tief @mia\n\n" + "- " * 500 + "Liste", people=PEOPLE).html
    assert html.count("<blockquote>") == html.count("</blockquote>") == MAX_DEPTH
    assert 'tief <span class="mention">@mia</span>' in html and "Liste" in html
    # Nested with text and siblings on every level: still balanced, at most MAX_DEPTH deep.
    html = render(
        "".join("  " * i + f"- a{i}\n  " + "  " * i + "- b\n" for i in range(60)), people={}
    ).html
    assert html.count("<ul>") == html.count("</ul>") and html.count("<li>") == html.count("</li>")
    assert "a59" in html
    depth = deepest = 0
    for tag in re.findall(r"</?[a-z]+", html):
        depth += -1 if tag[1] == "/" else 1
        deepest = max(deepest, depth)
    assert deepest == MAX_DEPTH and depth == 0


def test_the_old_markdown_package_is_not_needed():
    # It is gone from requirements.lock; a fresh venv has no `markdown` to import.
    code = "import sys; sys.modules['markdown'] = None; import richtext.rendering"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=settings.BASE_DIR)


def test_richtext_imports_no_domain_app():
    # The platform layer (import-linter checks it too): rendering loads none of the apps
    # above it. Django is not set up, so nothing but richtext's own imports runs.
    code = (
        "import sys; import richtext.rendering; "
        "apps = ('accounts', 'companies', 'convoys', 'projects', 'checkins', 'comments', "
        "'notifications', 'frontend', 'config'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in apps))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert result.stdout.strip() == "[]"


def _best_ms(text: str, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        render(text, people=PEOPLE)
        best = min(best, time.process_time() - start)
    return best


def test_rendering_cost_grows_linearly():
    # A ratio, not a time: a quadratic renderer (Python-Markdown took 35 s for 10,000 `[`)
    # costs 16× for 4× the text, a linear one about 4×. The absolute worst case is measured
    # by `make bench-markdown`. CPU time, best of 5 and a second try: other processes on a
    # busy machine do not count.
    n = max_length()
    large, small = corpus(n), corpus(n // 4)
    slowest = sorted(large, key=lambda name: _best_ms(large[name], repeat=1))[-3:]
    for name in slowest:
        ratio = min(_best_ms(large[name]) / _best_ms(small[name]) for _try in range(2))
        assert ratio < 8, (name, ratio)
