"""Routes of this part of the programme API (filled in by the part that owns it)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
