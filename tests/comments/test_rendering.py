"""Comment Markdown is rendered and sanitised: a safe subset (emphasis, lists, quotes, code,
links with rel="nofollow noopener"), nothing executable from an XSS corpus, mentions only of
the people given."""

import pytest

from comments.rendering import excerpt, render
from tests.comments.xss import CORPUS, executable_parts

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
