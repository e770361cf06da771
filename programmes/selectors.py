"""Reads of the programmes app: who is staff where, and the querysets the views start from."""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower, Replace
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from companies.models import SIZE_CLASS_SIZES, Company, CompanyMember, CompanyRole, SizeClass
from programmes.models import (
    CompanyRecord,
    Programme,
    Service,
    Staff,
    StaffInvitation,
    StaffRole,
    Touch,
)

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


# --- The register (part "register") -----------------------------------------------------------

# Legal forms left out when names are compared ("Bäckerei Schmidt GmbH & Co. KG" is
# "baeckerei schmidt"), after lowercasing, folding umlauts and dropping punctuation.
_LEGAL_FORMS = (
    "gmbh co kg",
    "gmbh co kgaa",
    "gmbh co ohg",
    "ug haftungsbeschraenkt",
    "ug haftungsbeschrankt",
    "gmbh",
    "ggmbh",
    "ug",
    "kg",
    "kgaa",
    "ohg",
    "gbr",
    "ag",
    "ek",
    "e k",
    "ekfr",
    "ekfm",
    "ekfrau",
    "ev",
    "e v",
    "eg",
    "e g",
    "mbh",
    "partg",
    "co",
    "inh",
    "ltd",
    "se",
)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_WORD = re.compile(r"[\W_]+")

# Addresses of free mail providers say nothing about which company someone works for.
FREEMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "web.de",
        "gmx.de",
        "gmx.net",
        "t-online.de",
        "outlook.com",
        "hotmail.com",
        "yahoo.de",
        "yahoo.com",
        "icloud.com",
        "posteo.de",
        "mailbox.org",
        "freenet.de",
        "aol.com",
    }
)


def text_fold(text: str) -> str:
    """Text as names are compared, in search and in duplicates: lowercase, umlauts written
    out ("Bäckerei" and "baeckerei" are both "baeckerei"). `_folded_column` does the same in
    the database."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)


def _folded_column(field: str) -> Func:
    """A text column folded as `text_fold` does (lowercase, umlauts written out), in SQL. The
    capital umlauts are replaced too: SQLite's LOWER folds ASCII letters only."""
    expression: Func = Lower(field)
    for char in "äöüÄÖÜß":
        expression = Replace(expression, Value(char), Value(text_fold(char.lower())))
    return expression


def company_name_key(name: str) -> str:
    """A company name as compared for duplicates: lowercase, umlauts folded, punctuation and
    spaces collapsed, legal forms (GmbH, UG, KG, e.K., & Co. …) left out."""
    text = text_fold(name)
    # Other accents: é → e.
    text = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    words = _NON_WORD.sub(" ", text).split()
    joined = " ".join(words)
    for form in sorted(_LEGAL_FORMS, key=len, reverse=True):
        joined = re.sub(rf"(?:^| ){re.escape(form)}(?= |$)", " ", joined)
    return " ".join(joined.split())


def email_domain(email: str) -> str:
    """The domain of an address, lowercased; "" for none or a free mail provider."""
    _, at, domain = email.strip().rpartition("@")
    domain = domain.casefold() if at else ""
    return "" if domain in FREEMAIL_DOMAINS else domain


def _services_count() -> Coalesce:
    per_company = (
        Service.objects.filter(
            programme_id=OuterRef("programme_id"), company_id=OuterRef("company_id")
        )
        .order_by()
        .values("company_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_company, output_field=IntegerField()), 0)


def company_register(
    *,
    programme: Programme,
    q: str = "",
    stage: str | None = None,
    sector: str | None = None,
    size_class: str | None = None,
    region: str | None = None,
) -> QuerySet[CompanyRecord]:
    """The programme's register, most recently touched first: each record with its company
    and `services_count`. `q` searches company name, city and postcode (text_fold); `region` is the
    company's region, or its city where it has none; `size_class` micro/small/medium/large."""
    records = (
        CompanyRecord.objects.filter(programme=programme)
        .select_related("company")
        .annotate(services_count=_services_count())
        .order_by("-last_touch_at", "-id")
    )
    q = text_fold(q.strip())
    if q:
        # Folded on both sides (text_fold): "baeckerei" finds "Bäckerei", "MÜLLER" "Müller".
        records = records.alias(
            name_folded=_folded_column("company__name"),
            city_folded=_folded_column("company__city"),
        ).filter(
            Q(name_folded__contains=q)
            | Q(city_folded__contains=q)
            | Q(company__postcode__icontains=q)
        )
    if stage:
        records = records.filter(stage=stage)
    if sector:
        records = records.filter(company__sector=sector)
    if size_class:
        sizes = (
            SIZE_CLASS_SIZES.get(SizeClass(size_class), ())
            if size_class in SizeClass.values
            else ()
        )
        records = records.filter(company__size__in=list(sizes))
    if region:
        records = records.filter(
            Q(company__region__iexact=region) | Q(company__region="", company__city__iexact=region)
        )
    return records


def company_record_region(company: Company) -> str:
    """The region a company is counted in: its region, else its city."""
    return company.region or company.city


def register_regions(*, programme: Programme) -> list[str]:
    """The regions of the programme's register (for the filter), sorted."""
    pairs = CompanyRecord.objects.filter(programme=programme).values_list(
        "company__region", "company__city"
    )
    return sorted({region or city for region, city in pairs if region or city}, key=str.casefold)


def company_record_for_staff(*, programme: Programme, record_id: int) -> CompanyRecord:
    """One record of the programme with its company; another programme's record is a 404."""
    record = (
        CompanyRecord.objects.select_related("company", "programme")
        .annotate(services_count=_services_count())
        .filter(programme=programme, pk=record_id)
        .first()
    )
    if record is None:
        raise Http404("No such record.")
    return record


def register_duplicate_of(
    *, programme: Programme, name: str, postcode: str, exclude_company_id: int | None = None
) -> CompanyRecord | None:
    """The record of the programme's register with the same normalised name
    (company_name_key) and postcode, if any: one company per name and postcode."""
    key = company_name_key(name)
    others = CompanyRecord.objects.filter(
        programme=programme, company__postcode=postcode.strip()
    ).select_related("company")
    if exclude_company_id is not None:
        others = others.exclude(company_id=exclude_company_id)
    return next((o for o in others if company_name_key(o.company.name) == key), None)


def company_record_for_company(*, programme: Programme, company_id: int) -> CompanyRecord | None:
    """The programme's record of a company, if it has one."""
    return CompanyRecord.objects.filter(programme=programme, company_id=company_id).first()


def company_record_has_accounts(*, record: CompanyRecord) -> bool:
    """Whether the record's company has Konvoi members (then it keeps its own details)."""
    return CompanyMember.objects.filter(company_id=record.company_id).exists()


def company_record_touches(*, record: CompanyRecord) -> QuerySet[Touch]:
    """A record's touches, newest first (the timeline)."""
    return Touch.objects.filter(
        programme_id=record.programme_id, company_id=record.company_id
    ).order_by("-at", "-id")


def company_record_services(*, record: CompanyRecord) -> QuerySet[Service]:
    """A record's services, newest first, with their company and coach."""
    return (
        Service.objects.filter(programme_id=record.programme_id, company_id=record.company_id)
        .select_related("company", "coach")
        .order_by("-date", "-id")
    )


def programme_services(
    *,
    programme: Programme,
    company: int | None = None,
    kind: str | None = None,
    category: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Service]:
    """The programme's services, newest first, with company and coach, filtered."""
    services = (
        Service.objects.filter(programme=programme)
        .select_related("company", "coach")
        .order_by("-date", "-id")
    )
    if company is not None:
        services = services.filter(company_id=company)
    if kind:
        services = services.filter(kind=kind)
    if category:
        services = services.filter(category=category)
    if date_from is not None:
        services = services.filter(date__gte=date_from)
    if date_to is not None:
        services = services.filter(date__lte=date_to)
    return services


def service_for_staff(*, programme: Programme, service_id: int) -> Service:
    """One service of the programme; another programme's is a 404."""
    service = (
        Service.objects.select_related("company", "coach", "programme")
        .filter(programme=programme, pk=service_id)
        .first()
    )
    if service is None:
        raise Http404("No such service.")
    return service


def programme_coaches(*, programme: Programme) -> QuerySet[User]:
    """The programme's staff as people a service can be credited to, by name."""
    return User.objects.filter(programme_staff__programme=programme).order_by("name", "pk")


@dataclass(frozen=True)
class DuplicateSuggestion:
    """Two records that may be the same company, and why (`name_postcode` or `email_domain`).
    `domain` only when both records' own contact e-mails have it: a domain taken from company
    owners' account addresses is their personal data, not shown to staff."""

    first: CompanyRecord
    second: CompanyRecord
    reason: str
    domain: str = ""


def duplicate_suggestions(
    *, programme: Programme, record: CompanyRecord | None = None
) -> list[DuplicateSuggestion]:
    """Pairs of records that may be one company: the same normalised name and postcode, or the
    same e-mail domain (the record's contact address or the company owners' addresses; free
    mail providers do not count). Two queries whatever the register's size; with `record`,
    only the pairs it is in."""
    records = list(
        CompanyRecord.objects.filter(programme=programme).select_related("company").order_by("pk")
    )
    owner_emails: dict[int, set[str]] = defaultdict(set)
    for company_id, email in CompanyMember.objects.filter(
        company__programme_records__programme=programme, role=CompanyRole.OWNER
    ).values_list("company_id", "user__email"):
        owner_emails[company_id].add(email)
    by_name: dict[tuple[str, str], list[CompanyRecord]] = defaultdict(list)
    by_domain: dict[str, list[CompanyRecord]] = defaultdict(list)
    contact_domain: dict[int, str] = {}
    for each in records:
        contact_domain[each.pk] = email_domain(each.contact_email)
        key = company_name_key(each.company.name)
        if key and each.company.deleted_at is None:
            by_name[(key, each.company.postcode.strip().casefold())].append(each)
        domains = {email_domain(e) for e in {each.contact_email, *owner_emails[each.company_id]}}
        for domain in domains - {""}:
            by_domain[domain].append(each)
    pairs: dict[tuple[int, int], DuplicateSuggestion] = {}
    for group in by_name.values():
        for first, second in combinations(group, 2):
            pairs[(first.pk, second.pk)] = DuplicateSuggestion(first, second, "name_postcode")
    for domain, group in sorted(by_domain.items()):
        for first, second in combinations(group, 2):
            shown = domain if contact_domain[first.pk] == contact_domain[second.pk] else ""
            pairs.setdefault(
                (first.pk, second.pk), DuplicateSuggestion(first, second, "email_domain", shown)
            )
    suggestions = sorted(pairs.values(), key=lambda s: (s.first.pk, s.second.pk))
    if record is not None:
        suggestions = [s for s in suggestions if record.pk in (s.first.pk, s.second.pk)]
    return suggestions


def programme_choices_for_user(*, user: AnyUser) -> list[tuple[int, str]]:
    """(id, name) of the programmes the user is staff of, for a convoy's programme field."""
    if not user.is_authenticated:
        return []
    return list(
        Programme.objects.filter(staff_links__user_id=user.pk)
        .order_by("name", "id")
        .values_list("id", "name")
    )
