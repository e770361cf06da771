"""Writes for accounts: registration, profile changes, passwords, API tokens."""

from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _

from accounts.events import tokens_revoked_on_commit
from accounts.models import ApiToken, User, validate_timezone
from accounts.text import name_clean


@transaction.atomic
def user_register(
    *, email: str, password: str, name: str, language: str = "de", timezone: str = "Europe/Berlin"
) -> User:
    """Sign someone up: checks name, address, time zone and password rules, then writes the
    row through User.objects.create_user (the one place a User is created, with its @handle)."""
    email = User.objects.normalize_email(email).strip().lower()
    if not name.strip():
        raise ValidationError({"name": [_("Please enter your name.")]})
    name = name_clean(name)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [_("An account with this e-mail address exists.")]})
    try:
        validate_timezone(timezone)
    except ValidationError as exc:
        raise ValidationError({"timezone": exc.messages}) from exc
    candidate = User(email=email, name=name)  # unsaved: the similarity rules compare with it
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, password, name=name, language=language, timezone=timezone
            )
    except IntegrityError as exc:
        # Two registrations raced for the same address.
        raise ValidationError(
            {"email": [_("An account with this e-mail address exists.")]}
        ) from exc
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    name: str | None = None,
    language: str | None = None,
    timezone: str | None = None,
) -> User:
    fields = []
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": [_("Please enter your name.")]})
        user.name = name_clean(name)
        fields.append("name")
    if language is not None:
        user.language = language
        fields.append("language")
    if timezone is not None:
        try:
            validate_timezone(timezone)
        except ValidationError as exc:
            raise ValidationError({"timezone": exc.messages}) from exc
        user.timezone = timezone
        fields.append("timezone")
    if fields:
        user.save(update_fields=fields)
    return user


def _token_ttl() -> timedelta:
    return timedelta(days=settings.API_TOKEN_TTL_DAYS)


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for `user`; returns the row and the secret, which is shown only now
    (the database keeps a hash). Expired tokens of the person are dropped first.

    At API_TOKEN_LIMIT_PER_USER the least recently used tokens make room (a token's expiry
    moves on with use, so the earliest expiry is the longest unused): a script that logs in
    on every run, as clients of the old single-token endpoint do, keeps working.
    """
    ApiToken.objects.filter(user=user, expiry__lt=dj_timezone.now()).delete()
    keep = settings.API_TOKEN_LIMIT_PER_USER - 1
    stale = list(
        ApiToken.objects.filter(user=user)
        .order_by("-expiry", "-created")
        .values_list("pk", flat=True)[keep:]
    )
    if stale:
        ApiToken.objects.filter(pk__in=stale).delete()
        tokens_revoked_on_commit(token_ids=stale)
    return ApiToken.objects.create(user=user, expiry=_token_ttl(), name=name.strip()[:100])


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    """Revoke one token: it stops working at once and its open sockets close after commit."""
    token_id = token.pk
    ApiToken.objects.filter(pk=token_id).delete()
    tokens_revoked_on_commit(token_ids=[token_id])


@transaction.atomic
def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every API token of `user` (logout everywhere, password change or reset)."""
    token_ids = list(ApiToken.objects.filter(user=user).values_list("pk", flat=True))
    ApiToken.objects.filter(pk__in=token_ids).delete()
    tokens_revoked_on_commit(token_ids=token_ids)
    return len(token_ids)


@transaction.atomic
def user_password_set(*, user: User, password: str | None) -> User:
    """Set a new password (reset, admin; None: no usable password). Every API token dies with
    the old password; sessions end through Django's session hash check."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    api_tokens_revoke_all(user=user)
    # The person proved they own the address: the failed logins against it (which also count
    # towards their network's block) no longer stand, or the lockout page's advice would not work.
    axes_reset(username=user.email.strip().lower())
    return user
