"""Writes for accounts: registration, profile changes, API tokens."""

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.models import User, validate_timezone
from accounts.text import name_clean


def handle_allocate(*, name: str) -> str:
    """A free @handle derived from a display name: 'Anna Schmidt' → 'anna_schmidt', '…2', …"""
    base = re.sub(r"[^a-z0-9_]", "", slugify(name).replace("-", "_"))[:26] or "user"
    if len(base) < 2:
        base = f"{base}_x"
    taken = set(User.objects.filter(handle__startswith=base).values_list("handle", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


@transaction.atomic
def user_register(
    *, email: str, password: str, name: str, language: str = "de", timezone: str = "Europe/Berlin"
) -> User:
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
    user = User(email=email, name=name, language=language, timezone=timezone)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.handle = handle_allocate(name=name)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
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


def token_for_user(*, user: User) -> str:
    token, _created = Token.objects.get_or_create(user=user)
    return token.key
