"""The /me/ payload: the person with their companies and convoys, each with their role.

A read model over accounts, companies and convoys; the account itself is read in
accounts.selectors.
"""

from typing import Any

from accounts.models import User
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
