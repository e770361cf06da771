"""Public pages of open events, without an account: the event with its registration form, and
the registrant's own page (ticket, QR code, cancel) opened by the token of their e-mail
(frontend namespace, via frontend.urls)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
