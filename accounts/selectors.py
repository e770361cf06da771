"""Reads for accounts (the /me/ payload, which spans apps, is overview.me)."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import ApiToken, User


def api_tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The person's API tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user).filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    )
