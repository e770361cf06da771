"""Agendas and notes are Markdown written by people: rendered and sanitised exactly like
comments (richtext.rendering: no raw HTML, nh3 allow-list, safe links only), once when they
are written, and stored (CheckIn.agenda_html, notes_html). Reads never render."""

from richtext.rendering import render


def markdown_to_html(text: str) -> str:
    """Call it before a write transaction opens: rendering is linear, but holding SQLite's
    write lock (taken at BEGIN) while it runs blocks every other writer."""
    return render(text or "", people={}).html
