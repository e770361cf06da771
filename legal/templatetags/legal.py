from django import template
from django.utils import translation

from legal.links import legal_links as _legal_links

register = template.Library()


@register.simple_tag
def legal_links() -> dict[str, str]:
    """Absolute links to the legal pages in the active language (an e-mail's recipient's:
    every e-mail renders inside translation.override)."""
    return _legal_links(translation.get_language() or "de")
