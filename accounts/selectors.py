"""Reads for accounts."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import ApiToken, User
from companies.models import CompanyMember
from convoys.selectors import convoy_list_for_user


def user_profile(*, user: User) -> dict[str, Any]:
    """The user with their companies (and role) and convoys (and role), in three queries."""
    companies = [
        {"id": m.company_id, "name": m.company.name, "role": m.role}
        for m in CompanyMember.objects.filter(user=user)
        .select_related("company")
        .order_by("company__name", "company_id")
    ]
    convoys = [
        {"id": c.pk, "name": c.name, "role": "facilitator" if c.is_facilitator else "member"}
        for c in convoy_list_for_user(user=user)
    ]
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "handle": user.handle,
        "language": user.language,
        "timezone": user.timezone,
        "companies": companies,
        "convoys": convoys,
    }


def api_tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The person's API tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user).filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    )
