from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConvoysConfig(AppConfig):
    name = "convoys"
    verbose_name = _("Convoys")

    def ready(self) -> None:
        from companies.hooks import company_updated_listen
        from convoys.events import company_updated_record

        company_updated_listen(company_updated_record)

        # MFA_REQUIRED_FOR=facilitator: whoever runs any convoy (accounts.mfa).
        from accounts.mfa import mfa_role_register
        from convoys.models import Facilitator

        mfa_role_register(
            "facilitator", lambda user: Facilitator.objects.filter(user=user).exists()
        )
