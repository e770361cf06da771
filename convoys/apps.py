from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConvoysConfig(AppConfig):
    name = "convoys"
    verbose_name = _("Convoys")
