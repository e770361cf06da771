"""The whole journey in a real browser (Debian's chromium driven by Playwright):

a member signs up and creates a company; a facilitator signs up, starts a convoy and invites
by e-mail; the member accepts from the e-mailed link, adds a project with two milestones and
completes one; both see 50 % on the dashboard. Once in German (the default) and once in English
(switched in the UI).
"""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from convoys.models import Membership
from projects.models import Milestone
from tests.support.browser import new_page

pytestmark = [pytest.mark.browser]

SCREENSHOT_DIR = Path(os.environ.get("KONVOI_SCREENSHOT_DIR", "/tmp"))
PASSWORD = "S3cure-enough!"

WORDS = {
    "de": {
        "create_company": "Unternehmen anlegen",
        "add_project": "Projekt hinzufügen",
        "join": "Dem Konvoi beitreten",
        "chart": "Erledigte Meilensteine im Zeitverlauf",
        "completed": "hat den Meilenstein „Tool auswählen“ in „Online-Termine“ erledigt.",
        "count": "1 von 2 Meilensteinen erledigt",
    },
    "en": {
        "create_company": "Create a company",
        "add_project": "Add a project",
        "join": "Join the convoy",
        "chart": "Milestones done over time",
        "completed": "completed the milestone “Tool auswählen” in “Online-Termine”.",
        "count": "1 of 2 milestones done",
    },
}


@pytest.fixture
def site(live_server, settings, transactional_db) -> str:
    # Invitation e-mails link to SITE_URL; point it at the test server.
    settings.SITE_URL = live_server.url
    return live_server.url


def sign_up(page: Page, site: str, *, name: str, email: str, language: str) -> None:
    page.goto(f"{site}/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    if language != "de":
        page.get_by_test_id(f"language-{language}").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
    form = page.get_by_test_id("signup-form")
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    page.get_by_test_id("signup-submit").click()
    expect(page.get_by_test_id("company-create-link")).to_be_visible()


@pytest.mark.parametrize("language", ["de", "en"])
def test_convoy_journey(browser: Browser, site: str, language: str) -> None:
    words = WORDS[language]

    # A company owner signs up and creates the company.
    member = new_page(browser)
    sign_up(member, site, name="Mia Schulte", email="mia@example.com", language=language)
    member.get_by_test_id("company-create-link").click()
    form = member.get_by_test_id("company-form")
    form.locator("input[name=name]").fill("Sanitär Schulte")
    form.locator("select[name=sector]").select_option("craft")
    form.locator("select[name=size]").select_option("2-9")
    form.locator("input[name=city]").fill("Hagen")
    member.get_by_test_id("company-submit").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Sanitär Schulte")

    # A facilitator signs up in another browser, starts a convoy and invites the company.
    facilitator = new_page(browser)
    sign_up(facilitator, site, name="Frieda Fischer", email="frieda@example.com", language=language)
    facilitator.get_by_test_id("convoy-create-link").click()
    facilitator.get_by_test_id("convoy-form").locator("input[name=name]").fill("Konvoi Hagen")
    facilitator.get_by_test_id("convoy-submit").click()
    facilitator.get_by_test_id("invitation-form").locator("input[name=email]").fill(
        "mia@example.com"
    )
    facilitator.get_by_test_id("invitation-submit").click()
    expect(facilitator.get_by_test_id("invitation-list")).to_contain_text("mia@example.com")

    # The member follows the e-mailed link and accepts for the company.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[0].body).group(0)
    assert link.startswith(site)
    member.goto(link)
    expect(member.get_by_test_id("invitation-page")).to_contain_text("Konvoi Hagen")
    member.get_by_test_id("invitation-accept").click()
    expect(member.get_by_test_id("convoy-dashboard")).to_be_visible()
    assert Membership.objects.filter(company__name="Sanitär Schulte").count() == 1

    # … adds a project with two milestones and completes one, without page reloads.
    member.get_by_role("link", name="Sanitär Schulte", exact=True).click()
    member.get_by_test_id("project-create-link").click()
    form = member.get_by_test_id("project-form")
    form.locator("input[name=title]").fill("Online-Termine")
    form.locator("select[name=category]").select_option("appointments")
    # Shared with the company's one convoy by default: a sentence naming it and a ticked box.
    expect(form.get_by_test_id("share-one")).to_contain_text("Konvoi Hagen")
    expect(form.locator("input[name=share]")).to_be_checked()
    member.get_by_test_id("project-submit").click()
    for title in ("Tool auswählen", "Live schalten"):
        member.get_by_test_id("milestone-form").locator("input[name=title]").fill(title)
        member.get_by_test_id("milestone-submit").click()
        expect(member.get_by_test_id("milestone").filter(has_text=title)).to_be_visible()
    member.evaluate("window.__noReload = true")
    member.get_by_test_id("milestone").filter(has_text="Tool auswählen").get_by_test_id(
        "milestone-complete"
    ).click()
    expect(member.get_by_test_id("project-progress")).to_contain_text("50 %")
    expect(member.get_by_test_id("milestone-count")).to_have_text(words["count"])
    assert member.evaluate("window.__noReload") is True  # htmx swapped, no full reload
    assert Milestone.objects.filter(status="done").count() == 1

    # Both see 50 % on the dashboard, the feed sentence and the chart.
    for page in (member, facilitator):
        page.goto(f"{site}/")
        page.get_by_test_id("convoy-list").get_by_role("link", name="Konvoi Hagen").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        dashboard = page.get_by_test_id("convoy-dashboard")
        expect(dashboard.get_by_test_id("project-progress")).to_contain_text("50 %")
        expect(dashboard.get_by_test_id("company-progress")).to_contain_text("50 %")
        expect(page.get_by_test_id("activity-feed")).to_contain_text(words["completed"])
        expect(page.get_by_role("heading", name=words["chart"])).to_be_visible()
        expect(page.locator("#milestones-chart")).to_be_visible()
        # Chart.js drew into the canvas (it sets its own size attributes when it renders).
        page.wait_for_function("() => window.Chart && Chart.getChart('milestones-chart')")

    if language == "de":
        member.screenshot(path=str(SCREENSHOT_DIR / "konvoi-dashboard-desktop.png"), full_page=True)
        phone = new_page(browser, width=375, height=812)
        phone.context.add_cookies(member.context.cookies())
        phone.goto(member.url)
        expect(phone.get_by_test_id("convoy-dashboard")).to_be_visible()
        phone.wait_for_function("() => window.Chart && Chart.getChart('milestones-chart')")
        # Nothing may stick out sideways on a phone.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        phone.screenshot(path=str(SCREENSHOT_DIR / "konvoi-dashboard-phone.png"), full_page=True)
        phone.get_by_role("link", name="Online-Termine").click()
        expect(phone.get_by_test_id("milestones-block")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        phone.screenshot(path=str(SCREENSHOT_DIR / "konvoi-project-phone.png"), full_page=True)
