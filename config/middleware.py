"""Request-level guards that must run before any view parses a body."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """Refuse bodies over REQUEST_MAX_BODY_BYTES with 413 before they are read.

    DRF's parsers read the stream directly, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE alone does
    not protect JSON endpoints.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.REQUEST_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": _("Invalid Content-Length header.")}, status=400)
        if length > limit:
            return JsonResponse(
                {
                    "detail": _("Request body too large: at most %(limit)d bytes are accepted.")
                    % {"limit": limit}
                },
                status=413,
            )
        return self.get_response(request)
