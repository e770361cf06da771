"""Sharing, editing, archiving and deleting over the API: PATCH/DELETE of projects, milestones
and updates; bad input is a 400 naming the field, outsiders get 404, and a refused request
changes nothing."""

import pytest

from convoys.models import Event
from projects.models import Milestone, Project, Update
from tests.factories import (
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    UpdateFactory,
)
from tests.support.domain import domain_state


def _project(client, pk):
    return client.get(f"/api/v1/projects/{pk}/").json()


def _kinds(convoy):
    return list(Event.objects.filter(convoy=convoy).order_by("seq").values_list("kind", flat=True))


@pytest.fixture
def project(world):
    return ProjectFactory(company=world.company, convoys=[world.convoy], title="Webshop")


# --- sharing ---


def test_convoys_omitted_shares_with_every_convoy_of_the_company(world, client_for):
    MembershipFactory(convoy=world.other_convoy, company=world.company)
    client = client_for(world.member)
    body = {"company": world.company.pk, "title": "Termine", "category": "appointments"}
    r = client.post("/api/v1/projects/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["convoys"] == sorted([world.convoy.pk, world.other_convoy.pk])
    r = client.post("/api/v1/projects/", {**body, "convoys": []}, format="json")
    assert r.status_code == 201
    assert r.json()["convoys"] == []
    assert Project.objects.get(pk=r.json()["id"]).convoys.count() == 0


def test_patch_convoys_shares_and_unshares(world, client_for, project):
    MembershipFactory(convoy=world.other_convoy, company=world.company)
    client = client_for(world.owner)
    r = client.patch(
        f"/api/v1/projects/{project.pk}/", {"convoys": [world.other_convoy.pk]}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["convoys"] == [world.other_convoy.pk]
    assert _kinds(world.other_convoy) == ["project.shared"]
    assert _kinds(world.convoy) == ["project.unshared"]
    # A peer of the convoy it left no longer sees it.
    peer = client_for(world.facilitator)
    assert peer.get(f"/api/v1/projects/{project.pk}/").status_code == 404


def test_patch_refuses_a_convoy_of_someone_else(world, client_for, project):
    before = domain_state()
    r = client_for(world.owner).patch(
        f"/api/v1/projects/{project.pk}/",
        {"title": "Neu", "convoys": [world.other_convoy.pk]},
        format="json",
    )
    assert r.status_code == 400
    assert "convoys" in r.json()
    assert domain_state() == before


# --- editing, done, archive ---


def test_patch_edits_fields_and_marks_done(world, client_for, project):
    client = client_for(world.member)
    r = client.patch(
        f"/api/v1/projects/{project.pk}/",
        {"title": "Shop", "description": "Neu", "target_date": "2027-01-31", "status": "done"},
        format="json",
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["title"], data["status"], data["target_date"]) == ("Shop", "done", "2027-01-31")
    event = Event.objects.get(convoy=world.convoy)
    assert event.kind == "project.updated"
    assert event.data["changed"] == ["title", "description", "status", "target_date"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "finished"}, "status"),
        ({"category": "magic"}, "category"),
        ({"title": ""}, "title"),
        ({"start_date": "2027-02-01", "target_date": "2027-01-01"}, "target_date"),
        ({"convoys": "all"}, "convoys"),
        ({"archived": "vielleicht"}, "archived"),
    ],
)
def test_patch_bad_input_is_a_400_naming_the_field(world, client_for, project, body, field):
    before = domain_state()
    r = client_for(world.owner).patch(f"/api/v1/projects/{project.pk}/", body, format="json")
    assert r.status_code == 400
    assert field in r.json()
    assert domain_state() == before


def test_archive_hides_from_the_list_and_restore_brings_it_back(world, client_for, project):
    client = client_for(world.owner)
    r = client.patch(f"/api/v1/projects/{project.pk}/", {"archived": True}, format="json")
    assert r.status_code == 200
    assert r.json()["archived_at"] is not None
    listed = [p["id"] for p in client.get("/api/v1/projects/").json()["results"]]
    assert project.pk not in listed
    archived = client.get("/api/v1/projects/?archived=true").json()["results"]
    assert [p["id"] for p in archived] == [project.pk]
    assert _project(client, project.pk)["id"] == project.pk  # still there by id
    r = client.patch(f"/api/v1/projects/{project.pk}/", {"archived": False}, format="json")
    assert r.json()["archived_at"] is None
    assert project.pk in [p["id"] for p in client.get("/api/v1/projects/").json()["results"]]
    assert _kinds(world.convoy) == ["project.archived", "project.updated"]


# --- delete ---


def test_delete_project(world, client_for, project):
    MilestoneFactory(project=project)
    r = client_for(world.member).delete(f"/api/v1/projects/{project.pk}/")
    assert r.status_code == 204
    assert not Project.objects.exists()
    assert not Milestone.objects.exists()
    assert _kinds(world.convoy) == ["project.deleted"]


@pytest.mark.parametrize("role", ["outsider", "other_member", "staff"])
def test_outsiders_get_404_and_change_nothing(world, client_for, project, role):
    milestone = MilestoneFactory(project=project)
    update = UpdateFactory(convoy=world.convoy, company=world.company, author=world.owner)
    client = client_for(getattr(world, role))
    before = domain_state()
    for method, url in [
        ("patch", f"/api/v1/projects/{project.pk}/"),
        ("delete", f"/api/v1/projects/{project.pk}/"),
        ("patch", f"/api/v1/milestones/{milestone.pk}/"),
        ("delete", f"/api/v1/milestones/{milestone.pk}/"),
        ("patch", f"/api/v1/updates/{update.pk}/"),
        ("delete", f"/api/v1/updates/{update.pk}/"),
    ]:
        r = getattr(client, method)(url, {"title": "x", "body": "x"}, format="json")
        assert r.status_code == 404, (method, url)
    assert domain_state() == before


# --- milestones ---


def test_patch_milestone_fields_and_delete(world, client_for, project):
    milestone = MilestoneFactory(project=project, title="Alt")
    client = client_for(world.member)
    r = client.patch(
        f"/api/v1/milestones/{milestone.pk}/",
        {"title": "Neu", "due_date": "2027-03-01", "weight": 3, "status": "blocked"},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert (r.json()["title"], r.json()["weight"], r.json()["status"]) == ("Neu", 3, "blocked")
    r = client.patch(f"/api/v1/milestones/{milestone.pk}/", {"weight": 0}, format="json")
    assert r.status_code == 400
    assert "weight" in r.json()
    r = client.delete(f"/api/v1/milestones/{milestone.pk}/")
    assert r.status_code == 204
    assert _kinds(world.convoy) == ["milestone.updated", "milestone.deleted"]


# --- updates ---


@pytest.fixture
def update(world):
    return UpdateFactory(convoy=world.convoy, company=world.company, author=world.member)


def test_the_author_edits_an_update(world, client_for, project, update):
    milestone = MilestoneFactory(project=project)
    r = client_for(world.member).patch(
        f"/api/v1/updates/{update.pk}/",
        {"body": "Neu", "help_wanted": True, "milestones": [milestone.pk]},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert (r.json()["body"], r.json()["help_wanted"], r.json()["milestones"]) == (
        "Neu",
        True,
        [milestone.pk],
    )
    assert _kinds(world.convoy) == ["update.edited"]


def test_a_company_owner_deletes_a_colleagues_update(world, client_for, update):
    r = client_for(world.owner).delete(f"/api/v1/updates/{update.pk}/")
    assert r.status_code == 204
    assert not Update.objects.exists()
    assert _kinds(world.convoy) == ["update.deleted"]


def test_a_colleague_who_is_no_owner_may_not_touch_an_update(world, client_for):
    update = UpdateFactory(convoy=world.convoy, company=world.company, author=world.owner)
    client = client_for(world.member)
    before = domain_state()
    assert client.patch(f"/api/v1/updates/{update.pk}/", {"body": "x"}).status_code == 403
    assert client.delete(f"/api/v1/updates/{update.pk}/").status_code == 403
    assert domain_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [({"body": "  "}, "body"), ({"milestones": [999999]}, "milestones"), ({"body": ""}, "body")],
)
def test_update_bad_input(world, client_for, update, body, field):
    before = domain_state()
    r = client_for(world.member).patch(f"/api/v1/updates/{update.pk}/", body, format="json")
    assert r.status_code == 400
    assert field in r.json()
    assert domain_state() == before
