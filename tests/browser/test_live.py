"""Two people on one convoy, in two browsers, against a real ASGI server with Redis: what one
does appears for the other without a reload, and each sees the other is there."""

import pytest
from django.conf import global_settings
from playwright.sync_api import expect

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
from tests.support.browser import log_in as _log_in
from tests.support.browser import new_page
from tests.support.live import REDIS_URL, Server, require_live_services

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-42"  # tests.factories.UserFactory's


@pytest.fixture
def server(django_db_setup, settings):
    # The server process checks passwords with the production hashers, not the suite's fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    require_live_services()
    started = Server(REDIS_URL, debug=True)
    yield started
    started.stop()


def convoy_with_two_people():
    """A convoy with Frieda (facilitator) and Mia, the owner of its one company."""
    convoy = ConvoyFactory(name="Digitalisierungs-Konvoi Hagen")
    company = CompanyFactory(name="Sanitär Schulte")
    member = UserFactory(name="Mia Schulte", email="mia@example.com")
    facilitator = UserFactory(name="Frieda Fischer", email="frieda@example.com")
    CompanyMemberFactory(company=company, user=member, role="owner")
    FacilitatorFactory(convoy=convoy, user=facilitator)
    MembershipFactory(convoy=convoy, company=company)
    return convoy, company, member


def test_milestone_completed_by_one_appears_for_the_other_with_presence(browser, server):
    convoy, company, _member = convoy_with_two_people()
    project = ProjectFactory(company=company, title="Online-Termine", convoys=[convoy])
    first = MilestoneFactory(project=project, title="Tool auswählen")
    MilestoneFactory(project=project, title="Live schalten")

    watcher = new_page(browser)
    log_in(watcher, server, "frieda@example.com")
    watcher.goto(f"{server.url}/convoys/{convoy.pk}/")
    expect(watcher.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    progress = watcher.locator(f"#project-{project.pk}").get_by_test_id("project-progress")
    expect(progress).to_contain_text("0 %")

    doer = new_page(browser)
    log_in(doer, server, "mia@example.com")
    doer.goto(f"{server.url}/projects/{project.pk}/")
    expect(doer.get_by_test_id("live-status")).to_have_attribute("data-state", "live")

    # Presence: each sees both people, by name (and the member with the company).
    for page in (watcher, doer):
        people = page.get_by_test_id("live-presence")
        expect(people).to_contain_text("Frieda Fischer")
        expect(people).to_contain_text("Mia Schulte (Sanitär Schulte)")

    watcher.evaluate("window.__sameDocument = true")
    doer.locator(f"#milestone-{first.pk}").get_by_test_id("milestone-complete").click()

    # Within 2 s, without a reload: the progress bar, the count and the feed.
    expect(progress).to_contain_text("50 %", timeout=2000)
    card = watcher.get_by_test_id(f"company-{company.pk}")
    expect(card).to_contain_text("1", timeout=2000)
    expect(watcher.locator("#activity-feed")).to_contain_text("Tool auswählen", timeout=2000)
    assert watcher.evaluate("window.__sameDocument") is True

    # The other person leaving the page leaves the presence list.
    doer.context.close()
    expect(watcher.get_by_test_id("live-presence")).not_to_contain_text("Mia Schulte")


def log_in(page, server: Server, email: str) -> None:
    _log_in(page, server.url, email)


def test_a_new_comment_adds_one_node_and_keeps_the_thread_the_reader_has_open(browser, server):
    """A comment arriving live puts in the new comment; the comments that came before stay the
    same nodes (nothing to build or wire up again), with a reply form the reader opened."""
    from comments.services import comment_create
    from projects.services import update_post

    convoy, company, member = convoy_with_two_people()
    update = update_post(actor=member, convoy=convoy, company=company, body="Webshop läuft")

    def comment(body):
        return comment_create(actor=member, body=body, target_type="update", target_id=update.pk)

    first = comment("Erster Kommentar")
    page = new_page(browser)
    log_in(page, server, "frieda@example.com")
    page.goto(f"{server.url}/convoys/{convoy.pk}/")
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    thread = page.locator(f"#comments-update-{update.pk}")
    # The first live comment puts the thread in as pushed; from then on it is kept part by part.
    comment("Zweiter Kommentar")
    expect(thread).to_contain_text("Zweiter Kommentar", timeout=3000)
    page.locator(f"#fold-update-{update.pk} > summary").click()
    page.locator(f"#reply-{first.pk} > summary").click()
    page.evaluate(f"document.getElementById('comment-{first.pk}').__marked = true")
    third = comment("Dritter Kommentar")
    expect(thread).to_contain_text("Dritter Kommentar", timeout=3000)
    assert page.evaluate(f"document.getElementById('comment-{first.pk}').__marked") is True
    expect(page.locator(f"#reply-{first.pk}")).to_have_attribute("open", "")
    # What changed is new: the new comment, with its own wiring (htmx) for its forms.
    assert page.evaluate(f"!document.getElementById('comment-{third.pk}').__marked")
    wired = f"!!document.querySelector('#comment-{third.pk} form')['htmx-internal-data']"
    assert page.evaluate(wired)
