"""Two sweeps at once on PostgreSQL: every reminder and every e-mail exactly once."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from convoys.models import Membership
from notifications.models import Notification, NotificationKind
from notifications.sweep import sweep_run
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
)
from tests.support.services import require_postgres

BERLIN = ZoneInfo("Europe/Berlin")
SWEEPS = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_send_each_reminder_once(mailoutbox, monkeypatch):
    require_postgres()
    from notifications import sweep

    monkeypatch.setattr(sweep, "BATCH", 7)  # many small batches: more chances to interleave
    monkeypatch.setattr(sweep, "SEND_BATCH", 5)
    for _ in range(3):
        convoy = ConvoyFactory()
        FacilitatorFactory(convoy=convoy)
        for _ in range(10):
            company = CompanyFactory()
            CompanyMemberFactory(company=company)
            CompanyMemberFactory(company=company)
            MembershipFactory(convoy=convoy, company=company)
    Membership.objects.update(joined_at=datetime(2026, 11, 2, 10, tzinfo=BERLIN))
    now = datetime(2026, 11, 16, 10, tzinfo=BERLIN)
    start = threading.Barrier(SWEEPS)
    errors = []

    def run():
        try:
            start.wait()
            sweep_run(now=now)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(SWEEPS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    reminders = Notification.objects.filter(kind=NotificationKind.UPDATE_DUE)
    assert reminders.count() == 60  # 30 companies × 2 people
    assert Notification.objects.filter(kind=NotificationKind.FACILITATOR_DIGEST).count() == 3
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert len(recipients) == 63
    assert len(set(recipients)) == 63  # nobody twice
    assert not Notification.objects.filter(channel="email", emailed_at__isnull=True).exists()
