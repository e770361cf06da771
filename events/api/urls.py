"""Staff API of open events: /api/v1/programmes/{id}/events/ and /api/v1/events/{id}/…"""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
