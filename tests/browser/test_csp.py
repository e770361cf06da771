"""The Content-Security-Policy holds in a real browser: every main page (and the API docs)
loads and works without a single violation report (real ASGI server, so the live sockets
connect too; Redis database 12 is this module's own)."""

import os

import pytest
from django.conf import global_settings
from playwright.sync_api import Page, expect

from tests.factories import (
    CheckInFactory,
    CommentFactory,
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    UpdateFactory,
    UserFactory,
)
from tests.support.browser import log_in, new_page
from tests.support.live import Server, redis_db, require_live_services

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]
REDIS_URL = redis_db(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", 12)

# Runs before any page script, outside the page's CSP (Playwright injects it).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || location.pathname}:${e.lineNumber}`);
});
"""


@pytest.fixture
def server(django_db_setup, settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    require_live_services(REDIS_URL)
    started = Server(REDIS_URL, debug=True)
    yield started
    started.stop()


class Watched:
    """A page whose CSP violations (events and console reports) are collected."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "console",
            lambda message: (
                self.console.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )

    def violations(self) -> list[str]:
        return [*self.page.evaluate("window.__cspViolations || []"), *self.console]


def test_main_pages_and_api_docs_raise_no_csp_violation(browser, server):
    convoy = ConvoyFactory(name="Digitalisierungs-Konvoi Hagen")
    company = CompanyFactory(name="Sanitär Schulte")
    member = UserFactory(name="Mia Schulte", email="mia@example.com")
    CompanyMemberFactory(company=company, user=member, role="owner")
    FacilitatorFactory(convoy=convoy, user=UserFactory(email="frieda@example.com"))
    MembershipFactory(convoy=convoy, company=company)
    project = ProjectFactory(company=company, title="Online-Termine", convoys=[convoy])
    MilestoneFactory(project=project, title="Tool auswählen", status="done")
    MilestoneFactory(project=project, title="Live schalten")
    update = UpdateFactory(convoy=convoy, company=company, author=member)
    CommentFactory(
        convoy=convoy,
        target_id=update.pk,
        author=member,
        body="**Gut** gemacht",
        body_html="<p><strong>Gut</strong> gemacht</p>",
    )
    checkin = CheckInFactory(convoy=convoy, title="Check-in Oktober")

    watched = Watched(new_page(browser))
    page = watched.page
    page.goto(f"{server.url}/login/")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    log_in(page, server.url, "mia@example.com")
    assert watched.violations() == []

    pages = {
        "/": None,
        f"/convoys/{convoy.pk}/": "live-status",
        f"/projects/{project.pk}/": "live-status",
        f"/checkins/{checkin.pk}/": "live-status",
        "/notifications/": None,
        "/notifications/settings/": None,
        "/calendar/": "calendar-rotate",
    }
    for path, ready in pages.items():
        response = page.goto(server.url + path)
        assert response.status == 200, path
        assert "content-security-policy" in response.headers, path  # lower-cased
        if ready == "live-status":
            # The socket is allowed too (connect-src 'self' covers ws: to this host).
            expect(page.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
        elif ready:
            expect(page.get_by_test_id(ready)).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert watched.violations() == [], path

    # Work on the dashboard's chart and an htmx swap (the milestone form) on the project page.
    page.goto(f"{server.url}/convoys/{convoy.pk}/")
    expect(page.locator("canvas").first).to_be_visible()
    page.goto(f"{server.url}/calendar/")
    page.get_by_test_id("calendar-rotate").click()
    address = page.get_by_test_id("calendar-url")
    address.click()  # selects the whole address (a script file, no longer an inline onclick)
    selected = "(e => e.value.substring(e.selectionStart, e.selectionEnd))(document.activeElement)"
    assert page.evaluate(selected) == address.input_value() != ""
    assert watched.violations() == []

    # The API docs: Swagger UI from our own static files, rendered, without a violation.
    response = page.goto(f"{server.url}/api/docs/")
    assert response.status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Konvoi API")
    page.wait_for_load_state("networkidle")
    assert watched.violations() == []


def test_admin_pages_raise_no_csp_violation(browser, server):
    """Support works in the admin under the same policy (Django's admin has no inline code)."""
    UserFactory(email="support@example.com", is_staff=True, is_superuser=True)
    convoy = ConvoyFactory()
    FacilitatorFactory(convoy=convoy)

    watched = Watched(new_page(browser))
    page = watched.page
    page.goto(f"{server.url}/admin/login/")
    page.locator("input[name=username]").fill("support@example.com")
    page.locator("input[name=password]").fill("correct-horse-42")
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"{server.url}/admin/")
    for path in (
        "/admin/",
        "/admin/notifications/notification/?q=support%40example.com",
        "/admin/convoys/event/",
        f"/admin/convoys/convoy/{convoy.pk}/change/",
    ):
        response = page.goto(server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert watched.violations() == [], path
