"""Comment threads in the web UI: under updates on the convoy page and under milestones and
the project on the project page; posting, editing, deleting, hiding and reacting through htmx;
@mention suggestions; nothing executable from the XSS corpus reaches the page."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client

from comments.models import Comment, Reaction
from comments.services import comment_create, comment_delete, comment_hide, comment_update
from convoys.models import Event
from tests.factories import (
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
)
from tests.richtext.xss import CORPUS, executable_parts
from tests.support.domain import domain_state

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_as(user, language="de") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


class _Fragments(HTMLParser):
    """Collects the inner HTML of every element with class comment-body, and every tag."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def comment_bodies(html: str) -> list[str]:
    return re.findall(
        r'<div class="comment-body" data-testid="comment-body">(.*?)</div>', html, re.S
    )


def test_convoy_page_shows_threads_under_updates(world, update, comment):
    comment_create(actor=world.owner, parent=comment, body="Danke, **@mia**!")
    html = page(client_as(world.facilitator), f"/convoys/{world.convoy.pk}/")
    assert f'id="update-{update.pk}"' in html
    assert f'id="comments-update-{update.pk}" data-live-region' in html
    assert "Glückwunsch!" in html
    assert '<strong><span class="mention">@mia</span></strong>' in html
    assert 'class="comment depth-1"' in html  # the reply sits under its parent
    assert "Kommentar schreiben" in html or "Write a comment" in html
    assert 'data-testid="comment-hide"' in html  # the facilitator may hide


def test_threads_show_edited_deleted_and_hidden(world, update, comment):
    comment_update(actor=world.member, comment=comment, body="Neu")
    second = comment_create(
        actor=world.owner, target_type="update", target_id=update.pk, body="Weg damit"
    )
    comment_delete(actor=world.owner, comment=second)
    third = comment_create(
        actor=world.owner, target_type="update", target_id=update.pk, body="Unpassend"
    )
    comment_hide(actor=world.facilitator, comment=third)
    html = page(client_as(world.member, "en"), f"/convoys/{world.convoy.pk}/")
    assert 'data-testid="comment-edited"' in html
    assert 'data-testid="comment-deleted"' in html and "Weg damit" not in html
    assert 'data-testid="comment-hidden"' in html and "Unpassend" not in html
    # The facilitator still sees what was hidden, marked as such.
    assert "Unpassend" in page(client_as(world.facilitator), f"/convoys/{world.convoy.pk}/")


def test_post_with_htmx_answers_the_thread(world, update):
    response = client_as(world.member).post(
        "/comments/new/",
        {
            "target_type": "update",
            "target_id": update.pk,
            "convoy": world.convoy.pk,
            "body": "Wir hatten *dasselbe* Problem — ruf an, @olaf",
        },
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<section class="thread" id="thread-update-{update.pk}"')
    assert "<em>dasselbe</em>" in html and '<span class="mention">@olaf</span>' in html
    assert Event.objects.filter(convoy=world.convoy, kind="comment.created").count() == 1
    # An empty comment comes back with a message, and nothing is written.
    client = client_as(world.member)
    before = domain_state()
    response = client.post(
        "/comments/new/",
        {"target_type": "update", "target_id": update.pk, "convoy": world.convoy.pk, "body": " "},
        **HTMX,
    )
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert domain_state() == before
    # The form that waits behind "Comment" stands open with its message.
    assert re.search(
        r'<details class="comment-new-toggle"[^>]*id="comment-new-update-\d+" open>',
        response.content.decode(),
    )


def test_the_comment_form_waits_behind_comment_and_reactions_are_grouped(world, update, comment):
    Reaction.objects.create(comment=comment, user=world.owner, emoji="👍")
    html = page(client_as(world.owner), f"/convoys/{world.convoy.pk}/")
    thread = html[html.index(f'id="thread-update-{update.pk}"') :]
    thread = thread[: thread.index("</section>")]
    toggle = re.search(r'<details class="comment-new-toggle"[^>]*>', thread).group(0)
    assert " open" not in toggle
    assert 'data-testid="comment-form"' in thread[thread.index(toggle) :]
    # The given reaction with its count, pressed for its giver; the six behind one control.
    given = re.findall(r'data-testid="reaction" data-emoji="([^"]+)"', thread)
    assert given == ["👍"]
    assert 'aria-pressed="true" data-testid="reaction" data-emoji="👍"' in thread
    assert len(re.findall(r'data-testid="reaction-choice" data-choice="', thread)) == 6


def test_post_without_htmx_redirects_back(world, update):
    response = client_as(world.member).post(
        "/comments/new/",
        {
            "target_type": "update",
            "target_id": update.pk,
            "convoy": world.convoy.pk,
            "body": "Ohne JavaScript",
            "next": f"/convoys/{world.convoy.pk}/",
        },
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/convoys/{world.convoy.pk}/#comment-{comment.pk}"


@pytest.mark.parametrize("role", ["outsider", "other_member", "staff"])
def test_outsiders_get_404_everywhere(world, update, comment, role):
    client = client_as(getattr(world, role))
    before = domain_state()
    posted = client.post(
        "/comments/new/",
        {"target_type": "update", "target_id": update.pk, "convoy": world.convoy.pk, "body": "x"},
        **HTMX,
    )
    assert posted.status_code == 404
    assert client.post("/comments/new/", {"parent": comment.pk, "body": "x"}).status_code == 404
    for action in ("edit", "delete", "hide", "react"):
        response = client.post(f"/comments/{comment.pk}/{action}/", {"body": "x", "emoji": "👍"})
        assert response.status_code == 404, action
    thread = client.get(
        "/comments/",
        {"target_type": "update", "target_id": update.pk, "convoy": world.convoy.pk},
    )
    assert thread.status_code == 404
    assert client.get(f"/convoys/{world.convoy.pk}/people/?q=m").status_code == 404
    assert domain_state() == before


def test_only_the_author_edits_or_deletes_and_only_facilitators_hide(world, comment):
    owner = client_as(world.owner)
    before = domain_state()
    assert owner.post(f"/comments/{comment.pk}/edit/", {"body": "x"}, **HTMX).status_code == 403
    assert owner.post(f"/comments/{comment.pk}/delete/", **HTMX).status_code == 403
    assert owner.post(f"/comments/{comment.pk}/hide/", **HTMX).status_code == 403
    assert domain_state() == before

    author = client_as(world.member)
    edited = author.post(f"/comments/{comment.pk}/edit/", {"body": "Besser"}, **HTMX)
    assert edited.status_code == 200 and "Besser" in edited.content.decode()
    reacted = owner.post(f"/comments/{comment.pk}/react/", {"emoji": "🎉"}, **HTMX)
    assert reacted.status_code == 200
    assert Reaction.objects.filter(comment=comment, user=world.owner, emoji="🎉").exists()
    assert 'aria-pressed="true"' in reacted.content.decode()
    hidden = client_as(world.facilitator).post(f"/comments/{comment.pk}/hide/", **HTMX)
    assert hidden.status_code == 200
    deleted = author.post(f"/comments/{comment.pk}/delete/", **HTMX)
    assert deleted.status_code == 200
    assert 'data-testid="comment-deleted"' in deleted.content.decode()


def test_people_suggestions_are_the_convoys_people(world):
    response = client_as(world.member).get(f"/convoys/{world.convoy.pk}/people/?q=")
    handles = [p["handle"] for p in response.json()["people"]]
    assert handles == ["frieda", "mia", "olaf"]
    only = client_as(world.member).get(f"/convoys/{world.convoy.pk}/people/?q=@ol").json()
    assert only["people"] == [
        {
            "id": world.owner.pk,
            "handle": "olaf",
            "name": "Olaf Owner",
            "companies": [world.company.name],
        }
    ]
    # Someone of another convoy is never suggested.
    assert client_as(world.member).get(f"/convoys/{world.convoy.pk}/people/?q=otto").json() == {
        "people": []
    }


def test_project_page_has_threads_per_milestone_in_the_chosen_convoy(world):
    second = ConvoyFactory(name="Konvoi Witten")
    MembershipFactory(convoy=second, company=world.company)
    FacilitatorFactory(convoy=second, user=world.facilitator)
    project = ProjectFactory(company=world.company, convoys=[world.convoy, second], title="Shop")
    milestone = MilestoneFactory(project=project, title="Go-live")
    comment_create(
        actor=world.facilitator,
        target_type="milestone",
        target_id=milestone.pk,
        body="In Hagen gesagt",
        convoy_id=world.convoy.pk,
    )
    comment_create(
        actor=world.facilitator,
        target_type="project",
        target_id=project.pk,
        body="In Witten gesagt",
        convoy_id=second.pk,
    )
    client = client_as(world.facilitator)
    default = page(client, f"/projects/{project.pk}/")
    hagen_first = world.convoy.name < second.name
    first, other = (world.convoy, second) if hagen_first else (second, world.convoy)
    assert f'data-live-convoy="{first.pk}"' in default
    chosen = page(client, f"/projects/{project.pk}/?convoy={second.pk}")
    assert f'data-live-convoy="{second.pk}"' in chosen
    assert "In Witten gesagt" in chosen and "In Hagen gesagt" not in chosen
    assert f'id="comments-milestone-{milestone.pk}" data-live-region' in chosen
    assert f'id="comments-project-{project.pk}" data-live-region' in chosen
    hagen = page(client, f"/projects/{project.pk}/?convoy={world.convoy.pk}")
    assert "In Hagen gesagt" in hagen and "In Witten gesagt" not in hagen
    # The owner's company is only... in both convoys too; a convoy not theirs is ignored.
    assert f'data-live-convoy="{first.pk}"' in page(
        client, f"/projects/{project.pk}/?convoy={world.other_convoy.pk}"
    )
    del other


def _page_problems(html: str) -> list[str]:
    """Anything executable on a whole page that the page itself did not put there."""
    parser = _Fragments(html)
    parser.feed(html)
    problems = []
    for tag, attrs in parser.tags:
        if tag == "script" and not (
            attrs.get("src", "").startswith("/static/") or attrs.get("type") == "application/json"
        ):
            problems.append(f"inline script {attrs}")
        if tag in {"iframe", "object", "embed", "svg", "math", "img", "style", "base", "meta"} and (
            tag != "meta" or set(attrs) - {"charset", "name", "content"}
        ):
            problems.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"{name} on <{tag}>")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and re.match(
                r"^\s*(javascript|data|vbscript):", value or "", re.I
            ):
                problems.append(f"{name}={value!r} on <{tag}>")
    return problems


@pytest.mark.slow
def test_nothing_executable_from_the_corpus_reaches_the_page(world, update):
    baseline = page(client_as(world.owner), f"/convoys/{world.convoy.pk}/")
    assert _page_problems(baseline) == []
    for body in CORPUS:
        comment_create(actor=world.member, target_type="update", target_id=update.pk, body=body)
    html = page(client_as(world.owner), f"/convoys/{world.convoy.pk}/")
    bodies = comment_bodies(html)
    assert len(bodies) == len(CORPUS)
    for fragment in bodies:
        assert executable_parts(fragment) == [], fragment
    assert _page_problems(html) == []
    assert html.count("<script") == baseline.count("<script")


def test_checkin_comments(world, client_for):
    """Check-ins (the checkins app) can be commented on, on their page and over the API."""
    from tests.factories import CheckInFactory

    checkin = CheckInFactory(convoy=world.convoy, title="Check-in März")
    api = client_for(world.member)
    created = api.post(
        "/api/v1/comments/",
        {"target_type": "checkin", "target_id": checkin.pk, "body": "Ich bringe Kaffee mit"},
        format="json",
    )
    assert created.status_code == 201, created.content
    outsider = client_for(world.other_member).post(
        "/api/v1/comments/",
        {"target_type": "checkin", "target_id": checkin.pk, "body": "x"},
        format="json",
    )
    assert outsider.status_code == 400 and "target_id" in outsider.json()
    event = Event.objects.filter(convoy=world.convoy, kind="comment.created").get()
    assert event.data["comment"]["target_title"] == "Check-in März"
    html = page(client_as(world.facilitator), f"/checkins/{checkin.pk}/")
    assert f'id="comments-checkin-{checkin.pk}" data-live-region' in html
    assert "Ich bringe Kaffee mit" in html
    # Nobody's company: nobody is told of a comment "on their post".
    from notifications.models import Notification

    assert not Notification.objects.filter(kind="comment.on_post").exists()


def test_activity_feed_tells_of_comments(world, update, comment):
    comment_create(actor=world.owner, parent=comment, body="Danke!")
    html = page(client_as(world.facilitator, "en"), f"/convoys/{world.convoy.pk}/")
    feed = html.split('data-testid="activity-feed"')[1].split("</ol>")[0]
    assert f"New comment on “{world.company.name}”." in feed
    assert f"A reply in the conversation on “{world.company.name}”." in feed
    assert "Danke" not in feed
