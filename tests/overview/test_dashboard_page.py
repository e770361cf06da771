"""The convoy dashboard page: the attention strip (everything for the facilitator, one's own
company for a member), cards in attention order with blocked and overdue milestones, 'Add a
project' and 'No project yet', progress that says when it is by weight, the newest update open
and the older ones folded, and the page's query count at two convoy sizes."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.services import comment_create, reaction_toggle
from projects.models import Update
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    UpdateFactory,
    UserFactory,
    populate_convoy,
)


def client_as(user, language="en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def dashboard(user, convoy, language="en") -> str:
    response = client_as(user, language).get(f"/convoys/{convoy.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def _update(convoy, company, *, days_ago, **fields):
    update = UpdateFactory(convoy=convoy, company=company, **fields)
    # The same wall-clock time `days_ago` calendar days back in the convoy's zone (days are
    # counted in local dates; across a clock change 24-hour days could give one day less).
    local_now = timezone.now().astimezone(ZoneInfo(convoy.timezone))
    Update.objects.filter(pk=update.pk).update(created_at=local_now - timedelta(days=days_ago))
    return update


@pytest.fixture
def busy(world):
    """world.company (Sanitär Schulte) has a blocked and an overdue milestone and asks for
    help; a second company, Modehaus Kramer, is quiet and has no project."""
    project = ProjectFactory(company=world.company, convoys=[world.convoy], title="Webshop")
    MilestoneFactory(project=project, title="Zahlungsanbieter", status="blocked")
    MilestoneFactory(
        project=project,
        title="Fotos",
        status="in_progress",
        due_date=timezone.localdate() - timedelta(days=3),
    )
    _update(
        world.convoy,
        world.company,
        days_ago=1,
        author=world.owner,
        help_wanted=True,
        stuck_on="Die Kasse spricht nicht mit dem Shop",
    )
    quiet = CompanyFactory(name="Modehaus Kramer")
    CompanyMemberFactory(company=quiet, role="owner")
    MembershipFactory(convoy=world.convoy, company=quiet)
    _update(world.convoy, quiet, days_ago=40, body="Lange her")
    return project, quiet


def test_the_facilitator_sees_who_needs_attention_with_names_and_links(world, busy):
    project, _quiet = busy
    strip = section(dashboard(world.facilitator, world.convoy), "attention")
    blocked = re.search(r'data-testid="attention-blocked".*?</li>', strip, re.S).group(0)
    assert "Sanitär Schulte" in blocked and "Zahlungsanbieter" in blocked
    assert "in “Webshop”" in blocked
    assert f'href="/projects/{project.pk}/#milestone-' in blocked
    assert f'href="/companies/{world.company.pk}/"' in blocked
    help_item = re.search(r'data-testid="attention-help_wanted".*?</li>', strip, re.S).group(0)
    assert "“Die Kasse spricht nicht mit dem Shop”" in help_item
    overdue = re.search(r'data-testid="attention-overdue".*?</li>', strip, re.S).group(0)
    assert "Fotos" in overdue and "due" in overdue
    quiet_item = re.search(r'data-testid="attention-quiet".*?</li>', strip, re.S).group(0)
    assert "Modehaus Kramer" in quiet_item and "no update for 40 days" in quiet_item
    # In this order: blocked, help wanted, quiet, overdue.
    kinds = re.findall(r'class="attention-item attention-(\w+)"', strip)
    assert kinds == ["blocked", "help_wanted", "quiet", "overdue"]


def test_a_member_sees_only_the_attention_items_of_their_own_company(world, busy):
    html = dashboard(world.member, world.convoy)
    strip = section(html, "attention")
    assert "Your company needs attention" in strip
    assert "Zahlungsanbieter" in strip
    assert "Modehaus Kramer" not in strip
    # The other company's name is no link for a member; their own company's is.
    _project, quiet = busy
    assert f'href="/companies/{quiet.pk}/"' not in html
    assert f'href="/companies/{world.company.pk}/"' in html


def test_a_member_of_a_company_without_items_sees_no_strip_but_its_live_region(world):
    html = dashboard(world.owner, world.convoy)
    assert 'id="dashboard-attention" data-live-region' in html
    assert 'data-testid="attention"' not in html


def test_an_empty_strip_tells_the_facilitator_all_is_well(world):
    _update(world.convoy, world.company, days_ago=0)
    strip = section(dashboard(world.facilitator, world.convoy), "attention")
    assert 'data-testid="attention-none"' in strip


def test_cards_come_in_attention_order_with_blocked_and_overdue_named(world, busy):
    _project, quiet = busy
    calm = CompanyFactory(name="Aaa Ruhig")
    MembershipFactory(convoy=world.convoy, company=calm)
    _update(world.convoy, calm, days_ago=0)
    html = dashboard(world.facilitator, world.convoy)
    cards = re.findall(r'class="card company company-attention-(\d)" id="company-(\d+)"', html)
    # Both need attention now (alphabetical within), the calm one last despite its name.
    assert cards == [
        ("0", str(quiet.pk)),
        ("0", str(world.company.pk)),
        ("2", str(calm.pk)),
    ]
    assert 'data-testid="sort-note"' in html
    card = html[html.index(f'id="company-{world.company.pk}"') :]
    card = card[: card.index("</article>")]
    assert re.search(r'data-testid="blocked">.*Blocked.*Zahlungsanbieter', card)
    assert re.search(r'data-testid="overdue">.*Overdue.*Fotos', card)
    # Company names link to the company page for the facilitator.
    assert f'href="/companies/{quiet.pk}/" data-testid="company-link"' in html


def test_add_a_project_on_ones_own_card_and_no_project_yet_without_a_bar(world, busy):
    _project, quiet = busy
    html = dashboard(world.member, world.convoy)
    own = html[html.index(f'id="company-{world.company.pk}"') :]
    own = own[: own.index("</article>")]
    other = html[html.index(f'id="company-{quiet.pk}"') :]
    other = other[: other.index("</article>")]
    assert f'href="/companies/{world.company.pk}/projects/new/"' in own
    assert 'data-testid="project-add"' not in other
    assert "No project yet." in other
    assert "<progress" not in other and "0 %" not in other


@pytest.mark.parametrize(
    ("weights", "expected", "by_weight"),
    [((4, 2, 1, 1), "88 %", True), ((2, 2, 2, 2), "75 %", False)],
)
def test_progress_says_when_it_is_by_weight(world, weights, expected, by_weight):
    project = ProjectFactory(company=world.company, convoys=[world.convoy])
    for weight, status in zip(weights, ("done", "done", "done", "planned"), strict=True):
        MilestoneFactory(project=project, weight=weight, status=status)
    html = dashboard(world.facilitator, world.convoy)
    card = html[html.index(f'id="company-{world.company.pk}"') :]
    card = card[: card.index("</article>")]
    assert "3 of 4 milestones done" in card
    assert expected in card
    assert ('data-testid="by-weight"' in card) is by_weight
    if by_weight:
        assert f"{expected} by weight" in card


def test_the_newest_update_is_open_and_older_ones_are_folded_with_their_anchors(world):
    updates = [
        _update(world.convoy, world.company, days_ago=days, body=f"Update {days}")
        for days in (3, 2, 1)
    ]
    html = dashboard(world.facilitator, world.convoy)
    feed = html[html.index('data-testid="update-feed"') : html.index('id="dashboard-chart"')]
    folded = feed[feed.index('id="older-updates"') :]
    newest, *older = reversed(updates)
    assert f'id="update-{newest.pk}"' in feed and f'id="update-{newest.pk}"' not in folded
    for update in older:
        assert f'id="update-{update.pk}"' in folded
    assert "Show 2 older updates" in folded


def test_threads_on_the_dashboard_are_folded_and_the_form_waits_behind_comment(world):
    update = _update(world.convoy, world.company, days_ago=0, author=world.owner)
    comment = comment_create(
        actor=world.member, target_type="update", target_id=update.pk, body="Glückwunsch!"
    )
    reaction_toggle(actor=world.owner, comment=comment, emoji="🎉")
    html = dashboard(world.facilitator, world.convoy)
    thread = html[html.index(f'id="thread-update-{update.pk}"') :]
    thread = thread[: thread.index("</section>")]
    assert re.search(r'<details class="thread-fold"[^>]*>\s*<summary[^>]*>Show 1 comment<', thread)
    assert re.search(
        r'<details class="comment-new-toggle"[^>]*>\s*<summary[^>]*data-testid="comment-open">'
        r"Comment</summary>",
        thread,
    )
    # Only the reaction given is shown as a button; the six choices wait behind one control.
    assert thread.count('data-testid="reaction"') == 1
    assert 'data-emoji="🎉"' in thread
    assert thread.count('data-testid="reaction-choice"') == 6
    assert 'data-testid="reaction-add"' in thread


def _sized_convoy(size):
    viewer = UserFactory()
    convoy = ConvoyFactory()
    FacilitatorFactory(convoy=convoy, user=viewer)
    companies = populate_convoy(convoy, companies=size)
    for company in companies[: size // 3]:
        project = ProjectFactory(company=company, convoys=[convoy])
        MilestoneFactory(project=project, status="blocked")
        MilestoneFactory(project=project, due_date=timezone.localdate() - timedelta(days=2))
    return viewer, convoy


def _page_queries(viewer, convoy) -> tuple[int, int, str]:
    client = client_as(viewer)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(f"/convoys/{convoy.pk}/").status_code == 200
    with CaptureQueriesContext(connection) as warm:
        html = client.get(f"/convoys/{convoy.pk}/").content.decode()
    return len(cold), len(warm), html


def test_the_page_costs_the_same_queries_at_two_convoy_sizes(db):
    small = _page_queries(*_sized_convoy(3))
    large = _page_queries(*_sized_convoy(15))
    assert small[2].count('data-testid="attention-blocked"') == 1
    assert large[2].count('data-testid="attention-blocked"') == 5
    assert small[:2] == large[:2]
