from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """A person's and a company's data across all apps: export, erasure, retention. Top
    layer (it reads and writes every app's tables); no models of its own."""

    name = "privacy"
    verbose_name = _("Data protection")
