"""The programme report: the figures a programme owes its funders for a period.

Each indicator is a small function registered with `@indicator(key, label=…, rule=…)`; the
rule's text (translatable) sits next to the code that counts by it, so the figure and what it
says it counts have one home. The report runs the registered indicators in order. Apps that
arrive later (events, checks) add their indicators here the same way: `reports` is in the top
layer and may import them.

Set-based: the whole report is a constant number of queries whatever the number of companies.
Indicators that count the same rows share one query through `ReportContext` (its cached
properties), e.g. the companies reached and the funnel. The figures are counted in the
database (grouped queries); the rows of single companies are loaded only where a file lists
them (the workbook's "Companies" sheet).

A period is a range of whole local days (settings.TIME_ZONE), `from` and `to` both included.
"""

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    IntegerField,
    JSONField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from checkins.models import CheckIn, CheckInStatus, RsvpStatus
from checks.models import DIMENSIONS, Band, CheckResponse, CheckStage, CheckStatus, Dimension
from companies.models import SIZE_CLASS_SIZES, Company, Sector, SizeClass, size_class_of
from convoys.models import ConvoyStatus, Membership
from events.models import EventFormat, EventStatus, OpenEvent, RegistrationStatus
from programmes.models import (
    STAGE_ORDER,
    CompanyRecord,
    Programme,
    Service,
    ServiceCategory,
    ServiceKind,
    Stage,
    Touch,
)
from projects.models import Project, ProjectCategory

# A funder's period is at most a funding phase; beyond that the report is not what anyone asks.
PERIOD_MAX_DAYS = 5 * 366
# The years a period's days may be in: from PERIOD_FIRST_YEAR to next year.
PERIOD_FIRST_YEAR = 2000
UNKNOWN_REGION = "unknown"
NEW, RETURNING = "new", "returning"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- The period ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole local days `start`..`end` (both included), and the aware instants that bound
    them: `start_at` (midnight starting `start`) ≤ t < `end_before` (midnight after `end`)."""

    start: date
    end: date

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(settings.TIME_ZONE)

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=self.tz)

    @property
    def end_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.tz)

    def months(self) -> list[str]:
        """ "YYYY-MM" of every month the period touches, in order."""
        months, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


def _date_param(name: str, value: str | None) -> date:
    if value is None or not str(value).strip():
        raise ValidationError({name: _("This field is required (a date as YYYY-MM-DD).")})
    value = str(value).strip()
    try:
        if not _ISO_DATE.match(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: _("Enter a valid date as YYYY-MM-DD.")}) from None
    # Konvoi's data start after 2000; and a year far off (0001, 9999) would overflow the
    # instants that bound the period.
    last_year = timezone.localdate().year + 1
    if not PERIOD_FIRST_YEAR <= day.year <= last_year:
        raise ValidationError(
            {
                name: _("Enter a date in the years %(first)s to %(last)s.")
                % {"first": PERIOD_FIRST_YEAR, "last": last_year}
            }
        )
    return day


def period_parse(*, start: str | None, end: str | None) -> Period:
    """The period of the query parameters `from` and `to`; a ValidationError naming the
    field for a missing or malformed date, a year outside 2000 … next year, `to` before
    `from`, or more than five years."""
    first = _date_param("from", start)
    last = _date_param("to", end)
    if last < first:
        raise ValidationError({"to": _("The end of the period cannot be before its start.")})
    if (last - first).days >= PERIOD_MAX_DAYS:
        raise ValidationError({"to": _("A report covers at most five years.")})
    return Period(first, last)


def period_default(*, today: date | None = None) -> Period:
    """This calendar year up to today (local days)."""
    today = today or timezone.localdate()
    return Period(date(today.year, 1, 1), today)


def period_last_quarter(*, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = quarter_start - timedelta(days=1)
    return Period(date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end)


def period_last_year(*, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))


# --- The rows the indicators count ----------------------------------------------------------


@dataclass
class ReachedCompany:
    """A company the programme touched in the period, with what the report says of it."""

    company_id: int
    name: str
    sector: str
    size_class: str
    region: str
    first_ever: datetime
    first_in_period: datetime
    last_in_period: datetime
    stage: str

    @property
    def new_returning(self) -> str:
        return RETURNING if self.first_ever < self.first_in_period else NEW


def region_of(*, region: str, city: str) -> str:
    return (region or "").strip() or (city or "").strip() or UNKNOWN_REGION


def _stage_rank(field: str) -> Case:
    """The stage in `field` as its rank in STAGE_ORDER (the funnel's furthest is a MAX)."""
    return Case(
        *(When(**{field: stage}, then=Value(rank)) for stage, rank in STAGE_ORDER.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


_RANK_STAGE = {rank: stage for stage, rank in STAGE_ORDER.items()}
_SIZE_CLASSES = {size: c.value for c, sizes in SIZE_CLASS_SIZES.items() for size in sizes}


def _size_class(size: str) -> str:
    return _SIZE_CLASSES.get(size) or size_class_of(size)


@dataclass(frozen=True)
class ReachedGroup:
    """`n` companies reached in the period that share every value the report counts them by
    (the region already decided from the company's region and city)."""

    size_class: str
    sector: str
    region: str
    new_returning: str
    n: int


@dataclass(frozen=True)
class ReachedMonth:
    """`n` companies whose first contact in the period was in `month` ("YYYY-MM", local)."""

    month: str
    new_returning: str
    n: int


@dataclass
class ReportContext:
    """The programme and period, and the shared rows, each loaded by one query when an
    indicator (or an export sheet) first needs it."""

    programme: Programme
    period: Period
    now: datetime = field(default_factory=timezone.now)
    # The language the report is made in: rows loaded later (the workbook's companies) say
    # "Former company" in it too.
    language: str | None = field(default_factory=translation.get_language)

    def _in_period(self, prefix: str = "at") -> Q:
        p = self.period
        return Q(**{f"{prefix}__gte": p.start_at, f"{prefix}__lt": p.end_before})

    def _record_touches(self, **filters: Any) -> QuerySet[Touch]:
        """The touches of the register entry the outer query is at (correlated)."""
        return Touch.objects.filter(
            programme_id=OuterRef("programme_id"), company_id=OuterRef("company_id"), **filters
        )

    def _reached_records(self) -> QuerySet[CompanyRecord]:
        """The programme's register entries of the companies with a touch in the period
        (`_returning()` tells new from returning).

        Every touch has its register entry (`company_touch` writes both; a service moved or
        removed and a merge recompute the entry), so these are the companies reached.
        New or returning needs no aggregate over all touches: `CompanyRecord.first_touch_at`
        is the company's first contact ever with this programme — `company_touch` moves it
        only earlier, and `company_record_recompute` sets it from the touches whenever one
        is removed or moved. It is never later than any touch. (Where a touch was
        touched again at a later moment — a company that left a convoy and joined it again
        — the entry keeps the earlier first contact, which is what "returning" means: it had
        a contact before the period.) So: returning ⇔ first contact before the period."""
        p = self.period
        return CompanyRecord.objects.filter(programme=self.programme).filter(
            Exists(self._record_touches(at__gte=p.start_at, at__lt=p.end_before))
        )

    def _returning(self) -> Case:
        """True for a returning company: its first contact ever is before the period."""
        return Case(
            When(first_touch_at__lt=self.period.start_at, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )

    @cached_property
    def reached_groups(self) -> list[ReachedGroup]:
        """One query, counted in the database: the companies reached in the period grouped
        by size band, sector, region, city, and new or returning. What companies_reached
        counts."""
        rows = (
            self._reached_records()
            .annotate(returning=self._returning())
            .values_list(
                "company__size", "company__sector", "company__region", "company__city", "returning"
            )
            .annotate(n=Count("id"))
            .order_by()
        )
        return [
            ReachedGroup(
                size_class=_size_class(size),
                sector=sector,
                region=region_of(region=region, city=city),
                new_returning=RETURNING if returning else NEW,
                n=n,
            )
            for size, sector, region, city, returning, n in rows
        ]

    @cached_property
    def reached_stages(self) -> dict[str, int]:
        """One query, counted in the database: how many companies reached in the period are
        at each stage, the furthest of their touches up to the period's end. Counted as
        "at least this far" (distinct companies with a touch of this stage or a later one,
        one column per stage, in one pass over the touches) and then told apart: the
        companies at stage s are those at least at s less those at least at the next."""
        p = self.period
        reached = Touch.objects.filter(
            programme=self.programme, at__gte=p.start_at, at__lt=p.end_before
        ).values("company_id")
        stages = list(STAGE_ORDER)
        at_least = Touch.objects.filter(
            programme=self.programme, at__lt=p.end_before, company_id__in=reached
        ).aggregate(
            **{
                # The first: every company (a stage outside STAGE_ORDER counts as the first).
                f"from_{rank}": Count(
                    "company_id",
                    distinct=True,
                    filter=Q(stage__in=stages[rank:]) if rank else None,
                )
                for rank in range(len(stages))
            }
        )
        counts = [at_least[f"from_{rank}"] or 0 for rank in range(len(stages))] + [0]
        return {stage: counts[rank] - counts[rank + 1] for rank, stage in enumerate(stages)}

    @cached_property
    def reached_months(self) -> list[ReachedMonth]:
        """One query, counted in the database: the companies reached by the month (local
        time) of their first touch in the period, new and returning. The reach chart."""
        p = self.period
        first_in = (
            self._record_touches(at__gte=p.start_at, at__lt=p.end_before)
            .order_by()
            .values("company_id")
            .annotate(first=Min("at"))
            .values("first")
        )
        rows = (
            self._reached_records()
            .annotate(
                returning=self._returning(),
                month=TruncMonth(Subquery(first_in, output_field=DateTimeField()), tzinfo=p.tz),
            )
            .values_list("month", "returning")
            .annotate(n=Count("id"))
            .order_by()
        )
        return [
            ReachedMonth(
                month=month.astimezone(p.tz).strftime("%Y-%m"),
                new_returning=RETURNING if returning else NEW,
                n=n,
            )
            for month, returning, n in rows
        ]

    @cached_property
    def reached(self) -> list[ReachedCompany]:
        """One query, only for what lists single companies (the workbook's "Companies"
        sheet): every company with a touch in the period, its first contact ever (from its
        register entry, as `_reached_records` decides new or returning), its first and last
        touch in the period, and the furthest stage of its touches up to the period's end."""
        p = self.period
        # From the company side, so that the rows group by the company's key alone; the
        # filter on the touches comes first, so the aggregates see this programme's only.
        # The register entry is joined apart (one per programme and company, so it does not
        # multiply the touches).
        at = "programme_touches__at"
        in_period = Q(**{f"{at}__gte": p.start_at, f"{at}__lt": p.end_before})
        rows = (
            Company.objects.filter(programme_touches__programme=self.programme)
            .filter(programme_records__programme=self.programme)
            .annotate(
                first_ever=Min("programme_records__first_touch_at"),
                first_in=Min(at, filter=in_period),
                last_in=Max(at, filter=in_period),
                rank=Max(
                    _stage_rank("programme_touches__stage"), filter=Q(**{f"{at}__lt": p.end_before})
                ),
            )
            .filter(first_in__isnull=False)
            .values_list(
                "pk",
                "name",
                "deleted_at",
                "sector",
                "size",
                "region",
                "city",
                "first_ever",
                "first_in",
                "last_in",
                "rank",
            )
            .order_by("name", "pk")
        )
        with translation.override(self.language):
            former = str(_("Former company"))
        companies = []
        for (
            pk,
            name,
            deleted_at,
            sector,
            size,
            region,
            city,
            first,
            first_in,
            last_in,
            rank,
        ) in rows:
            companies.append(
                ReachedCompany(
                    company_id=pk,
                    name=former if deleted_at is not None else name,
                    sector=sector,
                    size_class=_size_class(size),
                    region=region_of(region=region, city=city),
                    first_ever=first,
                    first_in_period=first_in,
                    last_in_period=last_in,
                    stage=_RANK_STAGE[rank],
                )
            )
        return companies

    @cached_property
    def services(self) -> list[dict[str, Any]]:
        """One query: (kind, category, count) of the services dated in the period."""
        return list(
            Service.objects.filter(
                programme=self.programme, date__gte=self.period.start, date__lte=self.period.end
            )
            .values("kind", "category")
            .annotate(n=Count("id"))
            .order_by("kind", "category")
        )

    @cached_property
    def served(self) -> list[tuple[int, str]]:
        """One query: the distinct (company, category) pairs of the services in the period."""
        return list(
            Service.objects.filter(
                programme=self.programme, date__gte=self.period.start, date__lte=self.period.end
            )
            .values_list("company_id", "category")
            .distinct()
            .order_by()
        )

    @cached_property
    def visits(self) -> dict[str, int]:
        """One query: on-site visits in the period and the distinct companies visited."""
        return Service.objects.filter(
            programme=self.programme,
            kind=ServiceKind.VISIT,
            date__gte=self.period.start,
            date__lte=self.period.end,
        ).aggregate(visits=Count("id"), companies=Count("company", distinct=True))

    @cached_property
    def memberships(self) -> list[dict[str, Any]]:
        """One query: the memberships in the programme's convoys that overlap the period
        (joined by its end, not ended before its start)."""
        p = self.period
        rows = (
            Membership.objects.filter(
                Q(ended_at__isnull=True) | Q(ended_at__gte=p.start_at),
                convoy__programme=self.programme,
                joined_at__lt=p.end_before,
            )
            .values(
                "convoy_id",
                "convoy__name",
                "convoy__status",
                "company_id",
                "company__size",
            )
            .order_by("convoy__name", "convoy_id", "company_id")
        )
        return [dict(row) for row in rows]

    @cached_property
    def checkins(self) -> dict[str, int]:
        """One query: check-ins held (not cancelled, started in the period, ended by now)
        and their confirmed RSVPs."""
        return CheckIn.objects.filter(
            ~Q(status=CheckInStatus.CANCELLED),
            self._in_period("starts_at"),
            convoy__programme=self.programme,
            ends_at__lte=self.now,
        ).aggregate(
            held=Count("id", distinct=True),
            attendance=Count("rsvps", filter=Q(rsvps__status=RsvpStatus.CONFIRMED)),
        )

    @cached_property
    def events(self) -> list[dict[str, Any]]:
        """One query: the open events held (published, started in the period, ended by now),
        soonest first, each with its registrations (not cancelled; walk-ins included), its
        attendees (checked in at the door), and, of the people registered beforehand with a
        seat (not walk-ins), how many there were and how many did not come."""
        registered = Q(registrations__status=RegistrationStatus.REGISTERED)
        booked = registered & Q(registrations__walk_in=False)
        rows = (
            OpenEvent.objects.filter(
                self._in_period("starts_at"),
                programme=self.programme,
                status=EventStatus.PUBLISHED,
                ends_at__lte=self.now,
            )
            .annotate(
                registrations_n=Count(
                    "registrations",
                    filter=~Q(registrations__status=RegistrationStatus.CANCELLED),
                ),
                attendees_n=Count(
                    "registrations",
                    filter=~Q(registrations__status=RegistrationStatus.CANCELLED)
                    & Q(registrations__attended_at__isnull=False),
                ),
                booked_n=Count("registrations", filter=booked),
                no_shows_n=Count(
                    "registrations", filter=booked & Q(registrations__attended_at__isnull=True)
                ),
            )
            .values(
                "id",
                "title",
                "format",
                "starts_at",
                "capacity",
                "registrations_n",
                "attendees_n",
                "booked_n",
                "no_shows_n",
            )
            .order_by("starts_at", "id")
        )
        return [dict(row) for row in rows]

    @cached_property
    def projects(self) -> list[dict[str, Any]]:
        """One query: per category, the projects shared with the programme's convoys (each
        once) created, started and completed in the period."""
        shared = Project.convoys.through.objects.filter(convoy__programme=self.programme).values(
            "project_id"
        )
        return list(
            Project.objects.filter(
                Q(self._in_period("created_at"))
                | Q(self._in_period("started_at"))
                | Q(self._in_period("completed_at")),
                pk__in=shared,
            )
            .values("category")
            .annotate(
                planned=Count("id", filter=self._in_period("created_at")),
                started=Count("id", filter=self._in_period("started_at")),
                completed=Count("id", filter=self._in_period("completed_at")),
            )
            .order_by("category")
        )

    def _checks_submitted(self, stage: str) -> QuerySet[CheckResponse]:
        """The programme's company checks of `stage` submitted in the period (a check counts
        for the programme it was taken for: `CheckResponse.programme`)."""
        return CheckResponse.objects.filter(
            self._in_period("submitted_at"),
            programme=self.programme,
            status=CheckStatus.SUBMITTED,
            stage=stage,
            company__isnull=False,
        )

    @cached_property
    def checks_taken(self) -> list[dict[str, Any]]:
        """One query, counted in the database: per stage (T0, T1) and size band, the
        companies with a submitted check of that stage in the period, each company once."""
        return list(
            CheckResponse.objects.filter(
                self._in_period("submitted_at"),
                programme=self.programme,
                status=CheckStatus.SUBMITTED,
                stage__in=[CheckStage.T0, CheckStage.T1],
                company__isnull=False,
            )
            .values("stage", "company__size")
            .annotate(n=Count("company", distinct=True))
            .order_by()
        )

    @cached_property
    def check_pairs(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """One query: (T0 scores, T1 scores) per company: its latest T1 submitted in the
        period, and its latest T0 for the programme submitted before that T1 with the same
        questionnaire version (scores of different versions are not comparable). The
        medians are taken in Python: SQLite has no median. One row per T1 in the period,
        so this grows with the companies re-assessed, never with the number of queries."""
        t0 = CheckResponse.objects.filter(
            company_id=OuterRef("company_id"),
            programme=self.programme,
            status=CheckStatus.SUBMITTED,
            stage=CheckStage.T0,
            questionnaire_version=OuterRef("questionnaire_version"),
            submitted_at__lt=OuterRef("submitted_at"),
        ).order_by("-submitted_at", "-pk")
        rows = (
            self._checks_submitted(CheckStage.T1)
            .filter(Exists(t0))
            .annotate(t0_scores=Subquery(t0.values("scores")[:1], output_field=JSONField()))
            .values_list("company_id", "t0_scores", "scores")
            .order_by("company_id", "-submitted_at", "-pk")
        )
        pairs: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
        for company_id, before, after in rows:
            pairs.setdefault(company_id, (before or {}, after or {}))
        return list(pairs.values())

    def convoys_counted(self) -> list[dict[str, Any]]:
        """One row per convoy counted: id, name, status, companies (in the period)."""
        convoys: dict[int, dict[str, Any]] = {}
        for row in self.memberships:
            convoy = convoys.setdefault(
                row["convoy_id"],
                {
                    "id": row["convoy_id"],
                    "name": row["convoy__name"],
                    "status": row["convoy__status"],
                    "companies": set(),
                },
            )
            convoy["companies"].add(row["company_id"])
        return [{**c, "companies": len(c["companies"])} for c in convoys.values()]


# --- The indicators -------------------------------------------------------------------------

# Counts per value; a few indicators (the maturity change) give medians and shares, which
# are floats, or None where there is nothing to take them of.
Breakdown = dict[str, Mapping[str, int | float | None]]


@dataclass(frozen=True)
class Figure:
    value: int | float | None
    breakdown: Breakdown | None = None


@dataclass(frozen=True)
class IndicatorDef:
    key: str
    label: Promise
    rule: Promise
    compute: Callable[[ReportContext], Figure]


INDICATORS: list[IndicatorDef] = []


def indicator(
    key: str, *, label: Promise, rule: Promise
) -> Callable[[Callable[[ReportContext], Figure]], Callable[[ReportContext], Figure]]:
    """Register an indicator: the report shows them in the order they are registered."""

    def register(compute: Callable[[ReportContext], Figure]) -> Callable[[ReportContext], Figure]:
        if any(existing.key == key for existing in INDICATORS):
            raise ValueError(f"indicator {key!r} is registered twice")
        INDICATORS.append(IndicatorDef(key=key, label=label, rule=rule, compute=compute))
        return compute

    return register


def _counts(keys: list[str], values: list[str] | Counter[str]) -> dict[str, int]:
    """Every key in order (zero where none), then any other value seen."""
    counter = values if isinstance(values, Counter) else Counter(values)
    result = {key: counter.get(key, 0) for key in keys}
    for key, n in counter.items():
        if key not in result:
            result[key] = n
    return result


def _by_count(values: list[str] | Counter[str]) -> dict[str, int]:
    """Open-ended values (regions), the most frequent first, "unknown" last."""
    counter = values if isinstance(values, Counter) else Counter(values)
    ordered = sorted(
        counter.items(), key=lambda item: (item[0] == UNKNOWN_REGION, -item[1], item[0])
    )
    return dict(ordered)


SIZE_CLASS_KEYS = [c.value for c in SizeClass]
SECTOR_KEYS = [s.value for s in Sector]
STAGE_KEYS = [s.value for s in Stage]
KIND_KEYS = [k.value for k in ServiceKind]
CATEGORY_KEYS = [c.value for c in ServiceCategory]
CONVOY_STATUS_KEYS = [s.value for s in ConvoyStatus]
PROJECT_CATEGORY_KEYS = [c.value for c in ProjectCategory]


@indicator(
    "companies_reached",
    label=_("Companies reached"),
    rule=_(
        "Unique companies with at least one contact of the programme in the period (a "
        "service, a convoy membership, a project, an event, a check or a contact recorded by "
        "staff). A company contacted several times or in several ways counts once. By size "
        "class (EU classes, mutually exclusive: micro under 10 staff, small 10–49, medium "
        "50–249, large 250 or more), by sector, by region (the company's region, else its "
        "city, else “unknown”), and new or returning (new: its first contact ever with the "
        "programme is in the period; returning: it had a contact before the period)."
    ),
)
def companies_reached(ctx: ReportContext) -> Figure:
    groups = ctx.reached_groups

    def by(attribute: str) -> Counter[str]:
        counter: Counter[str] = Counter()
        for group in groups:
            counter[getattr(group, attribute)] += group.n
        return counter

    return Figure(
        value=sum(group.n for group in groups),
        breakdown={
            "size_class": _counts(SIZE_CLASS_KEYS, by("size_class")),
            "sector": _counts(SECTOR_KEYS, by("sector")),
            "region": _by_count(by("region")),
            "new_returning": _counts([NEW, RETURNING], by("new_returning")),
        },
    )


def _funnel_rule() -> str:
    # The stages by their labels in Stage (their one home), so the rule names them as the
    # rest of Konvoi does.
    return gettext(
        "The companies reached in the period, each at the furthest stage its contacts up to "
        "the end of the period reached (%(stages)s). Each company counts once, at one stage."
    ) % {"stages": ", ".join(str(stage.label) for stage in Stage)}


FUNNEL_RULE: Promise = lazy(_funnel_rule, str)()  # type: ignore[assignment]


@indicator("funnel", label=_("Companies by stage"), rule=FUNNEL_RULE)
def funnel(ctx: ReportContext) -> Figure:
    stages = ctx.reached_stages
    return Figure(
        value=sum(stages.values()),
        breakdown={"stage": _counts(STAGE_KEYS, Counter(stages))},
    )


@indicator(
    "services",
    label=_("Services delivered"),
    rule=_(
        "Services the programme recorded with a date in the period, each counted once. By "
        "kind and by category (the four EDIH functions)."
    ),
)
def services(ctx: ReportContext) -> Figure:
    kinds: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for row in ctx.services:
        kinds[row["kind"]] += row["n"]
        categories[row["category"]] += row["n"]
    return Figure(
        value=sum(kinds.values()),
        breakdown={
            "kind": _counts(KIND_KEYS, kinds),
            "category": _counts(CATEGORY_KEYS, categories),
        },
    )


@indicator(
    "companies_served",
    label=_("Companies served"),
    rule=_(
        "Unique companies with at least one service dated in the period. By category: a "
        "company counts once in each category it received a service in, so a company served "
        "in two categories counts in both categories but once in the total, and the "
        "categories may add up to more than the total."
    ),
)
def companies_served(ctx: ReportContext) -> Figure:
    return Figure(
        value=len({company for company, _category in ctx.served}),
        breakdown={
            "category": _counts(CATEGORY_KEYS, [category for _company, category in ctx.served])
        },
    )


@indicator(
    "visits",
    label=_("On-site visits"),
    rule=_("Services of the kind “on-site visit” dated in the period, each visit counted once."),
)
def visits(ctx: ReportContext) -> Figure:
    return Figure(value=ctx.visits["visits"])


@indicator(
    "companies_visited",
    label=_("Companies visited"),
    rule=_(
        "Unique companies with at least one on-site visit dated in the period; a company "
        "visited several times counts once."
    ),
)
def companies_visited(ctx: ReportContext) -> Figure:
    return Figure(value=ctx.visits["companies"])


@indicator(
    "convoys",
    label=_("Convoys"),
    rule=_(
        "The programme's convoys with at least one company that was a member during the "
        "period (joined by its end and not left before its start). By the convoy's status "
        "today."
    ),
)
def convoys(ctx: ReportContext) -> Figure:
    counted = ctx.convoys_counted()
    return Figure(
        value=len(counted),
        breakdown={"status": _counts(CONVOY_STATUS_KEYS, [c["status"] for c in counted])},
    )


@indicator(
    "convoy_companies",
    label=_("Companies in convoys"),
    rule=_(
        "Unique companies that were a member of one of the programme's convoys during the "
        "period; a company in two convoys counts once. By size class."
    ),
)
def convoy_companies(ctx: ReportContext) -> Figure:
    sizes = {row["company_id"]: row["company__size"] for row in ctx.memberships}
    return Figure(
        value=len(sizes),
        breakdown={
            "size_class": _counts(SIZE_CLASS_KEYS, [size_class_of(s) for s in sizes.values()])
        },
    )


@indicator(
    "checkins_held",
    label=_("Convoy meetings held"),
    rule=_(
        "Meetings of the programme's convoys that started in the period, were not cancelled "
        "and have ended by now."
    ),
)
def checkins_held(ctx: ReportContext) -> Figure:
    return Figure(value=ctx.checkins["held"])


@indicator(
    "checkin_attendance",
    label=_("Attendance at convoy meetings"),
    rule=_(
        "People with a confirmed answer (“yes”, with a seat) to the meetings counted above, "
        "added up over the meetings. Konvoi records no attendance at the door for convoy "
        "meetings, so this counts confirmed answers, not people who came."
    ),
)
def checkin_attendance(ctx: ReportContext) -> Figure:
    return Figure(value=ctx.checkins["attendance"])


FORMAT_KEYS = [f.value for f in EventFormat]


def _events_by_format(ctx: ReportContext, column: str | None) -> Figure:
    by_format: Counter[str] = Counter()
    for row in ctx.events:
        by_format[row["format"]] += row[column] if column else 1
    return Figure(
        value=sum(by_format.values()), breakdown={"format": _counts(FORMAT_KEYS, by_format)}
    )


@indicator(
    "events",
    label=_("Open events held"),
    rule=_(
        "The programme's open events (info events, workshops, consultation days) that "
        "started in the period, were published and not cancelled, and have ended by now; "
        "drafts do not count. By format."
    ),
)
def events(ctx: ReportContext) -> Figure:
    return _events_by_format(ctx, None)


@indicator(
    "registrations",
    label=_("Registrations for open events"),
    rule=_(
        "Registrations for the events counted above that were not cancelled: people with a "
        "seat, people still on the waiting list when the event took place, and people "
        "registered at the door. A person registered for two events counts twice. By the "
        "event's format."
    ),
)
def registrations(ctx: ReportContext) -> Figure:
    return _events_by_format(ctx, "registrations_n")


@indicator(
    "attendees",
    label=_("Attendees of open events"),
    rule=_(
        "People checked in at the door of the events counted above (by their QR code, "
        "their code, their name, or registered at the door), added up over the events. Only "
        "a check-in at the door counts as attendance, not a registration. By the event's "
        "format."
    ),
)
def attendees(ctx: ReportContext) -> Figure:
    return _events_by_format(ctx, "attendees_n")


@indicator(
    "no_show_rate",
    label=_("No-show rate of open events (per cent)"),
    rule=_(
        "Of the people registered beforehand who held a seat at the events counted above "
        "(not cancelled, not left on the waiting list, not registered at the door), the share "
        "not checked in at the door, in per cent with one decimal, over all these events "
        "together. Empty when nobody was registered beforehand."
    ),
)
def no_show_rate(ctx: ReportContext) -> Figure:
    booked = sum(row["booked_n"] for row in ctx.events)
    no_shows = sum(row["no_shows_n"] for row in ctx.events)
    return Figure(value=round(100 * no_shows / booked, 1) if booked else None)


def _projects(ctx: ReportContext, column: str) -> Figure:
    by_category = Counter({row["category"]: row[column] for row in ctx.projects})
    return Figure(
        value=sum(by_category.values()),
        breakdown={"category": _counts(PROJECT_CATEGORY_KEYS, by_category)},
    )


@indicator(
    "projects_planned",
    label=_("Projects planned"),
    rule=_(
        "Projects created in the period and shared with at least one of the programme's "
        "convoys; a project shared with several of them counts once. By category."
    ),
)
def projects_planned(ctx: ReportContext) -> Figure:
    return _projects(ctx, "planned")


@indicator(
    "projects_started",
    label=_("Projects started"),
    rule=_(
        "Projects that first went “in progress” in the period and are shared with at least "
        "one of the programme's convoys; each project counts once. By category."
    ),
)
def projects_started(ctx: ReportContext) -> Figure:
    return _projects(ctx, "started")


@indicator(
    "projects_completed",
    label=_("Projects completed"),
    rule=_(
        "Projects done in the period and shared with at least one of the programme's "
        "convoys; each project counts once. By category."
    ),
)
def projects_completed(ctx: ReportContext) -> Figure:
    return _projects(ctx, "completed")


def _checks_taken(ctx: ReportContext, stage: str) -> Figure:
    by_class: Counter[str] = Counter()
    for row in ctx.checks_taken:
        if row["stage"] == stage:
            by_class[_size_class(row["company__size"])] += row["n"]
    return Figure(
        value=sum(by_class.values()),
        breakdown={"size_class": _counts(SIZE_CLASS_KEYS, by_class)},
    )


@indicator(
    "checks_t0",
    label=_("Companies with a Digitalisierungs-Check at T0"),
    rule=_(
        "Unique companies that submitted a Digitalisierungs-Check at stage T0 (before the "
        "support) for the programme in the period; a company that submitted several counts "
        "once. A check counts for the programme it was taken for. Anonymous checks count "
        "only once they are filed under a company. By size class."
    ),
)
def checks_t0(ctx: ReportContext) -> Figure:
    return _checks_taken(ctx, CheckStage.T0)


@indicator(
    "checks_t1",
    label=_("Companies with a Digitalisierungs-Check at T1"),
    rule=_(
        "Unique companies that submitted a Digitalisierungs-Check at stage T1 (the first "
        "re-assessment) for the programme in the period; a company that submitted several "
        "counts once. A check counts for the programme it was taken for. By size class."
    ),
)
def checks_t1(ctx: ReportContext) -> Figure:
    return _checks_taken(ctx, CheckStage.T1)


BAND_ORDER = {band.value: rank for rank, band in enumerate(Band)}
MATURITY_KEYS = ["overall", *DIMENSIONS]
BAND_CHANGE_KEYS = ["up", "same", "down"]


def _median_change(pairs: list[tuple[dict[str, Any], dict[str, Any]]], key: str) -> float | None:
    """The median of T1 − T0 in points (one decimal) over the pairs where both have the
    score `key` ("overall" or a dimension); None where none has."""
    changes = []
    for before, after in pairs:
        if key == "overall":
            old, new = before.get("overall"), after.get("overall")
        else:
            old = (before.get("dimensions") or {}).get(key)
            new = (after.get("dimensions") or {}).get(key)
        if old is not None and new is not None:
            changes.append(float(new) - float(old))
    return round(median(changes), 1) if changes else None


MATURITY_PAIRS_MIN = 5  # pairs before the medians, band moves and band-up share are shown


@indicator(
    "maturity_change",
    label=_("Change in digital maturity (T0 to T1)"),
    rule=_(
        "Companies with a pair of Digitalisierungs-Checks for the programme: a T1 submitted "
        "in the period and a T0 submitted before it, both of the same questionnaire version "
        "(scores of different versions are not compared). Each company counts once, with "
        "its latest T1 in the period and the latest T0 before it. The value is the number "
        "of pairs. Broken down: the median change of the overall score and of each "
        "dimension in points (0–100 scale; T1 minus T0, over the pairs where both scores "
        "exist; empty where none), how many pairs moved up, stayed in or moved down a "
        "maturity band, and the share of pairs moving up at least one band in per cent. "
        "The breakdown is shown from 5 pairs, so that no single company's change can be "
        "read; below that it is empty."
    ),
)
def maturity_change(ctx: ReportContext) -> Figure:
    pairs = ctx.check_pairs
    if len(pairs) < MATURITY_PAIRS_MIN:
        # A short period holding one pair would give that company's exact change.
        return Figure(
            value=len(pairs),
            breakdown={
                "median_change": dict.fromkeys(MATURITY_KEYS),
                "band_change": dict.fromkeys(BAND_CHANGE_KEYS),
                "band_up_share": {"percent": None},
            },
        )
    bands: Counter[str] = Counter()
    for before, after in pairs:
        old, new = BAND_ORDER.get(before.get("band", "")), BAND_ORDER.get(after.get("band", ""))
        if old is None or new is None:
            continue
        bands["up" if new > old else "down" if new < old else "same"] += 1
    return Figure(
        value=len(pairs),
        breakdown={
            "median_change": {key: _median_change(pairs, key) for key in MATURITY_KEYS},
            "band_change": _counts(BAND_CHANGE_KEYS, bands),
            "band_up_share": {"percent": round(100 * bands["up"] / len(pairs), 1)},
        },
    )


# --- The report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorResult:
    key: str
    label: str
    value: int | float | None
    rule: str
    breakdown: Breakdown | None


@dataclass
class ProgrammeReport:
    programme: Programme
    period: Period
    indicators: list[IndicatorResult]
    context: ReportContext

    def indicator(self, key: str) -> IndicatorResult:
        return next(i for i in self.indicators if i.key == key)

    def as_json(self) -> dict[str, Any]:
        """The API's shape: from, to, and the indicators in order (breakdown only where an
        indicator has one)."""
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "indicators": [
                {
                    "key": i.key,
                    "label": i.label,
                    "value": i.value,
                    "rule": i.rule,
                    **({"breakdown": i.breakdown} if i.breakdown is not None else {}),
                }
                for i in self.indicators
            ],
        }

    def reach_by_month(self) -> list[dict[str, Any]]:
        """Companies first reached in each month of the period (their first contact within
        the period, local time), new and returning: the reach chart (one grouped query)."""
        counts: Counter[tuple[str, str]] = Counter()
        for group in self.context.reached_months:
            counts[(group.month, group.new_returning)] += group.n
        return [
            {"month": month, NEW: counts[(month, NEW)], RETURNING: counts[(month, RETURNING)]}
            for month in self.period.months()
        ]


def programme_report(
    *, programme: Programme, period: Period, now: datetime | None = None
) -> ProgrammeReport:
    """The programme's report for the period: every registered indicator, labels and rules
    in the active language. The one function the API, the exports, the page and the
    benchmark call."""
    context = ReportContext(programme=programme, period=period, now=now or timezone.now())
    results = []
    for spec in INDICATORS:
        figure = spec.compute(context)
        results.append(
            IndicatorResult(
                key=spec.key,
                label=str(spec.label),
                value=figure.value,
                rule=str(spec.rule),
                breakdown=figure.breakdown,
            )
        )
    return ProgrammeReport(programme=programme, period=period, indicators=results, context=context)


def report_filename(*, programme: Programme, period: Period, extension: str) -> str:
    """`programme-report-<slug>-<from>-<to>.<extension>`, its first word in the active
    language ("programmbericht" in German); ASCII letters, digits and hyphens only."""
    # Translators: the start of the report's file name: lower case, ASCII, hyphens only.
    word = slugify(pgettext("file name", "programme-report")) or "programme-report"
    dates = f"{period.start.isoformat()}-{period.end.isoformat()}"
    return f"{word}-{programme.slug}-{dates}.{extension}"


# --- Labels of breakdown values (for the page and the exports) ------------------------------

DIMENSION_LABELS: dict[str, Promise] = {
    "size_class": _("Size class"),
    "sector": _("Sector"),
    "region": _("Region"),
    "new_returning": _("New or returning"),
    "stage": _("Stage"),
    "kind": _("Kind"),
    "category": _("Category"),
    "status": _("Status"),
    "format": _("Format"),
    "median_change": _("Median change (points)"),
    "band_change": _("Change of band"),
    "band_up_share": _("Moving up at least one band"),
}

_VALUE_LABELS: dict[str, Callable[[str], str]] = {
    "size_class": lambda v: str(SizeClass(v).label),
    "sector": lambda v: str(Sector(v).label),
    "stage": lambda v: str(Stage(v).label),
    "kind": lambda v: str(ServiceKind(v).label),
    "status": lambda v: str(ConvoyStatus(v).label),
    "format": lambda v: str(EventFormat(v).label),
}


_BAND_CHANGE_LABELS: dict[str, Promise] = {
    "up": pgettext_lazy("maturity band", "Moved up"),
    "same": pgettext_lazy("maturity band", "Stayed the same"),
    "down": pgettext_lazy("maturity band", "Moved down"),
}


# The heading of a breakdown on the page ("By sector"); new or returning reads as it is.
BREAKDOWN_HEADINGS: dict[str, Promise] = {
    "size_class": _("By size class"),
    "sector": _("By sector"),
    "region": _("By region"),
    "new_returning": _("New or returning"),
    "stage": _("By stage"),
    "kind": _("By kind"),
    "category": _("By category"),
    "status": _("By status"),
    "format": _("By format"),
    "median_change": _("Median change per dimension"),
    "band_change": _("Change of band"),
    "band_up_share": _("Moving up at least one band"),
}


def breakdown_heading(dimension: str) -> str:
    return str(BREAKDOWN_HEADINGS.get(dimension, dimension))


def dimension_label(dimension: str) -> str:
    return str(DIMENSION_LABELS.get(dimension, dimension))


def value_label(dimension: str, key: str, *, indicator_key: str = "") -> str:
    """The translated name of a breakdown value ("Kleinstunternehmen", "Handwerk")."""
    try:
        if dimension == "category":
            choices = ProjectCategory if indicator_key.startswith("projects_") else ServiceCategory
            return str(choices(key).label)
        if dimension == "new_returning":
            return str(_("New") if key == NEW else _("Returning"))
        if dimension == "median_change":
            return str(_("Overall score") if key == "overall" else Dimension(key).label)
        if dimension == "band_change":
            return str(_BAND_CHANGE_LABELS[key])
        if dimension == "band_up_share":
            return str(_("Share of the pairs (per cent)"))
        if dimension == "region" and key == UNKNOWN_REGION:
            return str(_("Unknown"))
        if dimension in _VALUE_LABELS:
            return _VALUE_LABELS[dimension](key)
    except ValueError:
        pass
    return key
