"""Staff pages of a programme's open events: list, create, edit, registrations, the door,
messages after the event, exports (frontend namespace, via frontend.urls)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
