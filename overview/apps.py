from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    """Models-free app: cross-app read models (see the package docstring)."""

    name = "overview"
    verbose_name = _("Overview")
