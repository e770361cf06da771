from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    """Models-free app: cross-app read models (see the package docstring)."""

    name = "overview"
    verbose_name = _("Overview")

    def ready(self) -> None:
        # The weekly facilitator digest: which facilitators get one (a reminder rule of the
        # sweep) and what its e-mail shows; notifications only delivers it (notifications.rules).
        from notifications.models import NotificationKind
        from notifications.rules import ReminderRule, register_email_content, register_rule
        from overview.digest import FACILITATOR_DIGEST_EMAIL, facilitator_digest_querysets

        register_rule(
            ReminderRule(name="overview.facilitator_digest", querysets=facilitator_digest_querysets)
        )
        register_email_content(
            kind=NotificationKind.FACILITATOR_DIGEST, content=FACILITATOR_DIGEST_EMAIL
        )
