from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    # Notifications, preferences and the reminder sweep arrive with the notifications issue;
    # the app exists now so that Celery beat and e-mail wiring have their home.
    name = "notifications"
    verbose_name = _("Notifications")
