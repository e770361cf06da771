"""Setting up the second factor on the phone itself, in a real browser: the "Open in
authenticator app" link (otpauth://) is not blocked by the Content-Security-Policy, and the
key's Copy button (security.js, no inline script) shows up and answers."""

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.factories import UserFactory
from tests.support.browser import log_in, new_page

pytestmark = [pytest.mark.browser]

_COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def site(live_server, transactional_db) -> str:
    return live_server.url


def test_open_in_app_link_and_copy_button_on_a_phone(browser: Browser, site: str) -> None:
    user = UserFactory()
    page = new_page(browser, width=390, height=844)
    page.add_init_script(_COLLECT_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    log_in(page, site, user.email)
    page.goto(f"{site}/profile/security/")
    page.get_by_test_id("mfa-start").click()
    link = page.get_by_test_id("mfa-open-app")
    expect(link).to_be_visible()
    assert re.match(r"otpauth://totp/.+\?secret=[A-Z2-7]+", link.get_attribute("href") or "")

    copy = page.get_by_test_id("mfa-secret-copy")
    expect(copy).to_be_visible()  # shown by security.js: the script ran under the CSP
    copy.click()
    expect(page.locator("#totp-copy-status")).not_to_have_text("")

    # An app link: the browser hands it to the app (here: to nobody); the policy blocks nothing.
    link.click(no_wait_after=True)
    page.wait_for_timeout(300)
    assert "/profile/security/app/" in page.url or "/profile/security/" in page.url
    violations = page.evaluate("window.__cspViolations || []")
    assert violations == [], violations
    assert not [text for text in console if "Content Security Policy" in text], console
