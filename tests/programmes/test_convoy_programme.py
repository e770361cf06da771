"""Convoys in a programme: created in one or attached later by a facilitator on its staff,
over the services, the API and the settings page; every member company enters the register,
and so does every company that joins afterwards."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from convoys.models import Convoy, Membership
from convoys.services import convoy_create, convoy_programme_set, invitation_accept
from programmes.models import CompanyRecord, Touch
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    InvitationFactory,
    MembershipFactory,
    UserFactory,
)
from tests.support.domain import domain_state


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def coach_convoy(world, programme_world):
    """world.other_convoy (in no programme, two companies) facilitated by the programme's
    coach too."""
    FacilitatorFactory(convoy=world.other_convoy, user=programme_world.coach)
    MembershipFactory(convoy=world.other_convoy, company=CompanyFactory(name="Bäckerei Vogt"))
    return world.other_convoy


def test_a_coach_creates_a_convoy_in_the_programme(programme_world):
    pw = programme_world
    convoy = convoy_create(actor=pw.coach, name="Konvoi Lüdenscheid", programme=pw.programme.pk)
    assert convoy.programme == pw.programme


@pytest.mark.parametrize("which", ["other_programme", "unknown"])
def test_a_programme_not_yours_or_unknown_gets_the_same_400(programme_world, which):
    pw = programme_world
    before = domain_state()
    programme_id = pw.other_programme.pk if which == "other_programme" else 987654
    with pytest.raises(ValidationError) as exc:
        convoy_create(actor=pw.coach, name="Konvoi", programme=programme_id)
    assert exc.value.message_dict == {
        "programme": ["Choose a programme whose staff you belong to."]
    }
    assert domain_state() == before


def test_attaching_touches_every_active_member_at_its_joining(world, programme_world, coach_convoy):
    pw = programme_world
    ended = MembershipFactory(convoy=coach_convoy, company=CompanyFactory(), status="left")
    convoy_programme_set(convoy=coach_convoy, programme=pw.programme.pk, by=pw.coach)
    coach_convoy.refresh_from_db()
    assert coach_convoy.programme == pw.programme
    active = Membership.objects.active().filter(convoy=coach_convoy)
    assert active.count() == 2
    for membership in active:
        touch = Touch.objects.get(
            programme=pw.programme, company=membership.company, source=f"convoy:{coach_convoy.pk}"
        )
        assert (touch.kind, touch.at, touch.label) == (
            "convoy_joined",
            membership.joined_at,
            coach_convoy.name,
        )
        record = CompanyRecord.objects.get(programme=pw.programme, company=membership.company)
        assert record.stage == "enrolled"
    assert not Touch.objects.filter(company=ended.company).exists()
    # Attaching again changes nothing.
    count = Touch.objects.count()
    convoy_programme_set(convoy=coach_convoy, programme=pw.programme.pk, by=pw.coach)
    assert Touch.objects.count() == count


def test_a_company_joining_later_enters_the_register(world, programme_world):
    pw = programme_world
    owner = UserFactory(email="inhaber@example.com")
    company = CompanyFactory(name="Tischlerei Lang")
    CompanyMemberFactory(company=company, user=owner, role="owner")
    InvitationFactory(convoy=world.convoy, email=owner.email, token="join-later")
    membership = invitation_accept(actor=owner, token="join-later", company=company)
    touch = Touch.objects.get(programme=pw.programme, company=company)
    assert (touch.kind, touch.source, touch.at) == (
        "convoy_joined",
        f"convoy:{world.convoy.pk}",
        membership.joined_at,
    )
    assert CompanyRecord.objects.get(programme=pw.programme, company=company).stage == "enrolled"


def test_a_company_joining_a_convoy_without_programme_enters_no_register(world):
    owner = UserFactory(email="inhaber@example.com")
    company = CompanyFactory()
    CompanyMemberFactory(company=company, user=owner, role="owner")
    InvitationFactory(convoy=world.other_convoy, email=owner.email, token="join-none")
    invitation_accept(actor=owner, token="join-none", company=company)
    assert not Touch.objects.filter(company=company).exists()


def test_attaching_needs_a_facilitator_on_the_programmes_staff(
    world, programme_world, coach_convoy
):
    pw = programme_world
    before = domain_state()
    # A facilitator not on the staff.
    outside = Convoy.objects.get(pk=world.other_convoy.pk)
    with pytest.raises(ValidationError):
        convoy_programme_set(convoy=outside, programme=pw.programme.pk, by=pw.outside_facilitator)
    # Staff, but not a facilitator of the convoy.
    with pytest.raises(PermissionDenied):
        convoy_programme_set(convoy=world.convoy, programme=None, by=pw.manager)
    assert domain_state() == before
    # A facilitator and staff of another programme only.
    FacilitatorFactory(convoy=world.convoy, user=pw.other_coach)
    before = domain_state()
    with pytest.raises(ValidationError):
        convoy_programme_set(
            convoy=world.convoy, programme=pw.other_programme.pk, by=pw.other_coach
        )
    assert domain_state() == before


def test_a_staff_facilitator_detaches_and_the_register_keeps_the_companies(world, programme_world):
    pw = programme_world
    FacilitatorFactory(convoy=world.convoy, user=pw.coach)
    convoy_programme_set(convoy=world.convoy, programme=None, by=pw.coach)
    world.convoy.refresh_from_db()
    assert world.convoy.programme is None
    assert CompanyRecord.objects.filter(programme=pw.programme, company=world.company).exists()


# --- over the API ----------------------------------------------------------------------------


def test_api_create_in_a_programme_and_show_it(programme_world, client_for):
    pw = programme_world
    response = client_for(pw.coach).post(
        "/api/v1/convoys/", {"name": "Konvoi Altena", "programme": pw.programme.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["programme"] == {"id": pw.programme.pk, "name": "Kompetenzzentrum Hagen"}
    listed = client_for(pw.coach).get("/api/v1/convoys/").json()["results"]
    assert [c["programme"] for c in listed] == [
        {"id": pw.programme.pk, "name": "Kompetenzzentrum Hagen"}
    ]


def test_api_create_in_a_foreign_programme_is_400_on_the_field(programme_world, client_for):
    pw = programme_world
    before = domain_state()
    for programme in (pw.other_programme.pk, 987654):
        response = client_for(pw.coach).post(
            "/api/v1/convoys/",
            {"name": "Konvoi", "programme": programme},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 400
        assert response.json() == {"programme": ["Choose a programme whose staff you belong to."]}
    assert domain_state() == before


def test_api_patch_attaches_and_detaches(world, programme_world, client_for, coach_convoy):
    pw = programme_world
    client = client_for(pw.coach)
    response = client.patch(
        f"/api/v1/convoys/{coach_convoy.pk}/", {"programme": pw.programme.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["programme"]["id"] == pw.programme.pk
    assert Touch.objects.filter(source=f"convoy:{coach_convoy.pk}").count() == 2
    response = client.patch(
        f"/api/v1/convoys/{coach_convoy.pk}/", {"programme": None}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["programme"] is None


def test_api_patch_by_a_facilitator_not_on_the_staff_is_400(world, programme_world, client_for):
    pw = programme_world
    before = domain_state()
    response = client_for(pw.outside_facilitator).patch(
        f"/api/v1/convoys/{world.other_convoy.pk}/", {"programme": pw.programme.pk}, format="json"
    )
    assert response.status_code == 400
    assert "programme" in response.json()
    assert domain_state() == before


def test_convoy_list_queries_do_not_grow_with_programmes(
    world, programme_world, client_for, django_assert_num_queries
):
    pw = programme_world
    client = client_for(pw.coach)
    FacilitatorFactory(convoy=world.convoy, user=pw.coach)
    with django_assert_num_queries(2):
        client.get("/api/v1/convoys/")
    for n in range(3):
        convoy = ConvoyFactory(programme=pw.programme)
        FacilitatorFactory(convoy=convoy, user=pw.coach)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/convoys/")
    assert len(response.json()["results"]) == 4


# --- on the pages ----------------------------------------------------------------------------


def test_the_settings_page_offers_the_facilitators_programmes(
    world, programme_world, client, coach_convoy
):
    pw = programme_world
    client.force_login(pw.coach)
    page = client.get(f"/convoys/{coach_convoy.pk}/edit/")
    assert page.status_code == 200
    assert b'name="programme"' in page.content
    assert "Kompetenzzentrum Hagen" in page.content.decode()
    data = {
        "name": coach_convoy.name,
        "topic": "",
        "description": "",
        "status": "active",
        "timezone": "Europe/Berlin",
        "language": "de",
        "update_cadence_days": 14,
        "max_companies": "",
        "programme": pw.programme.pk,
    }
    response = client.post(f"/convoys/{coach_convoy.pk}/edit/", data)
    assert response.status_code == 302, response.content[:2000]
    coach_convoy.refresh_from_db()
    assert coach_convoy.programme == pw.programme
    assert Touch.objects.filter(source=f"convoy:{coach_convoy.pk}").count() == 2


def test_the_programme_field_is_hidden_without_programmes(world, client):
    client.force_login(world.facilitator)
    page = client.get(f"/convoys/{world.convoy.pk}/edit/")
    assert page.status_code == 200
    assert b'name="programme"' not in page.content
    page = client.get("/convoys/new/")
    assert b'name="programme"' not in page.content


def test_a_staff_member_creates_a_convoy_in_the_programme_on_the_page(programme_world, client):
    pw = programme_world
    client.force_login(pw.coach)
    data = {
        "name": "Konvoi Plettenberg",
        "timezone": "Europe/Berlin",
        "language": "de",
        "update_cadence_days": 14,
        "programme": pw.programme.pk,
    }
    response = client.post("/convoys/new/", data)
    assert response.status_code == 302, response.content[:2000]
    assert Convoy.objects.get(name="Konvoi Plettenberg").programme == pw.programme
