"""The reminder sweep: one run decides every reminder and digest that is due, exactly once.

The engine only: the rules (update due, RSVP missing, the facilitator digest …) are written
and registered by the apps that own them (notifications.rules); the sweep runs each
registered rule's querysets through the same gate and insert.

Celery beat calls it every few minutes (`notifications.tasks.reminders_sweep`), an operator
with `manage.py send_reminders [--now …]`; both run `sweep_run`.

How it stays exactly-once and set-based:
- Each rule is a queryset that yields one row per (recipient, reminder) with a natural key;
  `reminders_insert` turns it into `INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING id`,
  one statement per batch of the rule's base rows. The unique (recipient, key) constraint
  on Notification makes a second sweep, a concurrent one, or a re-run after a crash add
  nothing that is already there, and skip nothing that is not.
- Time-of-day rules (sending window, quiet hours, weekends) depend on the recipient's time
  zone; the sweep groups recipients by zone (there are few), computes the local time once
  per zone in Python with zoneinfo (DST-safe), and passes it to SQL as a constant.
- Periods are local calendar days of the convoy, turned into instants per zone, so a DST
  change neither skips nor doubles a period.
- Sending happens after the rows exist: the sweep queues what is due, and the sending
  protocol (notifications.sending) claims each e-mail and digest for one sender
  (`email_claimed_at` / `claimed_at`, with a lease for crashed workers) and marks it sent.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    DateField,
    DateTimeField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from notifications.kinds import DEFAULT_CHANNELS
from notifications.models import (
    Channel,
    ConvoyMute,
    DigestDelivery,
    Notification,
    NotificationPreference,
)
from notifications.queue import digest_send, notification_emails_send, notifications_push
from notifications.rules import registered_mail_sweeps, registered_rules
from notifications.sending import CLAIM_LEASE
from notifications.timing import SEND_FROM, in_send_window, local_at, local_now

logger = logging.getLogger(__name__)

BATCH = 5000  # base rows per INSERT … SELECT: bounded memory, short transactions
SEND_BATCH = 200  # e-mails per sending task


@dataclass
class SweepResult:
    created: dict[str, int] = field(default_factory=dict)
    digests: int = 0
    email_batches: int = 0

    def add(self, kind: str, count: int) -> None:
        self.created[kind] = self.created.get(kind, 0) + count


def recipient_zones() -> list[str]:
    return sorted(set(User.objects.order_by().values_list("timezone", flat=True).distinct()))


def _reachable_q(zone: str, now: datetime) -> Q:
    local = local_now(now, zone)
    t = local.time()
    qf, qu = "delivery_settings__quiet_from", "delivery_settings__quiet_until"
    not_quiet = (
        Q(**{f"{qf}__isnull": True})
        | Q(**{qf: F(qu)})
        | (Q(**{f"{qf}__lt": F(qu)}) & (Q(**{f"{qf}__gt": t}) | Q(**{f"{qu}__lte": t})))
        | (Q(**{f"{qf}__gt": F(qu)}) & Q(**{f"{qf}__gt": t}) & Q(**{f"{qu}__lte": t}))
    )
    reachable = Q(timezone=zone, is_active=True) & not_quiet
    if local.weekday() >= 5:
        reachable &= Q(delivery_settings__weekends=True)
    return reachable


def reachable_users(*, zones: list[str], now: datetime) -> QuerySet:
    """People in `zones` whom it is a good moment to reach by a scheduled reminder: outside
    their quiet hours (which may span midnight), on a weekday unless they chose weekends,
    each in the local time of their own zone."""
    reachable = Q(pk__in=[])
    for zone in zones:
        reachable |= _reachable_q(zone, now)
    return User.objects.filter(reachable).values("pk")


def _gated(queryset: QuerySet, *, kind: str, zones: list[str], now: datetime) -> QuerySet:
    """Only recipients it is a good moment to reach, who have not switched the kind off and
    have not muted the convoy; annotated with their channel.

    Everything refers to the rule's own `n_recipient` annotation rather than re-walking the
    path to the user: a second filter() over a multi-valued path would join a *different*
    company member than the one the rule selected.
    """
    preference = NotificationPreference.objects.filter(user_id=OuterRef("n_recipient"), kind=kind)
    # A snooze lasts until the end of its day in the person's own zone.
    today = Case(
        *(When(user__timezone=zone, then=Value(local_now(now, zone).date())) for zone in zones),
        output_field=DateField(),
    )
    muted = ConvoyMute.objects.filter(
        user_id=OuterRef("n_recipient"), convoy_id=OuterRef("n_convoy")
    ).filter(Q(until__isnull=True) | Q(until__gte=today))
    # Switched off as an anti-join, not a filter on the channel subquery: that one would be
    # evaluated for every row the planner reads, the channel below only for rows written.
    if DEFAULT_CHANNELS[kind] == Channel.OFF:
        wanted = Exists(preference.exclude(channel=Channel.OFF))
    else:
        wanted = ~Exists(preference.filter(channel=Channel.OFF))
    return (
        queryset.filter(n_recipient__in=reachable_users(zones=zones, now=now))
        .filter(wanted)
        .exclude(Exists(muted))
        .annotate(
            n_channel=Coalesce(
                Subquery(preference.values("channel")[:1]),
                Value(DEFAULT_CHANNELS[kind]),
                output_field=CharField(),
            )
        )
    )


def _insert_sql(queryset: QuerySet, *, kind: str, now: datetime) -> tuple[str, list]:
    rows = queryset.annotate(
        c_recipient=F("n_recipient"),
        c_kind=Value(kind, output_field=CharField()),
        c_convoy=F("n_convoy"),
        c_target_type=F("n_target_type"),
        c_target_id=F("n_target_id"),
        c_anchor=Value("", output_field=CharField()),
        c_data=F("n_data"),
        c_key=F("n_key"),
        c_channel=F("n_channel"),
        c_created=Value(now, output_field=DateTimeField()),
        c_email_after=Value(now, output_field=DateTimeField()),
    ).values(
        "c_recipient",
        "c_kind",
        "c_convoy",
        "c_target_type",
        "c_target_id",
        "c_anchor",
        "c_data",
        "c_key",
        "c_channel",
        "c_created",
        "c_email_after",
    )
    select_sql, params = rows.query.sql_with_params()
    table = Notification._meta.db_table
    columns = (
        "recipient_id, kind, convoy_id, target_type, target_id, anchor, data, key, channel, "
        "created_at, email_after"
    )
    # The WHERE TRUE keeps SQLite's parser from reading ON CONFLICT as part of a join.
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT * FROM ({select_sql}) AS rows "  # noqa: S608
        "WHERE TRUE ON CONFLICT DO NOTHING RETURNING id"
    )
    return sql, list(params)


def _pk_windows(queryset: QuerySet) -> Iterator[tuple[int, int]]:
    bounds = queryset.model.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    low = bounds["low"]
    while low <= bounds["high"]:
        yield low, low + BATCH
        low += BATCH


def reminders_insert(
    *,
    kind: str,
    queryset: QuerySet,
    now: datetime,
    recipient: str | None = None,
    zones: list[str] | None = None,
) -> int:
    """Insert the reminders a rule yields, once each; returns how many this call created.

    `queryset` rows carry n_recipient (or give `recipient`, the lookup path from the model to
    the user, walked in the rule's own join), n_key, n_convoy, n_target_type, n_target_id
    and n_data. One
    statement per batch of base rows (for every zone whose sending window is open, each
    person gated in their own local time), each in its own transaction: a crash loses at
    most the batch in flight, which the next run inserts. The new notifications are pushed
    to their people's sockets batch by batch.
    """
    if recipient is not None:
        queryset = queryset.annotate(n_recipient=F(recipient))
    zones = [
        zone
        for zone in (zones if zones is not None else recipient_zones())
        if in_send_window(local_now(now, zone))
    ]
    if not zones:
        return 0
    # All zones in one statement per batch: each base row is read once, not once per zone.
    gated = _gated(queryset, kind=kind, zones=zones, now=now)
    created = 0
    for low, high in _pk_windows(queryset):
        sql, params = _insert_sql(gated.filter(pk__gte=low, pk__lt=high), kind=kind, now=now)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()]
            if ids:
                notifications_push.delay_on_commit(ids=ids)
        created += len(ids)
    return created


def _digests_open(now: datetime, zones: list[str]) -> int:
    """Open today's daily and this week's weekly digest, once per person and period, for
    everyone with items from before the period's sending moment (09:00 local today, or on
    Monday); whatever is waiting when it opens goes in, later items wait for the next."""
    opened = 0
    for zone in zones:
        local = local_now(now, zone)
        if not in_send_window(local):
            continue
        year, week, weekday = local.isocalendar()
        monday = local.date() - timedelta(days=weekday - 1)
        for channel, period, cutoff in (
            (Channel.DAILY, local.date().isoformat(), local_at(local.date(), SEND_FROM, zone)),
            (Channel.WEEKLY, f"{year}-W{week:02d}", local_at(monday, SEND_FROM, zone)),
        ):
            waiting = Notification.objects.filter(
                recipient_id=OuterRef("pk"),
                channel=channel,
                digest__isnull=True,
                created_at__lt=cutoff,
            )
            rows = (
                User.objects.filter(pk__in=reachable_users(zones=[zone], now=now))
                .filter(Exists(waiting))
                .annotate(
                    c_channel=Value(channel, output_field=CharField()),
                    c_period=Value(period, output_field=CharField()),
                    c_created=Value(now, output_field=DateTimeField()),
                )
                .values("pk", "c_channel", "c_period", "c_created")
            )
            select_sql, params = rows.query.sql_with_params()
            table = DigestDelivery._meta.db_table
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} (user_id, channel, period, created_at) "  # noqa: S608
                    f"SELECT * FROM ({select_sql}) AS rows WHERE TRUE "
                    "ON CONFLICT DO NOTHING RETURNING id",
                    params,
                )
                opened += len(cursor.fetchall())
    # Attach the waiting items to their person's open digest (new, or left by a crash).
    for channel in (Channel.DAILY, Channel.WEEKLY):
        open_digest = DigestDelivery.objects.filter(
            user_id=OuterRef("recipient_id"),
            channel=channel,
            sent_at__isnull=True,
            claimed_at__isnull=True,  # a digest being written takes nothing more
        ).order_by("id")
        with transaction.atomic():
            Notification.objects.filter(
                channel=channel, digest__isnull=True, created_at__lte=now
            ).filter(Exists(open_digest)).update(digest_id=Subquery(open_digest.values("id")[:1]))
    return opened


def _queue_sending(now: datetime) -> int:
    """Queue the e-mails and digests that are due and not held by a live claim."""
    stale = now - CLAIM_LEASE
    due = (
        Notification.objects.filter(
            channel=Channel.EMAIL, emailed_at__isnull=True, email_after__lte=now
        )
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=stale))
        .order_by("id")
        .values_list("pk", flat=True)
    )
    batches = 0
    last = 0
    while True:
        ids = list(due.filter(pk__gt=last)[:SEND_BATCH])
        if not ids:
            break
        notification_emails_send.delay(ids=ids, now=now.isoformat())
        batches += 1
        last = ids[-1]
    digests = DigestDelivery.objects.filter(sent_at__isnull=True, created_at__lte=now).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    )
    for delivery_id in digests.values_list("pk", flat=True).iterator(chunk_size=SEND_BATCH):
        digest_send.delay(delivery_id=delivery_id, now=now.isoformat())
        batches += 1
    return batches


def sweep_run(*, now: datetime | None = None, send: bool = True) -> SweepResult:
    """Run every reminder rule once, open digests, and queue what is due for sending (with
    the registered mail sweeps' e-mails to people without an account)."""
    now = now or timezone.now()
    result = SweepResult()
    zones = recipient_zones()
    for rule in registered_rules():
        for kind, queryset, recipient in rule.querysets(now):
            result.add(
                kind,
                reminders_insert(
                    kind=kind, queryset=queryset, recipient=recipient, now=now, zones=zones
                ),
            )
    result.digests = _digests_open(now, zones)
    if send:
        result.email_batches = _queue_sending(now)
        # E-mails to people without an account: claimed and queued by their owner's sweep
        # (only when sending: a claim is the promise to send).
        for mail_sweep in registered_mail_sweeps():
            result.add(mail_sweep.name, mail_sweep.run(now))
    logger.info(
        "reminder sweep at %s: %s, %s digests", now.isoformat(), result.created, result.digests
    )
    return result
