"""A project shared with several convoys shows a peer only the convoys the peer is in, and
`?convoy=` of a convoy the viewer is not in answers exactly like an id that does not exist."""

import pytest

from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)


@pytest.fixture
def shared(world):
    """world.company's project in world.convoy and in a second convoy; a peer company is in
    world.convoy only."""
    second = ConvoyFactory(name="Geheimer Konvoi")
    MembershipFactory(convoy=second, company=world.company)
    project = ProjectFactory(
        company=world.company, convoys=[world.convoy, second], created_by=world.owner
    )
    peer = UserFactory(name="Paula Peer")
    peer_company = CompanyFactory(name="Bäckerei Peer")
    CompanyMemberFactory(company=peer_company, user=peer, role="owner")
    MembershipFactory(convoy=world.convoy, company=peer_company)
    return project, second, peer


def test_a_peer_sees_only_the_convoys_it_is_in(world, shared, client_for):
    project, second, peer = shared
    detail = client_for(peer).get(f"/api/v1/projects/{project.pk}/")
    listed = client_for(peer).get("/api/v1/projects/").json()["results"]

    assert detail.status_code == 200
    assert detail.json()["convoys"] == [world.convoy.pk]
    assert [p["convoys"] for p in listed if p["id"] == project.pk] == [[world.convoy.pk]]
    # The company's own people see every convoy it shared the project with.
    own = client_for(world.owner).get(f"/api/v1/projects/{project.pk}/").json()
    assert sorted(own["convoys"]) == sorted([world.convoy.pk, second.pk])


def test_filtering_by_a_foreign_convoy_is_like_a_missing_one(world, shared, client_for):
    project, second, peer = shared
    client = client_for(peer)

    foreign = client.get(f"/api/v1/projects/?convoy={second.pk}")
    missing = client.get("/api/v1/projects/?convoy=987654")
    own = client.get(f"/api/v1/projects/?convoy={world.convoy.pk}")

    assert foreign.status_code == missing.status_code == 200
    assert (
        foreign.json()
        == missing.json()
        == {
            "count": 0,
            "next": None,
            "previous": None,
            "results": [],
        }
    )
    assert [p["id"] for p in own.json()["results"]] == [project.pk]
    # The owner, who is in the second convoy, may filter by it.
    theirs = client_for(world.owner).get(f"/api/v1/projects/?convoy={second.pk}").json()
    assert [p["id"] for p in theirs["results"]] == [project.pk]
