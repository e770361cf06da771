from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo convoy for newcomers (`manage.py load_demo`, `make run`).

    The top layer: it builds its story through every domain app's services, and nothing but
    the interface (`config.embedded` printing the logins) imports it. It has no models.
    """

    name = "demo"
    verbose_name = _("Demo")
