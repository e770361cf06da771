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


# --- a series on a phone: defaults, the end following the start, confirm, undo (issue 12) ---


def _box_height(page, selector: str) -> float:
    return page.locator(selector).bounding_box()["height"]


def test_facilitator_schedules_a_series_and_cancels_with_confirmation_on_a_phone(browser, server):
    from checkins.models import CheckIn

    convoy = ConvoyFactory(name="Digitalisierungs-Konvoi Hagen")
    facilitator = UserFactory(name="Frieda Fischer", email="frieda@example.com")
    FacilitatorFactory(convoy=convoy, user=facilitator)
    company = CompanyFactory(name="Sanitär Schulte")
    CompanyMemberFactory(company=company, user=UserFactory(), role="owner")
    MembershipFactory(convoy=convoy, company=company)

    page = new_page(browser, width=390, height=844)
    log_in(page, server, "frieda@example.com")
    page.goto(f"{server.url}/convoys/{convoy.pk}/checkins/new/")
    # Phone-grade fields: at least 44 px tall, and no sideways scrolling.
    for name in ("starts_at", "ends_at", "rsvp_deadline"):
        assert _box_height(page, f"[name={name}]") >= 44, name
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Defaults: a weekday at 16:00, an hour long, answers until the day before.
    start = page.locator("[name=starts_at]").input_value()
    assert start.endswith("T16:00")
    assert page.locator("[name=ends_at]").input_value() == start[:11] + "17:00"
    # The end follows the start (keeping the hour), and so does the RSVP deadline.
    page.locator("[name=starts_at]").fill("2027-10-14T18:30")
    expect(page.locator("[name=ends_at]")).to_have_value("2027-10-14T19:30")
    expect(page.locator("[name=rsvp_deadline]")).to_have_value("2027-10-13T18:30")

    page.locator("[name=title]").fill("Konvoi-Treffen")
    # The series fields are folded away until asked for.
    expect(page.locator("[name=repeat_every]")).to_be_hidden()
    summary = page.get_by_test_id("checkin-repeat").locator("summary")
    assert _box_height(page, "[data-testid=checkin-repeat] summary") >= 44
    summary.click()
    assert _box_height(page, "[name=repeat_until]") >= 44
    page.locator("[name=repeat_every]").select_option("4")
    page.locator("[name=repeat_count]").fill("3")
    page.get_by_test_id("checkin-submit").click()
    page.wait_for_url(f"{server.url}/checkins/*/")
    checkins = list(CheckIn.objects.filter(convoy=convoy).order_by("starts_at"))
    assert len(checkins) == 3 and len({c.series_id for c in checkins}) == 1

    # Cancelling goes through a page that says what happens; nothing is cancelled before.
    page.get_by_test_id("checkin-cancel").click()
    expect(page.get_by_test_id("confirm-cancel")).to_be_visible()
    expect(page.get_by_test_id("confirm-cancel-effects")).to_contain_text("2")
    assert CheckIn.objects.filter(status="cancelled").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_test_id("confirm-cancel-submit").click()
    expect(page.get_by_test_id("checkin-reinstate")).to_be_visible()
    statuses = [c.status for c in CheckIn.objects.filter(convoy=convoy).order_by("starts_at")]
    assert statuses == ["cancelled", "scheduled", "scheduled"]  # only this one (the default)

    # Undo.
    page.get_by_test_id("checkin-reinstate").click()
    expect(page.get_by_test_id("checkin-cancel")).to_be_visible()
    assert not CheckIn.objects.filter(status="cancelled").exists()
