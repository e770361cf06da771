from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Open events")

    def ready(self) -> None:
        # The reminder a day before runs in the notifications sweep; registrants have no
        # account, so it is a mail sweep (notifications.rules), not a reminder rule.
        from events.reminders import reminders_sweep
        from notifications.rules import MailSweep, register_mail_sweep

        register_mail_sweep(MailSweep(name="events.reminder", run=reminders_sweep))
