from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from accounts.mfa import mfa_role_register
        from programmes.selectors import is_programme_staff

        # MFA_REQUIRED_FOR may name "programme_staff": managers and coaches see many
        # companies' records.
        mfa_role_register("programme_staff", is_programme_staff)
