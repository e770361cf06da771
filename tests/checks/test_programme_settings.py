"""The programme's months to the check's re-assessments (T1, T2): set by its managers on the
settings page and over the API through programme_update, with the model's bounds and T2
later than T1; a refused change changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from programmes.services import programme_update
from tests.support.domain import domain_state


def client_as(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_programme_update_sets_the_months(programme_world):
    pw = programme_world
    programme_update(programme=pw.programme, by=pw.manager, check_t1_months=4, check_t2_months=10)
    pw.programme.refresh_from_db()
    assert (pw.programme.check_t1_months, pw.programme.check_t2_months) == (4, 10)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"check_t1_months": 12}, "check_t2_months"),  # T2 stays 12: not later than T1
        ({"check_t2_months": 5}, "check_t2_months"),  # T1 stays 6
        ({"check_t1_months": 8, "check_t2_months": 8}, "check_t2_months"),
        ({"check_t1_months": 0}, "check_t1_months"),
        ({"check_t1_months": 37, "check_t2_months": 40}, "check_t1_months"),
        ({"check_t2_months": 61}, "check_t2_months"),
    ],
)
def test_programme_update_refuses_bad_months(programme_world, fields, field):
    pw = programme_world
    before = domain_state()
    with pytest.raises(ValidationError) as error:
        programme_update(programme=pw.programme, by=pw.manager, **fields)
    assert field in error.value.message_dict
    assert domain_state() == before


def test_the_settings_page_shows_and_saves_the_months(programme_world):
    pw = programme_world
    url = f"/programmes/{pw.programme.pk}/settings/"
    client = client_as(pw.manager)
    html = client.get(url).content.decode()
    assert 'name="check_t1_months"' in html and 'value="6"' in html
    assert 'name="check_t2_months"' in html and 'value="12"' in html
    data = {"name": pw.programme.name, "slug": pw.programme.slug}

    assert client.post(url, {**data, "check_t1_months": 3, "check_t2_months": 9}).status_code == (
        302
    )
    pw.programme.refresh_from_db()
    assert (pw.programme.check_t1_months, pw.programme.check_t2_months) == (3, 9)

    before = domain_state()
    refused = client.post(url, {**data, "check_t1_months": 9, "check_t2_months": 9})
    assert refused.status_code == 400
    assert "The second re-assessment (T2) must come later than the first (T1)" in (
        refused.content.decode()
    )
    assert domain_state() == before


def test_the_api_reads_and_changes_the_months(programme_world, client_for):
    pw = programme_world
    url = f"/api/v1/programmes/{pw.programme.pk}/"
    client = client_for(pw.manager)
    shown = client.get(url).json()
    assert (shown["check_t1_months"], shown["check_t2_months"]) == (6, 12)

    changed = client.patch(url, {"check_t1_months": 5}, format="json")
    assert changed.status_code == 200 and changed.json()["check_t1_months"] == 5

    before = domain_state()
    refused = client.patch(url, {"check_t2_months": 4}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "check_t2_months" in refused.json()
    wrong_type = client.patch(url, {"check_t1_months": "soon"}, format="json")
    assert wrong_type.status_code == 400 and "check_t1_months" in wrong_type.json()
    assert client_for(pw.coach).patch(url, {"check_t1_months": 3}, format="json").status_code == (
        403
    )
    assert domain_state() == before
