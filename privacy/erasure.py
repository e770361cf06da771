"""Erasure (GDPR Art. 17): deleting a person's account and deleting a company.

What a person or company wrote in a convoy stays there, so that nobody else's page breaks and a
thread keeps its replies: the User and Company rows stay and are anonymised in place
(`User.display_name` then says "Former member", `Company.display_name` "Former company"). What
is personal goes: name, e-mail address, @handle, password, sessions, tokens, second factors,
memberships, invitations to the address, answers to meetings ahead, notifications and their
settings, calendar feeds, reactions, login-attempt records, admin-log rows about them, and the
address and browser in their audit entries. Everything happens in one transaction.

Decisions (README "Deleting an account or a company"):
- Reactions go (a reaction is only a sign of a person; a count without people means nothing).
- Answers to meetings still ahead are withdrawn through checkins (seats move up); answers to
  past meetings stay as anonymous attendance ("Former member").
- Invitations the person sent keep working (they are the convoy's or the company's), signed
  "Former member". Invitations sent to their address: open ones are deleted, used ones keep
  their history with the placeholder address.
- Nudges the person sent go (the notification the company's people got keeps its text).
- A deleted company's invitations are deleted (its page no longer exists); its memberships in
  convoys end through convoys.membership_end, so each convoy's live feed says it left.
"""

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.events import credentials_changed_on_commit
from accounts.mfa import mfa_enabled, mfa_verify_explained
from accounts.models import User
from accounts.ratelimit import password_check_allowed, password_check_limited_message
from accounts.services import api_tokens_revoke_all
from accounts.sessions import user_sessions_end
from audit.models import Action, AuditEntry
from audit.services import audit_record
from checkins.models import CalendarFeed
from checkins.services import rsvps_withdraw_upcoming
from checks.models import CheckResponse, CheckStatus
from comments.models import Comment, Reaction
from companies.models import Company, CompanyInvitation, CompanyMember, CompanyRole
from convoys.models import Convoy, ConvoyStatus, Event, Facilitator, Invitation, Membership
from convoys.services import membership_end
from live.publish import access_changed_on_commit
from notifications.models import (
    ConvoyMute,
    DeliverySettings,
    DigestDelivery,
    Notification,
    NotificationPreference,
    Nudge,
)
from programmes.models import CompanyRecord, Programme, Staff, StaffInvitation, StaffRole
from programmes.services import programme_staff_forget
from richtext.rendering import MENTION_CLASS

logger = logging.getLogger(__name__)

BATCH = 500  # rows per statement when scanning or deleting: no unbounded IN lists


def placeholder_email(user_id: int) -> str:
    """The address a deleted account keeps: unique, and undeliverable (RFC 2606 `.invalid`)."""
    return f"deleted-{user_id}@konvoi.invalid"


def placeholder_handle(user_id: int) -> str:
    """The @handle a deleted account keeps (valid for the handle rule, never a person's)."""
    return f"former_{user_id}"


# --- preconditions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    """Something that must be resolved before the account can go, with where to do it."""

    code: str  # "last_owner" | "sole_company" | "only_facilitator" | "last_manager"
    message: str
    company_id: int | None = None
    convoy_id: int | None = None
    programme_id: int | None = None


@dataclass
class AccountPlan:
    """What deleting an account will do and what stands in its way (shown before confirming)."""

    blockers: list[Blocker] = field(default_factory=list)
    # Companies in which the person is the only member (and owner): deleted with the account
    # when they choose so.
    sole_companies: list[Company] = field(default_factory=list)
    # Companies where they are the last owner while others belong to it.
    ownerless_companies: list[Company] = field(default_factory=list)
    # Convoys they are the only facilitator of, still running with companies in them.
    unfacilitated_convoys: list[Convoy] = field(default_factory=list)


def account_delete_plan(*, user: User, delete_companies: bool = False) -> AccountPlan:
    """The preconditions of deleting `user`'s account: a company's last owner while other
    people belong to it must make one of them owner first; the only person of a company may
    delete the company with the account (`delete_companies`); the only facilitator of a running
    convoy (not closed) with companies in it must add another facilitator or close it."""
    plan = AccountPlan()
    own = CompanyMember.objects.filter(user=user, role=CompanyRole.OWNER).select_related("company")
    for member in own.order_by("company__name", "company_id"):
        company = member.company
        people = CompanyMember.objects.filter(company=company).exclude(user=user)
        if not people.exists():
            plan.sole_companies.append(company)
            if not delete_companies:
                plan.blockers.append(
                    Blocker(
                        code="sole_company",
                        message=_(
                            "You are the only person of %(company)s. Choose to delete the "
                            "company together with your account, or invite a colleague and "
                            "make them owner first."
                        )
                        % {"company": company.display_name},
                        company_id=company.pk,
                    )
                )
        elif not people.filter(role=CompanyRole.OWNER).exists():
            plan.ownerless_companies.append(company)
            plan.blockers.append(
                Blocker(
                    code="last_owner",
                    message=_(
                        "You are the last owner of %(company)s. Make a colleague owner first, "
                        "or delete the company."
                    )
                    % {"company": company.display_name},
                    company_id=company.pk,
                )
            )
    leaving = {c.pk for c in plan.sole_companies} if delete_companies else set()
    facilitated = Facilitator.objects.filter(user=user).values("convoy_id")
    convoys = Convoy.objects.filter(pk__in=facilitated).exclude(status=ConvoyStatus.CLOSED)
    for convoy in convoys.order_by("name", "pk"):
        if Facilitator.objects.filter(convoy=convoy).exclude(user=user).exists():
            continue
        others = Membership.objects.active().filter(convoy=convoy).exclude(company_id__in=leaving)
        if not others.exists():
            continue
        plan.unfacilitated_convoys.append(convoy)
        plan.blockers.append(
            Blocker(
                code="only_facilitator",
                message=_(
                    "You are the only moderation of the convoy %(convoy)s. Add another "
                    "moderator or close the convoy first."
                )
                % {"convoy": convoy.name},
                convoy_id=convoy.pk,
            )
        )
    _last_manager_blockers(user, plan)
    return plan


def _last_manager_blockers(user: User, plan: AccountPlan) -> None:
    """The last manager of a programme in which others work must make one of them manager
    first: they would be left without anyone who may manage staff or get the report. (Someone
    alone in a programme may go; the operator can give it new staff in the admin.)"""
    managed = Staff.objects.filter(user=user, role=StaffRole.MANAGER).values("programme_id")
    others = Staff.objects.exclude(user=user)
    alone = (
        Programme.objects.filter(pk__in=managed)
        .filter(pk__in=others.values("programme_id"))
        .exclude(pk__in=others.filter(role=StaffRole.MANAGER).values("programme_id"))
        .order_by("name", "pk")
    )
    for programme in alone:
        plan.blockers.append(
            Blocker(
                code="last_manager",
                message=_(
                    "You are the last manager of the programme %(programme)s. Make a "
                    "colleague manager first."
                )
                % {"programme": programme.name},
                programme_id=programme.pk,
            )
        )


def _refuse(blockers: list[Blocker]) -> ValidationError:
    return ValidationError({"account": [b.message for b in blockers]}, code="blocked")


# --- scrubbing stored JSON -------------------------------------------------------------------


def _scrub(value: Any, *, strings: set[str], needles: list[str]) -> tuple[Any, bool]:
    """`value` with every string equal to one of `strings` (case-insensitively) or containing
    one of `needles` emptied. Returns (new value, changed)."""
    if isinstance(value, str):
        low = value.casefold()
        if low in strings or any(n in low for n in needles):
            return "", True
        return value, False
    if isinstance(value, dict):
        changed = False
        out = {}
        for k, v in value.items():
            out[k], c = _scrub(v, strings=strings, needles=needles)
            changed = changed or c
        return out, changed
    if isinstance(value, list):
        changed = False
        items = []
        for v in value:
            item, c = _scrub(v, strings=strings, needles=needles)
            items.append(item)
            changed = changed or c
        return items, changed
    return value, False


def _in_batches(queryset: models.QuerySet[Any]) -> Iterator[list[Any]]:
    """Rows in primary-key order, BATCH at a time (keyset pagination: no OFFSET, no IN)."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def _json_scrub(
    queryset: models.QuerySet[Any], *, field_name: str, strings: set[str], needles: list[str]
) -> int:
    """Scrub one JSON column of the rows of `queryset`; returns how many rows changed."""
    changed_rows = 0
    for rows in _in_batches(queryset.only("pk", field_name)):
        for row in rows:
            new, changed = _scrub(getattr(row, field_name), strings=strings, needles=needles)
            if changed:
                queryset.model.objects.filter(pk=row.pk).update(**{field_name: new})
                changed_rows += 1
    return changed_rows


def _company_refs_scrub(value: Any, *, company_id: int) -> tuple[Any, bool]:
    """Empty the name of every {"id": company_id, "name": …} under a "company" key."""
    changed = False
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k == "company" and isinstance(v, dict) and v.get("id") == company_id:
                if v.get("name"):
                    v = {**v, "name": ""}
                    changed = True
            else:
                v, c = _company_refs_scrub(v, company_id=company_id)
                changed = changed or c
            out[k] = v
        return out, changed
    if isinstance(value, list):
        items = []
        for v in value:
            item, c = _company_refs_scrub(v, company_id=company_id)
            items.append(item)
            changed = changed or c
        return items, changed
    return value, False


# --- sessions and second factors ------------------------------------------------------------


def _sessions_end(user: User) -> int:
    """End every login session of the person: those UserSession knows, and (with a database
    session store) any other session that carries their id (accounts.sessions, one home)."""
    return user_sessions_end(user)


# django-otp's device models (part "mfa"); absent when the apps are not installed.
OTP_DEVICE_MODELS = ("otp_totp.TOTPDevice", "otp_static.StaticDevice", "otp_email.EmailDevice")


def _second_factors_delete(user: User) -> int:
    count = 0
    for label in OTP_DEVICE_MODELS:
        app_label, _sep, _model = label.partition(".")
        if not apps.is_installed(f"django_otp.plugins.{app_label}"):
            continue
        model = apps.get_model(label)
        count += model.objects.filter(user=user).delete()[0]
    return count


def _delete(queryset: models.QuerySet[Any]) -> int:
    return int(queryset.delete()[0])


# --- deleting a company ----------------------------------------------------------------------


def _company_erase(*, company: Company, actor: User | None) -> dict[str, int]:
    """Anonymise the company in place and take it out of everything (no permission check:
    the callers decide who may)."""
    company = Company.objects.select_for_update().get(pk=company.pk)
    if company.deleted_at is not None:
        raise ValidationError({"company": [_("This company has already been deleted.")]})
    old_name = company.name
    # Cleared first, so that the membership events below already carry no name.
    company.name = ""
    company.city = ""
    company.region = ""
    company.website = ""
    company.postcode = ""
    company.deleted_at = timezone.now()
    company.save(update_fields=["name", "city", "region", "website", "postcode", "deleted_at"])
    # Programmes keep their records of what they delivered (services, stages: what they report
    # to funders), but not the contact person they noted down.
    CompanyRecord.objects.filter(company=company).update(contact_name="", contact_email="")
    counts: dict[str, int] = {}
    memberships = Membership.objects.active().filter(company=company).order_by("pk")
    counts["convoy_memberships_ended"] = 0
    for membership in memberships:
        membership_end(actor=actor, membership=membership, company_deleted=True)
        counts["convoy_memberships_ended"] += 1
    convoy_ids = list(
        Membership.objects.filter(company=company).values_list("convoy_id", flat=True).distinct()
    )
    # The company's name written into convoy events (and notifications) at the time.
    scrubbed = 0
    for rows in _in_batches(Event.objects.filter(convoy_id__in=convoy_ids).only("pk", "data")):
        for row in rows:
            new, changed = _company_refs_scrub(row.data, company_id=company.pk)
            if changed:
                Event.objects.filter(pk=row.pk).update(data=new)
                scrubbed += 1
    counts["events_scrubbed"] = scrubbed
    if old_name:
        # Elsewhere in a payload the bare name (a comment's "target_title", an excerpt).
        counts["events_scrubbed"] += _json_scrub(
            Event.objects.filter(convoy_id__in=convoy_ids),
            field_name="data",
            strings={old_name.casefold()},
            needles=[],
        )
        counts["notifications_scrubbed"] = _json_scrub(
            Notification.objects.filter(convoy_id__in=convoy_ids),
            field_name="data",
            strings={old_name.casefold()},
            needles=[],
        )
    member_ids = list(
        CompanyMember.objects.filter(company=company).values_list("user_id", flat=True)
    )
    counts["company_members_removed"] = _delete(CompanyMember.objects.filter(company=company))
    counts["company_invitations_deleted"] = _delete(
        CompanyInvitation.objects.filter(company=company)
    )
    # Unfinished checks go with the company; submitted ones stay, nameless like the company,
    # in the programme's before/after figures (as its services do).
    counts["check_drafts_deleted"] = _delete(
        CheckResponse.objects.filter(company=company, status=CheckStatus.DRAFT)
    )
    # What an anonymous respondent left before filing the check under the company goes too,
    # and its link opens nothing any more (a company's check needs no token).
    counts["checks_anonymised"] = CheckResponse.objects.filter(company=company).update(
        email="",
        contact_name="",
        company_name="",
        postcode="",
        token_hash=None,
        token_nonce="",
        updated_at=timezone.now(),
    )
    for user_id in member_ids:
        access_changed_on_commit(user_id=user_id)
    return counts


@transaction.atomic
def company_delete(
    company: Company,
    *,
    actor: User | None,
    request: HttpRequest | None = None,
) -> dict[str, int]:
    """An owner deletes their company (`actor` None: an operator, manage.py delete_company).
    Its people keep their accounts; its content stays in the convoys as "Former company"."""
    if (
        actor is not None
        and not CompanyMember.objects.filter(
            company=company, user=actor, role=CompanyRole.OWNER
        ).exists()
    ):
        raise PermissionDenied(_("Only an owner of the company may do this."))
    counts = _company_erase(company=company, actor=actor)
    audit_record(
        action=Action.COMPANY_DELETED,
        user=actor,
        actor=actor,
        request=request,
        target=f"company:{company.pk}",
        data={"company": company.pk, **({"by": "operator"} if actor is None else {})},
    )
    return counts


def company_delete_name_matches(*, company: Company, typed: str) -> bool:
    """The confirmation of a company's deletion: its name typed again (case and outer
    spaces do not matter)."""
    return " ".join(typed.split()).casefold() == " ".join(company.name.split()).casefold()


# --- deleting an account ---------------------------------------------------------------------


def account_delete_confirm_matches(*, user: User, password: str = "", email: str = "") -> bool:
    """The confirmation: the password, or for an account without a usable password (single
    sign-on only) the e-mail address typed again."""
    if user.has_usable_password():
        return bool(password) and user.check_password(password)
    return bool(email) and email.strip().casefold() == user.email.casefold()


def account_delete_confirm_error(*, user: User) -> tuple[str, str]:
    """The field and message of a confirmation that did not match."""
    if user.has_usable_password():
        return "password", _("Your password is not correct.")
    return "email", _("Type the e-mail address of your account to confirm.")


def account_delete_blockers_elsewhere(*, user: User) -> list[Blocker]:
    """What stands in the way even when the person chooses to delete the companies they are
    the only person of: to be resolved on another page (make a colleague owner, add a
    facilitator, close a convoy) before confirming makes sense."""
    return account_delete_plan(user=user, delete_companies=True).blockers


class ConfirmRateLimited(Exception):
    """Too many confirmations of an account deletion in a short time (the password check's
    limit, per person): the API answers 429, the web page shows the message on the form."""

    def __init__(self, field_name: str) -> None:
        self.field_name = field_name
        self.message = password_check_limited_message()
        super().__init__(self.message)


def account_delete_refusal(
    *,
    user: User,
    password: str = "",
    email: str = "",
    code: str = "",
    delete_companies: bool = False,
    request: HttpRequest | None = None,
) -> dict[str, list[str]]:
    """Why deleting `user`'s account with this confirmation would be refused, by field (empty:
    it may go ahead). The one home of the rule for the web page and the API: blockers that must
    be resolved elsewhere come alone under "account" (never "password not correct"); then the
    confirmation ("password" or "email"), counted against the password check's rate limit
    (ConfirmRateLimited beyond it), for the only person of a company the choice to delete it
    with the account ("delete_companies"), and last, with a second factor, a current code
    ("code"; checked only when all else is right, so that a recovery code is not used up by a
    refusal)."""
    elsewhere = account_delete_blockers_elsewhere(user=user)
    if elsewhere:
        return {"account": [b.message for b in elsewhere]}
    errors: dict[str, list[str]] = {}
    field_name, message = account_delete_confirm_error(user=user)
    if not password_check_allowed(user_id=user.pk):
        raise ConfirmRateLimited(field_name)
    if not account_delete_confirm_matches(user=user, password=password, email=email):
        errors[field_name] = [message]
    plan = account_delete_plan(user=user, delete_companies=delete_companies)
    if plan.blockers:
        errors["delete_companies"] = [b.message for b in plan.blockers]
    if mfa_enabled(user):
        if not code.strip():
            errors["code"] = [_("Please enter the code from your app or a recovery code.")]
        elif not errors:
            device, code_message = mfa_verify_explained(user=user, code=code, request=request)
            if device is None:
                errors["code"] = [code_message]
    return errors


def company_delete_name_error() -> str:
    return _("Type the company's name exactly to confirm.")


def _invitations_to_address(user: User, email: str) -> dict[str, int]:
    """Invitations sent to the person's address: open ones go; used, withdrawn or expired ones
    keep their history with the placeholder address."""
    now = timezone.now()
    counts: dict[str, int] = {}
    placeholder = placeholder_email(user.pk)
    kinds: tuple[tuple[str, models.QuerySet[Any]], ...] = (
        ("convoy", Invitation.objects.all()),
        ("company", CompanyInvitation.objects.all()),
        ("programme_staff", StaffInvitation.objects.all()),
    )
    for label, invitations in kinds:
        to_them = invitations.filter(email__iexact=email)
        open_ = to_them.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        )
        counts[f"{label}_invitations_deleted"] = _delete(open_)
        counts[f"{label}_invitations_anonymised"] = to_them.update(email=placeholder)
    return counts


def _axes_delete(email: str) -> int:
    count = 0
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        count += _delete(model.objects.filter(username__iexact=email))
    return count


def _admin_log_delete(user: User, email: str) -> int:
    user_type = ContentType.objects.get_for_model(User)
    return _delete(
        LogEntry.objects.filter(
            Q(content_type=user_type, object_id=str(user.pk)) | Q(object_repr__icontains=email)
        )
    )


def _convoys_of(user: User, company_ids: Iterable[int]) -> list[int]:
    ids = set(Facilitator.objects.filter(user=user).values_list("convoy_id", flat=True))
    ids |= set(
        Membership.objects.filter(company_id__in=list(company_ids)).values_list(
            "convoy_id", flat=True
        )
    )
    ids |= set(Event.objects.filter(actor=user).values_list("convoy_id", flat=True).distinct())
    return sorted(ids)


def _mentions_unlink(handle: str, convoy_ids: list[int]) -> int:
    """Others' comments that mention the person keep the text as typed (it is theirs), no
    longer marked as a mention of someone."""
    span = f'<span class="{MENTION_CLASS}">@{handle}</span>'
    changed = 0
    comments = Comment.objects.filter(convoy_id__in=convoy_ids, body_html__contains=span)
    for rows in _in_batches(comments.only("pk", "body_html")):
        for row in rows:
            Comment.objects.filter(pk=row.pk).update(
                body_html=row.body_html.replace(span, f"@{handle}")
            )
            changed += 1
    return changed


def _plan_rows_lock(user: User) -> None:
    """Lock the rows the plan's rules read, so that two co-owners (or two facilitators)
    deleting their accounts at once cannot both pass "someone else stays": the member rows of
    the person's companies, then the facilitator rows of their convoys, each in primary-key
    order (companies.services locks member rows in the same order: no deadlock). The second
    deletion waits, then sees the first one's result."""
    companies = CompanyMember.objects.filter(user=user).values("company_id")
    list(
        CompanyMember.objects.select_for_update()
        .filter(company_id__in=companies)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    convoys = Facilitator.objects.filter(user=user).values("convoy_id")
    list(
        Facilitator.objects.select_for_update()
        .filter(convoy_id__in=convoys)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # The programme rows, as programmes.services locks them before changing staff.
    programmes = Staff.objects.filter(user=user).values("programme_id")
    list(
        Programme.objects.select_for_update()
        .filter(pk__in=programmes)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def account_delete(
    user: User,
    *,
    actor: User | None = None,
    request: HttpRequest | None = None,
    delete_companies: bool = False,
    force: bool = False,
) -> dict[str, int]:
    """Delete `user`'s account: anonymise the row in place and remove their personal data.

    `actor`: who does it (the person themself from the web and the API; None: an operator,
    manage.py delete_account). `delete_companies`: the companies they are the only person of
    are deleted with the account (refused otherwise). `force` (operators only) overrides the
    preconditions: a company whose last owner goes is left without owner, a convoy without
    facilitator, and companies they are the only person of are deleted. Returns what was
    removed, by kind."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.deleted_at is not None:
        raise ValidationError({"account": [_("This account has already been deleted.")]})
    _plan_rows_lock(user)
    plan = account_delete_plan(user=user, delete_companies=delete_companies or force)
    if plan.blockers and not force:
        raise _refuse(plan.blockers)
    email, name, handle = user.email, user.name, user.handle
    counts: dict[str, int] = {}
    company_ids = list(CompanyMember.objects.filter(user=user).values_list("company_id", flat=True))
    convoy_ids = _convoys_of(user, company_ids)

    for company in plan.sole_companies:
        for key, n in _company_erase(company=company, actor=None).items():
            counts[f"company_{key}"] = counts.get(f"company_{key}", 0) + n
        audit_record(
            action=Action.COMPANY_DELETED,
            user=None,
            actor=None,
            target=f"company:{company.pk}",
            data={"company": company.pk, "with_account": user.pk},
        )
    counts["companies_deleted"] = len(plan.sole_companies)
    counts["companies_left_without_owner"] = len(plan.ownerless_companies) if force else 0
    counts["convoys_left_without_facilitator"] = len(plan.unfacilitated_convoys) if force else 0

    counts["rsvps_withdrawn"] = rsvps_withdraw_upcoming(user=user)
    counts["facilitator_roles"] = _delete(Facilitator.objects.filter(user=user))
    counts["programme_staff_roles"] = _delete(Staff.objects.filter(user=user))
    programme_staff_forget(user_id=user.pk)
    counts["company_memberships"] = _delete(CompanyMember.objects.filter(user=user))
    counts.update(_invitations_to_address(user, email))
    # Staff may have noted the person as a company's contact.
    counts["register_contacts_cleared"] = CompanyRecord.objects.filter(
        contact_email__iexact=email
    ).update(contact_name="", contact_email="")
    # Checks they took keep their answers for the programme's figures, but not who took them;
    # an anonymous check they left their address on forgets it (and mails nothing more).
    theirs = Q(respondent=user) | (Q(email__iexact=email) if email else Q(pk__in=[]))
    counts["checks_unlinked"] = CheckResponse.objects.filter(theirs).update(
        respondent=None, email="", contact_name="", updated_at=timezone.now()
    )
    counts["notifications"] = _delete(Notification.objects.filter(recipient=user))
    counts["notification_preferences"] = _delete(NotificationPreference.objects.filter(user=user))
    counts["delivery_settings"] = _delete(DeliverySettings.objects.filter(user=user))
    counts["convoy_mutes"] = _delete(ConvoyMute.objects.filter(user=user))
    counts["digest_records"] = _delete(DigestDelivery.objects.filter(user=user))
    counts["nudges"] = _delete(Nudge.objects.filter(actor=user))
    counts["calendar_feeds"] = _delete(CalendarFeed.objects.filter(user=user))
    counts["reactions"] = _delete(Reaction.objects.filter(user=user))
    counts["api_tokens"] = api_tokens_revoke_all(user=user)
    counts["sessions"] = _sessions_end(user)
    counts["second_factors"] = _second_factors_delete(user)
    counts["login_attempt_records"] = _axes_delete(email)
    counts["admin_log_entries"] = _admin_log_delete(user, email)
    user.groups.clear()
    user.user_permissions.clear()

    # Whatever stored JSON still names them (convoy events, others' notifications).
    strings = {s.casefold() for s in (name, handle, f"@{handle}") if s}
    needles = [email.casefold()]
    counts["events_scrubbed"] = _json_scrub(
        Event.objects.filter(convoy_id__in=convoy_ids),
        field_name="data",
        strings=strings,
        needles=needles,
    )
    counts["notifications_scrubbed"] = _json_scrub(
        Notification.objects.filter(Q(actor=user) | Q(convoy_id__in=convoy_ids)),
        field_name="data",
        strings=strings,
        needles=needles,
    )
    counts["audit_entries_erased"] = AuditEntry.objects.erase_personal_data(
        user.pk, emails=(email,)
    )
    counts["mentions_unlinked"] = _mentions_unlink(handle, convoy_ids)

    user.name = ""
    user.email = placeholder_email(user.pk)
    user.handle = placeholder_handle(user.pk)
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.language = User._meta.get_field("language").get_default()
    user.timezone = User._meta.get_field("timezone").get_default()
    user.email_change_nonce = ""
    user.sso_subject = ""
    user.has_second_factor = False
    user.last_login = None
    user.deleted_at = timezone.now()
    user.save()

    # Their open sockets close (inactive account), those of colleagues re-check access.
    credentials_changed_on_commit(user_id=user.pk)
    access_changed_on_commit(user_id=user.pk)
    # Written after erasing, so that it keeps what it says. The request is recorded only when
    # someone else deletes the account: the person's own address would be personal data again.
    by_other = actor is not None and actor.pk != user.pk
    audit_record(
        action=Action.ACCOUNT_DELETED,
        user=user,
        actor=actor if actor is not None else user,
        request=request if by_other else None,
        target=f"user:{user.pk}",
        data={
            "companies_deleted": [c.pk for c in plan.sole_companies],
            **({"by": "operator", "forced": force} if actor is None else {}),
        },
    )
    logger.info("account %s deleted", user.pk)
    return counts
