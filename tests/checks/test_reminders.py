"""The T1/T2 re-assessment reminders of the check, through the notifications sweep: due after
the programme's months or when the T0's convoy closes (whichever first), to the company's
people, once per key (a re-run and, on PostgreSQL, concurrent sweeps send nothing twice);
not after a T1 (T2: after a T1, not after a T2), only from the company's latest T0 for that
programme; the months as the programme sets them; the title in German and English."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import translation

from checks.reminders import check_due_querysets, months_before
from companies.models import Company
from convoys.models import Convoy
from notifications.kinds import notification_title
from notifications.models import Notification, NotificationKind
from notifications.sweep import reminders_insert, sweep_run
from programmes.models import Programme
from tests.factories import (
    CheckResponseFactory,
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.support.services import require_postgres

BERLIN = ZoneInfo("Europe/Berlin")
# A Tuesday morning: inside everyone's sending window.
NOW = datetime(2027, 3, 16, 10, 0, tzinfo=BERLIN)


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def company(db):
    company = CompanyFactory(name="Bäckerei Korn")
    CompanyMemberFactory(company=company, user=UserFactory(email="olga@korn.example"))
    CompanyMemberFactory(company=company, user=UserFactory(email="max@korn.example"))
    return company


@pytest.fixture
def programme(db):
    return ProgrammeFactory(name="Zentrum Hagen")  # T1 after 6 months, T2 after 12


def check(company, programme, stage, submitted_at, **fields):
    return CheckResponseFactory(
        submitted=True,
        company=company,
        programme=programme,
        stage=stage,
        submitted_at=submitted_at,
        **fields,
    )


def run(now=NOW) -> int:
    """The check rule alone (not the convoys' reminders); how many notifications it made."""
    return sum(
        reminders_insert(kind=q.kind, queryset=q.queryset, recipient=q.recipient, now=now)
        for q in check_due_querysets(now)
    )


def due() -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(kind=NotificationKind.CHECK_DUE).values_list(
            "recipient__email", "key"
        )
    )


def test_months_before_keeps_the_wall_clock_and_clamps_the_day():
    assert months_before(at(2027, 3, 31), 1) == at(2027, 2, 28)
    assert months_before(at(2027, 3, 16), 6) == at(2026, 9, 16)
    assert months_before(at(2027, 3, 16), 14) == at(2026, 1, 16)
    # Across the clock change: still 10:00 local.
    assert months_before(at(2027, 4, 1), 1).hour == 10


def test_t1_is_due_after_the_programmes_months_once_per_person(company, programme):
    t0 = check(company, programme, "T0", at(2026, 9, 15))  # six months and a day ago

    assert run() == 2
    key = f"reminder.check_due:{company.pk}:{programme.pk}:T1:{t0.pk}"
    assert due() == [("max@korn.example", key), ("olga@korn.example", key)]
    reminder = Notification.objects.filter(kind=NotificationKind.CHECK_DUE).first()
    assert (reminder.target_type, reminder.target_id) == ("company", company.pk)
    assert reminder.data == {
        "company": "Bäckerei Korn",
        "programme": "Zentrum Hagen",
        "stage": "T1",
    }
    # Again, and a month later: nothing new.
    assert run() == 0
    assert run(at(2027, 4, 20)) == 0
    assert len(due()) == 2


def test_t1_is_not_due_before_its_months(company, programme):
    check(company, programme, "T0", at(2026, 9, 17))  # a day short of six months

    assert run() == 0


def test_t1_is_due_when_the_t0s_convoy_closes_before_its_months(company, programme):
    convoy = ConvoyFactory(programme=programme)
    check(company, programme, "T0", at(2027, 1, 10), convoy=convoy)
    assert run() == 0

    Convoy.objects.filter(pk=convoy.pk).update(status="closed")

    assert run() == 2
    assert {n.convoy_id for n in Notification.objects.filter(kind="reminder.check_due")} == {
        convoy.pk
    }


def test_the_programmes_own_months_count(company, programme):
    Programme.objects.filter(pk=programme.pk).update(check_t1_months=3, check_t2_months=9)
    quick = ProgrammeFactory(name="Schnell")
    Programme.objects.filter(pk=quick.pk).update(check_t1_months=2)
    check(company, programme, "T0", at(2026, 12, 1))  # 3½ months: due with 3
    other = CompanyFactory()
    CompanyMemberFactory(company=other, user=UserFactory(email="ida@other.example"))
    check(other, quick, "T0", at(2027, 1, 20))  # under 2 months: not yet

    assert run() == 2
    assert {email for email, _key in due()} == {"max@korn.example", "olga@korn.example"}
    assert run(at(2027, 3, 22)) == 1  # a Monday


def test_no_t1_reminder_after_a_t1_and_t2_after_its_months(company, programme):
    t0 = check(company, programme, "T0", at(2026, 1, 10))
    check(company, programme, "T1", at(2026, 8, 1))

    assert run(at(2026, 12, 15)) == 0  # T1 done, T2 not yet due (12 months from the T0)
    assert run(at(2027, 1, 12)) == 2
    assert {key for _email, key in due()} == {
        f"reminder.check_due:{company.pk}:{programme.pk}:T2:{t0.pk}"
    }
    reminder = Notification.objects.filter(kind=NotificationKind.CHECK_DUE).first()
    assert reminder.data["stage"] == "T2"


def test_no_t2_reminder_after_a_t2_nor_without_a_t1(company, programme):
    check(company, programme, "T0", at(2025, 1, 10))
    check(company, programme, "T1", at(2025, 8, 1))
    check(company, programme, "T2", at(2026, 1, 20))
    lone = CompanyFactory()
    CompanyMemberFactory(company=lone, user=UserFactory(email="lone@example.com"))
    check(lone, programme, "T0", at(2025, 1, 10))

    run()

    # The lone company is reminded of its T1, never of a T2 it cannot take first.
    assert {(email, key.split(":")[3]) for email, key in due()} == {("lone@example.com", "T1")}


def test_only_the_latest_t0_counts_and_other_programmes_checks_do_not(company, programme):
    check(company, programme, "T0", at(2026, 1, 10))
    check(company, programme, "T0", at(2027, 1, 10))  # taken again: T1 due in July
    other_programme = ProgrammeFactory()
    check(company, other_programme, "T1", at(2027, 2, 1))  # not this programme's T1
    check(company, programme, "adhoc", at(2026, 6, 1))  # an ad hoc check is no T1

    assert run() == 0
    assert run(at(2027, 7, 12)) == 2


def test_drafts_anonymous_and_deleted_companies_are_not_reminded(company, programme):
    CheckResponseFactory(company=company, programme=programme, stage="T0")  # a draft
    gone = CompanyFactory()
    CompanyMemberFactory(company=gone, user=UserFactory())
    check(gone, programme, "T0", at(2026, 1, 10))
    Company.objects.filter(pk=gone.pk).update(deleted_at=NOW)
    check(CompanyFactory(), programme, "T0", at(2026, 1, 10))  # nobody to tell

    assert run() == 0


def test_the_whole_sweep_sends_it_once(company, programme, django_capture_on_commit_callbacks):
    check(company, programme, "T0", at(2026, 9, 1))

    first = sweep_run(now=NOW)
    second = sweep_run(now=NOW)

    assert first.created[NotificationKind.CHECK_DUE] == 2
    assert second.created.get(NotificationKind.CHECK_DUE, 0) == 0


def test_the_title_in_german_and_english(company, programme):
    check(company, programme, "T0", at(2026, 9, 1))
    run()
    reminder = Notification.objects.filter(kind=NotificationKind.CHECK_DUE).first()

    with translation.override("de"):
        assert notification_title(reminder) == (
            "Zeit für den nächsten Digitalisierungs-Check (T1) für Bäckerei Korn"
        )
    with translation.override("en"):
        assert notification_title(reminder) == (
            "Time for the next Digitalisierungs-Check (T1) for Bäckerei Korn"
        )


def test_the_rule_is_a_constant_number_of_queries(company, programme, django_assert_num_queries):
    for _ in range(5):
        other = CompanyFactory()
        CompanyMemberFactory(company=other)
        check(other, programme, "T0", at(2026, 1, 10))
    # The months the programmes use, then one statement per rule (T1, T2).
    with django_assert_num_queries(1):
        queries = check_due_querysets(NOW)
    with django_assert_num_queries(2):
        rows = [list(q.queryset) for q in queries]
    assert len(rows[0]) == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_remind_once():
    require_postgres()
    programme = ProgrammeFactory()
    for _ in range(12):
        company = CompanyFactory()
        CompanyMemberFactory(company=company)
        CompanyMemberFactory(company=company)
        check(company, programme, "T0", at(2026, 8, 1))
    start = threading.Barrier(4)
    errors = []

    def sweep():
        try:
            start.wait()
            sweep_run(now=NOW)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    reminders = Notification.objects.filter(kind=NotificationKind.CHECK_DUE)
    assert reminders.count() == 24
    assert reminders.values("recipient", "key").distinct().count() == 24
