"""An open event's way in for someone without an account, on a phone (390 x 844 px, German):
the programme's public page → the event → register → the confirmation e-mail → its link to
the registrant's page → cancel → the page says cancelled. axe-core checks every screen."""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from events.models import Registration
from tests.factories import OpenEventFactory, ProgrammeFactory, RegistrationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = Path(os.environ.get("KONVOI_SCREENSHOT_DIR", "/tmp")) / "konvoi-open-events"
AXE = Axe()
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


@pytest.fixture
def site(live_server, settings) -> str:
    # The e-mails link to SITE_URL; point it at the test server.
    settings.SITE_URL = live_server.url
    return live_server.url


def shot(page: Page, name: str, language: str = "de") -> None:
    """A screenshot to look at, axe-core's check (nothing critical or serious) and no
    sideways scrolling on the phone."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{language}-{name}.png"), full_page=True)
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    blocking = [
        f"{v['impact']} {v['id']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in {"critical", "serious"}
    ]
    assert not blocking, f"{name}: {blocking}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name


def test_register_for_an_open_event_and_cancel_on_a_phone(browser: Browser, site: str) -> None:
    programme = ProgrammeFactory(
        name="Kompetenzzentrum Hagen",
        slug="kompetenzzentrum-hagen",
        privacy_contact="datenschutz@kz-hagen.example",
    )
    event = OpenEventFactory(
        programme=programme,
        title="Digitalisierung im Handwerk",
        description="Vorträge und Gespräche.\nMit Kaffee und Kuchen.",
        capacity=2,
    )
    RegistrationFactory(event=event, name="Rita Registrant")

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="de-DE", reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)

    # 1. The programme's public page lists the event with its seats left.
    page.goto(f"{site}/p/{programme.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    item = page.get_by_test_id("programme-event").filter(has_text=event.title)
    expect(item.get_by_test_id("event-availability")).to_contain_text("1")
    shot(page, "1-programme")
    item.get_by_role("link", name=event.title).click()

    # 2. The event page with the form; nobody else's name on it.
    form = page.get_by_test_id("registration-form")
    expect(form).to_be_visible()
    expect(page.get_by_text("Rita Registrant")).to_have_count(0)
    shot(page, "2-event")
    form.locator("input[name=name]").fill("Petra Neu")
    form.locator("input[name=email]").fill("petra@baeckerei-neu.example")
    form.locator("input[name=company_name]").fill("Bäckerei Neu GmbH")
    form.locator("input[name=postcode]").fill("58095")
    form.locator("select[name=size]").select_option("10-49")
    form.locator("select[name=sector]").select_option("craft")
    # The honeypot is out of sight: a person cannot fill it.
    expect(form.locator("input[name=website]")).not_to_be_in_viewport()
    form.locator("input[name=consent]").check()
    page.get_by_test_id("registration-submit").click()

    # 3. The registrant's page: registered, with the code for the door.
    expect(page.get_by_test_id("registration-page")).to_have_attribute(
        "data-registration-status", "registered"
    )
    registration = Registration.objects.get(email="petra@baeckerei-neu.example")
    expect(page.get_by_test_id("door-code")).to_contain_text(registration.code)
    expect(page.get_by_test_id("door-qr").locator("svg")).to_be_visible()
    shot(page, "3-registered")

    # 4. The confirmation e-mail links to the same page (the token only the e-mail has).
    confirmations = [m for m in mail.outbox if m.to == ["petra@baeckerei-neu.example"]]
    assert len(confirmations) == 1
    link = re.search(r"https?://\S+/registrations/[0-9a-f]+/", confirmations[0].body)
    assert link, confirmations[0].body
    assert link.group(0).startswith(site)

    # 5. From the e-mail: cancel, confirm, and the page says cancelled.
    page.goto(link.group(0))
    page.get_by_test_id("registration-cancel").click()
    expect(page.get_by_test_id("registration-cancel-confirm")).to_be_visible()
    shot(page, "4-cancel")
    page.get_by_test_id("registration-cancel-submit").click()
    expect(page.get_by_test_id("registration-page")).to_have_attribute(
        "data-registration-status", "cancelled"
    )
    expect(page.get_by_test_id("registration-cancel")).to_have_count(0)
    expect(page.get_by_test_id("door-ticket")).to_have_count(0)
    shot(page, "5-cancelled")
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    context.close()


def test_confirming_the_contact_consent_from_the_e_mail_in_english(
    browser: Browser, site: str
) -> None:
    """Double opt-in on a phone, in English: register with the consent to be contacted; the
    e-mail's confirm link opens a page that confirms nothing by itself; the button does."""
    programme = ProgrammeFactory(name="Digital Hub Hagen", slug="digital-hub-hagen")
    event = OpenEventFactory(programme=programme, title="AI in the workshop", capacity=5)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-GB", reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{site}/p/{programme.slug}/events/{event.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    form = page.get_by_test_id("registration-form")
    form.locator("input[name=name]").fill("Paul New")
    form.locator("input[name=email]").fill("paul@new-bakery.example")
    form.locator("input[name=company_name]").fill("New Bakery Ltd")
    form.locator("input[name=postcode]").fill("58095")
    form.locator("select[name=size]").select_option("2-9")
    form.locator("select[name=sector]").select_option("craft")
    form.locator("input[name=consent]").check()
    form.locator("input[name=contact_consent]").check()
    page.get_by_test_id("registration-submit").click()
    expect(page.get_by_test_id("registration-page")).to_be_visible()

    (confirmation,) = [m for m in mail.outbox if m.to == ["paul@new-bakery.example"]]
    assert "Paul New" not in confirmation.body  # nothing typed is repeated
    link = re.search(
        r"https?://\S+/registrations/[0-9a-f]+/confirm/\?proof=[0-9a-f]+", confirmation.body
    )
    assert link, confirmation.body
    page.goto(link.group(0))
    expect(page.get_by_test_id("registration-contact")).to_contain_text("May we contact you?")
    shot(page, "6-contact", language="en")
    registration = Registration.objects.get(email="paul@new-bakery.example")
    assert registration.email_confirmed_at is None  # opening the link is no confirmation
    page.get_by_test_id("registration-contact-confirm").click()
    expect(page.get_by_test_id("registration-page")).to_be_visible()
    expect(page.get_by_text("your e-mail address is confirmed")).to_be_visible()
    shot(page, "7-contact-confirmed", language="en")
    registration.refresh_from_db()
    assert registration.email_confirmed_at is not None and registration.contact_consent
    context.close()
