"""Writes for accounts: registration, profile changes, passwords, API tokens."""

import secrets
from collections.abc import Callable
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone as dj_timezone
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from accounts.events import credentials_changed_on_commit, tokens_revoked_on_commit
from accounts.models import ApiToken, User, validate_timezone
from accounts.sessions import (
    user_sessions_end_on_password_change,
    user_sessions_revoke_others,
)
from accounts.text import name_clean
from audit.models import Action
from audit.services import audit_record
from legal.links import email_footer_text


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
def api_token_create(
    *, user: User, name: str = "", request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
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
        audit_record(
            action=Action.TOKEN_REVOKED,
            user=user,
            request=request,
            data={"count": len(stale), "reason": "limit"},
        )
    token, secret = ApiToken.objects.create(user=user, expiry=_token_ttl(), name=name.strip()[:100])
    audit_record(
        action=Action.TOKEN_CREATED,
        user=user,
        request=request,
        target=f"token:{token.pk}",
        data={"token_name": token.name},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(
    *, token: ApiToken, actor: User | None = None, request: HttpRequest | None = None
) -> None:
    """Revoke one token: it stops working at once and its open sockets close after commit.
    `actor`: who revoked it, if not its owner (an admin)."""
    token_id = token.pk
    ApiToken.objects.filter(pk=token_id).delete()
    tokens_revoked_on_commit(token_ids=[token_id])
    audit_record(
        action=Action.TOKEN_REVOKED,
        user=token.user,
        actor=actor,
        request=request,
        target=f"token:{token_id}",
        data={"token_name": token.name},
    )


@transaction.atomic
def api_tokens_revoke_all(
    *,
    user: User,
    actor: User | None = None,
    request: HttpRequest | None = None,
    reason: str = "all",
    keep_token_id: int | None = None,
) -> int:
    """Revoke every API token of `user` (logout everywhere, password change or reset), but
    `keep_token_id` (the one making the request, when it should go on working)."""
    tokens = ApiToken.objects.filter(user=user).exclude(pk=keep_token_id)
    token_ids = list(tokens.values_list("pk", flat=True))
    ApiToken.objects.filter(pk__in=token_ids).delete()
    tokens_revoked_on_commit(token_ids=token_ids)
    if token_ids:
        audit_record(
            action=Action.TOKEN_REVOKED,
            user=user,
            actor=actor,
            request=request,
            data={"count": len(token_ids), "reason": reason},
        )
    return len(token_ids)


@transaction.atomic
def user_password_set(
    *,
    user: User,
    password: str | None,
    keep_session_key: str | None = None,
    actor: User | None = None,
    request: HttpRequest | None = None,
    reset: bool = False,
) -> User:
    """Set a new password (reset, admin; None: no usable password). Every API token dies with
    the old password; sessions end through Django's session hash check, and after commit every
    open socket of the person re-checks its login at once: the sockets of other sessions and
    of the tokens close (the re-check's rule, accounts.consumers.credentials_valid)."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    # `reset`: through a reset link; `actor`: who set it, if not the person (an admin).
    audit_record(
        action=Action.PASSWORD_RESET if reset else Action.PASSWORD_CHANGED,
        user=user,
        actor=actor,
        request=request,
    )
    api_tokens_revoke_all(user=user, actor=actor, request=request, reason="password")
    # Their rows and stored sessions too; `keep_session_key`: the browser that made the change.
    user_sessions_end_on_password_change(user, keep_session_key)
    credentials_changed_on_commit(user_id=user.pk)
    # The person proved they own the address: the failed logins against it (which also count
    # towards their network's block) no longer stand, or the lockout page's advice would not work.
    axes_reset(username=user.email.strip().lower())
    return user


# --- changing the e-mail address ----------------------------------------------------------
# The new address must prove it is the person's: a signed link goes there, and only opening
# it changes the account. The link carries the old address and a random code that each request
# stores on the person (User.email_change_nonce): only the latest request's link works, and
# only once (the code is cleared on success), even if the address is changed back later.

EMAIL_CHANGE_SALT = "accounts.email_change"


def _email_taken(email: str, *, exclude: int) -> bool:
    return User.objects.filter(email__iexact=email).exclude(pk=exclude).exists()


def _mail(*, user: User, to: str, subject: str, body: str) -> None:
    EmailMessage(
        subject,
        f"{body}\n\n-- \n{email_footer_text(user.language)}",  # imprint and privacy links
        settings.DEFAULT_FROM_EMAIL,
        [to],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    ).send()


def user_email_change_request(
    *, user: User, new_email: str, password: str, link_for: Callable[[str], str]
) -> str:
    """Send a confirmation link to `new_email` (checked: the current password, the address
    free and different). `link_for(token)` builds the absolute link: the interface knows the
    page, the domain does not. Returns the token."""
    new_email = User.objects.normalize_email(new_email).strip().lower()
    if not user.check_password(password):
        raise ValidationError({"password": [_("Your current password is not correct.")]})
    if new_email == user.email.lower():
        raise ValidationError({"email": [_("This is already your e-mail address.")]})
    if _email_taken(new_email, exclude=user.pk):
        raise ValidationError({"email": [_("An account with this e-mail address exists.")]})
    # A new code voids the links of earlier requests.
    nonce = secrets.token_urlsafe(16)
    User.objects.filter(pk=user.pk).update(email_change_nonce=nonce)
    user.email_change_nonce = nonce
    token = signing.dumps(
        {"user": user.pk, "old": user.email.lower(), "new": new_email, "nonce": nonce},
        salt=EMAIL_CHANGE_SALT,
    )
    hours = settings.EMAIL_CHANGE_LINK_HOURS
    with translation.override(user.language):
        _mail(
            user=user,
            to=new_email,
            subject=_("Confirm your new e-mail address for Konvoi"),
            body=_(
                "Hello %(name)s,\n\n"
                "please confirm that Konvoi should use this e-mail address for your account "
                "from now on:\n\n%(link)s\n\n"
                "The link is valid for %(hours)s hours. Until you open it, your account keeps "
                "the address %(old)s. If you did not ask for this, ignore this e-mail."
            )
            % {"name": user.name, "link": link_for(token), "hours": hours, "old": user.email},
        )
    return token


def email_change_read(*, token: str) -> tuple[User, str]:
    """The person and the new address of a confirmation link, or a ValidationError when the
    link is forged, expired, already used or replaced by a later request."""
    invalid = ValidationError(
        {"token": [_("This link is not valid any more. Please ask for a new one.")]}
    )
    try:
        data = signing.loads(
            token, salt=EMAIL_CHANGE_SALT, max_age=settings.EMAIL_CHANGE_LINK_HOURS * 3600
        )
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise invalid from exc
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    nonce = data.get("nonce")
    if (
        user is None
        or user.email.lower() != data.get("old")
        or not isinstance(nonce, str)
        or not user.email_change_nonce
        or not constant_time_compare(user.email_change_nonce, nonce)
    ):
        raise invalid
    return user, data["new"]


def _login_records_rekey(*, old: str, new: str) -> None:
    """The login-attempt records (django-axes) of the old address move to the new one: the
    history stays with the account, and deleting the account (which deletes them by its
    current address) finds them. An attempt row for the new address from the same address and
    browser already exists (someone typed it before): the counts merge into it."""
    new_key = new.strip().lower()
    old_rows = AccessAttempt.objects.filter(username__iexact=old)
    for row in old_rows.select_for_update().order_by("pk"):
        same = AccessAttempt.objects.filter(
            username=new_key, ip_address=row.ip_address, user_agent=row.user_agent
        ).first()
        if same is None:
            AccessAttempt.objects.filter(pk=row.pk).update(username=new_key)
        else:
            AccessAttempt.objects.filter(pk=same.pk).update(
                failures_since_start=same.failures_since_start + row.failures_since_start
            )
            row.delete()
    AccessLog.objects.filter(username__iexact=old).update(username=new_key)
    AccessFailureLog.objects.filter(username__iexact=old).update(username=new_key)


@transaction.atomic
def user_email_change_confirm(*, token: str, request: HttpRequest | None = None) -> User:
    """Make the change a confirmation link asks for; the old address is told."""
    user, new_email = email_change_read(token=token)
    User.objects.select_for_update().filter(pk=user.pk).first()
    # Read again under the lock: two confirmations of one link, racing, change it once.
    user, new_email = email_change_read(token=token)
    if _email_taken(new_email, exclude=user.pk):
        raise ValidationError({"email": [_("An account with this e-mail address exists.")]})
    old_email = user.email
    user.email = new_email
    user.email_change_nonce = ""  # the link is used up
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_change_nonce"])
    except IntegrityError as exc:
        raise ValidationError(
            {"email": [_("An account with this e-mail address exists.")]}
        ) from exc
    _login_records_rekey(old=old_email, new=new_email)
    with translation.override(user.language):
        subject = _("Your Konvoi e-mail address was changed")
        body = _(
            "Hello %(name)s,\n\n"
            "your Konvoi account now uses the e-mail address %(new)s instead of %(old)s. "
            "From now on, log in with the new address.\n\n"
            "If you did not make this change, contact the moderation of your convoy at once."
        ) % {"name": user.name, "new": new_email, "old": old_email}
    transaction.on_commit(lambda: _mail(user=user, to=old_email, subject=subject, body=body))
    # No addresses in the entry: it outlives the account (erasure clears only the origin).
    audit_record(action=Action.EMAIL_CHANGED, user=user, request=request, target=f"user:{user.pk}")
    return user


@transaction.atomic
def user_password_change(
    *,
    user: User,
    old_password: str,
    new_password: str,
    keep_session_key: str | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Change one's own password: the current one is required and the new one must follow the
    password rules. Like a reset, it revokes every API token and ends the other sessions."""
    if not user.check_password(old_password):
        raise ValidationError({"old_password": [_("Your current password is not correct.")]})
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    return user_password_set(
        user=user, password=new_password, keep_session_key=keep_session_key, request=request
    )


def other_access_end_on_second_factor(
    *, user: User, request: HttpRequest | None, keep_token_id: int | None
) -> None:
    """Turning the second factor on ends every other session and API token (but this
    request's), so whoever held one without the new factor is out (accounts.mfa calls it)."""
    session = getattr(request, "session", None)
    keep_session_key = session.session_key if session is not None else None
    user_sessions_revoke_others(user, keep_session_key, request=request)
    api_tokens_revoke_all(
        user=user, request=request, reason="mfa_enabled", keep_token_id=keep_token_id
    )
