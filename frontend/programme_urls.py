"""Pages of one part of the programme layer (frontend namespace, via frontend.urls)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
