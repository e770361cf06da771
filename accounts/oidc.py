"""Single sign-on with OpenID Connect: the provider's discovery document, the rules that link a
login to an account, and the authentication backend (mozilla-django-oidc's, configured from
discovery). The request, callback and logout views live in frontend.oidc_views.

Rules (README "Single sign-on"):
- the provider is trusted for an address only when it says `email_verified` is true; an
  unverified address neither links to an existing account nor creates one;
- an existing account is found by its address (case-insensitive); a deleted account
  (`deleted_at` set) never matches; an inactive one is refused;
- a first login of an unknown address creates the account (OIDC_CREATE_USERS) with no usable
  password; the name comes from the provider once and is the person's to edit afterwards.
"""

import hashlib
import logging
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from accounts.models import User
from accounts.text import name_clean
from audit.models import Action
from audit.services import audit_record

logger = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 60 * 60

# mozilla-django-oidc's endpoint settings and the discovery fields they are taken from.
DISCOVERED_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


class OIDCError(Exception):
    """A login through the provider that cannot go on; `str()` is the message for the person."""


class ProviderUnavailable(OIDCError):
    """The provider did not answer, or answered something that is not a usable discovery."""


class LoginRefused(OIDCError):
    """The provider vouched for someone Konvoi will not log in (unverified address, …)."""


def provider_unavailable_message() -> str:
    return _(
        "The single sign-on service cannot be reached right now. Please try again in a few minutes."
    )


def local_login_disabled_message() -> str:
    return _(
        "Logging in with a password is switched off here. Please log in with single sign-on "
        "(%(provider)s)."
    ) % {"provider": settings.OIDC_PROVIDER_NAME}


def local_login_enabled() -> bool:
    """Whether passwords log in (form, sign-up, reset, API token); else SSO only."""
    return bool(settings.LOCAL_LOGIN_ENABLED)


def sso_enabled() -> bool:
    return bool(settings.OIDC_ENABLED)


# --- discovery ---------------------------------------------------------------------------


def _discovery_cache_key(issuer: str) -> str:
    return "oidc:discovery:" + hashlib.sha256(issuer.encode()).hexdigest()[:32]


def discovery(*, issuer: str | None = None) -> dict[str, Any]:
    """The issuer's discovery document (`{issuer}/.well-known/openid-configuration`), checked
    (its `issuer` must be the configured one, the endpoints present) and cached for an hour.
    A failure is not cached: the next login asks again. Raises ProviderUnavailable."""
    issuer = (issuer if issuer is not None else settings.OIDC_ISSUER).rstrip("/")
    key = _discovery_cache_key(issuer)
    document = cache.get(key)
    if document is not None:
        return document
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("OIDC discovery at %s failed: %s", url, exc)
        raise ProviderUnavailable(provider_unavailable_message()) from exc
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        # A document for another issuer would let that issuer's tokens in (OIDC Discovery 4.3).
        logger.warning(
            "OIDC discovery at %s names issuer %r, not %r",
            url,
            document.get("issuer") if isinstance(document, dict) else None,
            issuer,
        )
        raise ProviderUnavailable(provider_unavailable_message())
    missing = [name for name in REQUIRED_ENDPOINTS if not document.get(name)]
    if missing:
        logger.warning("OIDC discovery at %s lacks %s", url, ", ".join(missing))
        raise ProviderUnavailable(provider_unavailable_message())
    cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def discovery_forget() -> None:
    cache.delete(_discovery_cache_key(settings.OIDC_ISSUER.rstrip("/")))


# Konvoi's settings (README) under the names mozilla-django-oidc reads, and the fixed choices.
_SETTING_NAMES = {
    "OIDC_RP_CLIENT_ID": "OIDC_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET": "OIDC_CLIENT_SECRET",
    "OIDC_RP_SCOPES": "OIDC_SCOPES",
    "OIDC_RP_SIGN_ALGO": "OIDC_SIGN_ALGO",
    "OIDC_CREATE_USER": "OIDC_CREATE_USERS",
}
_FIXED = {
    "OIDC_USE_PKCE": True,
    "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
    "OIDC_USE_NONCE": True,
    "OIDC_STORE_ID_TOKEN": True,  # the id_token_hint of the provider logout
    "OIDC_STORE_ACCESS_TOKEN": False,
    "OIDC_RP_IDP_SIGN_KEY": None,  # keys from the provider's JWKS
    "OIDC_ALLOW_UNSECURED_JWT": False,
    "OIDC_VERIFY_SSL": True,
}


def oidc_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's `get_settings`: endpoints from discovery, the rest from Konvoi's
    settings. Raises ProviderUnavailable when an endpoint is needed and discovery fails."""
    if attr in DISCOVERED_ENDPOINTS:
        return discovery().get(DISCOVERED_ENDPOINTS[attr]) or (default[0] if default else None)
    if attr in _FIXED:
        return _FIXED[attr]
    if attr in _SETTING_NAMES:
        return getattr(settings, _SETTING_NAMES[attr])
    return import_from_settings(attr, *default)


# --- accounts ------------------------------------------------------------------------------


def claims_email(claims: dict[str, Any]) -> str:
    value = claims.get(settings.OIDC_CLAIM_EMAIL)
    return User.objects.normalize_email(value).strip().lower() if isinstance(value, str) else ""


def claims_email_verified(claims: dict[str, Any]) -> bool:
    # Some providers send the boolean as a string.
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def claims_name(claims: dict[str, Any]) -> str:
    """The display name: OIDC_CLAIM_NAME, else given_name + family_name, else ""."""
    name = claims.get(settings.OIDC_CLAIM_NAME)
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return name.strip()


def sso_user_for_email(*, email: str) -> User | None:
    """The account an SSO login of `email` belongs to: same address (any case), not deleted."""
    return User.objects.filter(email__iexact=email, deleted_at__isnull=True).first()


@transaction.atomic
def user_register_sso(*, email: str, name: str, language: str = "de") -> User:
    """Create the account of a first SSO login: no usable password (the provider is how this
    person logs in; a password can be set later through a reset where local login is on).
    Written through User.objects.create_user, like every account."""
    email = User.objects.normalize_email(email).strip().lower()
    name = name_clean(name) if name.strip() else email.split("@")[0]
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [_("An account with this e-mail address exists.")]})
    try:
        with transaction.atomic():
            return User.objects.create_user(email, None, name=name, language=language)
    except IntegrityError as exc:
        raise ValidationError(
            {"email": [_("An account with this e-mail address exists.")]}
        ) from exc


def sso_identity_bind(*, user: User, claims: dict[str, Any]) -> None:
    """Link the account to the provider's identity (issuer and `sub`) at its first SSO login;
    afterwards only that identity may log in to it. An address the provider moves to another
    person (a new `sub`) is refused. A new issuer (the operator moved to another provider)
    links afresh, by verified address as the first time."""
    sub = str(claims.get("sub") or "")
    if not sub:
        raise LoginRefused(_("The single sign-on service did not say who you are."))
    issuer = settings.OIDC_ISSUER
    identity = f"{issuer} {sub}"
    stored_issuer, _sep, stored_sub = user.sso_subject.partition(" ")
    if user.sso_subject and stored_issuer == issuer and stored_sub != sub:
        raise LoginRefused(
            _(
                "This Konvoi account is linked to another identity at the single sign-on "
                "service. Please ask the team that runs Konvoi."
            )
        )
    if user.sso_subject != identity:
        user.sso_subject = identity
        user.save(update_fields=["sso_subject"])


def sso_login_resolve(*, claims: dict[str, Any], request: HttpRequest | None) -> User:
    """The account for verified provider claims: found by address, or created. Records the
    login (Action.LOGIN_SSO with the provider's `sub`). Raises LoginRefused."""
    email = claims_email(claims)
    if not email:
        raise LoginRefused(_("The single sign-on service did not tell Konvoi your e-mail address."))
    if not claims_email_verified(claims):
        raise LoginRefused(
            _(
                "The single sign-on service has not confirmed your e-mail address, so Konvoi "
                "cannot log you in with it. Please confirm your address there and try again."
            )
        )
    user = sso_user_for_email(email=email)
    created = False
    if user is None:
        if not settings.OIDC_CREATE_USERS:
            raise LoginRefused(
                _("There is no Konvoi account for %(email)s. Please ask your programme for one.")
                % {"email": email}
            )
        language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
        try:
            user = user_register_sso(email=email, name=claims_name(claims), language=language)
        except ValidationError as exc:
            # The address belongs to a deleted account that still holds it.
            raise LoginRefused(
                _("Konvoi cannot create an account for %(email)s.") % {"email": email}
            ) from exc
        created = True
    elif not user.is_active:
        raise LoginRefused(_("This account is deactivated."))
    sso_identity_bind(user=user, claims=claims)
    audit_record(
        action=Action.LOGIN_SSO,
        user=user,
        request=request,
        target=f"user:{user.pk}",
        data={
            "sub": str(claims.get("sub", "")),
            "issuer": settings.OIDC_ISSUER,
            "created": created,
        },
    )
    return user


# --- the backend -----------------------------------------------------------------------------


def _setting_property(name: str) -> property:
    return property(lambda self: self.get_settings(name, None))


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow with endpoints from discovery and Konvoi's account rules.

    Django builds a backend on every request that carries a login (get_user), so nothing is
    fetched when it is built: the endpoints are read when a login is completed. Only a call
    from the callback view (with the PKCE verifier) is handled; password logins pass on. Why a
    login failed is left on the request (`oidc_error`) for the callback view to show.
    """

    OIDC_OP_TOKEN_ENDPOINT = _setting_property("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _setting_property("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _setting_property("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_CLIENT_ID = _setting_property("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = _setting_property("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = _setting_property("OIDC_RP_SIGN_ALGO")
    OIDC_RP_IDP_SIGN_KEY = _setting_property("OIDC_RP_IDP_SIGN_KEY")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not the library's __init__: it reads the endpoints (discovery) at once.
        self.UserModel = User

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or "code_verifier" not in kwargs or not sso_enabled():
            return None
        try:
            return super().authenticate(request, **kwargs)
        except OIDCError as exc:
            request.oidc_error = str(exc)  # type: ignore[attr-defined]
        except (requests.RequestException, ValueError, KeyError) as exc:
            # Token, keys or userinfo: the provider was unreachable or answered nonsense.
            logger.warning("OIDC login failed talking to the provider: %s", exc)
            request.oidc_error = provider_unavailable_message()  # type: ignore[attr-defined]
        except SuspiciousOperation as exc:
            # A token that does not verify (signature, algorithm, nonce).
            logger.warning("OIDC login refused: %s", exc)
            request.oidc_error = _("The login could not be verified. Please try again.")  # type: ignore[attr-defined]
        return None

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        # mozilla-django-oidc checks neither the audience nor the issuer of the ID token.
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token audience is not this client.")
        if payload.get("iss") != discovery()["issuer"]:
            raise SuspiciousOperation("ID token issuer is not the configured issuer.")
        return payload

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        claims = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(claims, dict) or str(claims.get("sub")) != str(payload.get("sub")):
            # OpenID Connect Core 5.3.2: userinfo of another subject must not be used.
            raise SuspiciousOperation("Userinfo subject differs from the ID token's.")
        return sso_login_resolve(claims=claims, request=self.request)

    def get_user(self, user_id: Any) -> User | None:
        # ModelBackend's rule (inactive accounts are logged out), not the library's.
        try:
            user = User._default_manager.get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
