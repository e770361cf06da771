"""Open events' times for the pages: the programme's zone in words, as the e-mails say it
("Ortszeit Berlin" / "Berlin time"), never its key ("Europe/Berlin")."""

from django import template

from events.times import zone_words as _zone_words

register = template.Library()


@register.filter
def zone_words(key: str) -> str:
    """{{ programme.timezone|zone_words }} → "Ortszeit Berlin" (in the active language)."""
    return _zone_words(key) if key else ""
