"""Ids beyond a database key's range are bad input (4xx), never a 500: found by the attacker
review of issue 12 (OverflowError on SQLite, out of range on PostgreSQL)."""

import pytest
from django.test import Client

from projects.services import project_create, update_post

HUGE = 99999999999999999999  # > 2**63


@pytest.fixture
def project(world):
    return project_create(
        actor=world.member,
        company=world.company,
        title="Online-Termine",
        category="appointments",
        convoy_ids=[world.convoy.pk],
    )


def test_api_refuses_huge_ids_in_bodies_and_filters(world, project, client_for):
    api = client_for(world.member)
    update = update_post(
        actor=world.member, convoy=world.convoy, company=world.company, body="Weiter"
    )
    answers = [
        api.patch(f"/api/v1/projects/{project.pk}/", {"convoys": [HUGE]}, format="json"),
        api.patch(f"/api/v1/updates/{update.pk}/", {"milestones": [HUGE]}, format="json"),
        api.post(
            "/api/v1/projects/",
            {
                "company": world.company.pk,
                "title": "X",
                "category": "website",
                "convoys": [HUGE],
            },
            format="json",
        ),
        api.post(
            f"/api/v1/convoys/{world.convoy.pk}/updates/",
            {"company": world.company.pk, "body": "X", "milestones": [HUGE]},
            format="json",
        ),
        api.get(f"/api/v1/projects/?company={HUGE}"),
    ]
    assert [a.status_code for a in answers] == [400] * 5


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/convoys/{HUGE}/dashboard/",
        f"/api/v1/convoys/{HUGE}/export.xlsx",
        f"/api/v1/projects/{HUGE}/",
    ],
)
def test_api_paths_with_huge_ids_are_404(world, client_for, path):
    assert client_for(world.facilitator).get(path).status_code == 404


@pytest.mark.parametrize(
    "path", [f"/convoys/{HUGE}/", f"/convoys/{HUGE}/export.xlsx", f"/convoys/{HUGE}/people/"]
)
def test_pages_with_huge_ids_are_404(world, path):
    client = Client()
    client.force_login(world.facilitator)
    assert client.get(path).status_code == 404
