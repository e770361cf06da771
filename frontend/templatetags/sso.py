"""Template tags of single sign-on: whether the login and sign-up pages show the SSO button
and the password form (accounts.oidc decides; the pages' views need not know)."""

from django import template
from django.conf import settings

from accounts.oidc import local_login_disabled_message, local_login_enabled, sso_enabled

register = template.Library()


@register.simple_tag
def sso_options() -> dict[str, object]:
    local = local_login_enabled()
    return {
        "enabled": sso_enabled(),
        "provider": settings.OIDC_PROVIDER_NAME,
        "local": local,
        "local_off_message": "" if local else local_login_disabled_message(),
    }
