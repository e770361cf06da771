from django.urls import path

from accounts.api.mfa_views import (
    MeMfaDisableView,
    MeMfaRecoveryCodesView,
    MeMfaTotpConfirmView,
    MeMfaTotpView,
    MeMfaView,
)
from accounts.api.session_views import (
    MeSessionDetailView,
    MeSessionsView,
    TokenListCreateView,
)
from accounts.api.views import (
    LogoutAllView,
    LogoutView,
    MeEmailConfirmView,
    MeEmailView,
    MePasswordView,
    MeView,
    RegisterView,
    TokenDetailView,
    TokenView,
)

urlpatterns = [
    path("auth/register/", RegisterView.as_view(), name="auth-register"),
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="auth-logout-all"),
    path("auth/tokens/", TokenListCreateView.as_view(), name="auth-tokens"),
    path("auth/tokens/<int:token_id>/", TokenDetailView.as_view(), name="auth-token-detail"),
    path("me/", MeView.as_view(), name="me"),
    path("me/email/", MeEmailView.as_view(), name="me-email"),
    path("me/email/confirm/", MeEmailConfirmView.as_view(), name="me-email-confirm"),
    path("me/password/", MePasswordView.as_view(), name="me-password"),
    path("me/mfa/", MeMfaView.as_view(), name="me-mfa"),
    path("me/mfa/totp/", MeMfaTotpView.as_view(), name="me-mfa-totp"),
    path("me/mfa/totp/confirm/", MeMfaTotpConfirmView.as_view(), name="me-mfa-totp-confirm"),
    path("me/mfa/recovery-codes/", MeMfaRecoveryCodesView.as_view(), name="me-mfa-recovery-codes"),
    path("me/mfa/disable/", MeMfaDisableView.as_view(), name="me-mfa-disable"),
    path("me/sessions/", MeSessionsView.as_view(), name="me-sessions"),
    path("me/sessions/<int:session_id>/", MeSessionDetailView.as_view(), name="me-session-detail"),
]
