"""Comments between two people in two browsers, against a real ASGI server with Redis: a
comment one writes (mentioning the other, picked from the @ suggestions, sent with
Ctrl+Enter) appears for the other without a reload, and lights their notification badge."""

import os

import pytest
from django.conf import global_settings
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    UpdateFactory,
    UserFactory,
)
from tests.support.browser import log_in as _log_in
from tests.support.browser import new_page
from tests.support.live import Server, redis_db, require_live_services

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-42"  # tests.factories.UserFactory's
# Redis database 15 is the comments tests' own (the suite's cache and other live tests use
# others).
REDIS_URL = redis_db(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", 15)


@pytest.fixture
def server(django_db_setup, settings, monkeypatch):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    require_live_services(REDIS_URL)
    # No Celery worker next to the test server: the notification push runs in the request's
    # on-commit, as the embedded mode's worker would run it a moment later.
    monkeypatch.setenv("CELERY_TASK_ALWAYS_EAGER", "true")
    started = Server(REDIS_URL, debug=True)
    yield started
    started.stop()


def test_comment_appears_for_the_other_and_the_mention_lights_the_badge(browser, server):
    convoy = ConvoyFactory(name="Digitalisierungs-Konvoi Hagen")
    company = CompanyFactory(name="Modehaus Kramer")
    writer = UserFactory(name="Sabine Kramer", email="sabine@example.com", handle="sabine")
    reader = UserFactory(name="Frieda Fischer", email="frieda@example.com", handle="frieda")
    CompanyMemberFactory(company=company, user=writer, role="owner")
    FacilitatorFactory(convoy=convoy, user=reader)
    MembershipFactory(convoy=convoy, company=company)
    update = UpdateFactory(
        convoy=convoy,
        company=company,
        author=writer,
        body="Kasse und Webshop zeigen unterschiedliche Bestände.",
        help_wanted=True,
    )

    watcher = new_page(browser)
    log_in(watcher, server, "frieda@example.com")
    watcher.goto(f"{server.url}/convoys/{convoy.pk}/")
    expect(watcher.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    badge = watcher.get_by_test_id("notification-badge")
    expect(badge.locator("[data-notification-count]")).to_have_text("0")
    watcher.evaluate("window.__sameDocument = true")

    doer = new_page(browser, width=375, height=800)  # on a phone
    log_in(doer, server, "sabine@example.com")
    doer.goto(f"{server.url}/convoys/{convoy.pk}/")
    expect(doer.get_by_test_id("live-status")).to_have_attribute("data-state", "live")

    thread = doer.get_by_test_id(f"thread-update-{update.pk}")
    # The form waits behind "Comment", which opens it and puts the cursor in the field.
    thread.get_by_test_id("comment-open").click()
    field = thread.get_by_test_id("comment-body-input")
    expect(field).to_be_focused()
    field.press_sequentially("Hat jemand eine Idee, @fri", delay=20)
    # The @ suggestions: a listbox of the convoy's people; Enter takes the highlighted one.
    options = thread.get_by_role("listbox").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Frieda Fischer")
    expect(field).to_have_attribute("aria-expanded", "true")
    field.press("Enter")
    expect(field).to_have_value("Hat jemand eine Idee, @frieda ")
    field.press_sequentially("kennen Sie das? **Danke!**", delay=10)
    field.press("Control+Enter")

    # The writer's own thread shows it at once; the form is empty again.
    own = doer.locator(f"#comments-update-{update.pk}").get_by_test_id("comment-body")
    expect(own).to_contain_text("Hat jemand eine Idee, @frieda kennen Sie das? Danke!")
    expect(thread.get_by_test_id("comment-body-input")).to_have_value("")
    comment = Comment.objects.get()
    assert comment.body == "Hat jemand eine Idee, @frieda kennen Sie das? **Danke!**"

    # For the other person: without a reload, the comment in the thread, the mention marked,
    # and the badge lit.
    region = watcher.locator(f"#comments-update-{update.pk}")
    expect(region.get_by_test_id("comment-body")).to_contain_text("Danke!", timeout=5000)
    expect(region.locator(".mention")).to_have_text("@frieda")
    expect(region.get_by_test_id("comment-body").locator("strong")).to_have_text("Danke!")
    expect(badge.locator("[data-notification-count]")).to_have_text("1", timeout=5000)
    assert watcher.evaluate("window.__sameDocument") is True
    # The first comment folds the thread ("Show 1 comment") once the live refresh has come
    # through; the writer's stays open on it (it looked as if the comment had vanished).
    doer.wait_for_timeout(1000)
    expect(own).to_be_visible()

    # A reaction from the other side comes back live, too: the watcher opens the folded
    # thread, then the six choices behind "add a reaction".
    watcher.get_by_test_id(f"thread-update-{update.pk}").get_by_test_id("thread-open").click()
    watcher.locator(f"#comment-{comment.pk}").get_by_test_id("reaction-add").click()
    watcher.locator(f"#comment-{comment.pk}").locator("[data-choice='👍']").click()
    reaction = doer.locator(f"#comment-{comment.pk}").locator("[data-emoji='👍']")
    expect(reaction).to_contain_text("1", timeout=5000)
    expect(reaction).to_have_attribute("aria-pressed", "false")


def log_in(page, server: Server, email: str) -> None:
    _log_in(page, server.url, email)
