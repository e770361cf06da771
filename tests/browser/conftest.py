"""Shared browser fixtures: Debian's chromium driven by Playwright (its own browser download
does not work here)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module", autouse=True)
def _allow_sync_orm_next_to_playwright() -> Iterator[None]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are still plain synchronous code, so Django's async guard is lifted
    # for this module only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def new_page(browser: Browser, width: int = 1280, height: int = 900) -> Page:
    # A German-speaking visitor: the browser asks for German (Accept-Language), and the English
    # run switches in the UI.
    # Reduced motion also makes Chart.js draw at once, so screenshots show the final chart.
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="de-DE", reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


FACTORY_PASSWORD = "correct-horse-42"  # tests.factories.UserFactory's


def log_in(page: Page, base_url: str, email: str, password: str = FACTORY_PASSWORD) -> None:
    """Log in through the real login form and wait for the overview."""
    page.goto(f"{base_url}/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{base_url}/")
