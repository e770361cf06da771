"""Writes for convoys: creation, settings, invitations and memberships.

Every change a convoy member should see is recorded as an Event in the same transaction.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.text import name_clean
from audit.services import Role, audit_role
from companies.models import Company
from companies.selectors import is_company_owner
from convoys.delivery import invitation_announce
from convoys.events import EventKind, event_record
from convoys.models import (
    Convoy,
    ConvoyStatus,
    Facilitator,
    Invitation,
    Membership,
    MembershipStatus,
)
from convoys.selectors import is_facilitator, require_facilitator
from live.publish import access_changed_on_commit
from modelutils.invitations import (
    invitation_expires_at,
    invitation_state_problem,
    token_hash,
    token_new,
)
from modelutils.update import model_update
from programmes.models import Programme, TouchKind
from programmes.selectors import staff_role
from programmes.services import company_touch

CONVOY_FIELDS = {
    "name",
    "description",
    "topic",
    "status",
    "timezone",
    "language",
    "update_cadence_days",
    "max_companies",
}


@transaction.atomic
def convoy_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    topic: str = "",
    timezone: str = "Europe/Berlin",
    language: str = "de",
    update_cadence_days: int = 14,
    max_companies: int | None = None,
    status: str = ConvoyStatus.FORMING,
    programme: int | None = None,
) -> Convoy:
    """A new convoy; the actor facilitates it. In a programme (`programme`, its id) only if
    the actor is on that programme's staff."""
    in_programme = _programme_of_staff(actor=actor, programme_id=programme)
    convoy = Convoy(
        name=name_clean(name),
        description=description,
        topic=topic,
        timezone=timezone,
        language=language,
        update_cadence_days=update_cadence_days,
        max_companies=max_companies,
        status=status,
        programme=in_programme,
    )
    convoy.full_clean()
    convoy.save()
    Facilitator.objects.create(convoy=convoy, user=actor)
    audit_role(granted=True, user=actor, role=Role.FACILITATOR, convoy=convoy.pk)
    return convoy


def _programme_of_staff(*, actor: User, programme_id: int | None) -> Programme | None:
    """The programme a convoy is to belong to, if the actor is on its staff. One message for
    "no such programme" and "not yours": the answer reveals no programme's existence."""
    if programme_id is None:
        return None
    if staff_role(programme_id=programme_id, user=actor) is None:
        raise ValidationError({"programme": [_("Choose a programme whose staff you belong to.")]})
    return Programme.objects.get(pk=programme_id)


def _programme_touch(*, convoy: Convoy, membership: Membership) -> None:
    """A company in a programme's convoy is in the programme's register (enrolled)."""
    programme = convoy.programme
    if programme is None:
        return
    company_touch(
        programme=programme,
        company=membership.company,
        kind=TouchKind.CONVOY_JOINED,
        source=f"convoy:{convoy.pk}",
        at=membership.joined_at,
        label=convoy.name,
    )


@transaction.atomic
def convoy_programme_set(*, convoy: Convoy, programme: int | None, by: User) -> Convoy:
    """Put a convoy into a programme (its id), move it to another, or take it out (None).
    Needs a facilitator of the convoy who is on the staff of the programme it joins and of
    the one it leaves. Every active member company enters the register of the programme it
    joins; a company's entry stays in the register of a programme it leaves (it was reached)."""
    require_facilitator(user=by, convoy_id=convoy.pk)
    convoy = Convoy.objects.select_for_update().get(pk=convoy.pk)
    if convoy.programme_id == programme:
        return convoy
    if (
        convoy.programme_id is not None
        and staff_role(programme_id=convoy.programme_id, user=by) is None
    ):
        raise ValidationError(
            {
                "programme": [
                    _("Only the programme's staff may take the convoy out of its programme.")
                ]
            }
        )
    convoy.programme = _programme_of_staff(actor=by, programme_id=programme)
    convoy.save(update_fields=["programme"])
    if convoy.programme is not None:
        for membership in (
            Membership.objects.active().filter(convoy=convoy).select_related("company")
        ):
            _programme_touch(convoy=convoy, membership=membership)
    return convoy


@transaction.atomic
def convoy_update(*, actor: User, convoy: Convoy, **fields: object) -> Convoy:
    require_facilitator(user=actor, convoy_id=convoy.pk)
    if "programme" in fields:
        programme = fields.pop("programme")
        if programme is not None and not isinstance(programme, int):
            raise ValidationError(
                {"programme": [_("Choose a programme whose staff you belong to.")]}
            )
        convoy = convoy_programme_set(convoy=convoy, programme=programme, by=actor)
    unknown = set(fields) - CONVOY_FIELDS
    if unknown:
        raise ValidationError({k: [_("This field cannot be changed.")] for k in unknown})
    name = fields.get("name")
    if isinstance(name, str):
        fields["name"] = name_clean(name)
    limit = fields.get("max_companies")
    if isinstance(limit, int) and limit != convoy.max_companies:
        # A limit only stops new companies; it never pushes out those already in.
        active = Membership.objects.active().filter(convoy=convoy).count()
        if limit < active:
            raise ValidationError(
                {
                    "max_companies": [
                        _(
                            "%(count)d companies are already in the convoy: the maximum "
                            "cannot be lower."
                        )
                        % {"count": active}
                    ]
                }
            )
    if not model_update(convoy, data=fields):
        return convoy  # nothing changes: no write, no convoy.updated event
    event_record(
        convoy_id=convoy.pk,
        kind=EventKind.CONVOY_UPDATED,
        data={"convoy": {"id": convoy.pk, "name": convoy.name, "status": convoy.status}},
        actor=actor,
    )
    convoy.refresh_from_db(fields=["last_event_seq"])
    return convoy


@transaction.atomic
def invitation_create(*, actor: User, convoy: Convoy, email: str) -> tuple[Invitation, str]:
    """Invite a company by e-mail. Returns the invitation and its one-time token."""
    require_facilitator(user=actor, convoy_id=convoy.pk)
    if convoy.status == ConvoyStatus.CLOSED:
        raise ValidationError({"convoy": [_("This convoy is closed.")]})
    token, hashed = token_new()
    invitation = Invitation(
        convoy=convoy,
        email=email.strip().lower(),
        token_hash=hashed,
        invited_by=actor,
        expires_at=invitation_expires_at(),
    )
    invitation.full_clean()
    invitation.save()
    invitation_announce(invitation=invitation, token=token, actor=actor)
    return invitation, token


def invitation_by_token(*, token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("convoy", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_problem(invitation: Invitation) -> str | None:
    """Why an invitation can no longer be used, or None."""
    problem = invitation_state_problem(
        invitation.state(),
        expired=_("This invitation has expired. Ask the facilitator for a new one."),
    )
    if problem is not None:
        return problem
    if invitation.convoy.status == ConvoyStatus.CLOSED:
        return _("This convoy is closed.")
    return None


def _address_key(email: str) -> str:
    return email.strip().casefold()


def invitation_is_for(*, invitation: Invitation, user: User) -> bool:
    """An invitation is accepted by the account of the address it was sent to, so that a
    forwarded or leaked link does not let someone else join the convoy."""
    return _address_key(user.email) == _address_key(invitation.email)


def invitation_mismatch_message(*, invitation: Invitation, user: User) -> str:
    # Whoever holds the link got it at that address: naming it tells them nothing new.
    return _(
        "This invitation is for %(email)s, but you are logged in as %(you)s. Log out and log "
        "in (or sign up) with %(email)s to accept it."
    ) % {"email": invitation.email, "you": user.email}


@transaction.atomic
def invitation_accept(*, actor: User, token: str, company: Company) -> Membership:
    """Accept an invitation on behalf of a company the actor owns: the company joins."""
    found = invitation_by_token(token=token)
    if found is None:
        raise ValidationError({"token": [_("This invitation link is not valid.")]})
    # Lock the convoy row first (the same order as event_record) so that the size limit and
    # single use hold under concurrent acceptances.
    convoy = Convoy.objects.select_for_update().get(pk=found.convoy_id)
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    invitation.convoy = convoy
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError({"token": [problem]})
    if not invitation_is_for(invitation=invitation, user=actor):
        raise PermissionDenied(invitation_mismatch_message(invitation=invitation, user=actor))
    if not is_company_owner(user=actor, company_id=company.pk):
        raise ValidationError({"company": [_("Only an owner of the company can accept for it.")]})
    active = Membership.objects.active().filter(convoy=convoy)
    if active.filter(company=company).exists():
        raise ValidationError({"company": [_("This company is already in the convoy.")]})
    if convoy.max_companies is not None and active.count() >= convoy.max_companies:
        raise ValidationError({"company": [_("This convoy is full.")]})
    membership = Membership.objects.create(convoy=convoy, company=company, invitation=invitation)
    _programme_touch(convoy=convoy, membership=membership)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.company = company
    invitation.save(update_fields=["accepted_at", "accepted_by", "company"])
    event_record(
        convoy_id=convoy.pk,
        kind=EventKind.MEMBERSHIP_JOINED,
        data={
            "membership": membership.pk,
            "company": {"id": company.pk, "name": company.name},
        },
        actor=actor,
    )
    return membership


def _invitation_for_change(*, actor: User, invitation: Invitation) -> Invitation:
    """The invitation locked for a facilitator's change; refused once it has been accepted."""
    require_facilitator(user=actor, convoy_id=invitation.convoy.pk)
    locked = Invitation.objects.select_for_update().select_related("convoy").get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ValidationError({"invitation": [_("This invitation has already been accepted.")]})
    return locked


# Invitations are the facilitators' business (members cannot list them), so revoking and
# resending record no convoy Event: no member's page changes.
@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Withdraw an open invitation: its link stops working. Revoking twice changes nothing."""
    invitation = _invitation_for_change(actor=actor, invitation=invitation)
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> tuple[Invitation, str]:
    """Send an invitation again with a new link, valid for the full period again (also after it
    expired). Only the token's hash is stored, so the old link cannot be mailed again: it is
    replaced, and stops working."""
    invitation = _invitation_for_change(actor=actor, invitation=invitation)
    if invitation.revoked_at is not None:
        raise ValidationError({"invitation": [_("This invitation was withdrawn.")]})
    if invitation.convoy.status == ConvoyStatus.CLOSED:
        raise ValidationError({"convoy": [_("This convoy is closed.")]})
    token, invitation.token_hash = token_new()
    invitation.expires_at = invitation_expires_at()
    invitation.save(update_fields=["token_hash", "expires_at"])
    invitation_announce(invitation=invitation, token=token, actor=actor, resent=True)
    return invitation, token


@transaction.atomic
def membership_end(
    *, actor: User | None, membership: Membership, company_deleted: bool = False
) -> Membership:
    """A facilitator removes a company, or one of its owners takes it out of the convoy.
    `company_deleted`: the company is being deleted (privacy.erasure, which checked who may;
    `actor` None is an operator): it leaves every convoy."""
    membership = (
        Membership.objects.select_for_update().select_related("company").get(pk=membership.pk)
    )
    if not membership.is_active:
        raise ValidationError({"membership": [_("This company is no longer in the convoy.")]})
    if company_deleted:
        membership.status = MembershipStatus.LEFT
    elif actor is not None and is_facilitator(user=actor, convoy_id=membership.convoy_id):
        membership.status = MembershipStatus.REMOVED
    elif actor is not None and is_company_owner(user=actor, company_id=membership.company_id):
        membership.status = MembershipStatus.LEFT
    else:
        raise PermissionDenied(
            _("Only a facilitator or an owner of the company may end a membership.")
        )
    membership.ended_at = timezone.now()
    membership.save(update_fields=["status", "ended_at"])
    event_record(
        convoy_id=membership.convoy_id,
        kind=EventKind.MEMBERSHIP_LEFT,
        data={
            "membership": membership.pk,
            "company": {"id": membership.company_id, "name": membership.company.name},
            "reason": membership.status,
        },
        actor=actor,
    )
    return membership


@transaction.atomic
def facilitator_add(*, actor: User, convoy: Convoy, user: User) -> Facilitator:
    require_facilitator(user=actor, convoy_id=convoy.pk)
    facilitator, created = Facilitator.objects.get_or_create(convoy=convoy, user=user)
    if created:
        audit_role(granted=True, user=user, actor=actor, role=Role.FACILITATOR, convoy=convoy.pk)
        # Their open dashboards switch to the facilitator's live regions.
        access_changed_on_commit(user_id=user.pk)
    return facilitator
