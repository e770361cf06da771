"""Audit rows are written once: the model, the queryset and (on PostgreSQL) the database
refuse changes and deletes; only the retention purge and account erasure may, on both
databases."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from audit.models import Action, AppendOnlyError, AuditEntry
from audit.services import audit_record
from tests.factories import UserFactory
from tests.support.services import require_postgres

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    person = UserFactory()
    return AuditEntry.objects.create(
        action=Action.LOGIN, user_id=person.pk, actor_id=person.pk, ip_address="203.0.113.4"
    )


def test_saving_an_existing_row_is_refused(entry):
    entry.action = Action.LOGOUT
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == Action.LOGIN


def test_deleting_a_row_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_queryset_update_and_delete_are_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action=Action.LOGOUT)
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == Action.LOGIN


def test_purge_before_deletes_only_older_rows():
    person = UserFactory()
    old = audit_record(action=Action.LOGIN, user=person)
    new = audit_record(action=Action.LOGOUT, user=person)
    # The one way to backdate in a test: a raw statement inside the maintenance gate.
    from audit.db import maintenance

    with maintenance("default"), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET at = %s WHERE id = %s",
            [timezone.now() - timedelta(days=400), old.pk],
        )
    assert AuditEntry.objects.purge_before(timezone.now() - timedelta(days=365)) == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [new.pk]


def test_erase_personal_data_clears_origin_of_the_persons_rows_only():
    person, admin, other = UserFactory(), UserFactory(), UserFactory()
    fields = {"ip_address": "203.0.113.4", "user_agent": "Firefox", "attempted_login": "x@y.z"}
    mine = AuditEntry.objects.create(action=Action.LOGIN, user_id=person.pk, **fields)
    by_me = AuditEntry.objects.create(
        action=Action.ROLE_GRANTED, user_id=other.pk, actor_id=person.pk, **fields
    )
    theirs = AuditEntry.objects.create(
        action=Action.LOGIN, user_id=other.pk, actor_id=admin.pk, **fields
    )
    assert AuditEntry.objects.erase_personal_data(person.pk) == 2
    for row in (mine, by_me):
        row = AuditEntry.objects.get(pk=row.pk)
        assert (row.ip_address, row.user_agent, row.attempted_login) == (None, "", "")
        assert row.action  # what happened, and when, stays
    theirs = AuditEntry.objects.get(pk=theirs.pk)
    assert (theirs.ip_address, theirs.user_agent) == ("203.0.113.4", "Firefox")


# --- PostgreSQL: the trigger ---


@pytest.mark.postgres
def test_the_database_refuses_raw_update_and_delete(entry):
    require_postgres()
    for sql in (
        "UPDATE audit_auditentry SET action = 'logout' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == Action.LOGIN


@pytest.mark.postgres
def test_the_gate_closes_again_after_a_purge_or_erasure(entry):
    """SET LOCAL lasts to the end of the outer transaction (here the test's): the maintenance
    methods close the gate after their own statement."""
    require_postgres()
    AuditEntry.objects.purge_before(timezone.now() - timedelta(days=365))
    AuditEntry.objects.erase_personal_data(entry.user_id)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
