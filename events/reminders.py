"""The reminder a day before an open event, run by the notifications sweep (a mail sweep,
registered in EventsConfig.ready(): registrants have no account, so no Notification row).

Exactly once: one conditional UPDATE claims every due registration (`reminder_sent_at IS
NULL` → the sweep's moment) and returns the ids it claimed; only those e-mails are queued,
after commit. A second sweep, or one running at the same time, claims nothing already
claimed (in PostgreSQL the second UPDATE waits for the first's row locks and then finds
`reminder_sent_at` set). A claim is a promise to send: at most one reminder per person.
"""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from events.mails import registration_reminder_send
from events.models import EventStatus, Registration, RegistrationStatus

REMINDER_BEFORE = timedelta(hours=24)  # from a day before the start
# Someone who registered or moved up from the waiting list this recently has just had an
# e-mail with everything in it: no reminder on top.
JUST_TOLD = timedelta(hours=6)


def reminders_due(now: datetime) -> QuerySet[Registration]:
    """Registered people with an address, not yet reminded or checked in, of a published
    event that starts within a day and has not started."""
    return (
        Registration.objects.filter(
            status=RegistrationStatus.REGISTERED,
            reminder_sent_at__isnull=True,
            attended_at__isnull=True,
            event__status=EventStatus.PUBLISHED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + REMINDER_BEFORE,
            created_at__lte=now - JUST_TOLD,
        )
        .filter(Q(promoted_at__isnull=True) | Q(promoted_at__lte=now - JUST_TOLD))
        .exclude(email="")
        .order_by()
    )


def reminders_claim(now: datetime) -> list[int]:
    """Claim the due reminders (one UPDATE … RETURNING) and queue their e-mails after
    commit; returns the claimed registrations' ids."""
    select_sql, params = reminders_due(now).values("pk").query.sql_with_params()
    table = connection.ops.quote_name(Registration._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(now)
    sql = (
        f"UPDATE {table} SET reminder_sent_at = %s "  # noqa: S608 — our table and query
        f"WHERE reminder_sent_at IS NULL AND id IN ({select_sql}) RETURNING id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [stamp, *params])
        ids = sorted(row[0] for row in cursor.fetchall())
        for registration_id in ids:
            registration_reminder_send.delay_on_commit(registration_id=registration_id)
    return ids


def reminders_sweep(now: datetime) -> int:
    """The mail sweep the notifications sweep runs (notifications.rules.MailSweep)."""
    return len(reminders_claim(now))
