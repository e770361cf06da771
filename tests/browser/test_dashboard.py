"""The convoy dashboard in a browser, against a real ASGI server with Redis: the demo convoy
fits on a phone in about four screens (attention or first steps, check-ins, companies,
updates), and a milestone a member sets to blocked appears in the facilitator's attention
strip without a reload."""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import global_settings
from django.db import connection
from playwright.sync_api import expect

from demo.data import COMPANIES, DEMO_PASSWORD, FACILITATOR
from demo.loader import demo_load
from projects.models import MilestoneStatus, Update
from projects.services import milestone_update
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    UserFactory,
)
from tests.support.browser import log_in, new_page
from tests.support.live import Server, redis_db, require_live_services

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]
# Redis database 8 is the dashboard tests' own (the suite's cache and other live tests use
# others).
REDIS_URL = redis_db(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", 8)
PHONE = (390, 844)
SCREENSHOTS = Path(os.environ.get("KONVOI_SCREENSHOTS", "/tmp/konvoi-screenshots"))


@pytest.fixture
def server(django_db_setup, settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    require_live_services(REDIS_URL)
    started = Server(REDIS_URL, debug=True)
    yield started
    started.stop()


def _off_the_loop(work, /, **kwargs):
    """Run a service in a thread of its own: Playwright's event loop runs in this one, and the
    events publish on commit through the channel layer's sync wrapper."""

    def call():
        try:
            return work(**kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def _height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


@pytest.mark.parametrize(
    "email",
    [FACILITATOR[1], COMPANIES[0].people[0][1]],
    ids=["facilitator", "member"],
)
def test_the_demo_dashboard_fits_in_four_phone_screens(browser, server, email):
    convoy = _off_the_loop(demo_load)
    page = new_page(browser, width=PHONE[0], height=PHONE[1])
    log_in(page, server.url, email, DEMO_PASSWORD)
    page.goto(f"{server.url}/convoys/{convoy.pk}/")
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    height = _height(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    role = "facilitator" if email == FACILITATOR[1] else "member"
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-{role}-390.png"), full_page=True)
    for screen in range(-(-height // PHONE[1])):  # each phone screen, to look at
        clip = {"x": 0, "y": screen * PHONE[1], "width": PHONE[0], "height": PHONE[1]}
        page.screenshot(
            path=str(SCREENSHOTS / f"dashboard-{role}-390-{screen + 1}.png"),
            full_page=True,
            clip=clip,
        )
    wide = new_page(browser, width=1280, height=900)
    wide.context.add_cookies(page.context.cookies())
    wide.goto(f"{server.url}/convoys/{convoy.pk}/")
    expect(wide.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    wide.screenshot(path=str(SCREENSHOTS / f"dashboard-{role}-1280.png"), full_page=True)
    # On a wide screen the chart and the activity stand open, the chart drawn.
    expect(wide.locator("#milestones-chart")).to_be_visible()
    expect(wide.get_by_test_id("activity-feed")).to_be_visible()
    wide.wait_for_function("() => window.Chart && Chart.getChart('milestones-chart')")
    print(f"dashboard height at 390 px as {role}: {height} px")
    assert height <= 4 * PHONE[1], f"{height} px is more than four phone screens"

    # Folded is not lost: the chart opens and draws, and a link to an older update (as from a
    # notification) opens "show older updates" and shows it.
    chart = page.locator("#milestones-chart")
    expect(chart).to_be_hidden()
    page.locator("#chart-fold > summary").click()
    expect(chart).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart('milestones-chart')")
    oldest = Update.objects.filter(convoy=convoy).order_by("created_at", "id").first()
    page.goto(f"{server.url}/convoys/{convoy.pk}/#update-{oldest.pk}")
    expect(page.get_by_test_id(f"update-{oldest.pk}")).to_be_visible()


def test_a_milestone_set_to_blocked_appears_in_the_attention_strip_live(browser, server, settings):
    # The change is made here, through the service, as a member's request would make it: its
    # event goes to the server's channel layer (the same Redis database).
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    convoy = ConvoyFactory(name="Digitalisierungs-Konvoi Hagen")
    company = CompanyFactory(name="Blumen Berger")
    member = UserFactory(name="Bea Berger", email="bea@example.com")
    facilitator = UserFactory(name="Frieda Fischer", email="frieda@example.com")
    CompanyMemberFactory(company=company, user=member, role="owner")
    FacilitatorFactory(convoy=convoy, user=facilitator)
    MembershipFactory(convoy=convoy, company=company)
    project = ProjectFactory(company=company, title="Online-Termine", convoys=[convoy])
    milestone = MilestoneFactory(project=project, title="Tool auswählen")

    watcher = new_page(browser, width=PHONE[0], height=PHONE[1])
    log_in(watcher, server.url, "frieda@example.com")
    watcher.goto(f"{server.url}/convoys/{convoy.pk}/")
    expect(watcher.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    strip = watcher.get_by_test_id("attention")
    expect(strip).to_be_visible()
    expect(strip.get_by_test_id("attention-blocked")).to_have_count(0)
    watcher.evaluate("window.__sameDocument = true")

    _off_the_loop(
        milestone_update, actor=member, milestone=milestone, status=MilestoneStatus.BLOCKED
    )

    # Without a reload: the strip names the company, the milestone and its project, and links
    # to the milestone; the company's card shows it too.
    item = strip.get_by_test_id("attention-blocked")
    expect(item).to_have_count(1, timeout=5000)
    expect(item).to_contain_text("Blumen Berger")
    expect(item).to_contain_text("Tool auswählen")
    expect(item).to_contain_text("Online-Termine")
    expect(item.get_by_test_id("attention-milestone")).to_have_attribute(
        "href", f"/projects/{project.pk}/#milestone-{milestone.pk}"
    )
    card = watcher.get_by_test_id(f"company-{company.pk}")
    expect(card.get_by_test_id("blocked")).to_contain_text("Tool auswählen")
    assert watcher.evaluate("window.__sameDocument") is True
