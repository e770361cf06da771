"""The database side of append-only: on PostgreSQL a trigger refuses UPDATE and DELETE on the
audit table unless the transaction opened the gate (`SET LOCAL konvoi.audit_maintenance`),
which only the named maintenance methods of AuditEntryQuerySet do. SQLite has no such
trigger; the model's guards hold there."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction


@contextmanager
def maintenance(using: str) -> Iterator[None]:
    with transaction.atomic(using=using):
        connection = connections[using]
        postgres = connection.vendor == "postgresql"
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL konvoi.audit_maintenance = 'on'")
        yield
        # SET LOCAL lasts to the end of the OUTER transaction: inside one (a request's, a
        # test's), close the gate again at once. (On an error the rollback closes it.)
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL konvoi.audit_maintenance = 'off'")
