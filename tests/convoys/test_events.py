"""The convoy event log (outbox): seq strictly increasing and gapless per convoy, also under
concurrent writers; recorded in the transaction of its change (a rollback leaves no trace);
published only after commit."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

import live.publish
from convoys import events as events_module
from convoys.events import event_record
from convoys.models import Convoy, Event
from projects.models import Update
from projects.services import milestone_update, project_update, update_post
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    UserFactory,
)
from tests.support.domain import domain_counts
from tests.support.services import require_postgres


def _seqs(convoy):
    return list(Event.objects.filter(convoy=convoy).order_by("seq").values_list("seq", flat=True))


def test_event_record_needs_the_transaction_of_its_change(world):
    # pytest-django's `db` wraps the test in an atomic block, so step outside it explicitly.
    connection.in_atomic_block, saved = False, connection.in_atomic_block
    try:
        with pytest.raises(RuntimeError):
            event_record(convoy_id=world.convoy.pk, kind="x", data={}, actor=None)
    finally:
        connection.in_atomic_block = saved


def test_seq_is_per_convoy_and_starts_at_one(world):
    with transaction.atomic():
        for convoy in (world.convoy, world.other_convoy, world.convoy):
            event_record(convoy_id=convoy.pk, kind="test", data={}, actor=None)
    assert _seqs(world.convoy) == [1, 2]
    assert _seqs(world.other_convoy) == [1]
    world.convoy.refresh_from_db()
    assert world.convoy.last_event_seq == 2


def test_exception_after_the_service_rolls_back_the_event(world):
    before = domain_counts()
    with pytest.raises(RuntimeError), transaction.atomic():
        update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="Neu")
        assert Event.objects.filter(convoy=world.convoy).count() == 1  # inside: it is there
        raise RuntimeError("the caller fails after the service returned")
    assert domain_counts() == before
    world.convoy.refresh_from_db()
    assert world.convoy.last_event_seq == 0


def test_service_failing_midway_leaves_no_event_and_no_bump(world):
    project = ProjectFactory(company=world.company, convoys=[world.convoy], title="Alt")
    before = domain_counts()
    with pytest.raises(ValidationError):
        # project_update saves the project, then finds the convoy list invalid.
        project_update(
            actor=world.owner, project=project, title="Neu", convoy_ids=[world.other_convoy.pk]
        )
    assert domain_counts() == before
    project.refresh_from_db()
    assert project.title == "Alt"


def test_next_seq_after_a_rollback_has_no_gap(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="weg")
        raise RuntimeError
    update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="da")
    assert _seqs(world.convoy) == [1]


def test_events_are_published_only_after_commit(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(
        events_module,
        "event_publish",
        lambda *, convoy_id, message: published.append((convoy_id, message)),
    )
    with django_capture_on_commit_callbacks() as callbacks:
        update = update_post(
            actor=world.owner, convoy=world.convoy, company=world.company, body="Läuft"
        )
        assert published == []
    assert published == []  # not committed yet: the callbacks are only captured
    for callback in callbacks:
        callback()
    assert len(published) == 1
    convoy_id, message = published[0]
    assert convoy_id == world.convoy.pk
    assert message["type"] == "event"
    assert message["seq"] == 1
    assert message["kind"] == "update.posted"
    assert message["data"]["update"]["id"] == update.pk
    assert message["actor"] == {"id": world.owner.pk, "name": "Olaf Owner", "handle": "olaf"}


def test_a_rolled_back_change_publishes_nothing(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(events_module, "event_publish", lambda **kw: published.append(kw))
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="x")
        raise RuntimeError
    assert published == []


def test_a_failing_channel_layer_does_not_undo_the_change(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    def broken_layer():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(live.publish, "get_channel_layer", broken_layer)
    with django_capture_on_commit_callbacks(execute=True):
        update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="x")
    assert Update.objects.filter(convoy=world.convoy).count() == 1
    assert _seqs(world.convoy) == [1]


THREADS = 8
CALLS_PER_THREAD = 25


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_seq_is_gapless_under_concurrent_writers():
    require_postgres()
    convoy = ConvoyFactory()
    FacilitatorFactory(convoy=convoy)
    writers = []
    for i in range(THREADS):
        user = UserFactory()
        company = CompanyFactory(name=f"Firma {i}")
        CompanyMemberFactory(company=company, user=user, role="owner")
        MembershipFactory(convoy=convoy, company=company)
        milestone = MilestoneFactory(project=ProjectFactory(company=company, convoys=[convoy]))
        writers.append((user, company, milestone))
    start = threading.Barrier(THREADS)
    errors = []

    def write(user, company, milestone):
        try:
            start.wait()
            for n in range(CALLS_PER_THREAD):
                if n % 2:
                    update_post(actor=user, convoy=convoy, company=company, body=f"#{n}")
                else:
                    status = "done" if n % 4 == 0 else "in_progress"
                    milestone_update(actor=user, milestone=milestone, status=status)
        except Exception as exc:  # surfaced below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=w) for w in writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    total = THREADS * CALLS_PER_THREAD
    assert _seqs(convoy) == list(range(1, total + 1))
    assert Convoy.objects.get(pk=convoy.pk).last_event_seq == total
    # Within one writer, its events appear in the order it made them.
    expected = [
        "update.posted" if n % 2 else "milestone.completed" if n % 4 == 0 else "milestone.updated"
        for n in range(CALLS_PER_THREAD)
    ]
    for user, _company, _milestone in writers:
        kinds = Event.objects.filter(convoy=convoy, actor=user).order_by("seq")
        assert list(kinds.values_list("kind", flat=True)) == expected
