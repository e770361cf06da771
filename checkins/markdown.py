"""Agendas and notes are Markdown written by people: rendered and sanitised exactly like
comments (comments.rendering: no raw HTML, nh3 allow-list, safe links only)."""

from comments.rendering import render


def markdown_to_html(text: str) -> str:
    return render(text or "", people={}).html
