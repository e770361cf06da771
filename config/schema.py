"""The OpenAPI schema's view of errors: every operation declares the error answers it can give.

Kept apart from config.api because drf-spectacular imports DRF's generic views, which import
the pagination class from config.api (a cycle if both lived in one module).
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.permissions import AllowAny

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_FIELD_ERRORS = {
    "type": "object",
    "description": "Messages per offending field (`non_field_errors` for the whole input), "
    "or `detail` when the request as a whole is malformed.",
    "additionalProperties": {},
}


class AutoSchema(SpectacularAutoSchema):
    """Declares the error answers every operation can give, in the shape exception_handler
    produces, so that clients (and schemathesis) can rely on the status codes."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        errors: dict[str, tuple[dict, str]] = {
            # Query parameters, filters and bodies are validated on every operation.
            "400": (_FIELD_ERRORS, "Invalid input."),
            # Unknown or invisible objects, and pages past the end of a list.
            "404": (_DETAIL, "Not found, or not visible to you."),
        }
        if self.method in {"POST", "PUT", "PATCH"}:
            errors["413"] = (_DETAIL, "Request body too large.")
            errors["415"] = (_DETAIL, "Unsupported media type: send JSON.")
        if self._requires_authentication():
            errors["401"] = (_DETAIL, "Not authenticated.")
            errors["403"] = (_DETAIL, "Visible to you, but you may not do this.")
        if self.view.throttle_classes:
            errors["429"] = (_DETAIL, "Too many requests.")
        for code, (schema, description) in errors.items():
            body = {"content": {"application/json": {"schema": schema}}, "description": description}
            responses.setdefault(code, body)
        return responses

    def _requires_authentication(self) -> bool:
        return not all(isinstance(p, AllowAny) for p in self.view.get_permissions())
