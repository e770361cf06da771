"""Project services: projects shared with convoys, milestone status transitions, weighted
progress, progress updates — and the events each one records."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from convoys.models import Event, Membership
from convoys.services import membership_end
from projects.models import Milestone
from projects.selectors import progress_percent, project_detail_queryset
from projects.services import (
    milestone_complete,
    milestone_create,
    milestone_update,
    project_create,
    project_update,
    update_post,
)
from tests.factories import MembershipFactory, MilestoneFactory, ProjectFactory
from tests.support.domain import domain_counts


def _events(convoy):
    return list(Event.objects.filter(convoy=convoy).order_by("seq"))


def _kinds(convoy):
    return [e.kind for e in _events(convoy)]


@pytest.fixture
def project(world):
    return ProjectFactory(company=world.company, convoys=[world.convoy], created_by=world.owner)


# --- projects ---


def test_project_create_records_project_created_in_each_shared_convoy(world):
    MembershipFactory(convoy=world.other_convoy, company=world.company)
    project = project_create(
        actor=world.member,
        company=world.company,
        title=" Webshop ",
        category="ecommerce",
        convoy_ids=[world.convoy.pk, world.other_convoy.pk],
    )
    assert project.title == "Webshop"
    assert project.created_by == world.member
    assert set(project.convoys.all()) == {world.convoy, world.other_convoy}
    for convoy in (world.convoy, world.other_convoy):
        (event,) = _events(convoy)
        assert event.kind == "project.created"
        assert event.data["project"]["id"] == project.pk
        assert event.data["project"]["company"] == {
            "id": world.company.pk,
            "name": "Sanitär Schulte",
        }


def test_a_private_project_records_nothing(world):
    project = project_create(
        actor=world.owner, company=world.company, title="Intern", category="cloud", convoy_ids=[]
    )
    assert list(project.convoys.all()) == []
    assert Event.objects.count() == 0


def test_a_project_is_shared_with_every_active_convoy_of_the_company_by_default(world):
    MembershipFactory(convoy=world.other_convoy, company=world.company)
    left = MembershipFactory(company=world.company)
    membership_end(actor=world.owner, membership=left)
    project = project_create(
        actor=world.owner, company=world.company, title="Termine", category="appointments"
    )
    assert set(project.convoys.all()) == {world.convoy, world.other_convoy}
    assert _kinds(world.convoy) == ["project.created"]
    assert _kinds(world.other_convoy) == ["project.created"]
    assert _kinds(left.convoy) == ["membership.left"]


@pytest.mark.parametrize("role", ["facilitator", "outsider", "staff", "other_member"])
def test_only_company_people_create_projects(world, role):
    with pytest.raises(PermissionDenied):
        project_create(
            actor=getattr(world, role), company=world.company, title="X", category="cloud"
        )


def test_project_cannot_be_shared_with_a_convoy_the_company_is_not_in(world):
    before = domain_counts()
    with pytest.raises(ValidationError) as exc:
        project_create(
            actor=world.owner,
            company=world.company,
            title="X",
            category="cloud",
            convoy_ids=[world.other_convoy.pk],
        )
    assert "convoys" in exc.value.message_dict
    assert domain_counts() == before


def test_follow_up_must_be_of_the_same_company(world):
    foreign = ProjectFactory(company=world.other_company)
    with pytest.raises(ValidationError) as exc:
        project_create(
            actor=world.owner,
            company=world.company,
            title="X",
            category="cloud",
            follow_up_of=foreign,
        )
    assert "follow_up_of" in exc.value.message_dict


def test_target_date_before_start_names_the_field(world, project):
    project.start_date = "2026-05-01"
    project.save()
    with pytest.raises(ValidationError) as exc:
        project_update(actor=world.owner, project=project, target_date="2026-04-01")
    assert list(exc.value.message_dict) == ["target_date"]


def test_project_update_shares_and_unshares(world, project):
    MembershipFactory(convoy=world.other_convoy, company=world.company)
    project_update(
        actor=world.owner, project=project, convoy_ids=[world.other_convoy.pk], status="done"
    )
    assert _kinds(world.other_convoy) == ["project.shared"]
    (unshared,) = _events(world.convoy)
    assert unshared.kind == "project.unshared"
    assert unshared.data["project"]["id"] == project.pk
    project_update(actor=world.owner, project=project, title="Neu")
    assert _kinds(world.other_convoy) == ["project.shared", "project.updated"]
    assert _events(world.other_convoy)[-1].data["changed"] == ["title"]
    assert len(_events(world.convoy)) == 1


# --- milestones: status transitions ---


def test_planned_to_done_stamps_completed_at_and_emits_completed(world, project):
    milestone = MilestoneFactory(project=project)
    milestone = milestone_update(actor=world.member, milestone=milestone, status="done")
    assert milestone.completed_at is not None
    (event,) = _events(world.convoy)
    assert event.kind == "milestone.completed"
    assert event.data["milestone"]["id"] == milestone.pk
    assert event.data["milestone"]["completed_at"] == milestone.completed_at.isoformat()


def test_editing_a_done_milestone_keeps_completed_at_and_is_only_an_update(world, project):
    milestone = milestone_complete(actor=world.owner, milestone=MilestoneFactory(project=project))
    completed_at = milestone.completed_at
    milestone = milestone_update(actor=world.owner, milestone=milestone, title="Umbenannt")
    milestone = milestone_update(actor=world.owner, milestone=milestone, status="done")
    assert milestone.completed_at == completed_at
    # Done again is no change: no second milestone.updated.
    assert _kinds(world.convoy) == ["milestone.completed", "milestone.updated"]


@pytest.mark.parametrize("status", ["planned", "in_progress", "blocked"])
def test_leaving_done_clears_completed_at(world, project, status):
    milestone = milestone_complete(actor=world.owner, milestone=MilestoneFactory(project=project))
    milestone = milestone_update(actor=world.owner, milestone=milestone, status=status)
    assert milestone.completed_at is None
    assert Milestone.objects.get(pk=milestone.pk).completed_at is None
    assert _kinds(world.convoy) == ["milestone.completed", "milestone.updated"]


def test_done_again_after_reopening_completes_again(world, project):
    milestone = milestone_complete(actor=world.owner, milestone=MilestoneFactory(project=project))
    milestone = milestone_update(actor=world.owner, milestone=milestone, status="in_progress")
    milestone = milestone_complete(actor=world.owner, milestone=milestone)
    assert milestone.completed_at is not None
    assert _kinds(world.convoy) == [
        "milestone.completed",
        "milestone.updated",
        "milestone.completed",
    ]


@pytest.mark.parametrize("status", ["planned", "in_progress", "blocked"])
def test_moves_between_open_states_are_updates(world, project, status):
    start = "in_progress" if status == "planned" else "planned"  # a move, not a no-op
    milestone = milestone_update(
        actor=world.owner, milestone=MilestoneFactory(project=project, status=start), status=status
    )
    assert milestone.completed_at is None
    assert _kinds(world.convoy) == ["milestone.updated"]


def test_milestone_created_done_is_completed(world, project):
    milestone = milestone_create(
        actor=world.owner, project=project, title="Erledigt", status="done"
    )
    assert milestone.completed_at is not None
    assert _kinds(world.convoy) == ["milestone.completed"]
    milestone_create(actor=world.owner, project=project, title="Offen")
    assert _kinds(world.convoy) == ["milestone.completed", "milestone.created"]


def test_milestone_events_only_where_the_company_is_still_a_member(world, project):
    membership_end(
        actor=world.owner,
        membership=Membership.objects.get(convoy=world.convoy, company=world.company),
    )
    milestone_complete(actor=world.owner, milestone=MilestoneFactory(project=project))
    assert _kinds(world.convoy) == ["membership.left"]


@pytest.mark.parametrize("role", ["facilitator", "outsider", "other_member"])
def test_only_company_people_change_milestones(world, project, role):
    milestone = MilestoneFactory(project=project)
    before = domain_counts()
    with pytest.raises(PermissionDenied):
        milestone_update(actor=getattr(world, role), milestone=milestone, status="done")
    assert domain_counts() == before


def test_milestone_update_refuses_unknown_fields(world, project):
    with pytest.raises(ValidationError):
        milestone_update(
            actor=world.owner, milestone=MilestoneFactory(project=project), project=project
        )


# --- progress ---


@pytest.mark.parametrize(
    ("done", "total", "status", "expected"),
    [
        (0, 0, "in_progress", 0),
        (0, 0, "done", 100),  # a done project without milestones is complete
        (1, 3, "in_progress", 33),
        (2, 3, "in_progress", 67),
        (3, 3, "in_progress", 100),
    ],
)
def test_progress_percent(done, total, status, expected):
    assert progress_percent(done_weight=done, total_weight=total, status=status) == expected


def test_progress_is_the_weighted_share_of_done_milestones(world, project):
    MilestoneFactory(project=project, weight=1, status="done")
    MilestoneFactory(project=project, weight=3, status="done")
    MilestoneFactory(project=project, weight=4)
    MilestoneFactory(project=project, weight=2, status="blocked")
    annotated = project_detail_queryset(user=world.owner).get(pk=project.pk)
    assert (annotated.milestones_done, annotated.milestones_total) == (2, 4)
    assert (annotated.weight_done, annotated.weight_total) == (4, 10)
    assert progress_percent(done_weight=4, total_weight=10) == 40


# --- updates ---


def test_update_post_records_update_posted(world, project):
    milestone = MilestoneFactory(project=project)
    update = update_post(
        actor=world.member,
        convoy=world.convoy,
        company=world.company,
        body=" Kasse angebunden ",
        help_wanted=True,
        stuck_on="DATEV-Export",
        milestone_ids=[milestone.pk, milestone.pk],
    )
    assert update.body == "Kasse angebunden"
    assert list(update.milestones.all()) == [milestone]
    (event,) = _events(world.convoy)
    assert event.kind == "update.posted"
    assert event.actor == world.member
    data = event.data["update"]
    assert data["help_wanted"] is True
    assert data["milestones"] == [milestone.pk]
    assert data["company"] == {"id": world.company.pk, "name": "Sanitär Schulte"}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"body": "   "}, "body"),
        ({"milestone_ids": [999999]}, "milestones"),
    ],
)
def test_update_post_refuses_bad_input(world, kwargs, field):
    before = domain_counts()
    with pytest.raises(ValidationError) as exc:
        update_post(actor=world.owner, convoy=world.convoy, company=world.company, **{
            "body": "x", **kwargs
        })  # fmt: skip
    assert field in exc.value.message_dict
    assert domain_counts() == before


def test_update_post_refuses_a_company_outside_the_convoy(world):
    with pytest.raises(ValidationError) as exc:
        update_post(
            actor=world.other_member, convoy=world.convoy, company=world.other_company, body="x"
        )
    assert "company" in exc.value.message_dict


def test_update_cannot_link_another_companys_milestone(world):
    foreign = MilestoneFactory(project=ProjectFactory(company=world.other_company))
    with pytest.raises(ValidationError):
        update_post(
            actor=world.owner,
            convoy=world.convoy,
            company=world.company,
            body="x",
            milestone_ids=[foreign.pk],
        )


def test_facilitator_cannot_post_for_a_company(world):
    with pytest.raises(PermissionDenied):
        update_post(actor=world.facilitator, convoy=world.convoy, company=world.company, body="x")
