"""The register's reads cost the same whatever the register's size: the selectors behind the
register list, the record page and the services list, pinned at two sizes."""

import pytest
from django.utils import timezone

from programmes.selectors import (
    company_record_services,
    company_record_touches,
    company_register,
    duplicate_suggestions,
    programme_services,
)
from programmes.services import company_record_create, service_record
from tests.factories import CompanyMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _grow(pw, n):
    start = pw.programme.company_records.count()
    for i in range(start, start + n):
        record = company_record_create(
            programme=pw.programme,
            by=pw.coach,
            name=f"Betrieb {i}",
            sector="retail",
            size="10-49",
            city="Iserlohn",
            postcode=str(i),
            contact_email=f"info@betrieb{i % 2}.de",
        )
        CompanyMemberFactory(
            company=record.company, user=UserFactory(email=f"chef{i}@betrieb{i}.de"), role="owner"
        )
        for kind in ("visit", "workshop"):
            service_record(
                programme=pw.programme,
                company=record.company,
                kind=kind,
                category="skills_training",
                date=timezone.localdate(),
                by=pw.coach,
            )


@pytest.mark.parametrize("size", [3, 30])
def test_register_list_is_one_query(programme_world, django_assert_num_queries, size):
    pw = programme_world
    _grow(pw, size)
    with django_assert_num_queries(1):
        rows = [
            (r.company.name, r.services_count)
            for r in company_register(programme=pw.programme, q="betrieb", size_class="small")
        ]
    assert len(rows) == size
    assert {count for _, count in rows} == {2}


@pytest.mark.parametrize("size", [3, 30])
def test_record_reads_and_services_list(programme_world, django_assert_num_queries, size):
    pw = programme_world
    _grow(pw, size)
    with django_assert_num_queries(2):
        list(company_record_touches(record=pw.record))
        [
            (s.company.name, s.coach and s.coach.name)
            for s in company_record_services(record=pw.record)
        ]
    with django_assert_num_queries(1):
        services = [
            (s.company.name, s.coach.name) for s in programme_services(programme=pw.programme)
        ]
    assert len(services) == 2 * size + 1


@pytest.mark.parametrize("size", [3, 30])
def test_duplicate_suggestions_are_two_queries(programme_world, django_assert_num_queries, size):
    pw = programme_world
    _grow(pw, size)
    with django_assert_num_queries(2):
        pairs = duplicate_suggestions(programme=pw.programme)
    assert pairs and all(p.reason == "email_domain" for p in pairs)
