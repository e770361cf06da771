"""Reads for companies, scoped to what a user may see."""

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User
from companies.models import Company, CompanyInvitation, CompanyMember, CompanyRole


def companies_for_user(*, user: User) -> QuerySet[Company]:
    """Companies the user belongs to (as owner or member). The wider set they may see, their
    convoy peers too, is a convoy rule: convoys.selectors.companies_visible_to."""
    if not user.is_authenticated:
        return Company.objects.none()
    own = CompanyMember.objects.filter(company=OuterRef("pk"), user=user)
    return Company.objects.filter(Exists(own))


def company_role(*, user: User, company: Company) -> str | None:
    """'owner', 'member' or None."""
    if not user.is_authenticated:
        return None
    return (
        CompanyMember.objects.filter(user=user, company=company)
        .values_list("role", flat=True)
        .first()
    )


def is_company_member(*, user: User, company_id: int) -> bool:
    return CompanyMember.objects.filter(user_id=user.pk, company_id=company_id).exists()


def is_company_owner(*, user: User, company_id: int) -> bool:
    return CompanyMember.objects.filter(
        user_id=user.pk, company_id=company_id, role=CompanyRole.OWNER
    ).exists()


def company_members(*, company: Company) -> QuerySet[CompanyMember]:
    return company.members.select_related("user").order_by("user__name", "id")


def companies_owned_by(*, user: User) -> QuerySet[Company]:
    """Companies in which the user is an owner (those they may act for, e.g. accept invitations)."""
    if not user.is_authenticated:
        return Company.objects.none()
    owned = Company.objects.filter(members__user=user, members__role=CompanyRole.OWNER)
    return owned.order_by("name", "id")


def company_invitations_pending(*, company: Company) -> QuerySet[CompanyInvitation]:
    """Invitations of the company that have not been accepted or withdrawn (expired ones too:
    they can be sent again)."""
    return CompanyInvitation.objects.filter(
        company=company, accepted_at__isnull=True, revoked_at__isnull=True
    ).order_by("-created_at", "-id")
