"""The fixtures of the browser tests (Playwright on chromium)."""

from tests.browser.conftest import (  # noqa: F401 — fixtures, used by name
    _allow_sync_orm_next_to_playwright,
    browser,
)
