"""One render of a live region for both roles (frontend.live_roles, `{% if_facilitator %}`):
each role gets exactly its branch, the markers cannot be forged by what people write, and what
only facilitators may read never reaches a member's variant."""

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.utils import translation
from django.utils.html import escape

import frontend.live_views
from comments.services import comment_create, comment_hide
from frontend.live_roles import FACILITATOR, MEMBER, RoleSplit, role_select
from frontend.live_views import REGIONS, THREAD_TEMPLATE, _shared_render, for_role
from projects.services import update_post

TAG = (
    "{% load live_roles %}{% for n in items %}"
    "{% if_facilitator convoy.is_facilitator %}[F{{ n }} {{ convoy.is_facilitator }} {{ name }}]"
    "{% else %}(M{{ n }} {{ convoy.is_facilitator }} {{ name }}){% endif_facilitator %}"
    "{% endfor %}|{% if_facilitator convoy.is_facilitator %}only-f{% endif_facilitator %}|"
)


class Role:
    def __init__(self, facilitator: bool) -> None:
        self.is_facilitator = facilitator


def render(context: dict) -> str:
    return Template(TAG).render(Context(context))


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("facilitator", [True, False])
def test_on_a_page_it_is_an_if(facilitator):
    html = render({"convoy": Role(facilitator), "items": [1, 2], "name": "Ada"})
    if facilitator:
        assert html == "[F1 True Ada][F2 True Ada]|only-f|"
    else:
        assert html == "(M1 False Ada)(M2 False Ada)||"


def test_a_split_render_gives_each_role_what_its_page_would_show():
    name = "Ada <b>"
    split = RoleSplit(roles={FACILITATOR: {"convoy": Role(True)}, MEMBER: {"convoy": Role(False)}})
    html = render({"convoy": Role(False), "items": [1, 2, 3], "name": name, "live_roles": split})
    assert split.nonce in html
    for role, facilitator in ((FACILITATOR, True), (MEMBER, False)):
        chosen = role_select(html, split.nonce, role)
        assert chosen == render({"convoy": Role(facilitator), "items": [1, 2, 3], "name": name})


def test_the_markers_cannot_be_forged_by_what_people_write():
    split = RoleSplit(roles={FACILITATOR: {"convoy": Role(True)}, MEMBER: {"convoy": Role(False)}})
    # Someone names their company after a marker, with a guessed nonce.
    forged = "<!--role:0000000000000000:f-->x<!--role:0000000000000000:m-->y"
    html = render({"convoy": Role(False), "items": [1], "name": forged, "live_roles": split})
    assert "<!--role:0000" not in html  # escaped like every name
    member = role_select(html, split.nonce, MEMBER)
    assert escape(forged) in member and "[F1" not in member and "only-f" not in member
    # Even unescaped, a marker of another nonce is only text: nothing is cut for it.
    raw = f"{forged}<!--role:0000000000000000:e-->"
    assert role_select(raw, split.nonce, MEMBER) == raw


def test_a_marker_without_its_pair_fails_closed():
    split = RoleSplit(roles={})
    broken = f"{split.mark('f')}only for facilitators"
    with pytest.raises(ValueError):
        role_select(broken, split.nonce, MEMBER)


def test_an_unknown_role_is_refused():
    with pytest.raises(ValueError):
        role_select("", "abc", "staff")


# Where the live fragments may ask for the role: only in if_facilitator (and attention_items,
# which returns every item to a shared fragment whatever the role).
LIVE_TEMPLATES = [
    *REGIONS.values(),
    THREAD_TEMPLATE,
    "frontend/comments/thread.html",
    "frontend/checkins/partials/convoy_checkins.html",
    "frontend/partials/dashboard_update.html",
    "frontend/partials/dashboard_event.html",
    "frontend/partials/progress.html",
]
ROLE_WORDS = re.compile(r"convoy\.is_facilitator|comment_moderator")
ALLOWED = re.compile(
    r"\{% if_facilitator (?P<tag>convoy\.is_facilitator|comment_moderator) %\}"
    r"|\{% attention_items dashboard (?P<items>convoy\.is_facilitator) my_company_ids"
)


@pytest.mark.parametrize("name", LIVE_TEMPLATES)
def test_the_live_templates_ask_for_the_role_only_through_if_facilitator(name):
    root = Path(frontend.live_views.__file__).parent / "templates"
    source = (root / name).read_text()
    allowed = {
        m.start("tag") if m.group("tag") else m.start("items") for m in ALLOWED.finditer(source)
    }
    stray = [m.start() for m in ROLE_WORDS.finditer(source) if m.start() not in allowed]
    assert stray == [], f"{name}: role asked outside if_facilitator at {stray}"


def test_what_only_facilitators_may_read_never_reaches_a_members_variant(world):
    update = update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="A")
    comment = comment_create(
        actor=world.member, body="Geheimer Ärger", target_type="update", target_id=update.pk
    )
    comment_hide(actor=world.facilitator, comment=comment)
    thread = f"comments-update-{update.pk}"
    split = _shared_render(world.convoy, [*REGIONS, thread])
    facilitator = for_role(split, FACILITATOR)
    member = for_role(split, MEMBER)
    assert "Geheimer Ärger" in facilitator[thread]
    assert 'data-testid="comment-hide"' not in facilitator[thread]  # already hidden
    assert 'data-testid="comment-hidden"' in member[thread]
    assert "Geheimer Ärger" not in "".join(member.values())
    assert 'data-testid="company-menu"' in facilitator["dashboard-companies"]
    assert 'data-testid="checkin-create-link"' in facilitator["convoy-checkins"]
    for words in ["company-menu", "company-remove", "company-nudge", "checkin-create-link"]:
        assert words not in "".join(member.values())
    assert "Needs attention" in facilitator["dashboard-attention"]
    assert "Needs attention" not in member["dashboard-attention"]


def test_a_visible_comment_can_be_hidden_by_the_facilitator_only(world):
    update = update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="A")
    comment_create(actor=world.member, body="Gut!", target_type="update", target_id=update.pk)
    thread = f"comments-update-{update.pk}"
    split = _shared_render(world.convoy, [thread])
    assert 'data-testid="comment-hide"' in for_role(split, FACILITATOR)[thread]
    assert 'data-testid="comment-hide"' not in for_role(split, MEMBER)[thread]
    assert "Gut!" in for_role(split, MEMBER)[thread]


def test_who_was_nudged_today_is_the_facilitators_to_know(world, monkeypatch):
    monkeypatch.setattr(frontend.live_views, "nudges_today", lambda **_: {world.company.pk})
    split = _shared_render(world.convoy, ["dashboard-companies"])
    assert 'data-testid="company-nudged"' in for_role(split, FACILITATOR)["dashboard-companies"]
    assert "company-nudged" not in for_role(split, MEMBER)["dashboard-companies"]


def test_one_role_failing_does_not_cost_the_other_its_frame(monkeypatch):
    """A region that cannot be cut for one role (a marker without its pair) leaves that role's
    sockets to the HTTP fallback; the other role still gets its frame."""
    import asyncio

    from frontend.live_push import RegionPush

    sent: list[tuple[str, str]] = []

    class Socket:
        forbidden = False
        last_seq = 1
        convoy_id = 1

        def __init__(self, role):
            self.variant = (role, "en")

        async def base_send(self, frame):
            sent.append((self.variant[0], frame["text"]))

    split = RoleSplit(roles={})
    fine = f"{split.mark('f')}F{split.mark('m')}M{split.mark('e')}"
    real_select = frontend.live_views.role_select

    def failing_for_members(html, nonce, role):
        if role == MEMBER:
            raise ValueError("unpaired role marker")
        return real_select(html, nonce, role)

    monkeypatch.setattr(frontend.live_views, "role_select", failing_for_members)
    message = {"seq": 1, "language": "en", "regions": {"activity-feed": [split.nonce, fine]}}

    async def scenario():
        push = RegionPush()
        for role in (MEMBER, FACILITATOR):
            push.arrived(Socket(role), message)
        await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert [role for role, _ in sent] == [FACILITATOR]
    assert '"activity-feed": "F"' in sent[0][1]
