from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontendConfig(AppConfig):
    name = "frontend"
    verbose_name = _("Web interface")

    def ready(self) -> None:
        # Notifications store what they are about; the web UI says where that is shown.
        from frontend.links import frontend_link
        from notifications.links import register_link_builder

        register_link_builder(frontend_link)
