"""Delete my account on a phone (390 px): the only person of a company ticks "Delete these
companies together with my account" on a label a thumb can hit (at least 44 px high, the whole
row), and a refusal names that box."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from companies.models import Company, CompanyMember
from tests.factories import UserFactory
from tests.support.browser import log_in, new_page

pytestmark = [pytest.mark.browser]

SCREENSHOT_DIR = Path(os.environ.get("KONVOI_SCREENSHOT_DIR", "/tmp"))


@pytest.fixture
def site(live_server, transactional_db) -> str:
    return live_server.url


def test_the_delete_companies_box_is_a_44px_target(browser: Browser, site: str) -> None:
    user = UserFactory(name="Markus Solo", email="markus@example.com")
    company = Company.objects.create(name="Solo GmbH", sector="craft", size="1", city="Hagen")
    CompanyMember.objects.create(company=company, user=user, role="owner")
    page = new_page(browser, width=390, height=844)
    log_in(page, site, user.email)
    page.goto(f"{site}/profile/delete/")
    label = page.locator("label[for=id_delete_companies]")
    label.scroll_into_view_if_needed()
    box = label.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 200, box
    checkbox = page.locator("#id_delete_companies")
    assert not checkbox.is_checked()
    # A tap at the far end of the label's row ticks the box.
    page.mouse.click(box["x"] + box["width"] - 5, box["y"] + box["height"] - 3)
    assert checkbox.is_checked()
    page.screenshot(path=SCREENSHOT_DIR / "delete-account-390.png", full_page=True)
