"""The dashboard's live regions (frontend/live_views.py): only the regions an event touches,
rendered once per (convoy, seq, language, role) and shared by every viewer of that variant,
facilitator-only controls never in the members' variant, and the reader's own bits left to
live.js by markers."""

import gzip
import json

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

import frontend.live_views
from comments.services import comment_create
from convoys.models import Convoy
from projects.services import update_post
from tests.factories import CompanyMemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def client_as(user, language="en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def seq_of(convoy) -> int:
    return Convoy.objects.get(pk=convoy.pk).last_event_seq


def answer_of(response) -> dict:
    assert response.status_code == 200
    answer = response.json()
    answer["viewer"] = json.loads(response["X-Konvoi-Viewer"])
    return answer


def regions(user, convoy, after, language="en"):
    return answer_of(client_as(user, language).get(f"/convoys/{convoy.pk}/live/?after={after}"))


@pytest.fixture
def renders(monkeypatch):
    """Counts the shared renders per region."""
    counted: list[str] = []
    real = frontend.live_views._shared_render

    def counting(convoy, wanted, memo=None):
        counted.extend(wanted)
        return real(convoy, wanted, memo)

    monkeypatch.setattr(frontend.live_views, "_shared_render", counting)
    return counted


def test_a_comment_touches_its_thread_and_the_activity_not_the_chart(world, renders):
    update = update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="Hi")
    before = seq_of(world.convoy)
    comment_create(actor=world.member, body="Gut!", target_type="update", target_id=update.pk)
    answer = regions(world.member, world.convoy, before)
    thread = f"comments-update-{update.pk}"
    assert set(answer["regions"]) == {thread, "activity-feed"}
    assert renders == ["activity-feed", thread]  # not the chart, not the whole feed
    assert answer["seq"] == seq_of(world.convoy)
    assert "Gut!" in answer["regions"][thread]
    assert f'id="{thread}"' in answer["regions"][thread]


def test_an_update_touches_progress_regions_but_no_checkins(world):
    before = seq_of(world.convoy)
    update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="Neu")
    answer = regions(world.member, world.convoy, before)
    assert set(answer["regions"]) == {
        "update-feed",
        "dashboard-attention",
        "dashboard-companies",
        "activity-feed",
    }


def test_a_bad_or_old_cursor_gets_every_region(world):
    answer = regions(world.member, world.convoy, "x")
    assert set(answer["regions"]) == set(frontend.live_views.REGIONS)


def test_rendered_once_per_language_whatever_the_viewers_and_their_roles(world, renders):
    for i in range(3):  # three more people of the member company
        CompanyMemberFactory(company=world.company, user=UserFactory(name=f"Extra {i}"))
    before = seq_of(world.convoy)
    update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="Neu")
    viewers = [world.owner, world.member, *[m.user for m in world.company.members.all()]]
    for viewer in viewers:
        regions(viewer, world.convoy, before)
    assert len(renders) == 4  # the four touched regions, once for all members
    regions(world.facilitator, world.convoy, before)
    regions(world.facilitator, world.convoy, before)
    assert len(renders) == 4  # the facilitators' variant comes from the same render
    regions(world.member, world.convoy, before, language="de")
    assert len(renders) == 8  # once more per language


def test_facilitator_controls_never_reach_the_members_variant(world):
    before = seq_of(world.convoy)
    update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="Neu")
    facilitator = regions(world.facilitator, world.convoy, before)["regions"]
    member = regions(world.member, world.convoy, before)["regions"]
    assert 'data-testid="company-remove"' in facilitator["dashboard-companies"]
    assert 'data-testid="company-menu"' in facilitator["dashboard-companies"]
    for html in member.values():
        assert "company-remove" not in html and "company-menu" not in html
        assert "comment-hide" not in html and "/remove/" not in html


def test_nothing_of_one_viewer_is_in_the_shared_fragment(world):
    update = update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="A")
    before = seq_of(world.convoy)
    comment_create(
        actor=world.owner, body="Mein Kommentar", target_type="update", target_id=update.pk
    )
    owner_client = client_as(world.owner)
    owner_client.get(f"/convoys/{world.convoy.pk}/")  # sets the owner's CSRF cookie
    answer = answer_of(owner_client.get(f"/convoys/{world.convoy.pk}/live/?after={before}"))
    thread = answer["regions"][f"comments-update-{update.pk}"]
    # Own controls are marked for live.js, not decided for whoever rendered first.
    assert f'data-own-user="{world.owner.pk}"' in thread
    assert 'name="csrfmiddlewaretoken" value="live"' in thread
    assert owner_client.cookies["csrftoken"].value not in thread
    assert answer["viewer"] == {
        "user": world.owner.pk,
        "companies": [world.company.pk],
        "reactions": {},
    }
    everything = answer_of(owner_client.get(f"/convoys/{world.convoy.pk}/live/?after=0"))
    companies = everything["regions"]["dashboard-companies"]
    assert f'data-own-company="{world.company.pk}"' in companies
    # The update feed's cards keep the reader's threads as they are (their own regions).
    assert f'id="thread-update-{update.pk}" data-live-keep' in everything["regions"]["update-feed"]
    # The member gets the very same fragments (cache hits), with their own viewer part.
    member = regions(world.member, world.convoy, before)
    assert member["regions"][f"comments-update-{update.pk}"] == thread
    assert member["viewer"]["user"] == world.member.pk


def test_translated_per_language(world):
    before = seq_of(world.convoy)
    update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="Neu")
    english = regions(world.member, world.convoy, before, "en")["regions"]["update-feed"]
    german = regions(world.member, world.convoy, before, "de")["regions"]["update-feed"]
    assert "Updates and conversations" in english
    assert "Updates und Gespräche" in german or german != english


@pytest.mark.parametrize("who", ["outsider", "other_member", "staff"])
def test_outsiders_get_a_404_and_nothing_is_rendered(world, renders, who):
    response = client_as(getattr(world, who)).get(f"/convoys/{world.convoy.pk}/live/?after=0")
    assert response.status_code == 404
    assert renders == []


def test_a_removed_member_gets_nothing_more(world):
    from convoys.models import Membership
    from convoys.services import membership_end

    membership = Membership.objects.get(convoy=world.convoy, company=world.company)
    membership_end(actor=world.facilitator, membership=membership)
    response = client_as(world.member).get(f"/convoys/{world.convoy.pk}/live/?after=0")
    assert response.status_code == 404


def test_queries_do_not_grow_with_the_feed(world, django_assert_max_num_queries):
    before = seq_of(world.convoy)
    update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="A")
    regions(world.member, world.convoy, before)  # rendered and cached
    owner = client_as(world.owner)
    # A cache hit: session and user, access, the kinds, the viewer's companies and reactions.
    with django_assert_max_num_queries(8):
        assert owner.get(f"/convoys/{world.convoy.pk}/live/?after={before}").status_code == 200


def test_the_body_is_compressed_once_and_shared_the_viewer_part_is_not(world, renders):
    before = seq_of(world.convoy)
    update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="Neu")
    url = f"/convoys/{world.convoy.pk}/live/?after={before}"
    first = client_as(world.owner).get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    second = client_as(world.member).get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip"
    assert first.content == second.content  # byte for byte: one body for the variant
    assert json.loads(first["X-Konvoi-Viewer"])["user"] == world.owner.pk
    assert json.loads(second["X-Konvoi-Viewer"])["user"] == world.member.pk
    assert "Neu" in json.loads(gzip.decompress(first.content))["regions"]["update-feed"]
    assert len(renders) == 4
