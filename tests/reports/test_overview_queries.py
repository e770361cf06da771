"""The programme's convoy overview costs the same number of queries whatever the number of
convoys and companies: pinned at two sizes for the read model, the API and the page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from checkins.models import Rsvp
from companies.models import CompanyMember
from reports.programme_overview import programme_convoys_overview
from tests.factories import (
    CheckInFactory,
    ConvoyFactory,
    FacilitatorFactory,
    ProgrammeFactory,
    StaffFactory,
    UserFactory,
    populate_convoy,
)

SIZES = [(2, 2), (6, 8)]  # convoys × companies per convoy


@pytest.fixture
def sized(db, request):
    convoys, companies = request.param
    programme = ProgrammeFactory()
    coach = UserFactory()
    StaffFactory(programme=programme, user=coach, role="coach")
    for i in range(convoys):
        convoy = ConvoyFactory(programme=programme, status=["active", "forming", "closed"][i % 3])
        FacilitatorFactory(convoy=convoy, user=UserFactory())
        if i % 2 == 0:
            FacilitatorFactory(convoy=convoy, user=coach)
        populate_convoy(convoy, companies=companies)
        held = CheckInFactory(convoy=convoy, starts_at=timezone.now() - timedelta(days=7))
        for member in CompanyMember.objects.filter(company__memberships__convoy=convoy):
            Rsvp.objects.create(checkin=held, user=member.user, response="yes", status="confirmed")
        CheckInFactory(convoy=convoy)
    return convoys, programme, coach


@pytest.mark.parametrize("sized", SIZES, indirect=True)
def test_the_read_model(sized, django_assert_num_queries):
    convoys, programme, coach = sized

    # convoys with their counts, their facilitators, memberships with the latest update,
    # open milestones.
    with django_assert_num_queries(4):
        overview = programme_convoys_overview(programme=programme, user=coach, now=timezone.now())
        rows = overview.rows
        [row.facilitator_names for row in rows]
    assert len(rows) == convoys
    assert all(row.attendance_percent == 100 for row in rows)


@pytest.mark.parametrize("sized", SIZES, indirect=True)
def test_the_api(sized, client_for, django_assert_num_queries):
    convoys, programme, coach = sized
    client = client_for(coach)

    # the staff check, then the read model's four.
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/programmes/{programme.pk}/convoys/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == convoys


@pytest.mark.parametrize("sized", SIZES, indirect=True)
def test_the_page(sized, django_assert_num_queries):
    convoys, programme, coach = sized
    client = Client()
    client.force_login(coach)
    url = reverse("frontend:programme_convoys", args=[programme.pk])
    client.get(url)  # warm the session and the user's caches

    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="convoy-row"') == convoys


# session, user, the staff check, the read model's four, and the page's frame (the
# notification badge; whether to show the programme link in the navigation is remembered in
# the session by the warming request).
PAGE_QUERIES = 8
