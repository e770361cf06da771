"""The T1/T2 re-assessment reminder rule of the check, run by the notifications sweep
(registered in ChecksConfig.ready(); the shape of a rule is described in notifications.rules).

The DMA measures a company "at different times": T0 before the support, then again. A company
that submitted a T0 check for a programme is reminded, once, to take it again:
- T1 when the programme's `check_t1_months` have passed since the T0, or as soon as the T0's
  convoy is closed, whichever comes first; not once a T1 was submitted after the T0;
- T2 when `check_t2_months` have passed since the T0, a T1 was submitted after it and no T2.

The T0 counted is the company's latest for that programme (one taken again replaces the
earlier one). The reminder goes to the company's people and links to its checks page; its
natural key names company, programme, stage and T0, so the sweep's unique constraint sends
it once however often the sweep runs.
"""

from calendar import monthrange
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat, JSONObject

from checks.models import CheckResponse, CheckStage, CheckStatus
from convoys.models import ConvoyStatus
from notifications.models import NotificationKind
from notifications.models import TargetType as NotificationTarget
from notifications.rules import RuleQuery, as_text
from programmes.models import Programme

MEMBER_USER = "company__members__user"


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall-clock moment `months` calendar months earlier, in the site's zone
    (31 March less one month is 28/29 February)."""
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    index = local.year * 12 + (local.month - 1) - months
    year, month = divmod(index, 12)
    day = min(local.day, monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day)


def _submitted(stage: str) -> QuerySet[CheckResponse]:
    """Submitted checks of `stage` of the outer row's company and programme."""
    return CheckResponse.objects.filter(
        company_id=OuterRef("company_id"),
        programme_id=OuterRef("programme_id"),
        stage=stage,
        status=CheckStatus.SUBMITTED,
    )


def _after_t0(stage: str) -> QuerySet[CheckResponse]:
    """Submitted checks of `stage` after the outer T0 (same company and programme)."""
    return _submitted(stage).filter(submitted_at__gte=OuterRef("submitted_at"))


def _latest_t0s() -> QuerySet[CheckResponse]:
    """Each company's latest submitted T0 per programme (of a company that still exists)."""
    later_t0 = _submitted(CheckStage.T0).filter(
        Q(submitted_at__gt=OuterRef("submitted_at"))
        | Q(submitted_at=OuterRef("submitted_at"), pk__gt=OuterRef("pk"))
    )
    return CheckResponse.objects.filter(
        ~Exists(later_t0),
        stage=CheckStage.T0,
        status=CheckStatus.SUBMITTED,
        company__isnull=False,
        company__deleted_at__isnull=True,
        programme__isnull=False,
    )


def _months_passed(field: str, months: list[int], now: datetime) -> Q:
    """The T0 was submitted at least the programme's `field` months before `now`: one term
    per number of months the programmes use (a handful), as SQL has no portable month
    arithmetic on a column."""
    passed = Q(pk__in=[])
    for m in months:
        passed |= Q(**{f"programme__{field}": m, "submitted_at__lte": months_before(now, m)})
    return passed


def _annotated(queryset: QuerySet[CheckResponse], stage: str) -> QuerySet[CheckResponse]:
    return queryset.order_by().annotate(
        n_key=Concat(
            Value(f"{NotificationKind.CHECK_DUE}:"),
            as_text(F("company_id")),
            Value(":"),
            as_text(F("programme_id")),
            Value(f":{stage}:"),
            as_text(F("pk")),
            output_field=CharField(),
        ),
        n_convoy=F("convoy_id"),
        n_target_type=Value(NotificationTarget.COMPANY, output_field=CharField()),
        n_target_id=F("company_id"),
        n_data=JSONObject(
            company=F("company__name"),
            programme=F("programme__name"),
            stage=Value(stage, output_field=CharField()),
        ),
    )


def t1_due(now: datetime, months: list[int]) -> QuerySet[CheckResponse]:
    """The people of companies whose latest T0 is `check_t1_months` old, or whose convoy
    is closed, with no T1 after it. Once per person and T0."""
    return _annotated(
        _latest_t0s().filter(
            _months_passed("check_t1_months", months, now) | Q(convoy__status=ConvoyStatus.CLOSED),
            ~Exists(_after_t0(CheckStage.T1)),
            **{f"{MEMBER_USER}__isnull": False},  # a company without people has nobody to tell
        ),
        CheckStage.T1,
    )


def t2_due(now: datetime, months: list[int]) -> QuerySet[CheckResponse]:
    """The people of companies whose latest T0 is `check_t2_months` old, with a T1 and no
    T2 after it. Once per person and T0."""
    return _annotated(
        _latest_t0s().filter(
            _months_passed("check_t2_months", months, now),
            Exists(_after_t0(CheckStage.T1)),
            ~Exists(_after_t0(CheckStage.T2)),
            **{f"{MEMBER_USER}__isnull": False},
        ),
        CheckStage.T2,
    )


def check_due_querysets(now: datetime) -> list[RuleQuery]:
    """The T1 and T2 reminders the sweep runs (one small query first: the numbers of months
    the programmes use)."""
    t1_months: set[int] = set()
    t2_months: set[int] = set()
    for t1, t2 in (
        Programme.objects.order_by().values_list("check_t1_months", "check_t2_months").distinct()
    ):
        t1_months.add(t1)
        t2_months.add(t2)
    return [
        RuleQuery(NotificationKind.CHECK_DUE, t1_due(now, sorted(t1_months)), MEMBER_USER),
        RuleQuery(NotificationKind.CHECK_DUE, t2_due(now, sorted(t2_months)), MEMBER_USER),
    ]
