"""The second factor: an authenticator app (TOTP) with ten recovery codes (django-otp).

Services and reads for the web pages, the API and the login middleware alike:

- enrolment: `totp_enrolment_start` (one unconfirmed device at a time) and
  `totp_enrolment_confirm` (turns it on, returns the recovery codes once);
- `mfa_verify`: a code from the app or a recovery code (used once), throttled by django-otp
  (each wrong code doubles the wait on that device: OTP_TOTP_THROTTLE_FACTOR,
  OTP_STATIC_THROTTLE_FACTOR) and audited;
- `recovery_codes_regenerate`, `mfa_disable`;
- who must have one: `second_factor_required`, from settings.MFA_REQUIRED_FOR and the role
  predicates registered here. accounts knows "admin" (is_staff or is_superuser); upper apps
  register theirs in their AppConfig.ready(): convoys registers "facilitator" (facilitator of
  any convoy); "programme_staff" is to be registered by the app that brings programmes
  (`mfa_role_register("programme_staff", predicate)`); until then it requires nothing;
- `session_second_factor_state`: what a logged-in session still owes (used by the web
  middleware and the WebSocket stack), and `token_issue_allowed` for API token creation.

Whether a person has a second factor is read on every request of a session that has not
passed one: `User.has_second_factor`, loaded with the user (no query per page), which every
save or delete of a device sets from the devices (signals below, so the admin's and a shell's
changes count too, in every process).
"""

import json
import re
import time
from base64 import b32encode, urlsafe_b64decode
from collections.abc import Callable
from typing import Any, Literal, Protocol

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.ratelimit import password_check_allowed, password_check_limited_message
from audit.models import Action
from audit.services import audit_record

RECOVERY_CODE_COUNT = 10
MFA_ROLES = ("facilitator", "programme_staff", "admin")

AnyUser = AbstractBaseUser | AnonymousUser
RolePredicate = Callable[[User], bool]


# --- who must have a second factor ---


def _is_admin(user: User) -> bool:
    return bool(user.is_staff or user.is_superuser)


_role_predicates: dict[str, RolePredicate] = {"admin": _is_admin}


def mfa_role_register(role: str, predicate: RolePredicate) -> RolePredicate:
    """Say how to tell whether `user` has `role` (one of MFA_ROLES). Called by the app that
    owns the role, in its AppConfig.ready(); registering again replaces (ready() may run twice
    in tests)."""
    if role not in MFA_ROLES:
        raise ValueError(f"unknown second-factor role {role!r}; known: {', '.join(MFA_ROLES)}")
    _role_predicates[role] = predicate
    return predicate


def mfa_required_roles(user: AnyUser) -> list[str]:
    """The roles in MFA_REQUIRED_FOR that `user` has (empty: a second factor is optional)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return []
    roles = []
    for role in settings.MFA_REQUIRED_FOR:
        predicate = _role_predicates.get(role)
        if predicate is not None and predicate(user):
            roles.append(role)
    return roles


def second_factor_required(user: AnyUser) -> bool:
    """Whether the operator requires a second factor of this person (MFA_REQUIRED_FOR)."""
    return bool(mfa_required_roles(user))


# --- reads ---


def _totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def mfa_enabled(user: AnyUser) -> bool:
    """Whether the person has turned the second factor on (a confirmed authenticator app):
    `User.has_second_factor`, which `_device_changed` keeps in step with the devices. Not a
    cache: a per-process cache let a second web worker skip the code after it was turned on."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return bool(user.has_second_factor)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_secret(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32, in groups of four."""
    raw = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def totp_pending_device(user: User) -> TOTPDevice | None:
    """The authenticator app being set up (not yet confirmed), if any."""
    return _totp_device(user, confirmed=False)


def session_device_verified(user: AnyUser, persistent_id: str | None) -> bool:
    """Whether the device id a session holds (django_otp.login) is a confirmed device of
    `user`: the same test django-otp's middleware makes, for the WebSocket stack."""
    if not persistent_id or not isinstance(user, User):
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user.pk and bool(device.confirmed)


SessionState = Literal["ok", "verify", "enrol"]


def session_second_factor_state(user: AnyUser, *, verified: bool) -> SessionState:
    """What a logged-in session may do: "ok"; "verify" (the person has a second factor and this
    session has not passed it); "enrol" (the operator requires one and the person has none)."""
    if verified or not isinstance(user, User) or not user.is_authenticated:
        return "ok"
    if mfa_enabled(user):
        return "verify"
    if settings.MFA_REQUIRED_FOR and second_factor_required(user):
        return "enrol"
    return "ok"


# --- a second factor the single sign-on provider already asked for ---

# `amr` values (RFC 8176) that mean the provider checked more than a password.
PROVIDER_MFA_AMR = ("mfa", "otp", "hwk", "swk")
# Where mozilla-django-oidc keeps the ID token of an SSO login (OIDC_STORE_ID_TOKEN).
OIDC_ID_TOKEN_SESSION_KEY = "oidc_id_token"


def provider_claims_second_factor(claims: dict[str, Any]) -> bool:
    """Whether ID token claims say the provider asked for a second factor, and the operator
    trusts that (OIDC_TRUST_PROVIDER_MFA): `amr` holds one of PROVIDER_MFA_AMR, or `acr` is
    one of OIDC_MFA_ACR_VALUES."""
    if not getattr(settings, "OIDC_TRUST_PROVIDER_MFA", False) or not isinstance(claims, dict):
        return False
    amr = claims.get("amr")
    amr_values = [amr] if isinstance(amr, str) else amr if isinstance(amr, list) else []
    if any(str(value).lower() in PROVIDER_MFA_AMR for value in amr_values):
        return True
    acr = claims.get("acr")
    return bool(acr) and str(acr) in getattr(settings, "OIDC_MFA_ACR_VALUES", [])


def _id_token_claims(token: Any) -> dict[str, Any]:
    """The payload of an ID token kept in the session. Its signature, audience and issuer were
    checked at the login that stored it (accounts.oidc); the session lives on the server."""
    if not isinstance(token, str) or token.count(".") != 2:
        return {}
    payload = token.split(".")[1]
    try:
        claims = json.loads(urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, TypeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def session_provider_verified(session: Any) -> bool:
    """Whether this session's SSO login came with a second factor Konvoi trusts."""
    if session is None or not getattr(settings, "OIDC_TRUST_PROVIDER_MFA", False):
        return False
    return provider_claims_second_factor(_id_token_claims(session.get(OIDC_ID_TOKEN_SESSION_KEY)))


def request_second_factor_verified(request: HttpRequest) -> bool:
    """The one answer to "has this web session passed a second factor?": a Konvoi code
    (django-otp's OTPMiddleware: request.user.is_verified()) or a trusted provider's."""
    user = getattr(request, "user", None)
    if user is not None and hasattr(user, "is_verified") and user.is_verified():
        return True
    return session_provider_verified(getattr(request, "session", None))


def session_second_factor_state_from_session(user: AnyUser, session: Any) -> SessionState:
    """session_second_factor_state for a session object (WebSocket scope['session'])."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    verified = session_device_verified(user, persistent_id) or session_provider_verified(session)
    return session_second_factor_state(user, verified=verified)


def token_issue_allowed(user: AnyUser, verified: bool) -> bool:
    """Whether an API token may be made for this person now. `verified`: the session passed the
    second factor (request.user.is_verified()) or a code was checked with mfa_verify. Someone
    with a second factor needs it verified; someone who must have one and has none, never."""
    if verified:
        return True
    return not mfa_enabled(user) and not second_factor_required(user)


# --- writes ---


@transaction.atomic
def totp_enrolment_start(*, user: User) -> tuple[TOTPDevice, str]:
    """Begin setting up an authenticator app: a new secret (any earlier unconfirmed one is
    replaced). Returns the device and its otpauth:// URL (for the QR code)."""
    if mfa_enabled(user):
        raise ValidationError(
            {"code": [_("Two-factor authentication is already on. Turn it off first.")]}
        )
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=_("Authenticator app")[:64], confirmed=False)
    return device, device.config_url


def _code_clean(code: str) -> str:
    """Spaces and dashes dropped, lower case: codes are read aloud, copied, typed on phones."""
    return re.sub(r"[\s-]+", "", code or "").lower()


def _recovery_codes_make(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        token = StaticToken.random_token()  # 8 characters, base32, lower case
        StaticToken.objects.create(device=device, token=token)
        codes.append(f"{token[:4]}-{token[4:]}")
    return codes


def _current_password_check(user: User, password: str) -> None:
    """The current password, for changing the second factor (rate-limited per person). An
    account without a usable password (single sign-on only) has none to prove: its session
    already passed the provider's login, and that is the proof."""
    if not user.has_usable_password():
        return
    if not password_check_allowed(user_id=user.pk):
        raise ValidationError({"password": [password_check_limited_message()]})
    if not user.check_password(password or ""):
        raise ValidationError({"password": [_("The password is not correct.")]})


def totp_enrolment_confirm(
    *,
    user: User,
    code: str,
    password: str = "",
    request: HttpRequest | None = None,
    keep_token_id: int | None = None,
) -> tuple[TOTPDevice, list[str]]:
    """Turn the second factor on with the current password (see _current_password_check) and
    the first code the app shows: someone holding only a session or an API token must not lock
    the owner out with their own app. Returns the device and the ten recovery codes: they are
    shown this once (stored, like django-otp does, for comparison only).

    Turning it on ends the person's other sessions and revokes their API tokens, keeping the
    session of `request` and the token `keep_token_id` (the API call's own): whoever else held
    one must now log in again, with the code."""
    _current_password_check(user, password)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise ValidationError(
                {"code": [_("Please start setting up the authenticator app again.")]}
            )
        allowed, _info = device.verify_is_allowed()
        ok = allowed and device.verify_token(_code_clean(code))
    if not ok:
        audit_record(
            action=Action.MFA_FAILED,
            user=user,
            request=request,
            target=f"totp:{device.pk}",
            data={"step": "enrolment"},
        )
        raise ValidationError({"code": [_wrong_code_message(None if allowed else device)]})
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _recovery_codes_make(user)
        audit_record(action=Action.MFA_ENABLED, user=user, request=request, target="totp")
    for listener in _enabled_listeners:
        listener(user=user, request=request, keep_token_id=keep_token_id)
    return device, codes


class SecondFactorEnabledListener(Protocol):
    def __call__(
        self, *, user: User, request: HttpRequest | None, keep_token_id: int | None
    ) -> None: ...


# What must follow turning the second factor on (ending the other sessions and tokens). Those
# live in accounts.sessions and accounts.services, which import this module, so they register
# here (accounts.apps) instead of being imported: no import cycle inside the app.
_enabled_listeners: list[SecondFactorEnabledListener] = []


def second_factor_enabled_listen(listener: SecondFactorEnabledListener) -> None:
    """Register `listener` (idempotent: ready() may run twice in tests)."""
    if listener not in _enabled_listeners:
        _enabled_listeners.append(listener)


def _wrong_code_message(throttled: TOTPDevice | StaticDevice | None) -> str:
    if throttled is not None:
        allowed, info = throttled.verify_is_allowed()
        if not allowed and info and info.get("locked_until"):
            seconds = max(1, int((info["locked_until"] - timezone.now()).total_seconds()) + 1)
            return _("Too many wrong codes. Please wait %(seconds)d seconds and try again.") % {
                "seconds": seconds
            }
    return _("This code is not correct. Please check it and try again.")


def mfa_verify(*, user: User, code: str, request: HttpRequest | None = None) -> Device | None:
    """The device that accepts `code` (six digits from the app, or a recovery code, which is
    used up), or None. Wrong codes are audited and slow the next try down (django-otp's
    throttling); a throttled device refuses even the right code until its wait is over."""
    device, _message = mfa_verify_explained(user=user, code=code, request=request)
    return device


def mfa_verify_explained(
    *, user: User, code: str, request: HttpRequest | None = None
) -> tuple[Device | None, str]:
    """mfa_verify, with the message to show when it fails (wrong, or wait so many seconds)."""
    cleaned = _code_clean(code)
    if not cleaned or not mfa_enabled(user):
        return None, _("This code is not correct. Please check it and try again.")
    # Six digits are the app's; anything else can only be a recovery code. Each kind is tried
    # on its own device, so each device's throttle counts only its own wrong guesses.
    kind = "totp" if cleaned.isdigit() and len(cleaned) <= 8 else "recovery"
    with transaction.atomic():
        model = TOTPDevice if kind == "totp" else StaticDevice
        device = (
            model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk")
        ).first()
        if device is None:
            allowed, ok = True, False
        else:
            allowed, _info = device.verify_is_allowed()
            ok = allowed and device.verify_token(cleaned)
        left = recovery_codes_left(user) if ok and kind == "recovery" else 0
    if ok:
        assert device is not None
        if kind == "recovery":
            audit_record(
                action=Action.MFA_RECOVERY_USED,
                user=user,
                request=request,
                target="recovery",
                data={"left": left},
            )
        return device, ""
    reused = allowed and kind == "totp" and _totp_just_used(device, cleaned)
    audit_record(
        action=Action.MFA_FAILED,
        user=user,
        request=request,
        target=kind,
        data={"throttled": not allowed, **({"reused": True} if reused else {})},
    )
    if reused:
        return None, _("This code was just used. Please wait for the next one.")
    return None, _wrong_code_message(None if allowed else device)


def _totp_just_used(device: Device | None, code: str) -> bool:
    """Whether a refused app code is right for now but its time step was already used
    (django-otp accepts each step once: last_t), i.e. the same code entered twice."""
    if not isinstance(device, TOTPDevice) or device.last_t < 0:
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return bool(totp.verify(int(code), device.tolerance))


def mfa_login_complete(*, user: User, request: HttpRequest, device: Device) -> None:
    """The code after the password was accepted: the session is verified from now on, and the
    login (audited as LOGIN_PENDING at the password) is recorded as LOGIN."""
    otp_login(request, device)
    audit_record(
        action=Action.LOGIN,
        user=user,
        request=request,
        data={"second_factor": "recovery" if isinstance(device, StaticDevice) else "totp"},
    )


def _code_check(user: User, code: str, request: HttpRequest | None) -> Device:
    device, message = mfa_verify_explained(user=user, code=code, request=request)
    if device is None:
        raise ValidationError({"code": [message]})
    return device


def recovery_codes_regenerate(
    *, user: User, code: str, request: HttpRequest | None = None
) -> list[str]:
    """Ten new recovery codes for a code from the app (or a recovery code); the old ones stop
    working. Returned this once."""
    if not mfa_enabled(user):
        raise ValidationError({"code": [_("Two-factor authentication is off.")]})
    _code_check(user, code, request)
    with transaction.atomic():
        codes = _recovery_codes_make(user)
        audit_record(
            action=Action.MFA_RECOVERY_REGENERATED, user=user, request=request, target="recovery"
        )
    return codes


def mfa_disable(
    *, user: User, code: str, password: str = "", request: HttpRequest | None = None
) -> None:
    """Turn the second factor off, with the password and a code; an account without a usable
    password (single sign-on only), with the code alone. Refused while the operator requires
    it of this person."""
    if not mfa_enabled(user):
        raise ValidationError({"code": [_("Two-factor authentication is already off.")]})
    if second_factor_required(user):
        raise ValidationError(
            _(
                "Your role requires two-factor authentication, so it cannot be turned off. "
                "If you lost your phone, make new recovery codes or set up the app again "
                "with the help of the operator."
            )
        )
    _current_password_check(user, password)
    _code_check(user, code, request)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        user.refresh_from_db(fields=["has_second_factor"])  # set by _device_changed
        audit_record(action=Action.MFA_DISABLED, user=user, request=request, target="totp")


def _device_changed(sender: type, instance: Device, **kwargs: Any) -> None:
    """Any save or delete of a device (here, in the admin, in a shell) sets
    User.has_second_factor from the devices themselves, in the same transaction."""
    enabled = TOTPDevice.objects.filter(user_id=instance.user_id, confirmed=True).exists()
    User.objects.filter(pk=instance.user_id).update(has_second_factor=enabled)
    # The instance the caller holds (often request.user) says the same from now on.
    cached_user = instance._state.fields_cache.get("user")
    if isinstance(cached_user, User):
        cached_user.has_second_factor = enabled


for _model in (TOTPDevice, StaticDevice):
    post_save.connect(_device_changed, sender=_model, dispatch_uid=f"mfa-cache-{_model.__name__}")
    post_delete.connect(
        _device_changed, sender=_model, dispatch_uid=f"mfa-cache-del-{_model.__name__}"
    )


def api_token_second_factor_check(*, user: User, otp: str, request: HttpRequest | None) -> None:
    """Before an API token is made from e-mail and password: someone with a second factor must
    send a valid code (`otp`); someone who must have one and has none is told to set it up.
    Raises ValidationError {"otp": [...]}; wrong codes are audited and throttled (mfa_verify)."""
    if mfa_enabled(user):
        if not (otp or "").strip():
            raise ValidationError(
                {
                    "otp": [
                        _(
                            "Two-factor authentication is on: please send the code from "
                            "your app as otp."
                        )
                    ]
                }
            )
        device, message = mfa_verify_explained(user=user, code=otp, request=request)
        if device is None:
            raise ValidationError({"otp": [message]})
        return
    if not token_issue_allowed(user, verified=False):
        raise ValidationError(
            {
                "otp": [
                    _(
                        "Your role requires two-factor authentication. Please set it up in your "
                        "profile first (Profile › Two-factor authentication)."
                    )
                ]
            }
        )
