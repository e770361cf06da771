"""The profile's lists on a phone (390 px): the security links are rows a thumb can hit, the
cards of signed-in devices and API tokens have inner padding and no browser indent, and a new
token's secret is shown whole (wrapped) with a Copy button, once."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import ApiToken
from tests.factories import UserFactory
from tests.support.browser import log_in, new_page

pytestmark = [pytest.mark.browser]

SCREENSHOT_DIR = Path(os.environ.get("KONVOI_SCREENSHOT_DIR", "/tmp"))


@pytest.fixture
def site(live_server, transactional_db) -> str:
    return live_server.url


def _box(page: Page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(
        """el => { const s = getComputedStyle(el), r = el.getBoundingClientRect();
                   return {height: r.height, width: r.width, right: r.right,
                           paddingLeft: parseFloat(s.paddingLeft),
                           paddingTop: parseFloat(s.paddingTop),
                           marginLeft: parseFloat(s.marginLeft)}; }"""
    )


def test_profile_lists_on_a_phone(browser: Browser, site: str) -> None:
    user = UserFactory(name="Paula Phone", email="paula@example.com")
    page = new_page(browser, width=390, height=844)
    log_in(page, site, user.email)

    page.goto(f"{site}/profile/")
    links = page.locator(".link-list a")
    expect(links).to_have_count(5)
    for i in range(5):
        height = links.nth(i).evaluate("el => el.getBoundingClientRect().height")
        assert height >= 44, (i, height)
    page.screenshot(path=SCREENSHOT_DIR / "profile-390.png", full_page=True)

    page.goto(f"{site}/profile/sessions/")
    card = _box(page, "[data-testid=session]")
    assert card["paddingLeft"] >= 12 and card["paddingTop"] >= 12, card
    assert _box(page, "[data-testid=session] dd")["marginLeft"] == 0
    page.screenshot(path=SCREENSHOT_DIR / "profile-sessions-390.png", full_page=True)

    page.goto(f"{site}/profile/tokens/")
    page.locator("input[name=name]").fill("Telefon")
    page.get_by_test_id("token-submit").click()
    page.wait_for_url(f"{site}/profile/tokens/")
    field = page.locator("#token-secret-value")
    secret = field.input_value()
    assert len(secret) > 20
    fits = field.evaluate(
        "el => el.scrollHeight <= el.clientHeight + 1 && el.scrollWidth <= el.clientWidth + 1"
    )
    assert fits, "the secret is cut off"
    assert _box(page, "#token-secret-value")["right"] <= 390
    assert "monospace" in field.evaluate("el => getComputedStyle(el).fontFamily")
    copy = page.get_by_test_id("token-copy")
    expect(copy).to_be_visible()  # the script ran (no CSP error)
    copy.click()
    expect(page.locator("#token-copy-status")).not_to_be_empty()
    card = _box(page, "[data-testid=token]")
    assert card["paddingLeft"] >= 12, card
    page.screenshot(path=SCREENSHOT_DIR / "profile-token-created-390.png", full_page=True)

    page.reload()
    expect(page.get_by_test_id("token-secret")).to_have_count(0)
    assert ApiToken.objects.filter(user=user).count() == 1
