"""Template hygiene the template engine does not enforce."""

from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _templates() -> list[Path]:
    return [
        path
        for pattern in ("*/templates/**/*.html", "*/templates/**/*.txt", "templates/**/*.html")
        for path in ROOT.glob(pattern)
        if ".venv" not in path.parts
    ]


def test_no_comment_tag_spans_lines():
    # `{# … #}` ends at the line's end: a second line is printed to the page as text (it was,
    # on the invitations page, found by the newcomer review). Longer notes use {% comment %}.
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "{#" in line and "#}" not in line[line.index("{#") :]
    ]
    assert len(_templates()) > 50
    assert offenders == []
