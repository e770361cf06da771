"""Fixes after the newcomer review of issue 13: the confirmation of "delete my account" is
required and offered only when the account can go from this page; blockers answer before the
password (web and API alike); the only person of a company is told to tick the box; the company
deletion page offers the company's download; the company page's "Delete the company" card."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from companies.models import Company, CompanyMember
from tests.factories import UserFactory

PASSWORD = "correct-horse-42"  # tests.factories.UserFactory
URL = "/profile/delete/"
API = "/api/v1/me/delete/"


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _api(user):
    return _client(user)


def _solo():
    """Markus: the only person of his company."""
    solo = UserFactory(name="Markus Solo", handle="markus")
    company = Company.objects.create(name="Solo GmbH", sector="craft", size="1", city="Hagen")
    CompanyMember.objects.create(company=company, user=solo, role="owner")
    return solo, company


# --- 2: the confirmation field is required, never "(optional)" --------------------------------


def test_the_password_is_required_and_not_marked_optional(world):
    client = _client(world.member)
    text = client.get(URL).content.decode()
    assert 'name="password"' in text and "required" in re.search(
        r'<input[^>]*name="password"[^>]*>', text
    ).group(0)
    assert "(optional)" not in text
    empty = client.post(URL, {"password": ""})
    assert empty.status_code == 400
    assert "This field is required." in empty.content.decode()


def test_the_address_is_required_for_an_account_without_password(world):
    world.member.set_unusable_password()
    world.member.save(update_fields=["password"])
    client = _client(world.member)
    text = client.get(URL).content.decode()
    assert 'name="email"' in text and "(optional)" not in text
    assert client.post(URL, {"email": ""}).status_code == 400
    assert User.objects.get(pk=world.member.pk).deleted_at is None


# --- 2: Frank, last owner of a company with a colleague ---------------------------------------


@pytest.mark.parametrize("password", [PASSWORD, "wrong", ""])
def test_last_owner_sees_no_confirmation_and_a_post_names_the_blocker(world, password):
    client = _client(world.owner)
    page = client.get(URL).content.decode()
    assert 'data-code="last_owner"' in page
    assert 'data-testid="account-delete-form"' not in page
    assert 'data-testid="delete-confirm"' not in page
    assert 'data-testid="delete-blocked-note"' in page
    refused = client.post(URL, {"password": password})
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "You are the last owner of Sanitär Schulte" in text
    assert "not correct" not in text
    assert User.objects.get(pk=world.owner.pk).deleted_at is None


@pytest.mark.parametrize("password", [PASSWORD, "wrong"])
def test_api_last_owner_gets_the_blocker_never_password_not_correct(world, password):
    response = _api(world.owner).post(API, {"password": password}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"account"}
    assert "You are the last owner of Sanitär Schulte" in " ".join(body["account"])
    assert User.objects.get(pk=world.owner.pk).deleted_at is None


# --- 2: Markus, the only person of his company ------------------------------------------------


def test_only_person_without_the_box_is_told_to_tick_it(db):
    solo, company = _solo()
    client = _client(solo)
    page = client.get(URL).content.decode()
    assert 'data-testid="account-delete-form"' in page  # solvable here: the form is offered
    refused = client.post(URL, {"password": PASSWORD})
    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert list(errors) == ["delete_companies"]
    assert "You are the only person of Solo GmbH" in errors["delete_companies"][0]
    assert 'id="id_delete_companies_error"' in refused.content.decode()
    both = client.post(URL, {"password": "wrong"}).context["form"].errors
    assert set(both) == {"password", "delete_companies"}
    assert client.post(URL, {"password": PASSWORD, "delete_companies": "on"}).status_code == 302
    assert Company.objects.get(pk=company.pk).deleted_at is not None


def test_api_only_person_without_the_flag_gets_a_delete_companies_error(db):
    solo, company = _solo()
    client = _api(solo)
    refused = client.post(API, {"password": PASSWORD}, content_type="application/json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"delete_companies"}
    wrong = client.post(API, {"password": "wrong"}, content_type="application/json")
    assert set(wrong.json()) == {"password", "delete_companies"}
    assert User.objects.get(pk=solo.pk).deleted_at is None
    ok = client.post(
        API, {"password": PASSWORD, "delete_companies": True}, content_type="application/json"
    )
    assert ok.status_code == 204
    assert Company.objects.get(pk=company.pk).deleted_at is not None


# --- 8: the company deletion page offers the company's download --------------------------------


def test_company_delete_page_offers_the_company_export(world):
    page = _client(world.owner).get(reverse("frontend:company_delete", args=[world.company.pk]))
    text = page.content.decode()
    export = reverse("frontend:company_data_export", args=[world.company.pk])
    assert re.search(rf'<form method="post" action="{re.escape(export)}"', text)
    assert reverse("frontend:profile_data") not in text


# --- 9: "Delete the company" is its own card at the bottom, for owners -------------------------


def test_company_page_has_a_delete_card_after_the_data_card_for_owners(world):
    url = reverse("frontend:company", args=[world.company.pk])
    text = _client(world.owner).get(url).content.decode()
    card = re.search(
        r'<section class="card"[^>]*data-testid="company-delete">(.*?)</section>', text, re.S
    )
    assert card and reverse("frontend:company_delete", args=[world.company.pk]) in card.group(1)
    assert "Delete the company" in card.group(1)
    assert text.index('data-testid="company-data"') < card.start()
    assert text.rfind("<section") == card.start()  # the last card of the page
    people = re.search(r'aria-labelledby="people-heading".*?</section>', text, re.S).group(0)
    assert "company-delete-link" not in people
    for user in (world.member, world.facilitator):
        other = _client(user).get(url).content.decode()
        assert 'data-testid="company-delete"' not in other
        assert reverse("frontend:company_delete", args=[world.company.pk]) not in other
