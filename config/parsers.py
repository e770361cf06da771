"""The API's JSON parser: DRF's, with a limit on nesting.

Python's JSON decoder recurses once per level: a body of 100,000 `[` raised RecursionError,
which no view catches (a 500 on every endpoint). No Konvoi request nests deeper than a few
levels, so anything deeper than MAX_DEPTH is refused as a parse error (400) before a
serializer or service ever sees it.
"""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def json_depth_exceeds(data: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists/objects nest deeper than `limit`; iterative, so it cannot recurse."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class DepthLimitedJSONParser(JSONParser):
    """JSONParser that answers 400, not 500, for bodies nested too deeply to handle."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise self._too_deep() from None
        if json_depth_exceeds(data):
            raise self._too_deep()
        return data

    @staticmethod
    def _too_deep() -> ParseError:
        return ParseError(
            _("The JSON body is nested too deeply (at most %(limit)s levels).")
            % {"limit": MAX_DEPTH}
        )
