from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    # Notifications, preferences and the reminder sweep arrive with the notifications issue;
    # the app exists now so that Celery beat and e-mail wiring have their home.
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Convoys (core) announces invitations through its registry; delivering them is ours.
        from convoys.delivery import register_invitation_delivery
        from notifications.invitations import invitation_mailer

        register_invitation_delivery(invitation_mailer)

        # Companies (core) announces colleagues' invitations the same way.
        from companies.delivery import register_company_invitation_delivery
        from notifications.company_invitations import company_invitation_mailer

        register_company_invitation_delivery(company_invitation_mailer)

        # Programmes (core) announces its staff invitations and additions the same way.
        from notifications.programme_staff import programme_staff_mailer
        from programmes.delivery import register_staff_delivery

        register_staff_delivery(programme_staff_mailer)
