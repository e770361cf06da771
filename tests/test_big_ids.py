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


# The programme layer (issue 14; found by the schema test): `<id:…>` paths and id fields.
@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/programmes/{HUGE}/",
        f"/api/v1/programmes/{HUGE}/companies/",
        f"/api/v1/programmes/{HUGE}/report/?from=2026-01-01&to=2026-06-30",
        f"/api/v1/programmes/{HUGE}/convoys/",
        "/api/v1/programmes/{programme}/companies/" + str(HUGE) + "/",
        "/api/v1/programmes/{programme}/services/" + str(HUGE) + "/",
    ],
)
def test_programme_api_paths_with_huge_ids_are_404(programme_world, client_for, path):
    url = path.replace("{programme}", str(programme_world.programme.pk))
    assert client_for(programme_world.manager).get(url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [f"/programmes/{HUGE}/", f"/programmes/{HUGE}/companies/", f"/programmes/{HUGE}/report/"],
)
def test_programme_pages_with_huge_ids_are_404(programme_world, path):
    client = Client()
    client.force_login(programme_world.manager)
    assert client.get(path).status_code == 404


def test_programme_api_refuses_huge_ids_in_bodies_and_filters(world, programme_world, client_for):
    pw = programme_world
    api = client_for(pw.manager)
    base = f"/api/v1/programmes/{pw.programme.pk}"
    service = {"kind": "visit", "category": "test_before_invest", "date": "2026-01-15"}
    answers = [
        api.post(f"{base}/services/", {**service, "company": HUGE}, format="json"),
        api.post(
            f"{base}/services/",
            {**service, "company": world.company.pk, "coach": HUGE},
            format="json",
        ),
        api.post(f"{base}/companies/{pw.record.pk}/merge/", {"duplicate": HUGE}, format="json"),
        api.get(f"{base}/services/?company={HUGE}"),
    ]
    assert [a.status_code for a in answers] == [400] * 4
