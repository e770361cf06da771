from django.urls import path

from accounts.api.views import (
    LogoutAllView,
    LogoutView,
    MeEmailConfirmView,
    MeEmailView,
    MePasswordView,
    MeView,
    RegisterView,
    TokenDetailView,
    TokenListView,
    TokenView,
)

urlpatterns = [
    path("auth/register/", RegisterView.as_view(), name="auth-register"),
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="auth-logout-all"),
    path("auth/tokens/", TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<int:token_id>/", TokenDetailView.as_view(), name="auth-token-detail"),
    path("me/", MeView.as_view(), name="me"),
    path("me/email/", MeEmailView.as_view(), name="me-email"),
    path("me/email/confirm/", MeEmailConfirmView.as_view(), name="me-email-confirm"),
    path("me/password/", MePasswordView.as_view(), name="me-password"),
]
