"""GET /api/v1/programmes/{id}/convoys/: the contract (statuses per role, the rows, filters,
pagination) and the privacy rule (figures, never a convoy's content)."""

import pytest
from django.utils import timezone

from checkins.models import CheckIn
from tests.factories import (
    CheckInFactory,
    CommentFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MilestoneFactory,
    ProjectFactory,
    UpdateFactory,
)
from tests.support.domain import domain_state

SECRETS = (
    "GEHEIM-UPDATE-7731",
    "GEHEIM-PROJEKT-4410",
    "GEHEIM-MEILENSTEIN-2208",
    "GEHEIM-KOMMENTAR-9150",
    "GEHEIM-TREFFEN-3307",
    "GEHEIM-NOTIZ-6642",
)


def url(programme_id: int, query: str = "") -> str:
    return f"/api/v1/programmes/{programme_id}/convoys/{query}"


def add_secrets(world) -> None:
    """Content of world.convoy (in the programme) carrying distinctive strings."""
    update = UpdateFactory(
        convoy=world.convoy, company=world.company, author=world.owner, body=SECRETS[0]
    )
    project = ProjectFactory(company=world.company, convoys=[world.convoy], title=SECRETS[1])
    MilestoneFactory(project=project, title=SECRETS[2], status="blocked")
    CommentFactory(
        convoy=world.convoy,
        target_type="update",
        target_id=update.pk,
        author=world.owner,
        company=world.company,
        body=SECRETS[3],
        body_html=f"<p>{SECRETS[3]}</p>",
    )
    checkin = CheckInFactory(convoy=world.convoy, title=SECRETS[4])
    CheckIn.objects.filter(pk=checkin.pk).update(
        notes=SECRETS[5], notes_html=f"<p>{SECRETS[5]}</p>", notes_posted_at=timezone.now()
    )


@pytest.fixture
def secrets(world, programme_world) -> None:
    add_secrets(world)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("outsider", 404),
        ("member", 404),
        ("outside_facilitator", 404),
        ("other_coach", 404),
        ("coach", 200),
        ("manager", 200),
    ],
)
def test_staff_of_the_programme_see_it_everyone_else_gets_404(
    world, programme_world, client_for, role, status
):
    user = None if role == "anonymous" else getattr(programme_world, role)
    before = domain_state()

    response = client_for(user).get(url(programme_world.programme.pk))

    assert response.status_code == status, response.content
    assert domain_state() == before
    if status == 200:
        assert [row["id"] for row in response.json()["results"]] == [world.convoy.pk]


def test_an_unknown_programme_is_404(programme_world, client_for):
    assert client_for(programme_world.manager).get(url(987654)).status_code == 404


def test_the_other_programmes_coach_sees_only_their_own_convoys(world, programme_world, client_for):
    theirs = ConvoyFactory(name="Konvoi Bonn", programme=programme_world.other_programme)

    response = client_for(programme_world.other_coach).get(url(programme_world.other_programme.pk))

    assert [row["id"] for row in response.json()["results"]] == [theirs.pk]


@pytest.mark.parametrize("role", ["coach", "manager"])
def test_staff_who_do_not_facilitate_get_figures_but_no_content(
    world, programme_world, secrets, client_for, role
):
    response = client_for(getattr(programme_world, role)).get(url(programme_world.programme.pk))

    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body
    [row] = response.json()["results"]
    assert row["is_facilitator"] is False
    assert row["name"] == world.convoy.name
    assert row["facilitators"] == ["Frieda Facil"]
    assert row["companies"] == 1
    assert row["milestones_blocked"] == 1
    assert row["projects_in_progress"] == 1
    assert row["next_checkin"] is not None


def test_a_facilitating_coach_is_told_so_and_still_gets_no_content(
    world, programme_world, secrets, client_for
):
    FacilitatorFactory(convoy=world.convoy, user=programme_world.coach)

    response = client_for(programme_world.coach).get(url(programme_world.programme.pk))

    [row] = response.json()["results"]
    assert row["is_facilitator"] is True
    assert row["facilitators"] == ["Conrad Coach", "Frieda Facil"]
    for secret in SECRETS:
        assert secret not in response.content.decode()


def test_rows_and_totals(world, programme_world, client_for):
    UpdateFactory(convoy=world.convoy, company=world.company, help_wanted=True)
    ConvoyFactory(name="Zweiter Konvoi", status="forming", programme=programme_world.programme)

    data = client_for(programme_world.manager).get(url(programme_world.programme.pk)).json()

    assert data["count"] == 2
    assert data["totals"] == {
        "convoys": 2,
        "convoys_needing_attention": 1,
        "companies": 1,
        "companies_needing_attention": 1,
    }
    first = data["results"][0]
    assert first["name"] == world.convoy.name
    assert first["status"] == "active"
    assert (first["help_wanted"], first["needs_attention"]) == (1, True)
    assert first["companies_needing_attention"] == 1
    assert first["member_people"] == 2  # world.owner and world.member
    assert (first["checkins_held_90_days"], first["attendance_percent"]) == (0, None)
    assert first["last_activity"] is None
    assert data["results"][1]["needs_attention"] is False


def test_filters(world, programme_world, client_for):
    UpdateFactory(convoy=world.convoy, company=world.company, help_wanted=True)
    forming = ConvoyFactory(status="forming", programme=programme_world.programme)
    client = client_for(programme_world.coach)
    programme = programme_world.programme.pk

    def ids(query):
        return [row["id"] for row in client.get(url(programme, query)).json()["results"]]

    assert ids("?status=forming") == [forming.pk]
    assert ids("?needs_attention=true") == [world.convoy.pk]
    assert ids("?status=forming&needs_attention=true") == []
    assert ids("?status=") == [world.convoy.pk, forming.pk]


def test_a_bad_filter_is_a_400_naming_the_field(programme_world, client_for):
    response = client_for(programme_world.coach).get(
        url(programme_world.programme.pk, "?status=sunk")
    )
    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_pages(world, programme_world, client_for):
    for n in range(3):
        ConvoyFactory(name=f"Konvoi {n}", programme=programme_world.programme)
    client = client_for(programme_world.manager)

    first = client.get(url(programme_world.programme.pk, "?page_size=3")).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 4 and len(first["results"]) == 3 and first["previous"] is None
    assert len(second["results"]) == 1 and second["next"] is None
    assert second["totals"]["convoys"] == 4
