"""Reads of the programmes app: who is staff where, and the querysets the views start from."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from programmes.models import Programme, Staff, StaffInvitation, StaffRole

AnyUser = User | AnonymousUser


def is_programme_staff(user: AnyUser) -> bool:
    """Manager or coach of at least one programme (MFA_REQUIRED_FOR's "programme_staff")."""
    if not user.is_authenticated:
        return False
    return Staff.objects.filter(user_id=user.pk).exists()


def programme_list_for_user(*, user: AnyUser) -> QuerySet[Programme]:
    """The programmes the user is staff of; nobody else sees a programme's inside."""
    if not user.is_authenticated:
        return Programme.objects.none()
    return Programme.objects.filter(staff_links__user_id=user.pk).distinct()


def staff_role(*, programme_id: int, user: AnyUser) -> StaffRole | None:
    """The user's role in the programme, or None if they are not staff."""
    if not user.is_authenticated:
        return None
    role = (
        Staff.objects.filter(programme_id=programme_id, user_id=user.pk)
        .values_list("role", flat=True)
        .first()
    )
    return StaffRole(role) if role else None


def is_manager(*, programme_id: int, user: AnyUser) -> bool:
    return staff_role(programme_id=programme_id, user=user) == StaffRole.MANAGER


def programme_for_staff(
    *, programme_id: int, user: AnyUser, manager: bool = False
) -> tuple[Programme, StaffRole]:
    """The programme and the user's role in it, for every view of its inside (API and pages).

    Not staff: Http404 (an outsider learns nothing, not even that it exists). Staff, but the
    action needs a manager and they are a coach: PermissionDenied (403).
    """
    link = (
        Staff.objects.select_related("programme")
        .filter(programme_id=programme_id, user_id=user.pk)
        .first()
        if user.is_authenticated
        else None
    )
    if link is None:
        raise Http404("No such programme.")
    if manager and link.role != StaffRole.MANAGER:
        raise PermissionDenied(_("Only the programme's managers may do this."))
    return link.programme, StaffRole(link.role)


def programmes_with_role(*, user: AnyUser) -> QuerySet[Programme]:
    """The user's programmes, each with `my_role` (one row per programme: staff is unique per
    programme and user, and the annotation reads the same join the filter uses)."""
    if not user.is_authenticated:
        return Programme.objects.none()
    return (
        Programme.objects.filter(staff_links__user_id=user.pk)
        .annotate(my_role=F("staff_links__role"))
        .order_by("name", "id")
    )


def programme_staff(*, programme: Programme) -> QuerySet[Staff]:
    """A programme's staff with their accounts, managers first."""
    return (
        Staff.objects.filter(programme=programme)
        .select_related("user")
        .order_by("-role", "user__name", "id")
    )


def staff_invitations_pending(*, programme: Programme) -> QuerySet[StaffInvitation]:
    """Invitations neither accepted nor withdrawn (expired ones too: they may be sent again)."""
    return StaffInvitation.objects.filter(
        programme=programme, accepted_at__isnull=True, revoked_at__isnull=True
    ).order_by("-created_at", "-id")


def programme_public(*, slug: str) -> Programme:
    """A programme's public face by its address; 404 for an unknown one."""
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        raise Http404("No such programme.")
    return programme
