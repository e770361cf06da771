"""Editing, archiving, deleting and sharing projects, milestones and updates (services): each
change records its event in the convoys the project is shared with, and only there, in the
change's own transaction."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from convoys.models import Event
from notifications.models import Notification
from projects.models import Milestone, Project, Update
from projects.services import (
    milestone_complete,
    milestone_delete,
    milestone_update,
    project_archive,
    project_complete,
    project_create,
    project_delete,
    project_restore,
    project_update,
    update_delete,
    update_edit,
)
from tests.factories import (
    CommentFactory,
    ConvoyFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    UpdateFactory,
)
from tests.support.domain import domain_counts, domain_state


def _kinds(convoy):
    return list(Event.objects.filter(convoy=convoy).order_by("seq").values_list("kind", flat=True))


def _last(convoy):
    return Event.objects.filter(convoy=convoy).order_by("-seq").first()


@pytest.fixture
def shared(world):
    """world.company in a second convoy; the project shared with world.convoy only."""
    MembershipFactory(convoy=world.other_convoy, company=world.company)
    return ProjectFactory(company=world.company, convoys=[world.convoy], title="Webshop")


# --- sharing ---


def test_sharing_later_records_project_shared_there_only(world, shared):
    project_update(
        actor=world.owner, project=shared, convoy_ids=[world.convoy.pk, world.other_convoy.pk]
    )
    assert _kinds(world.other_convoy) == ["project.shared"]
    assert _kinds(world.convoy) == []  # nothing changed for the convoy that already had it
    data = _last(world.other_convoy).data["project"]
    assert data["id"] == shared.pk
    assert data["title"] == "Webshop"
    assert data["company"] == {"id": world.company.pk, "name": "Sanitär Schulte"}


def test_unsharing_records_project_unshared_and_hides_it(world, shared):
    project_update(actor=world.owner, project=shared, convoy_ids=[])
    assert _kinds(world.convoy) == ["project.unshared"]
    assert list(shared.convoys.all()) == []


def test_an_edit_records_project_updated_with_the_changed_fields(world, shared):
    project_update(actor=world.member, project=shared, title="Shop", status="paused")
    event = _last(world.convoy)
    assert event.kind == "project.updated"
    assert event.data["changed"] == ["title", "status"]
    assert event.data["project"]["title"] == "Shop"
    assert _kinds(world.other_convoy) == []  # not shared there


def test_the_same_values_again_record_nothing(world, shared):
    project_update(actor=world.owner, project=shared, title="Webshop", convoy_ids=[world.convoy.pk])
    assert Event.objects.count() == 0


def test_a_refused_edit_changes_nothing(world, shared):
    foreign = ConvoyFactory()
    before = domain_state()
    with pytest.raises(PermissionDenied):
        project_update(actor=world.facilitator, project=shared, title="Fremd")
    with pytest.raises(ValidationError):
        project_update(actor=world.owner, project=shared, title="Neu", convoy_ids=[foreign.pk])
    assert domain_state() == before


# --- done, archive, restore ---


def test_project_is_done_only_when_someone_says_so(world, shared):
    milestone = MilestoneFactory(project=shared)
    milestone_complete(actor=world.owner, milestone=milestone)
    shared.refresh_from_db()
    assert shared.status != "done"
    project_complete(actor=world.owner, project=shared)
    shared.refresh_from_db()
    assert shared.status == "done"
    assert _last(world.convoy).data["changed"] == ["status"]


def test_archive_and_restore(world, shared):
    project_archive(actor=world.owner, project=shared)
    shared.refresh_from_db()
    assert shared.archived_at is not None
    assert _kinds(world.convoy) == ["project.archived"]
    project_archive(actor=world.owner, project=shared)  # again: nothing
    assert _kinds(world.convoy) == ["project.archived"]
    project_restore(actor=world.owner, project=shared)
    shared.refresh_from_db()
    assert shared.archived_at is None
    assert _kinds(world.convoy) == ["project.archived", "project.updated"]
    assert _last(world.convoy).data["changed"] == ["archived"]
    assert _kinds(world.other_convoy) == []


@pytest.mark.parametrize("role", ["facilitator", "outsider", "other_member"])
def test_only_company_people_archive_or_delete(world, shared, role):
    before = domain_state()
    with pytest.raises(PermissionDenied):
        project_archive(actor=getattr(world, role), project=shared)
    with pytest.raises(PermissionDenied):
        project_delete(actor=getattr(world, role), project=shared)
    assert domain_state() == before


# --- delete ---


def test_delete_takes_milestones_and_their_comments_and_keeps_updates(world, shared):
    milestone = MilestoneFactory(project=shared)
    update = UpdateFactory(convoy=world.convoy, company=world.company, author=world.owner)
    update.milestones.add(milestone)
    on_project = CommentFactory(convoy=world.convoy, target_type="project", target_id=shared.pk)
    on_milestone = CommentFactory(
        convoy=world.convoy, target_type="milestone", target_id=milestone.pk
    )
    CommentFactory(
        convoy=world.convoy,
        target_type="milestone",
        target_id=milestone.pk,
        parent=on_milestone,
    )
    on_update = CommentFactory(convoy=world.convoy, target_type="update", target_id=update.pk)
    project_id = shared.pk
    project_delete(actor=world.member, project=shared)
    assert not Project.objects.filter(pk=project_id).exists()
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    assert list(Comment.objects.values_list("pk", flat=True)) == [on_update.pk]
    assert not Comment.objects.filter(pk=on_project.pk).exists()
    assert list(Update.objects.get(pk=update.pk).milestones.all()) == []
    event = _last(world.convoy)
    assert event.kind == "project.deleted"
    assert event.data["project"] == {
        "id": project_id,
        "title": "Webshop",
        "category": shared.category,
        "status": shared.status,
        "company": {"id": world.company.pk, "name": "Sanitär Schulte"},
    }
    assert _kinds(world.other_convoy) == []


def test_a_delete_that_fails_later_in_the_transaction_leaves_everything(world, shared):
    MilestoneFactory(project=shared)
    CommentFactory(convoy=world.convoy, target_type="project", target_id=shared.pk)
    before = domain_counts()
    with pytest.raises(RuntimeError), transaction.atomic():
        project_delete(actor=world.owner, project=shared)
        raise RuntimeError("the caller fails after the service returned")
    assert domain_counts() == before


def test_milestone_updated_says_what_changed(world, shared):
    milestone = MilestoneFactory(project=shared, title="Kasse")
    milestone_update(actor=world.owner, milestone=milestone, due_date="2027-01-31", weight=2)
    event = _last(world.convoy)
    assert event.kind == "milestone.updated"
    assert event.data["changed"] == ["due_date", "weight"]
    assert event.data["milestone"]["due_date"] == "2027-01-31"


def test_milestone_delete(world, shared):
    milestone = MilestoneFactory(project=shared, title="Kasse")
    CommentFactory(convoy=world.convoy, target_type="milestone", target_id=milestone.pk)
    milestone_id = milestone.pk
    milestone_delete(actor=world.owner, milestone=milestone)
    assert not Milestone.objects.filter(pk=milestone_id).exists()
    assert Comment.objects.count() == 0
    event = _last(world.convoy)
    assert event.kind == "milestone.deleted"
    assert event.data["milestone"]["title"] == "Kasse"
    assert event.data["milestone"]["project"] == {"id": shared.pk, "title": "Webshop"}
    assert event.data["milestone"]["company"]["name"] == "Sanitär Schulte"


def test_milestone_delete_refused_for_a_facilitator(world, shared):
    milestone = MilestoneFactory(project=shared)
    before = domain_state()
    with pytest.raises(PermissionDenied):
        milestone_delete(actor=world.facilitator, milestone=milestone)
    assert domain_state() == before


# --- first milestones with a new project ---


def test_project_create_with_first_milestones(world):
    project = project_create(
        actor=world.owner,
        company=world.company,
        title="Termine",
        category="appointments",
        milestones=[{"title": "Tool wählen", "due_date": None}, {"title": "Live gehen"}],
    )
    assert [m.title for m in project.milestones.order_by("id")] == ["Tool wählen", "Live gehen"]
    assert _kinds(world.convoy) == ["project.created", "milestone.created", "milestone.created"]


def test_a_bad_first_milestone_creates_nothing(world):
    before = domain_counts()
    with pytest.raises(ValidationError) as exc:
        project_create(
            actor=world.owner,
            company=world.company,
            title="Termine",
            category="appointments",
            milestones=[{"title": "ok"}, {"title": "x" * 300}],
        )
    assert list(exc.value.message_dict) == ["milestones"]
    with pytest.raises(ValidationError):
        project_create(
            actor=world.owner,
            company=world.company,
            title="Termine",
            category="appointments",
            milestones=[{"title": str(n)} for n in range(4)],
        )
    assert domain_counts() == before


# --- updates ---


@pytest.fixture
def update(world):
    return UpdateFactory(
        convoy=world.convoy, company=world.company, author=world.member, body="Alt"
    )


@pytest.mark.parametrize("role", ["member", "owner"])  # the author, a company owner
def test_update_edit_by_author_or_owner(world, update, role):
    milestone = MilestoneFactory(project=ProjectFactory(company=world.company))
    update_edit(
        actor=getattr(world, role),
        update=update,
        body=" Neu ",
        help_wanted=True,
        milestone_ids=[milestone.pk],
    )
    update.refresh_from_db()
    assert (update.body, update.help_wanted) == ("Neu", True)
    assert list(update.milestones.all()) == [milestone]
    event = _last(world.convoy)
    assert event.kind == "update.edited"
    assert event.data["changed"] == ["body", "help_wanted", "milestones"]
    assert event.data["update"]["company"] == {"id": world.company.pk, "name": "Sanitär Schulte"}
    assert event.data["update"]["milestones"] == [milestone.pk]


def test_update_edit_without_change_records_nothing(world, update):
    update_edit(actor=world.member, update=update, body="Alt", milestone_ids=[])
    assert Event.objects.count() == 0


@pytest.mark.parametrize("role", ["facilitator", "outsider", "other_member"])
def test_update_edit_and_delete_refused_for_others(world, role):
    # world.member is no owner and not the author of this one.
    update = UpdateFactory(convoy=world.convoy, company=world.company, author=world.owner)
    before = domain_state()
    for actor in (getattr(world, role), world.member):
        with pytest.raises(PermissionDenied):
            update_edit(actor=actor, update=update, body="Fremd")
        with pytest.raises(PermissionDenied):
            update_delete(actor=actor, update=update)
    assert domain_state() == before


def test_update_edit_refuses_an_empty_body_and_foreign_milestones(world, update):
    foreign = MilestoneFactory(project=ProjectFactory(company=world.other_company))
    before = domain_state()
    with pytest.raises(ValidationError) as exc:
        update_edit(actor=world.member, update=update, body="  ")
    assert list(exc.value.message_dict) == ["body"]
    with pytest.raises(ValidationError) as exc:
        update_edit(actor=world.member, update=update, milestone_ids=[foreign.pk])
    assert list(exc.value.message_dict) == ["milestones"]
    assert domain_state() == before


def test_update_delete_takes_its_comments(world, update):
    CommentFactory(convoy=world.convoy, target_type="update", target_id=update.pk)
    other = CommentFactory(convoy=world.convoy, target_type="update", target_id=update.pk + 1)
    update_id = update.pk
    update_delete(actor=world.owner, update=update)
    assert not Update.objects.filter(pk=update_id).exists()
    assert list(Comment.objects.values_list("pk", flat=True)) == [other.pk]
    event = _last(world.convoy)
    assert event.kind == "update.deleted"
    assert event.data["update"]["id"] == update_id
    assert event.data["update"]["company"]["name"] == "Sanitär Schulte"


def test_notifications_about_a_deleted_project_lead_to_the_convoy(world, shared):
    about = Notification.objects.create(
        recipient=world.member,
        kind="mention",
        actor=world.owner,
        convoy=world.convoy,
        target_type="project",
        target_id=shared.pk,
        anchor="comment-1",
        data={"excerpt": "Hallo", "target_title": "Webshop"},
        created_at=timezone.now(),
    )
    project_delete(actor=world.owner, project=shared)
    about.refresh_from_db()
    assert (about.target_type, about.target_id, about.anchor) == ("convoy", world.convoy.pk, "")
