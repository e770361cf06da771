"""A registration's company in the programme's register (DESIGN: "a registration creates or
matches the company, suggested by name and postcode, confirmed by staff").

Konvoi suggests the register entries of the same normalised company name
(`company_name_key`) and postcode; staff confirm one, or create a new entry from the
registration. Only then does the registration touch the register (`registration_touch`:
stage lead, engaged once the person was checked in at the door). Nothing is matched
automatically: a name and a postcode typed by a stranger are no proof of a company.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from events.keys import postcode_clean
from events.models import Registration, RegistrationStatus
from events.services import registration_touch
from programmes.models import CompanyRecord, Touch, TouchKind
from programmes.selectors import company_name_key, staff_role
from programmes.services import company_record_create, company_record_recompute


def _same_company_key(name: str, postcode: str) -> tuple[str, str]:
    return company_name_key(name), postcode_clean(postcode)


def suggestions_for(
    registrations: Iterable[Registration],
) -> dict[int, list[CompanyRecord]]:
    """For each registration (by id), the register entries of its event's programme with the
    same normalised company name and postcode, oldest entry first. One query for the whole
    list (a page of registrations); companies deleted since are not suggested."""
    registrations = list(registrations)
    if not registrations:
        return {}
    programme_ids = {r.event.programme_id for r in registrations}
    postcodes = {p for r in registrations for p in (r.postcode.strip(), postcode_clean(r.postcode))}
    records = (
        CompanyRecord.objects.filter(
            programme_id__in=programme_ids,
            company__postcode__in=postcodes,
            company__deleted_at__isnull=True,
        )
        .select_related("company")
        .order_by("pk")
    )
    by_key: dict[tuple[int, str, str], list[CompanyRecord]] = defaultdict(list)
    for record in records:
        name, postcode = _same_company_key(record.company.name, record.company.postcode)
        by_key[(record.programme_id, name, postcode)].append(record)
    result = {}
    for registration in registrations:
        name, postcode = _same_company_key(registration.company_name, registration.postcode)
        result[registration.pk] = (
            list(by_key.get((registration.event.programme_id, name, postcode), [])) if name else []
        )
    return result


def registration_company_suggestions(*, registration: Registration) -> list[CompanyRecord]:
    """The register entries that may be this registration's company (same normalised name and
    postcode in the event's programme)."""
    return suggestions_for([registration])[registration.pk]


def register_record_of(*, registration: Registration, record_id: int) -> CompanyRecord:
    """The entry of the registration's programme's register that staff chose; another
    programme's entry, a deleted company or no entry at all is one and the same refusal
    (nothing leaks about other registers)."""
    record = (
        CompanyRecord.objects.select_related("company")
        .filter(
            programme_id=registration.event.programme_id,
            pk=record_id,
            company__deleted_at__isnull=True,
        )
        .first()
    )
    if record is None:
        raise ValidationError({"record": [_("This company is not in this programme's register.")]})
    return record


def _require_staff(*, registration: Registration, by: User) -> None:
    if staff_role(programme_id=registration.event.programme_id, user=by) is None:
        raise PermissionDenied(_("Only the programme's staff may do this."))


def _touches_remove(registration: Registration, company_id: int) -> None:
    """Take this registration's touches off a company it was wrongly matched to, and set that
    company's register entry from the touches left."""
    programme_id = registration.event.programme_id
    Touch.objects.filter(
        programme_id=programme_id,
        company_id=company_id,
        kind__in=[TouchKind.EVENT_REGISTERED, TouchKind.EVENT_ATTENDED],
        source=f"registration:{registration.pk}",
    ).delete()
    old = CompanyRecord.objects.filter(programme_id=programme_id, company_id=company_id).first()
    if old is not None:
        company_record_recompute(record=old)


@transaction.atomic
def registration_company_confirm(
    *,
    registration: Registration,
    by: User,
    record: CompanyRecord | None = None,
    city: str = "",
    sector: str = "",
    size: str = "",
) -> CompanyRecord:
    """Staff confirm a registration's company: an entry of the programme's register
    (`record`), or, without one, a new entry made from the registration (company name,
    postcode, size and sector as registered, where staff give none; the city staff give, a
    registration asks for none; the person's name as contact only with their
    `contact_consent`, never their e-mail address, which coaches would see in the register).
    The new entry is refused when the register already has the company (the message names
    it). Then the registration touches the register: lead, engaged if checked in.

    Idempotent; a registration matched before moves to the new company (its touches leave
    the old one, whose entry is recomputed)."""
    _require_staff(registration=registration, by=by)
    registration = (
        Registration.objects.select_for_update()
        .select_related("event__programme")
        .get(pk=registration.pk)
    )
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(
            {"registration": [_("A cancelled registration is not matched to a company.")]}
        )
    programme = registration.event.programme
    if record is not None:
        if record.programme_id != programme.pk or record.company.deleted_at is not None:
            raise ValidationError(
                {"record": [_("This company is not in this programme's register.")]}
            )
        company = record.company
    else:
        consent = registration.contact_consent
        created = company_record_create(
            programme=programme,
            by=by,
            name=registration.company_name,
            sector=sector or registration.sector,
            size=size or registration.size,
            city=city,
            postcode=registration.postcode,
            # The name only: the register is read by coaches, who never see registrants'
            # addresses (events.selectors.registration_email_visible).
            contact_name=registration.name if consent else "",
            contact_email="",
        )
        company = created.company
    old_company_id = registration.company_id
    if old_company_id is not None and old_company_id != company.pk:
        _touches_remove(registration, old_company_id)
    if old_company_id != company.pk:
        registration.company = company
        registration.save(update_fields=["company"])
    registration_touch(registration)
    if record is None:
        # The entry came from the registration, not from a contact staff recorded: the
        # registration's touch is its first contact (not the moment staff confirmed it).
        Touch.objects.filter(
            programme=programme,
            company=company,
            kind=TouchKind.RECORDED,
            source=f"record:{company.pk}",
        ).delete()
    result = CompanyRecord.objects.select_related("company").get(
        programme=programme, company=company
    )
    if record is None:
        result = company_record_recompute(record=result)
    return result
