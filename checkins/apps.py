from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = _("Check-ins")

    def ready(self) -> None:
        # The check-in reminders (RSVP missing, tomorrow, report due) run in the
        # notifications sweep, registered here (notifications.rules).
        from checkins.calendars import checkin_invitations
        from checkins.reminders import reminder_querysets
        from notifications.emails import register_email_attachments
        from notifications.models import NotificationKind
        from notifications.rules import ReminderRule, register_rule

        register_rule(ReminderRule(name="checkins.reminders", querysets=reminder_querysets))
        # New, moved and cancelled check-ins reach calendars by e-mail too (.ics attached).
        register_email_attachments(
            kind=NotificationKind.CHECKIN_CHANGED, attachments=checkin_invitations
        )
