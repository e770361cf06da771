"""A change that changes nothing (a milestone set to the status it has, a project, convoy,
company or check-in PATCHed with its own values, the same RSVP again, a comment saved with
its own body) records no event, notifies nobody, publishes nothing, and still answers 200
with the unchanged object."""

import pytest

from checkins.services import rsvp_set
from convoys.models import Event
from notifications.models import Notification
from projects.models import Milestone
from tests.factories import CheckInFactory, MilestoneFactory


def _noop(client, method, url, body, django_capture_on_commit_callbacks):
    before = (Event.objects.count(), Notification.objects.count())
    first = client.get(url) if method == "PATCH" else None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = getattr(client, method.lower())(url, body, format="json")
    assert response.status_code == 200, response.content
    assert (Event.objects.count(), Notification.objects.count()) == before
    assert callbacks == []  # nothing published, no task queued
    if first is not None:
        assert response.json() == first.json()  # the unchanged object
    return response


def test_milestone_set_to_the_status_it_has(
    world, content, client_for, django_capture_on_commit_callbacks
):
    milestone = MilestoneFactory(project=content.project, status="done")
    stamped = Milestone.objects.get(pk=milestone.pk).completed_at
    _noop(
        client_for(world.owner),
        "PATCH",
        f"/api/v1/milestones/{milestone.pk}/",
        {"status": "done", "title": milestone.title},
        django_capture_on_commit_callbacks,
    )
    assert Milestone.objects.get(pk=milestone.pk).completed_at == stamped


def test_milestone_status_change_still_records(world, content, client_for):
    before = Event.objects.count()
    response = client_for(world.owner).patch(
        f"/api/v1/milestones/{content.milestone.pk}/", {"status": "done"}, format="json"
    )
    assert response.status_code == 200
    assert Event.objects.filter(kind="milestone.completed").count() == 1
    assert Event.objects.count() == before + 1


def test_project_patched_with_its_own_values(
    world, content, client_for, django_capture_on_commit_callbacks
):
    project = content.project
    _noop(
        client_for(world.owner),
        "PATCH",
        f"/api/v1/projects/{project.pk}/",
        {"title": project.title, "status": project.status, "convoys": [world.convoy.pk]},
        django_capture_on_commit_callbacks,
    )


def test_convoy_patched_with_its_own_name(world, client_for, django_capture_on_commit_callbacks):
    _noop(
        client_for(world.facilitator),
        "PATCH",
        f"/api/v1/convoys/{world.convoy.pk}/",
        {"name": world.convoy.name, "timezone": world.convoy.timezone},
        django_capture_on_commit_callbacks,
    )


def test_company_patched_with_its_own_name(world, client_for, django_capture_on_commit_callbacks):
    _noop(
        client_for(world.owner),
        "PATCH",
        f"/api/v1/companies/{world.company.pk}/",
        {"name": world.company.name, "city": world.company.city},
        django_capture_on_commit_callbacks,
    )


def test_checkin_patched_with_its_own_values(world, client_for, django_capture_on_commit_callbacks):
    checkin = CheckInFactory(convoy=world.convoy)
    _noop(
        client_for(world.facilitator),
        "PATCH",
        f"/api/v1/checkins/{checkin.pk}/",
        {"title": checkin.title, "starts_at": checkin.starts_at.isoformat()},
        django_capture_on_commit_callbacks,
    )


def test_the_same_rsvp_again(world, client_for, django_capture_on_commit_callbacks):
    checkin = CheckInFactory(convoy=world.convoy)
    rsvp_set(actor=world.member, checkin=checkin, response="yes")
    _noop(
        client_for(world.member),
        "POST",
        f"/api/v1/checkins/{checkin.pk}/rsvp/",
        {"response": "yes"},
        django_capture_on_commit_callbacks,
    )


def test_a_comment_saved_with_its_own_body(
    world, content, client_for, django_capture_on_commit_callbacks
):
    _noop(
        client_for(world.owner),
        "PATCH",
        f"/api/v1/comments/{content.comment.pk}/",
        {"body": content.comment.body},
        django_capture_on_commit_callbacks,
    )


@pytest.mark.parametrize("field", ["title", "status"])
def test_a_real_project_change_still_records(field, world, content, client_for):
    value = {"title": "Neuer Shop", "status": "done"}[field]
    before = Event.objects.count()
    response = client_for(world.owner).patch(
        f"/api/v1/projects/{content.project.pk}/", {field: value}, format="json"
    )
    assert response.status_code == 200
    assert response.json()[field] == value
    assert Event.objects.count() == before + 1
