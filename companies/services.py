"""Writes for companies: creation, profile, colleagues and their invitations."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.text import name_clean
from audit.services import Role, audit_role
from companies.delivery import company_invitation_announce
from companies.hooks import company_updated_dispatch
from companies.models import (
    Company,
    CompanyInvitation,
    CompanyMember,
    CompanyRole,
)
from companies.selectors import is_company_owner
from live.publish import access_changed_on_commit
from modelutils.invitations import (
    invitation_expires_at,
    invitation_state_problem,
    token_hash,
    token_new,
)
from modelutils.update import model_update

# The audit log's name of a company role.
AUDIT_ROLE: dict[str, str] = {
    CompanyRole.OWNER: Role.COMPANY_OWNER,
    CompanyRole.MEMBER: Role.COMPANY_MEMBER,
}


def _require_owner(*, actor: User, company: Company) -> None:
    if not is_company_owner(user=actor, company_id=company.pk):
        raise PermissionDenied(_("Only an owner of the company may do this."))


@transaction.atomic
def company_create(
    *,
    actor: User,
    name: str,
    sector: str,
    size: str,
    city: str,
    region: str = "",
    website: str = "",
) -> Company:
    company = Company(
        name=name_clean(name),
        sector=sector,
        size=size,
        city=city.strip(),
        region=region,
        website=website,
    )
    company.full_clean()
    company.save()
    CompanyMember.objects.create(company=company, user=actor, role=CompanyRole.OWNER)
    audit_role(granted=True, user=actor, role=Role.COMPANY_OWNER, company=company.pk)
    return company


@transaction.atomic
def company_update(*, actor: User, company: Company, **fields: str) -> Company:
    _require_owner(actor=actor, company=company)
    allowed = {"name", "sector", "size", "city", "region", "website"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({k: [_("This field cannot be changed.")] for k in unknown})
    if isinstance(fields.get("name"), str):
        fields["name"] = name_clean(fields["name"])
    changed = model_update(company, data=fields)
    if not changed:
        return company  # nothing changes: no write, no event in every convoy of the company
    # Recorded in every convoy of the company by convoys (companies.hooks), in this transaction.
    company_updated_dispatch(company=company, actor=actor, changed=changed)
    return company


@transaction.atomic
def company_member_add(*, actor: User, company: Company, email: str, role: str) -> CompanyMember:
    """Put an existing account into the company at once, without asking them. Only for the
    demo loader, which seeds made-up people: the web and the API never add anyone by e-mail
    (that would let any owner pull strangers into a company and find out who has an account);
    they invite with `company_colleague_add`."""
    _require_owner(actor=actor, company=company)
    if role not in CompanyRole.values:
        raise ValidationError({"role": [_("Role must be owner or member.")]})
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationError(
            {
                "email": [
                    _(
                        "Nobody has registered with this e-mail address yet. "
                        "Ask your colleague to sign up first."
                    )
                ]
            }
        )
    if CompanyMember.objects.filter(company=company, user=user).exists():
        raise ValidationError({"email": [_("This person already belongs to the company.")]})
    member = CompanyMember.objects.create(company=company, user=user, role=role)
    audit_role(granted=True, user=user, actor=actor, role=AUDIT_ROLE[role], company=company.pk)
    return member


@transaction.atomic
def company_colleague_add(
    *, actor: User, company: Company, email: str, role: str
) -> CompanyInvitation:
    """Invite a colleague by e-mail (single-use, expiring), whether or not the address has an
    account: nobody belongs to a company without accepting, and the answer is the same either
    way, so it tells the owner nothing about who has an account. An existing account accepts
    with one click, logged in with the invited address."""
    return company_invitation_create(actor=actor, company=company, email=email, role=role)[0]


def _address_key(email: str) -> str:
    return email.strip().casefold()


@transaction.atomic
def company_invitation_create(
    *, actor: User, company: Company, email: str, role: str = CompanyRole.MEMBER
) -> tuple[CompanyInvitation, str]:
    """Invite a colleague by e-mail. Returns the invitation and its one-time token."""
    _require_owner(actor=actor, company=company)
    if role not in CompanyRole.values:
        raise ValidationError({"role": [_("Role must be owner or member.")]})
    address = email.strip().lower()
    # Only the company's own members (who accepted) are told apart: nothing about anyone else.
    if CompanyMember.objects.filter(company=company, user__email__iexact=address).exists():
        raise ValidationError({"email": [_("This person already belongs to the company.")]})
    pending = CompanyInvitation.objects.filter(
        company=company,
        email__iexact=address,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise ValidationError(
            {"email": [_("This address has already been invited. You can send the link again.")]}
        )
    token, hashed = token_new()
    invitation = CompanyInvitation(
        company=company,
        email=address,
        role=role,
        token_hash=hashed,
        invited_by=actor,
        expires_at=invitation_expires_at(),
    )
    invitation.full_clean()
    invitation.save()
    company_invitation_announce(invitation=invitation, token=token, actor=actor)
    return invitation, token


def company_invitation_by_token(*, token: str) -> CompanyInvitation | None:
    return (
        CompanyInvitation.objects.select_related("company", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def company_invitation_problem(invitation: CompanyInvitation) -> str | None:
    """Why an invitation can no longer be used, or None."""
    return invitation_state_problem(
        invitation.state(),
        expired=_("This invitation has expired. Ask your colleague for a new one."),
    )


def company_invitation_is_for(*, invitation: CompanyInvitation, user: User) -> bool:
    """Accepted by the account of the address it was sent to: a forwarded or leaked link does
    not let someone else into the company."""
    return _address_key(user.email) == _address_key(invitation.email)


def company_invitation_mismatch_message(*, invitation: CompanyInvitation, user: User) -> str:
    return _(
        "This invitation is for %(email)s, but you are logged in as %(you)s. Log out and log "
        "in (or sign up) with %(email)s to accept it."
    ) % {"email": invitation.email, "you": user.email}


@transaction.atomic
def company_invitation_accept(*, actor: User, token: str) -> CompanyMember:
    """The invited colleague joins the company with the role the invitation names."""
    found = company_invitation_by_token(token=token)
    if found is None:
        raise ValidationError({"token": [_("This invitation link is not valid.")]})
    invitation = (
        CompanyInvitation.objects.select_for_update().select_related("company").get(pk=found.pk)
    )
    problem = company_invitation_problem(invitation)
    if problem:
        raise ValidationError({"token": [problem]})
    if not company_invitation_is_for(invitation=invitation, user=actor):
        raise PermissionDenied(
            company_invitation_mismatch_message(invitation=invitation, user=actor)
        )
    member = CompanyMember.objects.filter(company=invitation.company, user=actor).first()
    if member is None:
        member = CompanyMember.objects.create(
            company=invitation.company, user=actor, role=invitation.role
        )
        # Granted by the owner who invited (actor), taken up by the person (user).
        audit_role(
            granted=True,
            user=actor,
            actor=invitation.invited_by,
            role=AUDIT_ROLE[CompanyRole(invitation.role)],
            company=invitation.company_id,
            data={"via": "invitation"},
        )
        # Their open convoy sockets may now see the company's convoys.
        access_changed_on_commit(user_id=actor.pk)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return member


def _invitation_for_change(*, actor: User, invitation: CompanyInvitation) -> CompanyInvitation:
    """The invitation locked for an owner's change; refused once it has been accepted."""
    _require_owner(actor=actor, company=invitation.company)
    locked = (
        CompanyInvitation.objects.select_for_update()
        .select_related("company")
        .get(pk=invitation.pk)
    )
    if locked.accepted_at is not None:
        raise ValidationError({"invitation": [_("This invitation has already been accepted.")]})
    return locked


@transaction.atomic
def company_invitation_revoke(*, actor: User, invitation: CompanyInvitation) -> CompanyInvitation:
    """Withdraw an open invitation: its link stops working. Revoking twice changes nothing."""
    invitation = _invitation_for_change(actor=actor, invitation=invitation)
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def company_invitation_resend(
    *, actor: User, invitation: CompanyInvitation
) -> tuple[CompanyInvitation, str]:
    """Send the invitation again with a new link, valid for the full period again. Only the
    token's hash is stored, so the old link is replaced and stops working."""
    invitation = _invitation_for_change(actor=actor, invitation=invitation)
    if invitation.revoked_at is not None:
        raise ValidationError({"invitation": [_("This invitation was withdrawn.")]})
    token, invitation.token_hash = token_new()
    invitation.expires_at = invitation_expires_at()
    invitation.save(update_fields=["token_hash", "expires_at"])
    company_invitation_announce(invitation=invitation, token=token, actor=actor, resent=True)
    return invitation, token


@transaction.atomic
def first_steps_dismiss(*, actor: User) -> None:
    """Put the first-steps guide away for good (for each of the person's companies)."""
    CompanyMember.objects.filter(user=actor, first_steps_dismissed_at__isnull=True).update(
        first_steps_dismissed_at=timezone.now()
    )


def _company_members_lock(company_id: int) -> None:
    """Lock the company's member rows, in primary-key order (the order privacy.erasure's
    account deletion locks them in too, so the two never deadlock): "the last owner stays one"
    is decided by one of two racing owners at a time."""
    list(
        CompanyMember.objects.select_for_update()
        .filter(company_id=company_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def company_member_role_set(
    *, actor: User, member: CompanyMember, role: str, request: HttpRequest | None = None
) -> CompanyMember:
    """An owner makes a colleague an owner (e.g. to hand the company over before leaving or
    deleting their account) or an owner a member again; the last owner stays one."""
    _require_owner(actor=actor, company=member.company)
    if role not in CompanyRole.values:
        raise ValidationError({"role": [_("Role must be owner or member.")]})
    _company_members_lock(member.company_id)
    member = CompanyMember.objects.get(pk=member.pk)
    if member.role == role:
        return member
    if member.role == CompanyRole.OWNER:
        owners = CompanyMember.objects.filter(company_id=member.company_id, role=CompanyRole.OWNER)
        if owners.count() <= 1:
            raise ValidationError({"role": [_("A company needs at least one owner.")]})
    member.role = role
    member.save(update_fields=["role"])
    # Owner is the role that gives rights: made owner is a grant, made member again a removal.
    audit_role(
        granted=role == CompanyRole.OWNER,
        user=member.user,
        actor=actor,
        request=request,
        role=Role.COMPANY_OWNER,
        company=member.company_id,
    )
    return member


@transaction.atomic
def company_member_remove(
    *, actor: User, member: CompanyMember, request: HttpRequest | None = None
) -> None:
    if member.user_id != actor.pk:
        _require_owner(actor=actor, company=member.company)
    if member.role == CompanyRole.OWNER:
        owners = CompanyMember.objects.select_for_update().filter(
            company_id=member.company_id, role=CompanyRole.OWNER
        )
        if len(owners) <= 1:
            raise ValidationError({"user": [_("A company needs at least one owner.")]})
    member.delete()
    audit_role(
        granted=False,
        user=member.user,
        actor=actor,
        request=request,
        role=AUDIT_ROLE[CompanyRole(member.role)],
        company=member.company_id,
    )
    # Their open convoy sockets may belong to convoys they no longer see.
    access_changed_on_commit(user_id=member.user_id)
