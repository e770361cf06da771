"""Writes of the programmes app. The web UI, the API, the apps above (convoys, projects,
events, checks) and the demo all come through here."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.ratelimit import limit_hit
from accounts.text import name_clean
from audit.services import Role, audit_role
from companies.models import Company, CompanyMember
from modelutils.invitations import (
    invitation_expires_at,
    invitation_state_problem,
    token_hash,
    token_new,
)
from modelutils.update import model_update
from programmes.delivery import staff_invitation_announce
from programmes.models import (
    STAGE_ORDER,
    CompanyRecord,
    Programme,
    Service,
    ServiceCategory,
    ServiceKind,
    Staff,
    StaffInvitation,
    StaffRole,
    Stage,
    Touch,
    TouchKind,
)
from programmes.selectors import register_duplicate_of

# The stage each way of touching a company means: the one home of the funnel rule. A company's
# stage is the furthest stage any of its touches means (the funnel only moves on).
TOUCH_STAGE: dict[str, Stage] = {
    TouchKind.RECORDED: Stage.LEAD,
    TouchKind.EVENT_REGISTERED: Stage.LEAD,
    TouchKind.EVENT_ATTENDED: Stage.ENGAGED,
    # A check shared with the programme: the company engaged (issue 16); a coach's review of
    # it (a check_review service) qualifies it.
    TouchKind.CHECK_SUBMITTED: Stage.ENGAGED,
    TouchKind.CONVOY_JOINED: Stage.ENROLLED,
    TouchKind.PROJECT_STARTED: Stage.PROJECT_STARTED,
    TouchKind.PROJECT_COMPLETED: Stage.PROJECT_COMPLETED,
}

# A service touch means a stage by the kind of service: talking to a coach engages a company,
# a check review or a voucher qualifies it, a convoy enrols it.
SERVICE_STAGE: dict[str, Stage] = {
    ServiceKind.VISIT: Stage.ENGAGED,
    ServiceKind.CONSULTATION: Stage.ENGAGED,
    ServiceKind.WORKSHOP: Stage.ENGAGED,
    ServiceKind.OTHER: Stage.ENGAGED,
    ServiceKind.CHECK_REVIEW: Stage.QUALIFIED,
    ServiceKind.VOUCHER: Stage.QUALIFIED,
    ServiceKind.CONVOY: Stage.ENROLLED,
}


def touch_stage(kind: str, *, service_kind: str | None = None) -> Stage:
    if kind == TouchKind.SERVICE:
        return SERVICE_STAGE[service_kind or ServiceKind.OTHER]
    return TOUCH_STAGE[kind]


def stage_furthest(*stages: str) -> Stage:
    return Stage(max(stages, key=lambda stage: STAGE_ORDER[stage]))


@transaction.atomic
def company_touch(
    *,
    programme: Programme,
    company: Company,
    kind: TouchKind | str,
    source: str,
    at: datetime,
    label: str = "",
    service_kind: str | None = None,
) -> CompanyRecord:
    """Record that `programme` reached `company` (once per kind and source) and move its
    register entry on: created at the first touch, stage the furthest any touch meant, first
    and last touch kept. Idempotent: touching again with the same source changes nothing but
    a later `at`/`label` on that touch."""
    kind = TouchKind(kind)
    stage = touch_stage(kind, service_kind=service_kind)
    Touch.objects.update_or_create(
        programme=programme,
        company=company,
        kind=kind,
        source=source,
        defaults={"at": at, "label": label[:200], "stage": stage},
    )
    record = (
        CompanyRecord.objects.select_for_update()
        .filter(programme=programme, company=company)
        .first()
    )
    if record is None:
        return CompanyRecord.objects.create(
            programme=programme,
            company=company,
            stage=stage,
            first_touch_at=at,
            first_touch_kind=kind,
            first_touch_label=label[:200],
            last_touch_at=at,
            last_touch_kind=kind,
            last_touch_label=label[:200],
        )
    record.stage = stage_furthest(record.stage, stage)
    if at < record.first_touch_at:
        record.first_touch_at, record.first_touch_kind = at, kind
        record.first_touch_label = label[:200]
    if at >= record.last_touch_at:
        record.last_touch_at, record.last_touch_kind = at, kind
        record.last_touch_label = label[:200]
    record.save(
        update_fields=[
            "stage",
            "first_touch_at",
            "first_touch_kind",
            "first_touch_label",
            "last_touch_at",
            "last_touch_kind",
            "last_touch_label",
        ]
    )
    return record


# --- Programmes and their staff -------------------------------------------------------------

# Words the public pages under /p/ use themselves, or that would read as one of our pages.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "check",
        "checks",
        "edit",
        "event",
        "events",
        "imprint",
        "konvoi",
        "login",
        "new",
        "p",
        "privacy",
        "programme",
        "programmes",
        "register",
        "report",
        "settings",
        "static",
        "www",
    }
)
SLUG_MIN, SLUG_MAX = 3, 60
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# German letters as Germans write them without umlauts (not stripped: "Müller" → "mueller").
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})

PROGRAMME_FIELDS = {
    "name",
    "slug",
    "region",
    "description",
    "contact_email",
    "contact_phone",
    "website",
    "imprint_url",
    "privacy_contact",
    "check_t1_months",
    "check_t2_months",
}

AUDIT_STAFF_ROLE = {
    StaffRole.MANAGER: Role.PROGRAMME_MANAGER,
    StaffRole.COACH: Role.PROGRAMME_COACH,
}


def slug_from_name(name: str) -> str:
    """An ASCII address from a name: lower case, umlauts transliterated, accents dropped,
    anything else a hyphen ("Zentrum Süd-Westfalen" → "zentrum-sued-westfalen")."""
    text = name.lower().translate(_TRANSLITERATION)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:SLUG_MAX].rstrip("-")


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot be a programme's address, or None."""
    if not SLUG_MIN <= len(slug) <= SLUG_MAX:
        return _("The address must be between %(min)d and %(max)d characters long.") % {
            "min": SLUG_MIN,
            "max": SLUG_MAX,
        }
    if not _SLUG_RE.match(slug):
        return _(
            "Use only lower-case letters a–z, digits and single hyphens between them "
            "(for example kompetenzzentrum-hagen)."
        )
    if slug in RESERVED_SLUGS:
        return _("This address is reserved. Please choose another one.")
    return None


def _slug_free(base: str) -> str:
    """`base`, or `base-2`, `base-3` … whichever no programme uses yet."""
    if len(base) < SLUG_MIN or slug_problem(base) is not None:
        base = f"{base}-programm".strip("-") if base else "programm"
    taken = set(Programme.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
        if candidate not in taken and not Programme.objects.filter(slug=candidate).exists():
            return candidate
        number += 1


def _slug_checked(slug: str, *, programme_id: int | None = None) -> str:
    slug = slug.strip().lower()
    problem = slug_problem(slug)
    if problem is not None:
        raise ValidationError({"slug": [problem]})
    others = Programme.objects.filter(slug=slug)
    if programme_id is not None:
        others = others.exclude(pk=programme_id)
    if others.exists():
        raise ValidationError({"slug": [_("Another programme already uses this address.")]})
    return slug


def _require_manager(*, programme: Programme, user: User) -> None:
    """Defence in depth: views check first (programme_for_staff); services check again."""
    if not Staff.objects.filter(
        programme=programme, user_id=user.pk, role=StaffRole.MANAGER
    ).exists():
        raise PermissionDenied(_("Only the programme's managers may do this."))


# Whether someone is staff of any programme (the header's "Programmes" entry asks on every
# page) is kept in the cache, per person, until a staff change drops it.
PROGRAMME_STAFF_CACHE_SECONDS = 30 * 24 * 3600


def programme_staff_cache_key(user_id: int) -> str:
    return f"programme-staff:{user_id}"


def programme_staff_forget(*, user_id: int) -> None:
    """Drop the cached "is programme staff" of this person (asked again on their next page):
    now, and once more when the current transaction commits, since a page that read the old
    answer meanwhile may have put it back. Every change that may make someone staff or stop
    them being staff calls this: adding, accepting an invitation, removing, creating a
    programme, erasing an account."""
    key = programme_staff_cache_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _programme_locked(programme: Programme) -> Programme:
    """Lock the programme row: staff changes of one programme run one after the other, so the
    last-manager rule holds when two managers act at the same moment."""
    return Programme.objects.select_for_update().get(pk=programme.pk)


@transaction.atomic
def programme_create(
    *,
    user: User,
    name: str,
    region: str,
    slug: str = "",
    description: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    website: str = "",
    imprint_url: str = "",
    privacy_contact: str = "",
) -> Programme:
    """A new programme; the person who creates it is its first manager."""
    name = name_clean(name)
    programme = Programme(
        name=name,
        slug=_slug_checked(slug) if slug else _slug_free(slug_from_name(name)),
        region=region.strip(),
        description=description,
        contact_email=contact_email,
        contact_phone=contact_phone,
        website=website,
        imprint_url=imprint_url,
        privacy_contact=privacy_contact,
    )
    programme.full_clean()
    programme.save()
    Staff.objects.create(programme=programme, user=user, role=StaffRole.MANAGER)
    audit_role(granted=True, user=user, role=Role.PROGRAMME_MANAGER, programme=programme.pk)
    programme_staff_forget(user_id=user.pk)
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, by: User, **fields: Any) -> Programme:
    """Change a programme's name, address, region, description, contacts or the months to
    the check's re-assessments (managers)."""
    _require_manager(programme=programme, user=by)
    unknown = set(fields) - PROGRAMME_FIELDS
    if unknown:
        raise ValidationError({k: [_("This field cannot be changed.")] for k in sorted(unknown)})
    if "name" in fields:
        fields["name"] = name_clean(fields["name"])
    if "slug" in fields and fields["slug"] != programme.slug:
        fields["slug"] = _slug_checked(fields["slug"], programme_id=programme.pk)
    _check_months_checked(programme=programme, fields=fields)
    model_update(programme, data=fields)
    return programme


def _check_months_checked(*, programme: Programme, fields: dict[str, Any]) -> None:
    """The check's second re-assessment (T2) comes after the first (T1), as the programme
    will have them after this change."""
    t1 = fields.get("check_t1_months", programme.check_t1_months)
    t2 = fields.get("check_t2_months", programme.check_t2_months)
    if isinstance(t1, int) and isinstance(t2, int) and t2 <= t1:
        raise ValidationError(
            {
                "check_t2_months": [
                    _(
                        "The second re-assessment (T2) must come later than the first (T1): "
                        "enter more months than for T1 (%(t1)d)."
                    )
                    % {"t1": t1}
                ]
            }
        )


# Limits against e-mail bombing and mass-created programmes (accounts.ratelimit, per person
# per day; settings PROGRAMME_STAFF_INVITES_PER_DAY, PROGRAMME_CREATES_PER_DAY). The views
# count before they call the service and answer 429 beyond the limit.
LIMIT_WINDOW_SECONDS = 24 * 3600


def staff_invitation_allowed(*, user_id: int) -> bool:
    """Counts one staff invitation sent by this manager (to any programme)."""
    return limit_hit(
        scope="programme-staff-invite",
        key=str(user_id),
        limit=settings.PROGRAMME_STAFF_INVITES_PER_DAY,
        window=LIMIT_WINDOW_SECONDS,
    )


def staff_invitation_limited_message() -> str:
    return _(
        "You have sent a lot of invitations today. Please wait until tomorrow before you "
        "invite more people."
    )


def programme_create_allowed(*, user_id: int) -> bool:
    """Counts one programme created by this person."""
    return limit_hit(
        scope="programme-create",
        key=str(user_id),
        limit=settings.PROGRAMME_CREATES_PER_DAY,
        window=LIMIT_WINDOW_SECONDS,
    )


def programme_create_limited_message() -> str:
    return _(
        "You have created several programmes today. Please wait until tomorrow before you "
        "create another one."
    )


@dataclass(frozen=True)
class StaffAdded:
    """What `staff_add` did: invited the address (`invitation`, with the one-time `token` the
    e-mail carries). Always an invitation: nobody is on a staff without accepting."""

    invitation: StaffInvitation
    token: str = ""


# Sending an open invitation again: at most once in this many seconds (no e-mail bombing).
STAFF_INVITATION_RESEND_SECONDS = 10 * 60


def staff_invitation_resend_message() -> str:
    return _(
        "An invitation was sent to this address less than %(minutes)d minutes ago. Please wait "
        "a little before you send it again."
    ) % {"minutes": STAFF_INVITATION_RESEND_SECONDS // 60}


def _role_checked(role: str) -> StaffRole:
    if role not in StaffRole.values:
        raise ValidationError({"role": [_("Choose manager or coach.")]})
    return StaffRole(role)


def _open_staff_invitation(*, programme: Programme, email: str) -> StaffInvitation | None:
    return (
        StaffInvitation.objects.select_for_update()
        .filter(
            programme=programme,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .first()
    )


@transaction.atomic
def staff_add(*, programme: Programme, email: str, role: str, by: User) -> StaffAdded:
    """Invite a manager or coach by e-mail (managers only), whether or not the address has an
    account: the same answer either way, and nobody joins without accepting with the invited
    address. Inviting an address with an open invitation sends it again with a new link (at
    most once every ten minutes)."""
    # Deviates from DESIGN.md ("an existing account at once"): adding accounts unasked let
    # anyone squat an address, probe for accounts and force a role (and MFA) on a victim.
    programme = _programme_locked(programme)
    _require_manager(programme=programme, user=by)
    added_role = _role_checked(role)
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    # Only the programme's own staff (whom managers see anyway) are told apart.
    if Staff.objects.filter(programme=programme, user__email__iexact=email).exists():
        raise ValidationError({"email": [_("This person is already on the programme's staff.")]})
    token, hashed = token_new()
    invitation = _open_staff_invitation(programme=programme, email=email)
    resent = invitation is not None
    if invitation is None:
        invitation = StaffInvitation(programme=programme, email=email.lower())
    else:
        # When it was last sent: its expiry less the validity (no field of its own).
        recently = invitation_expires_at() - timedelta(seconds=STAFF_INVITATION_RESEND_SECONDS)
        if invitation.expires_at > recently:
            raise ValidationError({"email": [staff_invitation_resend_message()]})
    invitation.role = added_role
    invitation.token_hash = hashed
    invitation.invited_by = by
    invitation.expires_at = invitation_expires_at()
    invitation.full_clean()
    invitation.save()
    staff_invitation_announce(invitation=invitation, token=token, actor=by, resent=resent)
    return StaffAdded(invitation=invitation, token=token)


def staff_invitation_by_token(*, token: str) -> StaffInvitation | None:
    return (
        StaffInvitation.objects.select_related("programme", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def staff_invitation_problem(invitation: StaffInvitation) -> str | None:
    """Why an invitation can no longer be used, or None."""
    return invitation_state_problem(
        invitation.state(),
        expired=_("This invitation has expired. Ask the programme's manager for a new one."),
    )


def staff_invitation_is_for(*, invitation: StaffInvitation, user: User) -> bool:
    """Accepted by the account of the invited address only (as convoy and company
    invitations): a forwarded link does not make someone else staff."""
    return user.email.strip().casefold() == invitation.email.strip().casefold()


def staff_invitation_mismatch_message(*, invitation: StaffInvitation, user: User) -> str:
    return _(
        "This invitation is for %(email)s, but you are logged in as %(you)s. Log out and log "
        "in (or sign up) with %(email)s to accept it."
    ) % {"email": invitation.email, "you": user.email}


def _staff_invitation_inviter_problem(invitation: StaffInvitation) -> str | None:
    """An invitation holds only while whoever sent it may still invite: a manager who was
    removed (or made a coach) does not come back through an invitation sent before."""
    inviter_role = None
    if invitation.invited_by_id is not None:
        inviter_role = (
            Staff.objects.filter(
                programme_id=invitation.programme_id, user_id=invitation.invited_by_id
            )
            .values_list("role", flat=True)
            .first()
        )
    if inviter_role is None or (
        invitation.role == StaffRole.MANAGER and inviter_role != StaffRole.MANAGER
    ):
        return _(
            "The person who sent this invitation may no longer invite to this programme. Ask "
            "one of the programme's managers for a new invitation."
        )
    return None


def _staff_invitations_sent_revoke(*, programme: Programme, user_id: int) -> None:
    """Withdraw the open invitations `user_id` sent to this programme's staff (when they are
    removed or no longer a manager): their links stop working."""
    StaffInvitation.objects.filter(
        programme=programme,
        invited_by_id=user_id,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())


@transaction.atomic
def staff_invitation_accept(*, token: str, user: User) -> Staff:
    """The invited person joins the programme's staff with the role the invitation names."""
    found = staff_invitation_by_token(token=token)
    if found is None:
        raise ValidationError({"token": [_("This invitation link is not valid.")]})
    programme = _programme_locked(found.programme)
    invitation = StaffInvitation.objects.select_for_update().get(pk=found.pk)
    problem = staff_invitation_problem(invitation)
    if problem:
        raise ValidationError({"token": [problem]})
    if not staff_invitation_is_for(invitation=invitation, user=user):
        raise PermissionDenied(staff_invitation_mismatch_message(invitation=invitation, user=user))
    inviter_problem = _staff_invitation_inviter_problem(invitation)
    if inviter_problem:
        raise ValidationError({"token": [inviter_problem]})
    staff = Staff.objects.filter(programme=programme, user=user).first()
    if staff is None:
        staff = Staff.objects.create(programme=programme, user=user, role=invitation.role)
        programme_staff_forget(user_id=user.pk)
        # Granted by the manager who invited, taken up by the person.
        audit_role(
            granted=True,
            user=user,
            actor=invitation.invited_by,
            role=AUDIT_STAFF_ROLE[StaffRole(invitation.role)],
            programme=programme.pk,
            data={"via": "invitation"},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return staff


@transaction.atomic
def staff_invitation_revoke(*, invitation: StaffInvitation, by: User) -> StaffInvitation:
    """Withdraw an invitation (managers): its link stops working. Twice changes nothing."""
    _require_manager(programme=invitation.programme, user=by)
    invitation = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError({"invitation": [_("This invitation has already been accepted.")]})
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def _last_manager_error(field: str) -> ValidationError:
    return ValidationError(
        {field: [_("A programme needs at least one manager. Make someone else a manager first.")]}
    )


def _managers_other_than(staff: Staff) -> bool:
    return (
        Staff.objects.filter(programme_id=staff.programme_id, role=StaffRole.MANAGER)
        .exclude(pk=staff.pk)
        .exists()
    )


@transaction.atomic
def staff_role_set(*, staff: Staff, role: str, by: User) -> Staff:
    """Make a manager a coach or a coach a manager (managers). The last manager stays one."""
    programme = _programme_locked(staff.programme)
    _require_manager(programme=programme, user=by)
    new_role = _role_checked(role)
    staff = Staff.objects.select_related("user").get(pk=staff.pk)
    if staff.role == new_role:
        return staff
    if staff.role == StaffRole.MANAGER and not _managers_other_than(staff):
        raise _last_manager_error("role")
    old_role = StaffRole(staff.role)
    staff.role = new_role
    staff.save(update_fields=["role"])
    if old_role == StaffRole.MANAGER:
        _staff_invitations_sent_revoke(programme=programme, user_id=staff.user_id)
    for granted, audited in ((False, old_role), (True, new_role)):
        audit_role(
            granted=granted,
            user=staff.user,
            actor=by,
            role=AUDIT_STAFF_ROLE[audited],
            programme=programme.pk,
        )
    return staff


@transaction.atomic
def staff_remove(*, staff: Staff, by: User) -> None:
    """Take someone off the programme's staff (managers), or leave it yourself (anyone). The
    last manager cannot go: the programme would have nobody to run it."""
    programme = _programme_locked(staff.programme)
    # Re-read under the lock: a manager removed a moment ago may no longer remove anyone.
    current = Staff.objects.select_related("user").filter(pk=staff.pk).first()
    if current is None:
        raise ValidationError({"staff": [_("This person is no longer on the staff.")]})
    if current.user_id != by.pk:
        _require_manager(programme=programme, user=by)
    if current.role == StaffRole.MANAGER and not _managers_other_than(current):
        raise _last_manager_error("staff")
    current.delete()
    _staff_invitations_sent_revoke(programme=programme, user_id=current.user_id)
    programme_staff_forget(user_id=current.user_id)
    audit_role(
        granted=False,
        user=current.user,
        actor=by,
        role=AUDIT_STAFF_ROLE[StaffRole(current.role)],
        programme=programme.pk,
    )


# --- The register: recording companies, services, merging duplicates (part "register") ------

REGISTER_COMPANY_FIELDS = ("name", "sector", "size", "city", "postcode", "region", "website")
REGISTER_CONTACT_FIELDS = ("contact_name", "contact_email")
SERVICE_FIELDS = ("kind", "category", "date", "minutes", "coach", "notes")
SERVICE_MINUTES_MAX = 10000
# No service before this: a date like 0001-01-01 would make a company "returning" forever.
SERVICE_DATE_MIN = date(2000, 1, 1)
_RECORD_TOUCH_FIELDS = [
    "stage",
    "first_touch_at",
    "first_touch_kind",
    "first_touch_label",
    "last_touch_at",
    "last_touch_kind",
    "last_touch_label",
]


def stage_ways() -> list[tuple[Stage, list[str]]]:
    """Each stage of the funnel with the ways of touching a company that lead to it (from
    TOUCH_STAGE and SERVICE_STAGE, so that a page explaining the funnel says what the rule
    does), in the current language."""
    ways: dict[str, list[str]] = {stage: [] for stage in Stage}
    for kind, stage in TOUCH_STAGE.items():
        ways[stage].append(str(TouchKind(kind).label))
    for service_kind, stage in SERVICE_STAGE.items():
        ways[stage].append(str(ServiceKind(service_kind).label))
    return [(stage, ways[stage]) for stage in Stage]


def _require_staff(*, programme: Programme, user: User) -> None:
    if not Staff.objects.filter(programme=programme, user_id=user.pk).exists():
        raise PermissionDenied(_("Only the programme's staff may do this."))


def _company_has_members(company_id: int) -> bool:
    return CompanyMember.objects.filter(company_id=company_id).exists()


def _check_contact_email(value: str) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except ValidationError as exc:
            raise ValidationError({"contact_email": exc.messages}) from exc
    return value


def _refuse_register_duplicate(
    *, programme: Programme, name: str, postcode: str, exclude_company_id: int | None = None
) -> None:
    """One company per normalised name and postcode in a programme's register: say which
    record is already there (by name and postcode, not by its internal id; pages link it)."""
    other = register_duplicate_of(
        programme=programme, name=name, postcode=postcode, exclude_company_id=exclude_company_id
    )
    if other is not None:
        raise ValidationError(
            {
                "name": [
                    _(
                        "This programme's register already has “%(name)s” (%(postcode)s):"
                        " add to that record instead."
                    )
                    % {
                        "name": other.company.display_name,
                        "postcode": other.company.postcode or "–",
                    }
                ]
            }
        )


def _noon(day: date) -> datetime:
    """A service's touch time: noon of its date in the site's time zone (a date has no time,
    and noon keeps it on that date in every European zone)."""
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))


@transaction.atomic
def company_record_create(
    *,
    programme: Programme,
    by: User,
    name: str,
    sector: str,
    size: str,
    city: str,
    postcode: str = "",
    region: str = "",
    website: str = "",
    contact_name: str = "",
    contact_email: str = "",
) -> CompanyRecord:
    """Staff record a company the programme reached that has no Konvoi account (a visit to a
    bakery that never signed up): a Company without members and its register entry (a
    `recorded` touch, stage lead). Refused when the register already holds a company of the
    same normalised name and postcode."""
    _require_staff(programme=programme, user=by)
    name, postcode = name.strip(), postcode.strip()
    contact_email = _check_contact_email(contact_email)
    company = Company(
        name=name,
        sector=sector,
        size=size,
        city=city.strip(),
        postcode=postcode,
        region=region.strip(),
        website=website.strip(),
    )
    company.full_clean()
    _refuse_register_duplicate(programme=programme, name=name, postcode=postcode)
    company.save()
    record = company_touch(
        programme=programme,
        company=company,
        kind=TouchKind.RECORDED,
        source=f"record:{company.pk}",
        at=timezone.now(),
        # No label: a person's name would outlive their account (the kind says "recorded").
    )
    record.contact_name = contact_name.strip()[:200]
    record.contact_email = contact_email
    record.save(update_fields=["contact_name", "contact_email"])
    return record


@transaction.atomic
def company_record_update(*, record: CompanyRecord, by: User, **fields: Any) -> CompanyRecord:
    """Change a register entry: its contact person always; the company's own facts (name,
    sector, size, city, postcode, region, website) only while the company has no Konvoi
    members: a company with accounts keeps its details itself."""
    _require_staff(programme=record.programme, user=by)
    unknown = set(fields) - set(REGISTER_COMPANY_FIELDS) - set(REGISTER_CONTACT_FIELDS)
    if unknown:
        raise ValidationError({k: [_("This field cannot be changed.")] for k in sorted(unknown)})
    company = record.company
    company_data = {
        k: (v.strip() if isinstance(v, str) else v)
        for k, v in fields.items()
        if k in REGISTER_COMPANY_FIELDS
    }
    company_data = {k: v for k, v in company_data.items() if getattr(company, k) != v}
    if company_data and (company.deleted_at is not None or _company_has_members(company.pk)):
        raise ValidationError(
            {
                k: [
                    _(
                        "This company has Konvoi accounts and keeps its details itself; only"
                        " the contact person can be changed here."
                    )
                ]
                for k in company_data
            }
        )
    contact_data = {k: v.strip() for k, v in fields.items() if k in REGISTER_CONTACT_FIELDS}
    if "contact_email" in contact_data:
        contact_data["contact_email"] = _check_contact_email(contact_data["contact_email"])
    if company_data:
        if {"name", "postcode"} & set(company_data):
            _refuse_register_duplicate(
                programme=record.programme,
                name=company_data.get("name", company.name),
                postcode=company_data.get("postcode", company.postcode),
                exclude_company_id=company.pk,
            )
        model_update(company, data=company_data)
    if contact_data:
        model_update(record, data=contact_data)
    return record


def _register_record(*, programme: Programme, company: Company | int) -> CompanyRecord:
    company_id = company.pk if isinstance(company, Company) else company
    record = (
        CompanyRecord.objects.select_related("company")
        .filter(programme=programme, company_id=company_id)
        .first()
    )
    if record is None:
        # The same answer whether the company exists or not: nothing leaks about companies
        # outside the register.
        raise ValidationError({"company": [_("This company is not in this programme's register.")]})
    return record


def _check_service_fields(*, programme: Programme, values: dict[str, Any]) -> None:
    if "kind" in values and values["kind"] not in ServiceKind.values:
        raise ValidationError({"kind": [_("Choose one of the kinds of service.")]})
    if "category" in values and values["category"] not in ServiceCategory.values:
        raise ValidationError({"category": [_("Choose one of the four categories.")]})
    if "date" in values:
        if not isinstance(values["date"], date):
            raise ValidationError({"date": [_("Enter a date.")]})
        if values["date"] > timezone.localdate() + timedelta(days=1):
            raise ValidationError({"date": [_("A service cannot be recorded for a future date.")]})
        if values["date"] < SERVICE_DATE_MIN:
            raise ValidationError({"date": [_("Enter a date from 1 January 2000 on.")]})
    minutes = values.get("minutes")
    if minutes is not None and not 1 <= minutes <= SERVICE_MINUTES_MAX:
        raise ValidationError(
            {
                "minutes": [
                    _("Enter between 1 and %(max)d minutes, or leave it empty.")
                    % {"max": SERVICE_MINUTES_MAX}
                ]
            }
        )
    coach = values.get("coach")
    if coach is not None and not Staff.objects.filter(programme=programme, user=coach).exists():
        raise ValidationError({"coach": [_("The coach must be on this programme's staff.")]})


# A service's touch is labelled with the kind's wire value ("voucher"), translated where it is
# shown: stored text would be in the language of whoever recorded it.
def _service_touch_source(service: Service) -> str:
    return f"service:{service.pk}"


@transaction.atomic
def service_record(
    *,
    programme: Programme,
    company: Company | int,
    kind: str,
    category: str,
    date: date,
    minutes: int | None = None,
    coach: User | None = None,
    notes: str = "",
    by: User,
) -> Service:
    """Record a service delivered to a company of the register; its record moves on (a
    `service` touch at noon of the service's date, meaning the stage of its kind)."""
    _require_staff(programme=programme, user=by)
    record = _register_record(programme=programme, company=company)
    coach = coach or by
    values = {"kind": kind, "category": category, "date": date, "minutes": minutes, "coach": coach}
    _check_service_fields(programme=programme, values=values)
    service = Service(
        programme=programme,
        company=record.company,
        notes=notes.strip(),
        created_by=by,
        **values,
    )
    service.full_clean()
    service.save()
    company_touch(
        programme=programme,
        company=record.company,
        kind=TouchKind.SERVICE,
        service_kind=kind,
        source=_service_touch_source(service),
        at=_noon(service.date),
        label=ServiceKind(kind).value,
    )
    return service


@transaction.atomic
def service_update(*, service: Service, by: User, **fields: Any) -> Service:
    """Change a service; a new kind or date moves its touch, and the record is recomputed
    (a kind that means an earlier stage may move the record back)."""
    programme = service.programme
    _require_staff(programme=programme, user=by)
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise ValidationError({k: [_("This field cannot be changed.")] for k in sorted(unknown)})
    if isinstance(fields.get("notes"), str):
        fields["notes"] = fields["notes"].strip()
    _check_service_fields(programme=programme, values=fields)
    # Checked above; full_clean would also judge columns nobody changes (a bare service
    # row without created_by).
    changed = model_update(service, data=fields, clean=False)
    if {"kind", "date"} & set(changed):
        record = _register_record(programme=programme, company=service.company_id)
        Touch.objects.filter(
            programme=programme,
            company_id=service.company_id,
            kind=TouchKind.SERVICE,
            source=_service_touch_source(service),
        ).delete()
        Touch.objects.create(
            programme=programme,
            company_id=service.company_id,
            kind=TouchKind.SERVICE,
            source=_service_touch_source(service),
            stage=touch_stage(TouchKind.SERVICE, service_kind=service.kind),
            at=_noon(service.date),
            label=ServiceKind(service.kind).value,
        )
        company_record_recompute(record=record)
    return service


@transaction.atomic
def service_delete(*, service: Service, by: User) -> None:
    """Delete a service and its touch; the record is recomputed from the touches left."""
    programme = service.programme
    _require_staff(programme=programme, user=by)
    record = _register_record(programme=programme, company=service.company_id)
    Touch.objects.filter(
        programme=programme,
        company_id=service.company_id,
        kind=TouchKind.SERVICE,
        source=_service_touch_source(service),
    ).delete()
    service.delete()
    company_record_recompute(record=record)


@transaction.atomic
def company_record_recompute(*, record: CompanyRecord) -> CompanyRecord:
    """Set a record's stage and first and last touch from its touches, after touches were
    removed (a service deleted) or moved (a merge); `company_touch` only ever moves on.

    A record whose touches are all gone stays in the register: a company once reached stays
    counted as reached. It gets back a `recorded` touch at its first contact and stage lead,
    so that every record keeps at least one touch and "stage = furthest touch" holds.
    """
    touches = list(
        Touch.objects.filter(programme_id=record.programme_id, company_id=record.company_id)
        .order_by("at", "id")
        .values("kind", "stage", "label", "at")
    )
    if not touches:
        touch = Touch.objects.create(
            programme_id=record.programme_id,
            company_id=record.company_id,
            kind=TouchKind.RECORDED,
            source=f"record:{record.company_id}",
            stage=Stage.LEAD,
            at=record.first_touch_at,
        )
        touches = [{"kind": touch.kind, "stage": touch.stage, "label": touch.label, "at": touch.at}]
    first, last = touches[0], touches[-1]
    record.stage = stage_furthest(*(touch["stage"] for touch in touches))
    record.first_touch_at, record.first_touch_kind = first["at"], first["kind"]
    record.first_touch_label = first["label"]
    record.last_touch_at, record.last_touch_kind = last["at"], last["kind"]
    record.last_touch_label = last["label"]
    record.save(update_fields=_RECORD_TOUCH_FIELDS)
    return record


def _company_only_in_register(company_id: int) -> bool:
    """Nothing but register entries hold this company: no members, no convoy, no project, no
    record in any programme (checked after the merged record is gone)."""
    return (
        not Company.objects.filter(pk=company_id)
        .filter(
            Q(members__isnull=False)
            | Q(memberships__isnull=False)
            | Q(projects__isnull=False)
            | Q(programme_records__isnull=False)
            | Q(services__isnull=False)
            | Q(programme_touches__isnull=False)
        )
        .exists()
    )


@transaction.atomic
def company_records_merge(
    *, programme: Programme, keep: CompanyRecord, duplicate: CompanyRecord, by: User
) -> CompanyRecord:
    """Merge two register entries of the same company: the duplicate's touches and services
    in this programme move to `keep` (a touch `keep` already has is dropped), its contact
    person fills an empty one of `keep`, the duplicate record goes and `keep` is recomputed.
    The duplicate's Company row is deleted too when it was only a register entry.

    Refused: a record into itself; two companies that both have Konvoi accounts (only they
    can say whether they are one); a duplicate with accounts into one without (merge the
    other way round, so the register keeps the company its people use)."""
    _require_staff(programme=programme, user=by)
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": [_("A record cannot be merged into itself.")]})
    locked = {
        record.pk: record
        for record in CompanyRecord.objects.select_for_update()
        .select_related("company")
        .filter(programme=programme, pk__in=[keep.pk, duplicate.pk])
        .order_by("pk")
    }
    if keep.pk not in locked:
        raise ValidationError({"keep": [_("This record is not in this programme's register.")]})
    if duplicate.pk not in locked:
        raise ValidationError(
            {"duplicate": [_("This record is not in this programme's register.")]}
        )
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    keep_has_members = _company_has_members(keep.company_id)
    duplicate_has_members = _company_has_members(duplicate.company_id)
    if keep_has_members and duplicate_has_members:
        raise ValidationError(
            {
                "duplicate": [
                    _(
                        "Both companies have Konvoi accounts. Only their people can say whether"
                        " they are one company: please ask them."
                    )
                ]
            }
        )
    if duplicate_has_members:
        raise ValidationError(
            {
                "duplicate": [
                    _("“%(name)s” has Konvoi accounts: merge the other record into it instead.")
                    % {"name": duplicate.company.display_name}
                ]
            }
        )
    have = set(
        Touch.objects.filter(programme=programme, company_id=keep.company_id).values_list(
            "kind", "source"
        )
    )
    moving = list(
        Touch.objects.filter(programme=programme, company_id=duplicate.company_id).values_list(
            "pk", "kind", "source"
        )
    )
    collisions = [pk for pk, kind, source in moving if (kind, source) in have]
    Touch.objects.filter(pk__in=collisions).delete()
    Touch.objects.filter(programme=programme, company_id=duplicate.company_id).update(
        company_id=keep.company_id
    )
    Service.objects.filter(programme=programme, company_id=duplicate.company_id).update(
        company_id=keep.company_id
    )
    contact = {
        field: getattr(duplicate, field)
        for field in REGISTER_CONTACT_FIELDS
        if not getattr(keep, field) and getattr(duplicate, field)
    }
    duplicate_company_id = duplicate.company_id
    duplicate.delete()
    if contact:
        model_update(keep, data=contact, clean=False)
    company_record_recompute(record=keep)
    if _company_only_in_register(duplicate_company_id):
        Company.objects.filter(pk=duplicate_company_id).delete()
    return keep
