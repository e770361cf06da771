"""Reads for convoys, always scoped to the person asking.

Visibility rule, decided here once: a convoy is visible to its facilitators and to the people of
its active member companies; to anyone else it does not exist (404).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from companies.models import Company, CompanyMember
from companies.selectors import companies_for_user
from convoys.models import (
    Convoy,
    Event,
    Facilitator,
    Invitation,
    Membership,
    MembershipStatus,
    active_membership_q,
)
from modelutils import MAX_ID


def convoys_for_user(*, user: User) -> QuerySet[Convoy]:
    if not user.is_authenticated:
        return Convoy.objects.none()
    facilitates = Facilitator.objects.filter(convoy=OuterRef("pk"), user=user)
    member = Membership.objects.active().filter(
        convoy=OuterRef("pk"),
        company__in=CompanyMember.objects.filter(user=user).values("company_id"),
    )
    return Convoy.objects.filter(Q(Exists(facilitates)) | Q(Exists(member)))


def companies_visible_to(*, user: User) -> QuerySet[Company]:
    """Companies the user may see: their own, and the active member companies of the convoys
    they see (peers see each other; a facilitator sees every company of their convoys)."""
    if not user.is_authenticated:
        return Company.objects.none()
    peer = Membership.objects.active().filter(
        company=OuterRef("pk"),
        convoy__in=convoys_for_user(user=user).values("pk"),
    )
    # One query: WHERE EXISTS(own) OR EXISTS(peer).
    return companies_for_user(user=user) | Company.objects.filter(Exists(peer))


def company_page_companies(*, user: User) -> QuerySet[Company]:
    """Companies whose page (people and their contacts, projects) the user may open: their own,
    and the active member companies of the convoys they facilitate (a facilitator needs the
    contact to reach the firm). Convoy peers see each other on the dashboard, not here."""
    if not user.is_authenticated:
        return Company.objects.none()
    facilitated = Membership.objects.active().filter(
        company=OuterRef("pk"),
        convoy__in=Facilitator.objects.filter(user=user).values("convoy_id"),
    )
    return companies_for_user(user=user) | Company.objects.filter(Exists(facilitated))


def company_convoys_for_viewer(*, user: User, company_id: int, is_member: bool) -> QuerySet[Convoy]:
    """The convoys a company is an active member of, as its page shows them: all of them to its
    own people, and to a facilitator who is not one of them only the convoys they facilitate
    (the others are not theirs to know about). `is_facilitator` is annotated."""
    facilitates = Exists(Facilitator.objects.filter(convoy=OuterRef("pk"), user=user))
    convoys = company_convoys(company_id=company_id)
    if not is_member:
        convoys = convoys.filter(facilitates)
    return convoys.annotate(is_facilitator=facilitates)  # type: ignore[no-redef]  # declared on Convoy


def convoy_list_for_user(*, user: User) -> QuerySet[Convoy]:
    """Convoys the user sees, with counts for list pages, in a constant number of queries."""
    if not user.is_authenticated:
        return Convoy.objects.none()
    return (
        convoys_for_user(user=user)  # type: ignore[no-redef]  # Convoy declares is_facilitator
        .select_related("programme")
        .annotate(
            company_count=Count("memberships", filter=active_membership_q(), distinct=True),
            is_facilitator=Exists(Facilitator.objects.filter(convoy=OuterRef("pk"), user=user)),
        )
        .order_by("name", "id")
    )


def is_facilitator(*, user: User, convoy_id: int, known: object = None) -> bool:
    """Whether the user facilitates the convoy: the one facilitator check of services, APIs
    and pages. `known`: a row from a selector that annotated `is_facilitator` for this user
    (convoy_list_for_user, checkin_detail_queryset); its answer is used without a query."""
    annotated = getattr(known, "is_facilitator", None)
    if annotated is not None:
        return bool(annotated)
    if not user.is_authenticated:
        return False
    return Facilitator.objects.filter(user=user, convoy_id=convoy_id).exists()


def require_facilitator(*, user: User, convoy_id: int, known: object = None) -> None:
    """PermissionDenied unless the user facilitates the convoy (see is_facilitator)."""
    if not is_facilitator(user=user, convoy_id=convoy_id, known=known):
        raise PermissionDenied(_("Only a facilitator of this convoy may do this."))


def convoy_member_companies_of_user(*, user: User, convoy_id: int) -> list[int]:
    """Ids of the user's companies that are active members of the convoy (those they act for
    there: post updates, file check-in reports), ascending."""
    return list(
        Membership.objects.active()
        .filter(convoy_id=convoy_id, company__members__user=user)
        .order_by("company_id")
        .values_list("company_id", flat=True)
    )


def convoy_company_members(*, convoy_id: int) -> QuerySet[CompanyMember]:
    """The people of the convoy's active member companies, one row per person and company."""
    return CompanyMember.objects.filter(
        active_membership_q("company__memberships"), company__memberships__convoy_id=convoy_id
    )


def convoy_people(*, convoy_id: int, include_inactive: bool = False) -> QuerySet[User]:
    """Everyone who belongs to the convoy: its facilitators and the people of its active
    member companies, each once, in one query. Deactivated accounts only if asked for."""
    facilitates = Facilitator.objects.filter(convoy_id=convoy_id, user=OuterRef("pk"))
    member = convoy_company_members(convoy_id=convoy_id).filter(user=OuterRef("pk"))
    people = User.objects.filter(Q(Exists(facilitates)) | Q(Exists(member)))
    return people if include_inactive else people.filter(is_active=True)


def company_convoys(*, company_id: int) -> QuerySet[Convoy]:
    """Convoys in which the company is an active member (where it can share projects)."""
    return Convoy.objects.filter(
        active_membership_q(), memberships__company_id=company_id
    ).order_by("name", "id")


def convoy_memberships(*, convoy: Convoy) -> QuerySet[Membership]:
    return (
        Membership.objects.active()
        .filter(convoy=convoy)
        .select_related("company")
        .order_by("company__name", "company_id")
    )


def convoy_facilitators(*, convoy: Convoy) -> QuerySet[Facilitator]:
    return Facilitator.objects.filter(convoy=convoy).select_related("user").order_by("id")


def convoy_invitations(*, convoy: Convoy) -> QuerySet[Invitation]:
    return Invitation.objects.filter(convoy=convoy).select_related("company", "invited_by")


def events_after(*, convoy: Convoy, after: int = 0) -> QuerySet[Event]:
    """The convoy's log after seq `after`, ascending."""
    return (
        Event.objects.filter(convoy=convoy, seq__gt=after).select_related("actor").order_by("seq")
    )


def events_recent(*, convoy: Convoy, limit: int = 20) -> list[Event]:
    """The newest events, oldest first (for an activity feed)."""
    events = list(
        Event.objects.filter(convoy=convoy).select_related("actor").order_by("-seq")[:limit]
    )
    events.reverse()
    return events


def convoy_summary(convoy: Convoy) -> dict[str, Any]:
    return {
        "id": convoy.pk,
        "name": convoy.name,
        "status": convoy.status,
        "timezone": convoy.timezone,
        "update_cadence_days": convoy.update_cadence_days,
        "last_event_seq": convoy.last_event_seq,
    }


def _visible_convoy_sql() -> str:
    convoy, facilitator, membership = (
        Convoy._meta.db_table,
        Facilitator._meta.db_table,
        Membership._meta.db_table,
    )
    member = CompanyMember._meta.db_table
    return (
        f"SELECT c.* FROM {convoy} c WHERE c.id = %s AND ("  # noqa: S608 - table names only
        f"EXISTS (SELECT 1 FROM {facilitator} f WHERE f.convoy_id = c.id AND f.user_id = %s)"
        f" OR EXISTS (SELECT 1 FROM {membership} m JOIN {member} cm"
        f" ON cm.company_id = m.company_id WHERE m.convoy_id = c.id"
        f" AND m.status = %s AND cm.user_id = %s))"
    )


def convoy_visible(*, user: User, convoy_id: int) -> Convoy | None:
    """The convoy if the user may see it, else None: the rule of convoys_for_user, written as
    one precompiled statement for the hottest read (every open dashboard). Kept equal to
    convoys_for_user by tests/convoys/test_visibility.py."""
    if not user.is_authenticated or not 0 < convoy_id <= MAX_ID:
        return None  # raw SQL: an id out of the key's range would fail in the database
    params = [convoy_id, user.pk, MembershipStatus.ACTIVE.value, user.pk]
    return next(iter(Convoy.objects.raw(_VISIBLE_CONVOY_SQL, params)), None)


_VISIBLE_CONVOY_SQL = _visible_convoy_sql()
