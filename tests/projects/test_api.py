"""Projects, milestones, updates and the dashboard over the API."""

from tests.factories import MilestoneFactory, ProjectFactory


def test_project_milestone_update_dashboard(world, client_for):
    client = client_for(world.member)
    r = client.post(
        "/api/v1/projects/",
        {
            "company": world.company.pk,
            "title": "Online-Termine",
            "category": "appointments",
            "convoys": [world.convoy.pk],
            "start_date": "2026-03-01",
            "target_date": "2026-06-30",
        },
    )
    assert r.status_code == 201
    project = r.json()
    assert (project["convoys"], project["progress"], project["company"]["id"]) == (
        [world.convoy.pk],
        0,
        world.company.pk,
    )
    ids = [
        client.post(
            f"/api/v1/projects/{project['id']}/milestones/", {"title": t, "weight": w}
        ).json()["id"]
        for t, w in (("Tool wählen", 1), ("Live", 3))
    ]
    r = client.patch(f"/api/v1/milestones/{ids[1]}/", {"status": "done"})
    assert r.status_code == 200
    assert r.json()["completed_at"] is not None
    assert client.get(f"/api/v1/projects/{project['id']}/").json()["progress"] == 75
    r = client.post(
        f"/api/v1/convoys/{world.convoy.pk}/updates/",
        {"company": world.company.pk, "body": "Live!", "help_wanted": True, "milestones": ids},
    )
    assert r.status_code == 201
    assert r.json()["milestones"] == sorted(ids)
    assert r.json()["author"]["handle"] == "mia"

    dashboard = client_for(world.facilitator).get(f"/api/v1/convoys/{world.convoy.pk}/dashboard/")
    (row,) = dashboard.json()["companies"]
    assert (row["progress"], row["help_wanted"], row["quiet"]) == (75, True, False)
    kinds = [
        e["kind"]
        for e in client.get(f"/api/v1/convoys/{world.convoy.pk}/events/").json()["results"]
    ]
    assert kinds == [
        "project.created",
        "milestone.created",
        "milestone.created",
        "milestone.completed",
        "update.posted",
    ]


def test_updates_newest_first(world, client_for):
    client = client_for(world.owner)
    for body in ("alt", "neu"):
        client.post(
            f"/api/v1/convoys/{world.convoy.pk}/updates/",
            {"company": world.company.pk, "body": body},
        )
    bodies = [
        u["body"]
        for u in client.get(f"/api/v1/convoys/{world.convoy.pk}/updates/").json()["results"]
    ]
    assert bodies == ["neu", "alt"]


def test_project_list_filters(world, client_for):
    shared = ProjectFactory(company=world.company, convoys=[world.convoy], category="cloud")
    private = ProjectFactory(company=world.company, category="website")
    client = client_for(world.owner)

    def ids(query):
        return [p["id"] for p in client.get(f"/api/v1/projects/?{query}").json()["results"]]

    assert ids("") == [shared.pk, private.pk]
    assert ids(f"convoy={world.convoy.pk}") == [shared.pk]
    assert ids("category=website") == [private.pk]
    assert ids(f"company={world.other_company.pk}") == []


def test_reopening_a_milestone_over_the_api(world, client_for):
    project = ProjectFactory(company=world.company, convoys=[world.convoy])
    milestone = MilestoneFactory(project=project, status="done")
    r = client_for(world.owner).patch(f"/api/v1/milestones/{milestone.pk}/", {"status": "blocked"})
    assert (r.json()["status"], r.json()["completed_at"]) == ("blocked", None)
