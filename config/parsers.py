"""The API's JSON parser: DRF's, with a limit on nesting.

Python's JSON decoder recurses once per level: a body of 100,000 `[` raised RecursionError,
which no view catches (a 500 on every endpoint). No Konvoi request nests deeper than a few
levels, so anything deeper than MAX_DEPTH is refused as a parse error (400) before a
serializer or service ever sees it.

DRF's own parse error is English only ("JSON parse error - Expecting value: …"): a body that is
not JSON gets a translated message with the line and column instead.
"""

import json
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
        except ParseError as exc:
            raise self._not_json(exc.__context__) from None
        if json_depth_exceeds(data):
            raise self._too_deep()
        return data

    @staticmethod
    def _not_json(error: BaseException | None) -> ParseError:
        if isinstance(error, json.JSONDecodeError):
            return ParseError(
                _("The request body is not valid JSON (line %(line)d, column %(column)d).")
                % {"line": error.lineno, "column": error.colno}
            )
        return ParseError(_("The request body is not valid JSON."))

    @staticmethod
    def _too_deep() -> ParseError:
        return ParseError(
            _("The JSON body is nested too deeply (at most %(limit)s levels).")
            % {"limit": MAX_DEPTH}
        )
