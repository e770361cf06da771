"""Comment services: who may comment where, threads, edit/delete/hide, reactions, the events
they record and the notifications they send."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from comments.models import Comment, CommentRevision, Reaction
from comments.services import (
    comment_create,
    comment_delete,
    comment_hide,
    comment_update,
    reaction_toggle,
)
from convoys.models import Event
from notifications.links import notification_path
from notifications.models import Notification
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
from tests.support.domain import domain_state
from tests.support.notifications import notifications_of


def events(convoy, kind_prefix=""):
    return list(
        Event.objects.filter(convoy=convoy, kind__startswith=kind_prefix)
        .order_by("seq")
        .values_list("kind", "data")
    )


# --- create ----------------------------------------------------------------------------------


def test_comment_on_an_update_renders_and_records_an_event(world, update):
    comment = comment_create(
        actor=world.member,
        target_type="update",
        target_id=update.pk,
        body="  **Super**, <script>alert(1)</script> @olaf  ",
    )
    assert comment.convoy_id == world.convoy.pk
    assert comment.company_id == world.company.pk
    assert comment.body == "**Super**, <script>alert(1)</script> @olaf"
    assert comment.body_html == (
        "<p><strong>Super</strong>, &lt;script&gt;alert(1)&lt;/script&gt; "
        '<span class="mention">@olaf</span></p>'
    )
    [(kind, data)] = events(world.convoy, "comment.")
    assert kind == "comment.created"
    assert data == {
        "comment": {
            "id": comment.pk,
            "target_type": "update",
            "target_id": update.pk,
            "parent": None,
            "company": {"id": world.company.pk, "name": world.company.name},
            "target_title": world.company.name,
        }
    }


def test_facilitator_comments_without_a_company(world, update):
    comment = comment_create(
        actor=world.facilitator, target_type="update", target_id=update.pk, body="Prima"
    )
    assert comment.company is None
    assert events(world.convoy, "comment.")[0][1]["comment"]["company"] is None


@pytest.mark.parametrize("role", ["outsider", "other_member", "staff"])
def test_people_outside_the_convoy_cannot_comment(world, update, role):
    before = domain_state()
    with pytest.raises(ValidationError) as error:
        comment_create(
            actor=getattr(world, role), target_type="update", target_id=update.pk, body="Hallo"
        )
    assert "target_id" in error.value.error_dict
    assert domain_state() == before


def test_unknown_target_and_empty_body(world, update):
    with pytest.raises(ValidationError) as error:
        comment_create(actor=world.member, target_type="update", target_id=99999, body="x")
    assert "target_id" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        comment_create(actor=world.member, target_type="update", target_id=update.pk, body="  ")
    assert "body" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        comment_create(
            actor=world.member, target_type="update", target_id=update.pk, body="x" * 10_001
        )
    assert "body" in error.value.error_dict
    assert not Comment.objects.exists()


def test_milestone_and_project_comments_are_per_convoy(world):
    """A project shared with two convoys: the comment is made in one, seen only there."""
    second = ConvoyFactory(name="Konvoi Witten")
    MembershipFactory(convoy=second, company=world.company)
    FacilitatorFactory(convoy=second, user=world.facilitator)
    project = ProjectFactory(company=world.company, convoys=[world.convoy, second])
    milestone = MilestoneFactory(project=project, title="Go-live")

    with pytest.raises(ValidationError) as error:
        comment_create(
            actor=world.facilitator, target_type="milestone", target_id=milestone.pk, body="x"
        )
    assert "convoy" in error.value.error_dict

    comment = comment_create(
        actor=world.facilitator,
        target_type="milestone",
        target_id=milestone.pk,
        body="Wie lief es?",
        convoy_id=second.pk,
    )
    assert comment.convoy_id == second.pk
    assert events(second, "comment.")[0][1]["comment"]["target_title"] == "Go-live"
    assert events(world.convoy, "comment.") == []

    # A peer company only in world.convoy sees the project there only: no choice needed.
    peer = CompanyFactory()
    peer_person = UserFactory()
    CompanyMemberFactory(company=peer, user=peer_person)
    MembershipFactory(convoy=world.convoy, company=peer)
    on_project = comment_create(
        actor=peer_person, target_type="project", target_id=project.pk, body="Toll"
    )
    assert on_project.convoy_id == world.convoy.pk
    with pytest.raises(ValidationError) as error:
        comment_create(
            actor=peer_person,
            target_type="project",
            target_id=project.pk,
            body="Toll",
            convoy_id=second.pk,
        )
    assert "convoy" in error.value.error_dict


def test_a_project_not_shared_with_the_convoy_cannot_be_commented(world):
    project = ProjectFactory(company=world.company, convoys=[])
    with pytest.raises(ValidationError):
        comment_create(actor=world.owner, target_type="project", target_id=project.pk, body="x")


def test_replies_take_the_target_of_their_parent(world, update, comment):
    reply = comment_create(actor=world.owner, parent=comment, body="Danke!")
    assert (reply.target_type, reply.target_id, reply.convoy_id) == (
        "update",
        update.pk,
        world.convoy.pk,
    )
    assert events(world.convoy, "comment.")[-1][1]["comment"]["parent"] == comment.pk
    with pytest.raises(ValidationError) as error:
        comment_create(
            actor=world.owner, parent=comment, target_type="update", target_id=9999, body="x"
        )
    assert "parent" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        comment_create(actor=world.outsider, parent=comment, body="x")
    assert "parent" in error.value.error_dict
    comment_delete(actor=world.member, comment=comment)
    with pytest.raises(ValidationError) as error:
        comment_create(actor=world.owner, parent=comment, body="x")
    assert "parent" in error.value.error_dict


# --- edit, delete, hide ----------------------------------------------------------------------


def test_author_edits_and_the_earlier_version_is_kept(world, comment):
    edited = comment_update(actor=world.member, comment=comment, body="Glückwunsch, *Olaf*!")
    assert edited.edited_at is not None
    assert edited.body_html == "<p>Glückwunsch, <em>Olaf</em>!</p>"
    [revision] = CommentRevision.objects.filter(comment=comment)
    assert revision.body == "Glückwunsch!"
    assert revision.written_at == comment.created_at
    comment_update(actor=world.member, comment=comment, body="Dritte Fassung")
    assert list(
        CommentRevision.objects.filter(comment=comment)
        .order_by("written_at")
        .values_list("body", flat=True)
    ) == ["Glückwunsch!", "Glückwunsch, *Olaf*!"]
    assert [k for k, _d in events(world.convoy, "comment.")] == [
        "comment.created",
        "comment.updated",
        "comment.updated",
    ]


def test_an_unchanged_edit_changes_nothing(world, comment):
    before = domain_state()
    comment_update(actor=world.member, comment=comment, body="  Glückwunsch!  ")
    assert domain_state() == before


@pytest.mark.parametrize("role", ["owner", "facilitator"])
def test_only_the_author_edits_or_deletes(world, comment, role):
    before = domain_state()
    with pytest.raises(PermissionDenied):
        comment_update(actor=getattr(world, role), comment=comment, body="Fremd")
    with pytest.raises(PermissionDenied):
        comment_delete(actor=getattr(world, role), comment=comment)
    assert domain_state() == before


def test_delete_keeps_the_thread_shape(world, comment):
    reply = comment_create(actor=world.owner, parent=comment, body="Danke!")
    comment_update(actor=world.member, comment=comment, body="Geheim")
    reaction_toggle(actor=world.owner, comment=comment, emoji="👍")
    comment_delete(actor=world.member, comment=comment)
    comment.refresh_from_db()
    assert comment.is_deleted and comment.body == "" and comment.body_html == ""
    assert not CommentRevision.objects.filter(comment=comment).exists()
    assert not Reaction.objects.filter(comment=comment).exists()
    reply.refresh_from_db()
    assert reply.parent_id == comment.pk
    assert events(world.convoy, "comment.")[-1][0] == "comment.deleted"
    # Deleting twice is no new change.
    seq = world.convoy.__class__.objects.get(pk=world.convoy.pk).last_event_seq
    comment_delete(actor=world.member, comment=comment)
    assert world.convoy.__class__.objects.get(pk=world.convoy.pk).last_event_seq == seq
    with pytest.raises(ValidationError):
        comment_update(actor=world.member, comment=comment, body="wieder da")


def test_facilitator_hides_and_members_cannot(world, comment):
    with pytest.raises(PermissionDenied):
        comment_hide(actor=world.owner, comment=comment)
    comment_hide(actor=world.facilitator, comment=comment)
    comment.refresh_from_db()
    assert comment.hidden_by == world.facilitator and comment.hidden_at is not None
    assert events(world.convoy, "comment.")[-1][0] == "comment.hidden"
    with pytest.raises(ValidationError):
        reaction_toggle(actor=world.owner, comment=comment, emoji="👍")


def test_event_data_never_carries_the_text(world, comment):
    comment_update(actor=world.member, comment=comment, body="Streng geheim")
    comment_hide(actor=world.facilitator, comment=comment)
    other = comment_create(
        actor=world.member, target_type="update", target_id=comment.target_id, body="Auch weg"
    )
    reaction_toggle(actor=world.owner, comment=other, emoji="👍")
    comment_delete(actor=world.member, comment=other)
    text = json.dumps([d for _k, d in events(world.convoy)], ensure_ascii=False)
    for secret in ("Glückwunsch", "Streng geheim", "Auch weg"):
        assert secret not in text


# --- reactions -------------------------------------------------------------------------------


def test_reactions_toggle_one_per_person_and_emoji(world, comment):
    assert reaction_toggle(actor=world.owner, comment=comment, emoji="👍").as_dict() == {
        "reactions": {"👍": 1},
        "mine": ["👍"],
    }
    reaction_toggle(actor=world.facilitator, comment=comment, emoji="👍")
    summary = reaction_toggle(actor=world.owner, comment=comment, emoji="🎉")
    assert summary.as_dict() == {"reactions": {"👍": 2, "🎉": 1}, "mine": ["👍", "🎉"]}
    summary = reaction_toggle(actor=world.owner, comment=comment, emoji="👍")
    assert summary.as_dict() == {"reactions": {"👍": 1, "🎉": 1}, "mine": ["🎉"]}
    assert Reaction.objects.filter(comment=comment).count() == 2
    changes = events(world.convoy, "reaction.")
    assert [d["added"] for _k, d in changes] == [True, True, True, False]
    assert changes[-1][1]["reactions"] == {"👍": 1, "🎉": 1}
    with pytest.raises(ValidationError) as error:
        reaction_toggle(actor=world.owner, comment=comment, emoji="💩")
    assert "emoji" in error.value.error_dict


# --- notifications ---------------------------------------------------------------------------


def test_mention_notifies_convoy_people_only(world, update):
    comment = comment_create(
        actor=world.member,
        target_type="update",
        target_id=update.pk,
        body="@frieda @otto @oskar @stefan schaut mal",
    )
    key = f"comment:{comment.pk}"
    assert notifications_of(world.facilitator) == [("mention", key)]
    for outsider in (world.other_member, world.outsider, world.staff):
        assert notifications_of(outsider) == []
    # @otto is not a convoy person: no mention markup either.
    assert 'class="mention">@otto' not in comment.body_html
    notification = Notification.objects.get(recipient=world.facilitator)
    assert notification.convoy_id == world.convoy.pk
    assert notification.actor == world.member
    assert notification_path(notification) == f"/convoys/{world.convoy.pk}/#comment-{comment.pk}"
    assert notification.data == {
        "excerpt": "@frieda @otto @oskar @stefan schaut mal",
        "target_title": world.company.name,
    }


def test_one_notification_per_person_mention_beats_reply_beats_on_post(world, update):
    # Olaf's update (world.company: Olaf and Mia). The facilitator comments; Olaf replies.
    first = comment_create(
        actor=world.facilitator, target_type="update", target_id=update.pk, body="Wie lief es?"
    )
    # The company's people hear of a comment on their post.
    assert notifications_of(world.owner) == [("comment.on_post", f"comment:{first.pk}")]
    assert notifications_of(world.member) == [("comment.on_post", f"comment:{first.pk}")]

    reply = comment_create(actor=world.owner, parent=first, body="Gut, frag @mia")
    key = f"comment:{reply.pk}"
    # The parent's author: a reply. Mia: mentioned (and of the company): one mention only.
    assert notifications_of(world.facilitator) == [("comment.reply", key)]
    assert notifications_of(world.member)[-1] == ("mention", key)
    assert len([n for n in notifications_of(world.member) if n[1] == key]) == 1
    # The author is never told of their own comment.
    assert [n for n in notifications_of(world.owner) if n[1] == key] == []

    # Mentioned and the parent's author at once: still one, the mention.
    again = comment_create(actor=world.owner, parent=first, body="@frieda siehe oben")
    assert [n for n in notifications_of(world.facilitator) if n[1] == f"comment:{again.pk}"] == [
        ("mention", f"comment:{again.pk}")
    ]


def test_edit_notifies_new_mentions_once(world, comment):
    comment_update(actor=world.member, comment=comment, body="Glückwunsch! @frieda")
    comment_update(actor=world.member, comment=comment, body="Glückwunsch!! @frieda")
    comment_update(actor=world.member, comment=comment, body="Glückwunsch @frieda @otto")
    assert notifications_of(world.facilitator) == [("mention", f"comment:{comment.pk}")]
    assert notifications_of(world.other_member) == []


def test_a_comment_on_a_milestone_tells_its_company(world):
    project = ProjectFactory(company=world.company, convoys=[world.convoy], title="Webshop")
    milestone = MilestoneFactory(project=project, title="Go-live")
    comment = comment_create(
        actor=world.facilitator, target_type="milestone", target_id=milestone.pk, body="Top"
    )
    notification = Notification.objects.get(recipient=world.owner)
    assert notification.kind == "comment.on_post"
    assert notification.data["target_title"] == "Go-live"
    assert (notification.target_type, notification.target_id) == ("project", project.pk)
    assert notification_path(notification) == (
        f"/projects/{project.pk}/?convoy={world.convoy.pk}#comment-{comment.pk}"
    )
