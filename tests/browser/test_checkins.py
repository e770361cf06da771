"""A member answers a check-in in one browser; the facilitator's open check-in page shows the
new seat count without a reload (real ASGI server, Redis channel layer on database 14)."""

import os

import pytest
from django.conf import global_settings
from playwright.sync_api import expect

from tests.factories import (
    CheckInFactory,
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    UserFactory,
)
from tests.support.browser import log_in as _log_in
from tests.support.browser import new_page
from tests.support.live import Server, redis_db, require_live_services

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]
# Database 14 is the check-ins' own: no other live test flushes it under our server.
REDIS_URL = redis_db(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", 14)


@pytest.fixture
def server(django_db_setup, settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    require_live_services(REDIS_URL)
    started = Server(REDIS_URL, debug=True)
    yield started
    started.stop()


def test_rsvp_by_one_changes_the_seat_count_for_the_other(browser, server):
    convoy = ConvoyFactory(name="Digitalisierungs-Konvoi Hagen")
    company = CompanyFactory(name="Sanitär Schulte")
    member = UserFactory(name="Mia Schulte", email="mia@example.com")
    facilitator = UserFactory(name="Frieda Fischer", email="frieda@example.com")
    CompanyMemberFactory(company=company, user=member, role="owner")
    FacilitatorFactory(convoy=convoy, user=facilitator)
    MembershipFactory(convoy=convoy, company=company)
    checkin = CheckInFactory(convoy=convoy, title="Check-in Oktober", capacity=5)

    watcher = new_page(browser)
    log_in(watcher, server, "frieda@example.com")
    watcher.goto(f"{server.url}/checkins/{checkin.pk}/")
    expect(watcher.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    seats = watcher.get_by_test_id("checkin-seats")
    expect(seats).to_contain_text("0/5")

    doer = new_page(browser, width=375, height=800)  # the member answers on a phone
    log_in(doer, server, "mia@example.com")
    doer.goto(f"{server.url}/checkins/{checkin.pk}/")
    watcher.evaluate("window.__sameDocument = true")
    doer.get_by_test_id("rsvp-yes").click()

    # The member's own block answers at once (htmx); the facilitator's page follows live.
    expect(doer.get_by_test_id("my-rsvp")).to_have_attribute("data-status", "confirmed")
    expect(doer.get_by_test_id("checkin-seats")).to_contain_text("1/5")
    expect(seats).to_contain_text("1/5", timeout=3000)
    expect(watcher.get_by_test_id("checkin-attendees")).to_contain_text("Mia Schulte")
    assert watcher.evaluate("window.__sameDocument") is True

    # And back: a no frees the seat for everyone to see.
    doer.get_by_test_id("rsvp-no").click()
    expect(watcher.get_by_test_id("checkin-seats")).to_contain_text("0/5", timeout=3000)
    assert watcher.evaluate("window.__sameDocument") is True


def log_in(page, server: Server, email: str) -> None:
    _log_in(page, server.url, email)
