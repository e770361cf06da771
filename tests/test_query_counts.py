"""Queries per request do not grow with the size of a convoy: each endpoint is pinned to an
exact count, the same with 3 companies as with 30 (each with projects, milestones, updates and
log entries). A new N+1 fails here; so does an accidental extra query.
"""

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from accounts.models import User
from convoys.models import Convoy
from projects.models import Project
from tests.factories import (
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    InvitationFactory,
    MembershipFactory,
    MilestoneFactory,
    UserFactory,
    populate_convoy,
)

SIZES = [3, 30]


@dataclass
class Sized:
    size: int
    viewer: User  # facilitates `convoy` and `size` more convoys, belongs to every company
    convoy: Convoy
    project: Project  # has `size` milestones more than the others


@pytest.fixture(params=SIZES, ids=lambda n: f"{n} companies")
def sized(request, db) -> Sized:
    size = request.param
    viewer = UserFactory(name="Vera Viewer")
    convoy = ConvoyFactory(name="Großer Konvoi")
    FacilitatorFactory(convoy=convoy, user=viewer)
    companies = populate_convoy(convoy, companies=size)
    for company in companies:
        CompanyMemberFactory(company=company, user=viewer, role="member")
    for i in range(size):
        other = ConvoyFactory(name=f"Konvoi {i:02d}")
        FacilitatorFactory(convoy=other, user=viewer)
        MembershipFactory(convoy=other, company=companies[i])
    project = Project.objects.filter(company=companies[0]).order_by("id").first()
    for _ in range(size):
        MilestoneFactory(project=project, status="done")
        InvitationFactory(convoy=convoy, invited_by=viewer)
    return Sized(size=size, viewer=viewer, convoy=convoy, project=project)


@pytest.fixture
def client(sized, client_for):
    return client_for(sized.viewer)


# Counts below: the view's own queries (force_authenticate: no session or token lookup).


def test_dashboard_cold(sized, client, django_assert_num_queries):
    # convoy (+ role) · memberships with latest update · projects with progress ·
    # blocked and overdue milestones · latest updates with authors · milestones done per day ·
    # next check-in with seats
    cache.clear()
    with django_assert_num_queries(7):
        response = client.get(f"/api/v1/convoys/{sized.convoy.pk}/dashboard/")
    assert response.status_code == 200
    assert len(response.json()["companies"]) == sized.size


def test_dashboard_warm(sized, client, django_assert_num_queries):
    # Built once per event seq; afterwards only the convoy itself is read.
    client.get(f"/api/v1/convoys/{sized.convoy.pk}/dashboard/")
    with django_assert_num_queries(1):
        response = client.get(f"/api/v1/convoys/{sized.convoy.pk}/dashboard/")
    assert len(response.json()["companies"]) == sized.size


def test_convoy_list(sized, client, django_assert_num_queries):
    # count · page
    with django_assert_num_queries(2):
        response = client.get("/api/v1/convoys/")
    assert response.json()["count"] == sized.size + 1


def test_events_list(sized, client, django_assert_num_queries):
    # convoy · count · page with actors
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/convoys/{sized.convoy.pk}/events/?after=0")
    assert response.json()["count"] == 3 * sized.size


def test_project_detail(sized, client, django_assert_num_queries):
    # project with company and progress · milestones · convoys
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/projects/{sized.project.pk}/")
    assert len(response.json()["milestones"]) == 3 + sized.size


def test_project_list(sized, client, django_assert_num_queries):
    # count · page · milestones · convoys
    with django_assert_num_queries(4):
        response = client.get("/api/v1/projects/")
    assert response.json()["count"] == 2 * sized.size


def test_updates_list(sized, client, django_assert_num_queries):
    # convoy · count · page with company and author · linked milestones
    with django_assert_num_queries(4):
        response = client.get(f"/api/v1/convoys/{sized.convoy.pk}/updates/")
    assert response.json()["count"] == 2 * sized.size


def test_me(sized, client, django_assert_num_queries):
    # companies · convoys with role
    with django_assert_num_queries(2):
        response = client.get("/api/v1/me/")
    assert len(response.json()["companies"]) == sized.size
    assert len(response.json()["convoys"]) == sized.size + 1


def test_memberships_and_invitations_lists(sized, client, django_assert_num_queries):
    with django_assert_num_queries(3):  # convoy · count · page with companies
        client.get(f"/api/v1/convoys/{sized.convoy.pk}/memberships/")
    with django_assert_num_queries(3):  # convoy · count · page
        response = client.get(f"/api/v1/convoys/{sized.convoy.pk}/invitations/")
    assert response.json()["count"] == sized.size


def test_company_list(sized, client, django_assert_num_queries):
    with django_assert_num_queries(2):  # count · page
        response = client.get("/api/v1/companies/")
    assert response.json()["count"] == sized.size
