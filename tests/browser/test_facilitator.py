"""The facilitator's tools in a browser, on a phone (390 px) in German: from "Meine Konvois" to
the dashboard, asking a quiet company for an update through its confirmation page (its people
get the nudge, the card then says so), and removing a company after the page that says what
that means."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from convoys.models import Membership
from notifications.models import Notification
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    UserFactory,
)
from tests.support.browser import log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_facilitator_nudges_a_quiet_company_and_removes_another_on_a_phone(
    browser: Browser, live_server
) -> None:
    site = live_server.url
    convoy = ConvoyFactory(name="Digitalisierungs-Konvoi Hagen")
    facilitator = UserFactory(name="Jana Brandt", email="jana@example.com")
    FacilitatorFactory(convoy=convoy, user=facilitator)
    quiet = CompanyFactory(name="Steuerkanzlei Vogt")
    owner = UserFactory(name="Thomas Vogt", email="thomas@example.com")
    CompanyMemberFactory(company=quiet, user=owner, role="owner")
    MembershipFactory(convoy=convoy, company=quiet)
    Membership.objects.filter(company=quiet).update(joined_at=timezone.now() - timedelta(days=40))
    leaving = CompanyFactory(name="Bäckerei Brinkmann")
    MembershipFactory(convoy=convoy, company=leaving)

    page = new_page(browser, width=390, height=844)
    log_in(page, site, facilitator.email)

    page.get_by_test_id("nav-convoys").click()
    row = page.get_by_test_id("convoy-row")
    # (Texts are checked through test ids and names: the German catalogue is merged later.)
    expect(row.get_by_test_id("convoy-health").locator(".badge-quiet")).to_be_visible()
    row.get_by_role("link", name="Digitalisierungs-Konvoi Hagen").click()

    card = page.get_by_test_id(f"company-{quiet.pk}")
    card.get_by_test_id("company-menu").click()  # the facilitator's actions are folded
    card.get_by_test_id("company-nudge").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Steuerkanzlei Vogt")
    expect(page.get_by_test_id("nudge-recipients")).to_contain_text("Thomas Vogt")
    page.get_by_test_id("nudge-form").locator("textarea").fill("Wie weit ist die E-Akte?")
    page.get_by_test_id("nudge-submit").click()

    expect(page.locator(".messages")).to_contain_text("Steuerkanzlei Vogt")
    card.get_by_test_id("company-menu").click()
    expect(card.get_by_test_id("company-nudged")).to_be_visible()
    nudge = Notification.objects.get(kind="nudge")
    assert (nudge.recipient, nudge.data["message"]) == (owner, "Wie weit ist die E-Akte?")

    other_card = page.get_by_test_id(f"company-{leaving.pk}")
    other_card.get_by_test_id("company-menu").click()
    other_card.get_by_test_id("company-remove").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bäckerei Brinkmann")
    expect(page.get_by_test_id("remove-form")).to_be_visible()
    page.get_by_test_id("remove-submit").click()

    expect(page.locator(".messages")).to_contain_text("Bäckerei Brinkmann")
    expect(page.get_by_test_id(f"company-{leaving.pk}")).to_have_count(0)
    assert Membership.objects.get(company=leaving).status == "removed"
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
