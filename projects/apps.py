from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        # Projects owns updates, so it owns the update-due reminders (notifications.rules).
        from notifications.rules import ReminderRule, register_rule
        from projects.reminders import update_due_querysets

        register_rule(ReminderRule(name="projects.update_due", querysets=update_due_querysets))
