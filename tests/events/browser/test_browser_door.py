"""The door check-in on a phone (390 x 844 px, German), as a coach of the programme: from the
programme's home to the event and its door; a typed code checks one person in (htmx: the
feedback names her and the count rises without a reload), a second time says "already";
search by name and check in the next; a walk-in. The camera runs on a stand-in (a drawn
video and a BarcodeDetector that reads whatever ticket the test holds up): a ticket held in
view is sent once, its "checked in" stays shown, and a second ticket is read after it.
axe-core checks every screen."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from events.models import Registration
from tests.factories import (
    OpenEventFactory,
    ProgrammeFactory,
    RegistrationFactory,
    StaffFactory,
    UserFactory,
)
from tests.support.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = Path(os.environ.get("KONVOI_SCREENSHOT_DIR", "/tmp")) / "konvoi-open-events"
AXE = Axe()
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


def shot(page: Page, name: str) -> None:
    """A screenshot, axe-core's check (nothing critical or serious) and no sideways scrolling
    on the phone."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"de-{name}.png"), full_page=True)
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    blocking = [
        f"{v['impact']} {v['id']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in {"critical", "serious"}
    ]
    assert not blocking, f"{name}: {blocking}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name


def _running_event() -> tuple:
    """A coach and an event that began half an hour ago (the door is open), with Anna and
    Bernd registered."""
    programme = ProgrammeFactory(name="Kompetenzzentrum Hagen", slug="kompetenzzentrum-hagen")
    coach = UserFactory(name="Conrad Coach")
    StaffFactory(programme=programme, user=coach, role="coach")
    start = timezone.now() - timedelta(minutes=30)
    event = OpenEventFactory(
        programme=programme,
        title="Infonachmittag Digitalisierung",
        starts_at=start,
        ends_at=start + timedelta(hours=5),
        registration_deadline=start - timedelta(hours=1),
        capacity=40,
    )
    anna = RegistrationFactory(event=event, name="Anna Anders", company_name="Anders Metall")
    bernd = RegistrationFactory(event=event, name="Bernd Bäcker", company_name="Backstube")
    return coach, event, anna, bernd


def test_door_check_in_by_typed_code_and_by_name_on_a_phone(browser: Browser, live_server) -> None:
    site = live_server.url
    coach, event, anna, bernd = _running_event()
    programme = event.programme
    RegistrationFactory(event=event, name="Carla Clever", company_name="Clever IT")

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="de-DE", reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, site, coach.email)
        page.goto(f"{site}/programmes/{programme.pk}/")
        page.locator(f'a[href="/programmes/{programme.pk}/events/"]').first.click()
        shot(page, "staff-events")
        page.get_by_test_id("event-new").click()
        expect(page.get_by_test_id("event-form-zone")).to_contain_text("Ortszeit Berlin")
        shot(page, "staff-event-form")
        page.go_back()
        page.get_by_role("link", name="Infonachmittag Digitalisierung").click()
        expect(page.get_by_test_id("registration-row")).to_have_count(3)
        shot(page, "staff-event")
        page.get_by_test_id("event-door-link").click()
        expect(page.get_by_test_id("door-count-attended")).to_have_text("0")
        shot(page, "door")

        # The typed code, as printed under the QR code (lower case and a space are fine).
        code = anna.code[:4].lower() + " " + anna.code[4:]
        page.get_by_test_id("door-code").fill(code)
        page.get_by_test_id("door-code-submit").click()
        feedback = page.get_by_test_id("door-feedback-text")
        expect(feedback).to_contain_text("Anna Anders")
        expect(page.get_by_test_id("door-count-attended")).to_have_text("1")
        expect(page.get_by_test_id("door-code")).to_have_value("")  # ready for the next
        anna.refresh_from_db()
        assert anna.attended_at is not None
        shot(page, "door-checked-in")

        # The same code again: no second check-in, the feedback says when.
        page.get_by_test_id("door-code").fill(anna.code)
        page.get_by_test_id("door-code-submit").click()
        expect(feedback).to_have_class("door-feedback-box is-already")
        expect(feedback).to_contain_text("Anna Anders")
        expect(page.get_by_test_id("door-count-attended")).to_have_text("1")

        # An unknown code: said, nothing changes.
        page.get_by_test_id("door-code").fill("ZZZZ2222")
        page.get_by_test_id("door-code-submit").click()
        expect(feedback).to_have_class("door-feedback-box is-error")

        # By name.
        page.get_by_test_id("door-q").fill("bäcker")
        page.get_by_test_id("door-search-submit").click()
        expect(page.get_by_test_id("door-result")).to_have_count(1)
        expect(page.get_by_test_id("door-result")).to_contain_text("Bernd Bäcker")
        page.get_by_test_id("door-check-in").click()
        expect(page.get_by_test_id("door-count-attended")).to_have_text("2")
        expect(page.get_by_test_id("door-result")).to_contain_text("Bernd Bäcker")
        expect(page.get_by_test_id("door-undo")).to_be_visible()
        bernd.refresh_from_db()
        assert bernd.attended_at is not None
        shot(page, "door-by-name")

        # A walk-in: registered and checked in at once.
        page.get_by_test_id("door-walk-in").locator("summary").click()
        form = page.get_by_test_id("door-walk-in-form")
        form.locator("input[name=name]").fill("Wilma Walk")
        form.locator("input[name=company_name]").fill("Walk GmbH")
        form.locator("input[name=postcode]").fill("58095")
        shot(page, "door-walk-in")
        page.get_by_test_id("door-walk-in-submit").click()
        expect(page.get_by_test_id("door-count-attended")).to_have_text("3")
        walk = Registration.objects.get(name="Wilma Walk")
        assert walk.walk_in and walk.attended_at is not None
    finally:
        context.close()


# A camera and a QR reader for headless Chromium: the "camera" is a drawn canvas; the reader
# sees window.__ticket (the ticket held up), or nothing.
FAKE_CAMERA = """
window.__ticket = "";
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["qr_code"]); }
  detect() {
    return Promise.resolve(window.__ticket ? [{ rawValue: window.__ticket }] : []);
  }
};
if (navigator.mediaDevices) {
  navigator.mediaDevices.getUserMedia = function () {
    var canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 64;
    var context = canvas.getContext("2d");
    var frame = 0;
    setInterval(function () {
      frame += 1;
      context.fillStyle = frame % 2 ? "#333" : "#777";
      context.fillRect(0, 0, 64, 64);
    }, 100);
    return Promise.resolve(canvas.captureStream(10));
  };
}
"""


def test_a_ticket_held_in_view_is_checked_in_once(browser: Browser, live_server) -> None:
    site = live_server.url
    coach, event, anna, bernd = _running_event()
    programme = event.programme

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="de-DE", reduced_motion="reduce"
    )
    context.add_init_script(FAKE_CAMERA)
    page = context.new_page()
    page.set_default_timeout(15_000)
    posts: list[str] = []
    page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and "/check-in/" in r.url else None,
    )
    try:
        log_in(page, site, coach.email)
        page.goto(f"{site}/programmes/{programme.pk}/events/{event.pk}/door/")
        page.locator("[data-door-camera]").click()
        expect(page.locator("[data-door-video]")).to_be_visible()
        feedback = page.get_by_test_id("door-feedback-text")

        # Anna's ticket stays in front of the camera for seven seconds: one check-in, and
        # "checked in" (not "already checked in at …") stays shown.
        page.evaluate(f"window.__ticket = 'KONVOI:{anna.code}'")
        expect(feedback).to_have_class("door-feedback-box is-ok")
        expect(feedback).to_contain_text("Anna Anders")
        page.wait_for_timeout(7000)
        assert len(posts) == 1, posts
        expect(feedback).to_have_class("door-feedback-box is-ok")
        expect(page.get_by_test_id("door-count-attended")).to_have_text("1")
        expect(page.locator("[data-door-camera-status]")).to_have_text(f"Code gelesen: {anna.code}")
        shot(page, "door-camera")

        # The next ticket is read after the camera's rest…
        page.evaluate(f"window.__ticket = 'KONVOI:{bernd.code}'")
        expect(feedback).to_contain_text("Bernd Bäcker")
        expect(feedback).to_have_class("door-feedback-box is-ok")
        assert len(posts) == 2, posts
        # …and Anna's again within the minute is not sent again.
        page.evaluate(f"window.__ticket = 'KONVOI:{anna.code}'")
        page.wait_for_timeout(3000)
        assert len(posts) == 2, posts
        expect(feedback).to_contain_text("Bernd Bäcker")
        anna.refresh_from_db()
        bernd.refresh_from_db()
        assert anna.attended_at is not None and bernd.attended_at is not None
        page.locator("[data-door-camera-stop]").click()
        expect(page.locator("[data-door-video]")).to_be_hidden()
    finally:
        context.close()


def test_the_staff_pages_on_a_phone(browser: Browser, live_server) -> None:
    """A manager on a phone (German): the event page with long names, answers, a walk-in, a
    cancelled registration and the export buttons; the form refusing a year out of range on
    its field; the cancel and the messages pages. No sideways scrolling, axe clean."""
    site = live_server.url
    programme = ProgrammeFactory(name="Kompetenzzentrum Hagen", slug="kompetenzzentrum-hagen")
    manager = UserFactory(name="Mara Manager")
    StaffFactory(programme=programme, user=manager, role="manager")
    start = timezone.now() - timedelta(days=2)
    event = OpenEventFactory(
        programme=programme,
        title="Infonachmittag Digitalisierung im Handwerk und in der Bauwirtschaft",
        starts_at=start,
        ends_at=start + timedelta(hours=5),
        registration_deadline=start - timedelta(hours=1),
        questions=[{"key": "q1", "label": "Was möchten Sie fragen?", "required": False}],
    )
    RegistrationFactory(
        event=event,
        name="Annegret Wilhelmine Schmidt-Oberhausener",
        company_name="Elektrotechnik und Gebäudeautomation Schmidt-Oberhausener GmbH & Co. KG",
        email="annegret.schmidt-oberhausener@elektrotechnik-schmidt-oberhausener.example",
        contact_consent=True,
        answers={"q1": "Wie fange ich mit der E-Rechnung an, ohne alles umzustellen?"},
        attended_at=start + timedelta(minutes=5),
    )
    RegistrationFactory(event=event, name="Bernd Bäcker", status="cancelled")
    RegistrationFactory(event=event, name="Wilma Walk", walk_in=True)

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="de-DE", reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = f"{site}/programmes/{programme.pk}/events/{event.pk}/"
    try:
        log_in(page, site, manager.email)
        page.goto(base)
        expect(page.get_by_test_id("registration-row")).to_have_count(3)
        expect(page.get_by_test_id("event-export-xlsx")).to_have_text("Excel (XLSX)")
        shot(page, "staff-event-full")

        page.goto(f"{site}/programmes/{programme.pk}/events/new/")
        page.locator("input[name=title]").fill("Werkstatt")
        for name, day, hour in (
            ("starts_at", "0001-03-12", "14:00"),
            ("ends_at", "2030-03-12", "19:00"),
            ("registration_deadline", "2030-03-10", "12:00"),
        ):
            page.locator(f"input[name={name}_0]").fill(day)
            page.locator(f"input[name={name}_1]").fill(hour)
        page.locator("input[name=capacity]").fill("30")
        page.get_by_test_id("event-submit").click()
        # The service's year rule, on the start's field.
        start_field = page.locator(".has-error").filter(has=page.locator("input[name=starts_at_0]"))
        expect(start_field).to_contain_text("2000")
        shot(page, "staff-event-form-errors")

        page.goto(base + "cancel/")
        shot(page, "staff-event-cancel")
        page.goto(base + "messages/")
        shot(page, "staff-event-messages")
    finally:
        context.close()
