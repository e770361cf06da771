from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        # The list of signed-in browsers (accounts.sessions): a row at login, none after logout.
        user_logged_in.connect(_session_login, dispatch_uid="accounts-session-login")
        user_logged_out.connect(_session_logout, dispatch_uid="accounts-session-logout")
        # The second factor: its cache signals, and "code not entered yet" logins in the audit.
        from accounts import mfa
        from accounts.services import other_access_end_on_second_factor
        from audit.receivers import login_pending_register

        login_pending_register(mfa.mfa_enabled)
        mfa.second_factor_enabled_listen(other_access_end_on_second_factor)


def _session_login(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    from accounts.sessions import user_session_record_login

    user_session_record_login(request=request, user=user)


def _session_logout(sender: Any, request: Any = None, **kwargs: Any) -> None:
    from accounts.sessions import user_session_forget

    user_session_forget(request=request)
