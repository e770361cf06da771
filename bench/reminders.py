"""Reminder sweep benchmark: `make bench-reminders` (or `python -m bench.reminders`).

The sweep (`notifications.sweep.sweep_run`) over 100,000 active memberships (10,000 convoys ×
10 companies, one person per company, people in three time zones), every company silent past
its cadence so that each membership yields one `reminder.update_due`, against a floor measured
in the same run: a bare `INSERT … SELECT … ON CONFLICT DO NOTHING` writing the same rows
(columns, key shape, unique index) straight from membership ⋈ company member, without the
sweep's rules (latest update, windows, zones, quiet hours, preferences, mutes).

- floor: the bare statement into an empty table;
- sweep: `sweep_run(now=…, send=False)` into an empty table. Celery runs for real but not
  eagerly, on the in-memory broker: the sweep's `notifications_push` messages are published
  (their cost is included), nothing consumes them; no e-mails are queued (send=False);
- sweep again: the same sweep right after, every row a conflict (the cost of the idempotent
  re-run beat does every few minutes).
Each is repeated (`--repeat`), the table emptied before each floor and first sweep; medians
are reported with the SQL statements counted and the process's peak RSS. Goal: sweep ≤ 3× the
floor and under 30 s.

Database: PostgreSQL when DATABASE_URL is set (database `konvoi_bench_reminders`, created and
dropped by the run), else its own SQLite file (bench/results/). The data is generated in SQL
(no Python objects), so the peak RSS is the sweep's. Results also go to
bench/results/reminders-*.json. `--explain` prints the plan of one sweep statement.
"""

import argparse
import json
import os
import platform
import resource
import secrets
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
BENCH_DB = "konvoi_bench_reminders"
GOAL_RATIO = 3.0
GOAL_SECONDS = 30.0
# Tuesday 17 November 2026, 10:00 UTC: inside the sending window in all three zones.
NOW = datetime(2026, 11, 17, 10, tzinfo=ZoneInfo("UTC"))
ZONES = ("Europe/Berlin", "Europe/London", "Europe/Helsinki")


@dataclass
class Row:
    phase: str
    rows: int
    seconds: float
    queries: int
    ratio: float = 0.0


def _configure_environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"  # DEBUG would keep every query in memory
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # the sweep logs a line per run
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    # Tasks are published, not run: the in-memory broker with nobody consuming.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    url = os.environ.get("DATABASE_URL")
    if url:
        # Never the developer's database: the run creates and drops its own.
        parts = urlsplit(url)
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _fill(cursor, model, count: int, exprs: dict[str, str], params: dict[str, list]) -> int:
    """INSERT `count` rows of `model` generated in SQL (i = 1…count); columns not in `exprs`
    get the field's default, so a column someone adds with a default does not break the run.
    Returns the id offset: row i has id offset + i."""
    from django.db import connection
    from django.db.models import DateTimeField

    table = model._meta.db_table
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
    offset = cursor.fetchone()[0]
    columns, selects, values = ["id"], [f"{offset} + i"], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in exprs:
            selects.append(exprs[field.column])
            values += params.get(field.column, [])
        elif isinstance(field, DateTimeField) and (field.auto_now_add or field.auto_now):
            selects.append("%s")
            values.append(field.get_db_prep_save(NOW, connection))
        elif field.null and not field.has_default():
            continue
        else:
            default = field.get_default()  # "" for text fields without a default
            if default is None and not field.null:
                raise RuntimeError(f"bench.reminders: no value for {model.__name__}.{field.name}")
            selects.append("%s")
            values.append(field.get_db_prep_save(default, connection))
        columns.append(field.column)
    cursor.execute(
        "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %s) "
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(selects)} FROM s",
        [count, *values],
    )
    return offset


def _populate(*, convoys: int, per_convoy: int, updates: int) -> int:
    """Convoys in Berlin (cadence 14); companies with one owner each, in ZONES in turn,
    joined 60 days ago; `updates` updates per company, the latest 20 days ago (silent for one
    cadence, not two: every membership is due its first nudge)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from accounts.models import User
    from companies.models import Company, CompanyMember
    from convoys.models import Convoy, Membership
    from projects.models import Update

    memberships = convoys * per_convoy
    prep = connection.ops.adapt_datetimefield_value
    zone = "CASE i %% 3 " + " ".join(f"WHEN {n} THEN %s" for n in range(3)) + " END"
    with transaction.atomic(), connection.cursor() as cursor:
        cv = _fill(
            cursor,
            Convoy,
            convoys,
            {
                "name": "'Bench-Konvoi ' || i",
                "status": "'active'",
                "timezone": "'Europe/Berlin'",
                "update_cadence_days": "14",
            },
            {},
        )
        co = _fill(cursor, Company, memberships, {"name": "'Bench-Firma ' || i || ' GmbH'"}, {})
        us = _fill(
            cursor,
            User,
            memberships,
            {
                "password": "'!'",
                "email": "'bench-' || i || '@bench.example'",
                "name": "'Bench Person ' || i",
                "handle": "'bench' || i",
                "timezone": zone,
            },
            {"timezone": list(ZONES)},
        )
        _fill(
            cursor,
            CompanyMember,
            memberships,
            {"company_id": f"{co} + i", "user_id": f"{us} + i", "role": "'owner'"},
            {},
        )
        _fill(
            cursor,
            Membership,
            memberships,
            {
                "convoy_id": f"{cv} + (i - 1) / {per_convoy} + 1",
                "company_id": f"{co} + i",
                "status": "'active'",
                "joined_at": "%s",
            },
            {"joined_at": [prep(NOW - timedelta(days=60))]},
        )
        for k in range(updates):  # the last one is the latest
            days = 20 + 10 * (updates - 1 - k)
            _fill(
                cursor,
                Update,
                memberships,
                {
                    "convoy_id": f"{cv} + (i - 1) / {per_convoy} + 1",
                    "company_id": f"{co} + i",
                    "author_id": f"{us} + i",
                    "body": "'Es geht voran.'",
                    "created_at": "%s",
                },
                {"created_at": [prep(NOW - timedelta(days=days))]},
            )
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Convoy, Company, User, CompanyMember, Membership, Update]
        ):
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return memberships


def _floor_sql() -> tuple[str, list]:
    """The same rows as the sweep writes, bare: no latest update, no gating."""
    from django.db import connection

    from notifications.models import Notification

    json_object = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    prep = connection.ops.adapt_datetimefield_value(NOW)
    sql = (
        f"INSERT INTO {Notification._meta.db_table} "
        "(recipient_id, kind, convoy_id, target_type, target_id, anchor, data, key, channel, "
        "created_at, email_after) "
        "SELECT cm.user_id, 'reminder.update_due', m.convoy_id, 'convoy', m.convoy_id, '', "
        f"{json_object}('company', c.name, 'convoy', v.name, "
        "'cadence', v.update_cadence_days, 'nudge', 1), "
        "'reminder.update_due:' || m.id || ':0:1', 'email', %s, %s "
        "FROM convoys_membership m "
        "JOIN companies_companymember cm ON cm.company_id = m.company_id "
        "JOIN companies_company c ON c.id = m.company_id "
        "JOIN convoys_convoy v ON v.id = m.convoy_id "
        "WHERE m.status = 'active' ON CONFLICT DO NOTHING"
    )
    return sql, [prep, prep]


def _empty() -> None:
    from django.db import connection

    from notifications.models import Notification

    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table}")
        else:
            cursor.execute(f"DELETE FROM {table}")


def _timed(fn) -> tuple[float, int, object]:
    from django.db import connection

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    return seconds, count, result


def _floor() -> int:
    from django.db import connection, transaction

    sql, params = _floor_sql()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _sweep() -> int:
    from notifications.models import NotificationKind
    from notifications.sweep import sweep_run

    return sweep_run(now=NOW, send=False).created.get(NotificationKind.UPDATE_DUE, 0)


def _explain() -> None:
    """EXPLAIN ANALYZE the sweep's first update_due statement (rolled back)."""
    from django.db import connection, transaction

    from notifications.sweep import _gated, _insert_sql, _pk_windows
    from projects.reminders import update_due_querysets

    kind, queryset, recipient = next(iter(update_due_querysets(NOW)))
    from django.db.models import F

    queryset = queryset.annotate(n_recipient=F(recipient))
    low, high = next(_pk_windows(queryset))
    gated = _gated(queryset, kind=kind, zones=list(ZONES), now=NOW)
    sql, params = _insert_sql(gated.filter(pk__gte=low, pk__lt=high), kind=kind, now=NOW)
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN "
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        print("\n".join(str(row[0] if len(row) == 1 else row) for row in cursor.fetchall()))
        transaction.set_rollback(True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--convoys", type=int, default=10_000)
    parser.add_argument("--per-convoy", type=int, default=10, help="companies per convoy")
    parser.add_argument("--updates", type=int, default=2, help="updates per company")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="print one statement's plan")
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"exit 1 unless sweep ≤ {GOAL_RATIO}× floor and < {GOAL_SECONDS:.0f} s",
    )
    args = parser.parse_args(argv)

    _configure_environment()
    import django

    django.setup()
    from django.db import connection

    RESULTS.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(RESULTS / "bench-reminders.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = BENCH_DB
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    floors, sweeps, again = [], [], []
    try:
        start = time.perf_counter()
        memberships = _populate(
            convoys=args.convoys, per_convoy=args.per_convoy, updates=args.updates
        )
        setup_seconds = time.perf_counter() - start
        rss_setup = _rss_mb()
        print(
            f"  {memberships} memberships in {args.convoys} convoys, generated in "
            f"{setup_seconds:.1f} s; peak RSS {rss_setup:.0f} MB",
            file=sys.stderr,
        )
        if args.explain:
            _explain()
        for run in range(args.repeat):
            _empty()
            floors.append(_timed(_floor))
            _empty()
            sweeps.append(_timed(_sweep))
            again.append(_timed(_sweep))
            print(
                f"  run {run + 1}: floor {floors[-1][0]:.2f} s, sweep {sweeps[-1][0]:.2f} s, "
                f"again {again[-1][0]:.2f} s",
                file=sys.stderr,
            )
        rss_end = _rss_mb()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    for label, samples, expected in (
        ("floor", floors, memberships),
        ("sweep", sweeps, memberships),
        ("sweep again", again, 0),
    ):
        made = {s[2] for s in samples}
        if made != {expected}:
            raise RuntimeError(f"{label} made {made} rows, expected {expected}")
    floor_s = statistics.median(s[0] for s in floors)
    rows = [
        Row(
            phase,
            samples[0][2],
            statistics.median(s[0] for s in samples),
            samples[0][1],
        )
        for phase, samples in (
            ("floor: bare INSERT … SELECT", floors),
            ("sweep", sweeps),
            ("sweep again (all conflicts)", again),
        )
    ]
    for row in rows:
        row.ratio = round(row.seconds / floor_s, 2)

    database = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)
    print(
        f"\nReminder sweep vs floor, {database}, Python {platform.python_version()}: "
        f"{memberships} memberships, {args.updates} updates each, people in {len(ZONES)} "
        f"zones; median of {args.repeat}\n"
    )
    print(f"{'phase':<30} {'rows':>7} {'seconds':>8} {'SQL':>5} {'× floor':>8}")
    for row in rows:
        print(
            f"{row.phase:<30} {row.rows:>7} {row.seconds:>8.2f} {row.queries:>5} {row.ratio:>7.2f}×"
        )
    print(f"\nPeak RSS: {rss_setup:.0f} MB after setup, {rss_end:.0f} MB after all runs")
    sweep = rows[1]
    met = sweep.ratio <= GOAL_RATIO and sweep.seconds < GOAL_SECONDS
    print(
        f"Goal (sweep ≤ {GOAL_RATIO:.0f}× floor, < {GOAL_SECONDS:.0f} s): "
        f"{'met' if met else 'NOT met'}"
    )
    (RESULTS / f"reminders-{vendor}.json").write_text(
        json.dumps(
            {
                "database": database,
                "python": platform.python_version(),
                "memberships": memberships,
                "updates_per_company": args.updates,
                "repeat": args.repeat,
                "rows": [asdict(r) for r in rows],
                "peak_rss_mb": {"setup": round(rss_setup), "end": round(rss_end)},
            },
            indent=2,
        )
    )
    return 0 if met or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
