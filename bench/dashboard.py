"""Dashboard benchmark: `make bench` (or `python -m bench.dashboard`).

GET /api/v1/convoys/{id}/dashboard/ is measured against a floor, a bare DRF endpoint with the
same middleware and token authentication (bench/urls.py), in the same process and run,
interleaved request by request so that drift hits both alike. Both go through Django's test
Client with production settings (DEBUG off, HTTPS), at two convoy sizes.

- warm: the dashboard payload is cached per convoy event seq, which is what members see
  between two events; the goal is p50 ≤ 1.5× the floor;
- cold: the seq is bumped before each request (as any event does), so the payload is rebuilt
  from the database every time. Reported separately, as an absolute time and a ratio.

Database: its own SQLite file (bench/results/bench.sqlite3), or PostgreSQL when DATABASE_URL
is set (database `konvoi_bench`, created and dropped by the run). With REDIS_URL set, the
cache is Redis, as in the scaled topology. Results also go to bench/results/dashboard-*.json.
"""

import argparse
import json
import os
import platform
import random
import secrets
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
GOAL_RATIO = 1.5
BENCH_DB = "konvoi_bench"


@dataclass
class Row:
    companies: int
    endpoint: str
    requests: int
    p50_ms: float
    p99_ms: float
    queries: int
    ratio_p50: float | None = None


def _configure_environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Production settings: DEBUG would record every query and add the browsable renderer.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    url = os.environ.get("DATABASE_URL")
    if url:
        # Never the developer's database: the run creates and drops its own.
        parts = urlsplit(url)
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def _percentile(samples_ns: list[int], q: int) -> float:
    return statistics.quantiles(samples_ns, n=100, method="inclusive")[q - 1] / 1e6


def _populate(*, companies: int, rng: random.Random, suffix: str):
    """A convoy with `companies` members: 2–4 projects each, 3–6 milestones per project
    (about half done, spread over two months), 1–3 updates per company, some asking for help.
    Rows are bulk-created: the benchmark measures reads, and the services' per-row events
    would only make setup slow."""
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import api_token_create
    from companies.models import Company, CompanyMember
    from convoys.models import Convoy, Facilitator, Membership
    from projects.models import Milestone, Project, Update

    now = timezone.now()
    facilitator = User.objects.create_user(
        email=f"facilitator-{suffix}@bench.example", name=f"Bench Facilitator {suffix}"
    )
    convoy = Convoy.objects.create(name=f"Bench convoy {suffix}", status="active", last_event_seq=1)
    Facilitator.objects.create(convoy=convoy, user=facilitator)
    owner = User.objects.create_user(email=f"owner-{suffix}@bench.example", name="Bench Owner")
    firms = Company.objects.bulk_create(
        Company(
            name=f"Firma {suffix}-{i:03d} GmbH",
            sector=rng.choice(["craft", "retail", "industry", "services"]),
            size=rng.choice(["2-9", "10-49", "50-249"]),
            city="Hagen",
        )
        for i in range(companies)
    )
    CompanyMember.objects.bulk_create(
        CompanyMember(company=c, user=owner, role="owner") for c in firms
    )
    Membership.objects.bulk_create(Membership(convoy=convoy, company=c) for c in firms)
    projects = Project.objects.bulk_create(
        Project(
            company=c,
            title=f"Projekt {j}",
            category=rng.choice(["appointments", "ecommerce", "inventory", "website"]),
            status="in_progress",
        )
        for c in firms
        for j in range(rng.randint(2, 4))
    )
    Project.convoys.through.objects.bulk_create(
        Project.convoys.through(project=p, convoy=convoy) for p in projects
    )
    milestones = []
    for p in projects:
        for k in range(rng.randint(3, 6)):
            done = rng.random() < 0.5
            milestones.append(
                Milestone(
                    project=p,
                    title=f"Meilenstein {k}",
                    weight=rng.randint(1, 3),
                    status="done" if done else rng.choice(["planned", "in_progress"]),
                    completed_at=now - timedelta(days=rng.randint(0, 60)) if done else None,
                    due_date=(now + timedelta(days=rng.randint(-30, 60))).date(),
                )
            )
    Milestone.objects.bulk_create(milestones)
    Update.objects.bulk_create(
        Update(
            convoy=convoy,
            company=c,
            author=owner,
            body="Es geht voran.",
            help_wanted=rng.random() < 0.2,
        )
        for c in firms
        for _ in range(rng.randint(1, 3))
    )
    _token, secret = api_token_create(user=facilitator, name="bench")
    return convoy, secret, len(projects), len(milestones)


def _measure(*, companies: int, requests: int, warmup: int, cold: int, rng) -> list[Row]:
    from django.db import connection
    from django.db.models import F
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from convoys.models import Convoy

    convoy, token, n_projects, n_milestones = _populate(
        companies=companies, rng=rng, suffix=str(companies)
    )
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    floor_path = "/api/v1/bench/floor/"
    dash_path = f"/api/v1/convoys/{convoy.pk}/dashboard/"

    def get(path: str) -> int:
        start = time.perf_counter_ns()
        response = client.get(path, secure=True)
        elapsed = time.perf_counter_ns() - start
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.content[:200]!r}")
        return elapsed

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            get(path)
        return len(ctx.captured_queries)

    # The database was created anew with the same ids and seqs as any earlier run: payloads a
    # persistent cache (Redis) kept from that run must not answer for this one.
    from django.core.cache import cache

    from overview.dashboard import dashboard_bytes

    cache.clear()
    dashboard_bytes.clear()

    def bump_seq() -> None:
        # What any event does: the cached payload's key changes, the next request rebuilds.
        Convoy.objects.filter(pk=convoy.pk).update(last_event_seq=F("last_event_seq") + 1)

    for _ in range(warmup):
        get(floor_path)
        get(dash_path)
    floor, warm = [], []
    for _ in range(requests):  # interleaved: both see the same machine state
        floor.append(get(floor_path))
        warm.append(get(dash_path))
    cold_samples = []
    for _ in range(cold):
        bump_seq()
        cold_samples.append(get(dash_path))
    bump_seq()
    cold_queries = queries(dash_path)
    warm_queries = queries(dash_path)
    floor_queries = queries(floor_path)

    print(
        f"  {companies} companies, {n_projects} projects, {n_milestones} milestones",
        file=sys.stderr,
    )
    floor_p50 = _percentile(floor, 50)
    rows = [
        Row(companies, "floor (bare DRF)", requests, floor_p50, _percentile(floor, 99), 0),
        Row(
            companies, "dashboard, warm", requests, _percentile(warm, 50), _percentile(warm, 99), 0
        ),
        Row(
            companies,
            "dashboard, cold",
            cold,
            _percentile(cold_samples, 50),
            _percentile(cold_samples, 99),
            0,
        ),
    ]
    for row, n in zip(rows, (floor_queries, warm_queries, cold_queries), strict=True):
        row.queries = n
        row.ratio_p50 = round(row.p50_ms / floor_p50, 2)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,300", help="convoy sizes (companies)")
    parser.add_argument("--requests", type=int, default=500, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--cold", type=int, default=50, help="timed cold (uncached) requests")
    parser.add_argument(
        "--check", action="store_true", help=f"exit 1 if warm p50 > {GOAL_RATIO}× the floor"
    )
    args = parser.parse_args(argv)

    _configure_environment()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import (
        override_settings,
        setup_test_environment,
        teardown_test_environment,
    )

    RESULTS.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(RESULTS / "bench.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = BENCH_DB
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]

    setup_test_environment()  # "testserver" becomes an allowed host, e-mail stays in memory
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    rows: list[Row] = []
    try:
        with override_settings(ROOT_URLCONF="bench.urls"):
            for size in (int(s) for s in args.sizes.split(",")):
                rows += _measure(
                    companies=size,
                    requests=args.requests,
                    warmup=args.warmup,
                    cold=args.cold,
                    rng=random.Random(size),
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    database = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)
    print(
        f"\nDashboard vs floor, {database} + {cache_backend}, Python "
        f"{platform.python_version()}, {args.requests} interleaved requests each after "
        f"{args.warmup} warm-up ({args.cold} cold)\n"
    )
    print(
        f"{'companies':>9}  {'endpoint':<18} {'p50 ms':>8} {'p99 ms':>8} {'× floor':>8} {'SQL':>4}"
    )
    for row in rows:
        print(
            f"{row.companies:>9}  {row.endpoint:<18} {row.p50_ms:>8.2f} {row.p99_ms:>8.2f} "
            f"{row.ratio_p50:>7.2f}× {row.queries:>4}"
        )
    warm_ratios = [r.ratio_p50 for r in rows if r.endpoint == "dashboard, warm"]
    met = all(r <= GOAL_RATIO for r in warm_ratios)
    print(f"\nGoal (warm dashboard p50 ≤ {GOAL_RATIO}× floor): {'met' if met else 'NOT met'}")

    out = RESULTS / f"dashboard-{vendor}.json"
    out.write_text(
        json.dumps(
            {
                "database": database,
                "cache": cache_backend,
                "python": platform.python_version(),
                "requests": args.requests,
                "rows": [asdict(r) for r in rows],
            },
            indent=2,
        )
    )
    return 0 if met or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
