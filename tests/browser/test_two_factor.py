"""Two-factor authentication in a real browser (Debian's chromium driven by Playwright), on a
phone-sized screen: a person turns it on in the profile (reads the key off the page, types the
code an app would show), sees the recovery codes, logs out, logs in with the password, is asked
for the code, types it and lands on the overview; then once more with a recovery code."""

import os
import re
import time
from base64 import b32decode
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Browser, Page, expect

from accounts.mfa import recovery_codes_left
from tests.factories import UserFactory
from tests.support.browser import FACTORY_PASSWORD, log_in, new_page

pytestmark = [pytest.mark.browser]

SCREENSHOT_DIR = Path(os.environ.get("KONVOI_SCREENSHOT_DIR", "/tmp"))


@pytest.fixture
def site(live_server, transactional_db) -> str:
    return live_server.url


def app_code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this key (`steps_ahead` × 30 s later)."""
    key = b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key=key, step=30, t0=0, digits=6)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def password_login(page: Page, site: str, email: str) -> None:
    page.goto(f"{site}/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(FACTORY_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(re.compile(r".*/login/verify/\?next=.*"))


def log_out(page: Page) -> None:
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r".*/login/.*"))


def test_turn_on_and_log_in_with_a_code_and_with_a_recovery_code(
    browser: Browser, site: str
) -> None:
    user = UserFactory(name="Frieda Facil", email="frieda@example.com")
    page = new_page(browser, width=390, height=844)
    log_in(page, site, user.email)

    # Turn it on in the profile.
    page.get_by_test_id("nav-profile").click()
    page.get_by_test_id("profile-security-link").click()
    expect(page.get_by_test_id("mfa-off")).to_be_visible()
    page.get_by_test_id("mfa-start").click()
    expect(page.get_by_test_id("mfa-qr").locator("svg")).to_be_visible()
    page.screenshot(path=SCREENSHOT_DIR / "two-factor-setup.png", full_page=True)
    secret = page.get_by_test_id("mfa-secret").inner_text().strip()
    assert re.fullmatch(r"([A-Z2-7]{4} ?)+", secret), secret
    form = page.get_by_test_id("mfa-confirm-form")
    code_input = form.locator("input[name=code]")
    assert code_input.get_attribute("inputmode") == "numeric"
    assert code_input.get_attribute("autocomplete") == "one-time-code"
    code_input.fill(app_code(secret))
    form.locator("input[name=password]").fill(FACTORY_PASSWORD)
    page.get_by_test_id("mfa-confirm-submit").click()

    # The recovery codes, once.
    codes_list = page.get_by_test_id("recovery-codes")
    expect(codes_list.locator("li")).to_have_count(10)
    codes = [c.strip() for c in codes_list.locator("li").all_inner_texts()]
    page.screenshot(path=SCREENSHOT_DIR / "two-factor-codes.png", full_page=True)
    expect(page.get_by_test_id("recovery-codes-download")).to_be_visible()
    page.get_by_test_id("recovery-codes-done").click()
    expect(page.get_by_test_id("mfa-on")).to_be_visible()
    log_out(page)

    # Password, then the code from the app: on to the overview.
    password_login(page, site, user.email)
    expect(page.get_by_test_id("verify-form")).to_be_visible()
    page.screenshot(path=SCREENSHOT_DIR / "two-factor-verify.png", full_page=True)
    page.get_by_test_id("verify-form").locator("input[name=code]").fill(app_code(secret, 1))
    page.get_by_test_id("verify-submit").click()
    page.wait_for_url(f"{site}/")
    expect(page.get_by_test_id("nav-profile")).to_be_visible()
    log_out(page)

    # Password, then a recovery code (the phone is not at hand).
    password_login(page, site, user.email)
    page.get_by_test_id("verify-recovery-toggle").click()
    page.get_by_test_id("verify-form").locator("input[name=recovery_code]").fill(codes[0])
    page.get_by_test_id("verify-submit").click()
    page.wait_for_url(f"{site}/")
    expect(page.get_by_test_id("nav-profile")).to_be_visible()
    assert recovery_codes_left(user) == 9
    page.context.close()
