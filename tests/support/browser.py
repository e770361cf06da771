"""Pages and logins for the browser tests: Debian's chromium driven by Playwright (its own
browser download does not work here)."""

from playwright.sync_api import Browser, Page

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
