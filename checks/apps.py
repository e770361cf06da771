from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecksConfig(AppConfig):
    name = "checks"
    verbose_name = _("Digitalisierungs-Check")

    def ready(self) -> None:
        # T1/T2 re-assessment reminders run in the notifications sweep (exactly once per key).
        from checks.reminders import check_due_querysets
        from notifications.rules import ReminderRule, register_rule

        register_rule(ReminderRule(name="checks", querysets=check_due_querysets))
