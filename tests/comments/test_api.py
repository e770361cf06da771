"""The comments API as the contract: shapes, threads, who may do what, events in order."""

import pytest

from comments.models import Comment
from convoys.models import Convoy
from tests.factories import (
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
)
from tests.richtext.xss import CORPUS, executable_parts
from tests.support.domain import domain_state

URL = "/api/v1/comments/"


def post(client, **body):
    return client.post(URL, body, format="json")


def thread(client, target_type, target_id, **params):
    response = client.get(URL, {"target_type": target_type, "target_id": target_id, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_post_returns_the_sanitised_html(world, update, client_for):
    response = post(
        client_for(world.member),
        target_type="update",
        target_id=update.pk,
        body="Wir hatten **dasselbe** Problem — ruf an, @olaf! <img src=x onerror=alert(1)>",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["body_html"] == (
        "<p>Wir hatten <strong>dasselbe</strong> Problem — ruf an, "
        '<span class="mention">@olaf</span>! &lt;img src=x onerror=alert(1)&gt;</p>'
    )
    assert data["author"] == {"id": world.member.pk, "name": "Mia Member", "handle": "mia"}
    assert data["company"] == {"id": world.company.pk, "name": world.company.name}
    assert data["convoy"] == world.convoy.pk
    assert (data["parent"], data["edited_at"], data["deleted"], data["hidden"]) == (
        None,
        None,
        False,
        False,
    )
    assert (data["reactions"], data["mine"]) == ({}, [])


@pytest.mark.slow
def test_xss_corpus_through_the_api(world, update, client_for):
    client = client_for(world.member)
    for body in CORPUS:
        response = post(client, target_type="update", target_id=update.pk, body=body)
        assert response.status_code == 201, (body, response.content)
        assert executable_parts(response.json()["body_html"]) == [], body
    for row in thread(client, "update", update.pk, page_size=200):
        assert executable_parts(row["body_html"]) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_type": "update", "body": "x"}, "target_id"),
        ({"target_id": 1, "body": "x"}, "target_type"),
        ({"target_type": "poll", "target_id": 1, "body": "x"}, "target_type"),
        ({"target_type": "update", "target_id": "{update}", "body": ""}, "body"),
        ({"target_type": "update", "target_id": "{update}", "body": "x" * 10_001}, "body"),
        ({"target_type": "update", "target_id": 10**6, "body": "x"}, "target_id"),
        (
            {"target_type": "update", "target_id": "{update}", "body": "x", "convoy": 10**6},
            "convoy",
        ),
        ({"parent": 10**6, "body": "x"}, "parent"),
    ],
)
def test_bad_input_names_the_field(world, update, client_for, body, field):
    body = {k: (update.pk if v == "{update}" else v) for k, v in body.items()}
    before = domain_state()
    response = post(client_for(world.member), **body)
    assert response.status_code == 400
    assert field in response.json()
    assert domain_state() == before


def test_outsiders_cannot_read_or_comment(world, update, client_for):
    comment = Comment.objects.get(
        pk=post(
            client_for(world.member), target_type="update", target_id=update.pk, body="Intern"
        ).json()["id"]
    )
    for role in ("outsider", "other_member", "staff"):
        client = client_for(getattr(world, role))
        before = domain_state()
        listing = client.get(URL, {"target_type": "update", "target_id": update.pk})
        assert listing.status_code == 404
        assert client.get(f"{URL}{comment.pk}/").status_code == 404
        created = post(client, target_type="update", target_id=update.pk, body="Hallo")
        assert created.status_code == 400 and "target_id" in created.json()
        reply = post(client, parent=comment.pk, body="Hallo")
        assert reply.status_code == 400 and "parent" in reply.json()
        react = client.post(f"{URL}{comment.pk}/reactions/", {"emoji": "👍"}, format="json")
        assert react.status_code == 404
        assert domain_state() == before


def test_thread_is_flat_in_order_with_parents(world, update, client_for):
    member, owner = client_for(world.member), client_for(world.owner)
    first = post(member, target_type="update", target_id=update.pk, body="Erster").json()
    second = post(owner, target_type="update", target_id=update.pk, body="Zweiter").json()
    reply = post(owner, parent=first["id"], body="Antwort").json()
    assert reply["target_type"] == "update" and reply["target_id"] == update.pk
    rows = thread(member, "update", update.pk)
    assert [(r["id"], r["parent"]) for r in rows] == [
        (first["id"], None),
        (second["id"], None),
        (reply["id"], first["id"]),
    ]


def test_thread_of_a_project_shows_only_the_callers_convoys(world, client_for):
    second = ConvoyFactory(name="Konvoi Witten")
    MembershipFactory(convoy=second, company=world.company)
    other_facilitator = FacilitatorFactory(convoy=second).user
    FacilitatorFactory(convoy=second, user=world.facilitator)
    project = ProjectFactory(company=world.company, convoys=[world.convoy, second])
    milestone = MilestoneFactory(project=project)

    facilitator = client_for(world.facilitator)
    missing = post(facilitator, target_type="milestone", target_id=milestone.pk, body="x")
    assert missing.status_code == 400 and "convoy" in missing.json()
    here = post(
        facilitator,
        target_type="milestone",
        target_id=milestone.pk,
        body="Hagen",
        convoy=world.convoy.pk,
    ).json()
    there = post(
        facilitator,
        target_type="milestone",
        target_id=milestone.pk,
        body="Witten",
        convoy=second.pk,
    ).json()
    assert [r["id"] for r in thread(facilitator, "milestone", milestone.pk)] == [
        here["id"],
        there["id"],
    ]
    assert [r["id"] for r in thread(facilitator, "milestone", milestone.pk, convoy=second.pk)] == [
        there["id"]
    ]
    # Witten's other facilitator does not see what was said in Hagen.
    assert [r["id"] for r in thread(client_for(other_facilitator), "milestone", milestone.pk)] == [
        there["id"]
    ]


def test_edit_delete_by_the_author_only(world, update, client_for):
    comment = post(
        client_for(world.member), target_type="update", target_id=update.pk, body="Erst"
    ).json()
    path = f"{URL}{comment['id']}/"
    before = domain_state()
    assert client_for(world.owner).patch(path, {"body": "Fremd"}, format="json").status_code == 403
    assert client_for(world.facilitator).delete(path).status_code == 403
    assert domain_state() == before

    edited = client_for(world.member).patch(path, {"body": "Dann *so*"}, format="json")
    assert edited.status_code == 200
    assert edited.json()["body_html"] == "<p>Dann <em>so</em></p>"
    assert edited.json()["edited_at"] is not None

    revisions = client_for(world.facilitator).get(f"{path}revisions/")
    assert revisions.status_code == 200
    assert [r["body"] for r in revisions.json()["results"]] == ["Erst"]
    assert client_for(world.member).get(f"{path}revisions/").status_code == 403

    assert client_for(world.member).delete(path).status_code == 204
    gone = client_for(world.owner).get(path).json()
    assert (gone["deleted"], gone["body"], gone["body_html"]) == (True, None, None)
    assert client_for(world.member).patch(path, {"body": "x"}, format="json").status_code == 400


def test_hide_by_the_facilitator(world, update, client_for):
    comment = post(
        client_for(world.member), target_type="update", target_id=update.pk, body="Unpassend"
    ).json()
    path = f"{URL}{comment['id']}/"
    assert client_for(world.owner).post(f"{path}hide/").status_code == 403
    hidden = client_for(world.facilitator).post(f"{path}hide/")
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    # The facilitator still reads it; everyone else sees the placeholder.
    assert hidden.json()["body"] == "Unpassend"
    seen = client_for(world.owner).get(path).json()
    assert (seen["hidden"], seen["body"], seen["body_html"]) == (True, None, None)


def test_reactions_toggle(world, update, client_for):
    comment = post(
        client_for(world.member), target_type="update", target_id=update.pk, body="Hey"
    ).json()
    path = f"{URL}{comment['id']}/reactions/"
    owner = client_for(world.owner)
    assert owner.post(path, {"emoji": "🎉"}, format="json").json() == {
        "reactions": {"🎉": 1},
        "mine": ["🎉"],
    }
    assert client_for(world.facilitator).post(path, {"emoji": "🎉"}, format="json").json() == {
        "reactions": {"🎉": 2},
        "mine": ["🎉"],
    }
    assert owner.post(path, {"emoji": "🎉"}, format="json").json() == {
        "reactions": {"🎉": 1},
        "mine": [],
    }
    bad = owner.post(path, {"emoji": "🤡"}, format="json")
    assert bad.status_code == 400 and "emoji" in bad.json()
    row = thread(client_for(world.facilitator), "update", update.pk)[0]
    assert (row["reactions"], row["mine"]) == ({"🎉": 1}, ["🎉"])


def test_events_arrive_in_order(world, update, client_for):
    convoy = Convoy.objects.get(pk=world.convoy.pk)
    after = convoy.last_event_seq
    member, owner = client_for(world.member), client_for(world.owner)
    first = post(member, target_type="update", target_id=update.pk, body="Eins").json()
    reply = post(owner, parent=first["id"], body="Zwei").json()
    member.patch(f"{URL}{first['id']}/", {"body": "Eins!"}, format="json")
    owner.post(f"{URL}{first['id']}/reactions/", {"emoji": "👍"}, format="json")
    owner.delete(f"{URL}{reply['id']}/")
    client_for(world.facilitator).post(f"{URL}{first['id']}/hide/")

    log = member.get(f"/api/v1/convoys/{world.convoy.pk}/events/?after={after}").json()["results"]
    assert [(e["kind"], e["data"]["comment"]["id"]) for e in log] == [
        ("comment.created", first["id"]),
        ("comment.created", reply["id"]),
        ("comment.updated", first["id"]),
        ("reaction.changed", first["id"]),
        ("comment.deleted", reply["id"]),
        ("comment.hidden", first["id"]),
    ]
    seqs = [e["seq"] for e in log]
    assert seqs == list(range(after + 1, after + 7))
    assert [e["actor"]["id"] for e in log][:2] == [world.member.pk, world.owner.pk]
