"""Public API of open events, for anyone: /api/v1/public/events/… and
/api/v1/public/registrations/{token}/…"""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
