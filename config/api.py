"""API-wide wiring: pagination and the JSON error shape (declared in config.schema)."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus domain ValidationErrors from services as 400 naming the field.

    Services raise django.core.exceptions.ValidationError so that they need not know about
    DRF; here they become the same `{"field": ["message"]}` shape serializers produce.
    """
    if isinstance(exc, DjangoValidationError):
        detail = as_serializer_error(exc)
        # Model.clean()/constraints report whole-object errors under "__all__"; serializers
        # call that key non_field_errors. One shape for clients.
        if NON_FIELD_ERRORS in detail:
            detail.setdefault(api_settings.NON_FIELD_ERRORS_KEY, [])
            detail[api_settings.NON_FIELD_ERRORS_KEY] += detail.pop(NON_FIELD_ERRORS)
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
