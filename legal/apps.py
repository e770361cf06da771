from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "legal"
    verbose_name = _("Legal pages")

    def ready(self) -> None:
        from legal import checks  # noqa: F401  (registers legal.W001, legal.W002)
