"""Anonymous checks leave after their period: unfinished ones CHECK_DRAFT_RETENTION_DAYS after
their last change, finished ones CHECK_ANONYMOUS_RETENTION_DAYS after it; a company's checks
stay (they are the company's history and the programme's figures)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from checks.models import CheckResponse
from privacy.retention import retention_purge
from tests.factories import CheckResponseFactory, PublicCheckFactory

DAY = timedelta(days=1)


def _aged(response: CheckResponse, days: float) -> CheckResponse:
    # updated_at is auto_now: set it behind save()'s back.
    CheckResponse.objects.filter(pk=response.pk).update(
        updated_at=timezone.now() - timedelta(days=days)
    )
    return response


@pytest.fixture
def periods(settings):
    settings.CHECK_DRAFT_RETENTION_DAYS = 30
    settings.CHECK_ANONYMOUS_RETENTION_DAYS = 100


def test_anonymous_checks_go_after_their_periods_and_companies_checks_stay(db, periods):
    old_draft = _aged(PublicCheckFactory(), 31)
    new_draft = _aged(PublicCheckFactory(), 29)
    old_finished = _aged(
        PublicCheckFactory(submitted=True, email="anna@example.com", consent_at=timezone.now()),
        101,
    )
    # A finished one is kept past the draft period.
    new_finished = _aged(PublicCheckFactory(submitted=True), 99)
    company_draft = _aged(CheckResponseFactory(), 1000)
    company_finished = _aged(CheckResponseFactory(submitted=True), 1000)

    counts = retention_purge(timezone.now())

    remaining = set(CheckResponse.objects.values_list("pk", flat=True))
    assert old_draft.pk not in remaining
    assert old_finished.pk not in remaining
    assert {new_draft.pk, new_finished.pk, company_draft.pk, company_finished.pk} <= remaining
    assert counts["anonymous_checks"] == 2
    # A second run finds nothing.
    assert retention_purge(timezone.now())["anonymous_checks"] == 0


def test_the_privacy_notice_names_the_periods(db, client, periods):
    page = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Digitalisierungs-Check ohne Konto" in page
    assert "30 Tage nach der letzten Änderung gelöscht" in page
    assert "100 Tage nach der letzten Änderung" in page
