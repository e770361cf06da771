"""The anonymous check's API: /api/v1/public/checks/… (part B)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
