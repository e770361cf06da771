"""Writes for companies: creation, profile, colleagues."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.text import name_clean
from companies.hooks import company_updated_dispatch
from companies.models import Company, CompanyMember, CompanyRole
from companies.selectors import is_company_owner
from live.publish import access_changed_on_commit
from modelutils.update import model_update


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
    return CompanyMember.objects.create(company=company, user=user, role=role)


@transaction.atomic
def company_member_remove(*, actor: User, member: CompanyMember) -> None:
    if member.user_id != actor.pk:
        _require_owner(actor=actor, company=member.company)
    if member.role == CompanyRole.OWNER:
        owners = CompanyMember.objects.select_for_update().filter(
            company_id=member.company_id, role=CompanyRole.OWNER
        )
        if len(owners) <= 1:
            raise ValidationError({"user": [_("A company needs at least one owner.")]})
    member.delete()
    # Their open convoy sockets may belong to convoys they no longer see.
    access_changed_on_commit(user_id=member.user_id)
