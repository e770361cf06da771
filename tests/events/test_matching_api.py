"""The register match over the API and on its page: staff only (404 for anyone else), the
suggestions, confirming an entry or creating one, errors on the field."""

import pytest
from django.test import Client

from events.models import Registration
from programmes.models import CompanyRecord, Stage
from programmes.services import company_record_create

pytestmark = pytest.mark.django_db


def _api(pw, suffix="company/"):
    return f"/api/v1/events/{pw.event.pk}/registrations/{pw.registration.pk}/{suffix}"


def _page(pw, registration=None):
    registration = registration or pw.registration
    return (
        f"/programmes/{pw.programme.pk}/events/{pw.event.pk}/registrations/"
        f"{registration.pk}/company/"
    )


@pytest.fixture
def holzwurm(programme_world):
    pw = programme_world
    return company_record_create(
        programme=pw.programme,
        by=pw.manager,
        name="Tischlerei Holzwurm GmbH",
        sector="craft",
        size="2-9",
        city="Hagen",
        postcode="58097",
    )


def test_suggestions_for_staff(programme_world, holzwurm, client_for):
    pw = programme_world
    for user in (pw.manager, pw.coach):
        response = client_for(user).get(_api(pw, "company-suggestions/"))
        assert response.status_code == 200
        assert [r["id"] for r in response.json()] == [holzwurm.pk]
        assert response.json()[0]["company"]["name"] == "Tischlerei Holzwurm GmbH"


def test_confirm_an_entry(programme_world, holzwurm, client_for):
    pw = programme_world
    response = client_for(pw.coach).post(_api(pw), {"record": holzwurm.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["record"]["id"] == holzwurm.pk
    assert response.json()["record"]["stage"] == Stage.LEAD
    assert Registration.objects.get(pk=pw.registration.pk).company_id == holzwurm.company_id


def test_create_an_entry_and_its_errors(programme_world, client_for):
    pw = programme_world
    client = client_for(pw.manager)
    neither = client.post(_api(pw), {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert neither.status_code == 400
    assert "record" in neither.json()
    no_city = client.post(_api(pw), {"create": True}, format="json")
    assert no_city.status_code == 400
    assert "city" in no_city.json()
    bad_size = client.post(_api(pw), {"create": True, "city": "Hagen", "size": "9"}, format="json")
    assert bad_size.status_code == 400
    assert "size" in bad_size.json()
    created = client.post(_api(pw), {"create": True, "city": "Hagen"}, format="json")
    assert created.status_code == 200, created.json()
    record = CompanyRecord.objects.get(pk=created.json()["record"]["id"])
    assert record.company.name == "Tischlerei Holzwurm"
    # The same company again: refused, naming it.
    again = client.post(_api(pw), {"create": True, "city": "Hagen"}, format="json")
    assert again.status_code == 400
    assert "name" in again.json()


def test_another_programmes_entry_is_a_400_on_record(programme_world, client_for):
    pw = programme_world
    foreign = company_record_create(
        programme=pw.other_programme,
        by=pw.other_coach,
        name="Tischlerei Holzwurm",
        sector="craft",
        size="2-9",
        city="Hagen",
        postcode="58097",
    )
    response = client_for(pw.coach).post(_api(pw), {"record": foreign.pk}, format="json")
    assert response.status_code == 400
    assert "record" in response.json()


@pytest.mark.parametrize("who", ["anon", "outsider", "member", "other_coach"])
def test_everyone_else_gets_404(programme_world, holzwurm, client_for, who):
    pw = programme_world
    user = None if who == "anon" else getattr(pw, who)
    client = client_for(user)
    for suffix in ("company/", "company-suggestions/"):
        response = (
            client.post(_api(pw, suffix), {"record": holzwurm.pk}, format="json")
            if suffix == "company/"
            else client.get(_api(pw, suffix))
        )
        assert response.status_code in (404, 401 if who == "anon" else 404)
    assert Registration.objects.get(pk=pw.registration.pk).company_id is None


def test_another_events_registration_is_a_404(programme_world, client_for):
    pw = programme_world
    url = f"/api/v1/events/{pw.event.pk}/registrations/{pw.other_registration.pk}/company/"
    response = client_for(pw.coach).post(url, {"create": True, "city": "Hagen"}, format="json")
    assert response.status_code == 404


# --- The page --------------------------------------------------------------------------------


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_the_registration_and_the_suggestions(programme_world, holzwurm):
    pw = programme_world
    response = _client(pw.coach).get(_page(pw), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tischlerei Holzwurm GmbH" in html
    assert "Tischlerei Holzwurm" in html
    assert 'data-testid="match-suggestion"' in html
    assert 'data-testid="match-create"' in html


def test_the_page_confirms_an_entry(programme_world, holzwurm):
    pw = programme_world
    response = _client(pw.manager).post(_page(pw), {"record": holzwurm.pk})
    assert response.status_code == 302
    assert Registration.objects.get(pk=pw.registration.pk).company_id == holzwurm.company_id
    # Back on the page, the match is shown.
    page = _client(pw.manager).get(_page(pw), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="match-current"' in page


def test_the_page_creates_an_entry_and_shows_errors(programme_world):
    pw = programme_world
    client = _client(pw.coach)
    missing = client.post(_page(pw), {"create": "1", "city": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 400
    assert "This field" in missing.content.decode()
    created = client.post(
        _page(pw), {"create": "1", "city": "Hagen", "size": "10-49", "sector": "craft"}
    )
    assert created.status_code == 302
    company = Registration.objects.get(pk=pw.registration.pk).company
    assert (company.name, company.size, company.city) == ("Tischlerei Holzwurm", "10-49", "Hagen")


@pytest.mark.parametrize("who", ["outsider", "member", "other_coach"])
def test_the_page_is_404_for_everyone_else(programme_world, who):
    pw = programme_world
    client = _client(getattr(pw, who))
    assert client.get(_page(pw)).status_code == 404
    assert client.post(_page(pw), {"create": "1", "city": "Hagen"}).status_code == 404


def test_the_page_sends_anonymous_visitors_to_login(programme_world):
    response = Client().get(_page(programme_world))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_the_page_queries_do_not_grow_with_the_suggestions(programme_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from programmes.services import company_touch
    from tests.factories import CompanyFactory

    pw = programme_world
    client = _client(pw.coach)
    client.get(_page(pw))  # warm (the header's cached entries)
    with CaptureQueriesContext(connection) as none:
        assert client.get(_page(pw)).status_code == 200
    # Two entries of the same name and postcode: one recorded by staff, one a company with
    # an account that joined a convoy (the register refuses a second recorded one).
    company_record_create(
        programme=pw.programme,
        by=pw.manager,
        name="Tischlerei Holzwurm",
        sector="craft",
        size="2-9",
        city="Hagen",
        postcode="58097",
    )
    company_touch(
        programme=pw.programme,
        company=CompanyFactory(name="Tischlerei Holzwurm KG", postcode="58097"),
        kind="convoy_joined",
        source="convoy:999",
        at=timezone.now(),
    )
    with CaptureQueriesContext(connection) as two:
        html = client.get(_page(pw)).content.decode()
    assert html.count('data-testid="match-suggestion"') == 2
    assert len(two) == len(none)
