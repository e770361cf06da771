"""A project in one screen on a phone (390 px, German): title, category, two first milestones,
shared with the convoy by default; then both milestones done, "mark the project as done", and
the delete confirmation. Tap targets of the project page are at least 44 px high."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from projects.models import Project
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    MembershipFactory,
    UserFactory,
)
from tests.support.browser import log_in, new_page

pytestmark = [pytest.mark.browser]

SHOTS = Path("/tmp/konvoi-shots/projects")


@pytest.fixture
def site(live_server, settings, transactional_db) -> str:
    settings.SITE_URL = live_server.url
    return live_server.url


def test_first_project_in_one_screen_on_a_phone(browser: Browser, site: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    convoy = ConvoyFactory(name="Konvoi Hagen")
    company = CompanyFactory(name="Blumen Berger")
    MembershipFactory(convoy=convoy, company=company)
    owner = UserFactory(name="Bea Berger")
    CompanyMemberFactory(company=company, user=owner, role="owner")

    page = new_page(browser, width=390, height=844)
    log_in(page, site, owner.email)
    page.goto(f"{site}/companies/{company.pk}/projects/new/")
    expect(page.get_by_test_id("share-one")).to_contain_text("Konvoi Hagen")
    expect(page.locator("input[name=share]")).to_be_checked()
    assert page.locator("input[name=convoys]").count() == 0
    page.locator("input[name=title]").fill("Online-Terminbuchung")
    page.locator("select[name=category]").select_option("appointments")
    page.locator("input[name=milestone_1_title]").fill("Tool auswählen")
    page.locator("input[name=milestone_2_title]").fill("Live gehen")
    page.screenshot(path=str(SHOTS / "form-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_test_id("project-submit").click()

    project = Project.objects.get()
    page.wait_for_url(f"{site}/projects/{project.pk}/")
    assert list(project.convoys.all()) == [convoy]
    expect(page.get_by_test_id("milestone")).to_have_count(2)
    for _ in range(2):
        page.get_by_test_id("milestone-complete").first.click()
        page.wait_for_timeout(300)
    expect(page.get_by_test_id("offer-done")).to_be_visible()
    page.screenshot(path=str(SHOTS / "project-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for testid in ("project-edit", "project-archive", "project-delete", "project-complete"):
        box = page.get_by_test_id(testid).bounding_box()
        assert box is not None and box["height"] >= 44, (testid, box)
    page.get_by_test_id("project-complete").click()
    expect(page.get_by_test_id("project-status")).to_have_text("Erledigt")
    project.refresh_from_db()
    assert project.status == "done"

    page.get_by_test_id("project-delete").click()
    expect(page.get_by_test_id("confirm-goes")).to_be_visible()
    page.screenshot(path=str(SHOTS / "delete-390.png"), full_page=True)
    page.get_by_test_id("confirm-delete-submit").click()
    page.wait_for_url(f"{site}/companies/{company.pk}/")
    assert not Project.objects.exists()
