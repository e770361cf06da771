"""'Delete my account' through the web page, the API and the operators' commands: the same
function, the confirmation (password, or the e-mail address without one), the preconditions
as messages / 400, logged out afterwards; the commands' confirmation and output."""

import io

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken, User
from accounts.services import api_token_create
from audit.models import AuditEntry
from companies.models import Company, CompanyMember
from privacy.management.commands import _confirm
from tests.factories import FacilitatorFactory, UserFactory

PASSWORD = "correct-horse-42"  # tests.factories.UserFactory


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


# --- web ------------------------------------------------------------------------------------


def test_the_data_page_links_to_the_delete_page(world):
    page = _client(world.member).get(reverse("frontend:profile_data"))
    assert reverse("frontend:account_delete") in page.content.decode()


def test_the_page_says_what_stays_and_what_goes_and_asks_for_the_password(world):
    client = _client(world.member)
    url = reverse("frontend:account_delete")
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "What is deleted" in text and "What stays" in text
    assert 'name="password"' in text
    wrong = client.post(url, {"password": "nope"})
    assert wrong.status_code == 400
    assert User.objects.get(pk=world.member.pk).deleted_at is None
    done = client.post(url, {"password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("frontend:account_deleted")
    assert User.objects.get(pk=world.member.pk).deleted_at is not None
    # Logged out: the profile now sends to the login page; the goodbye page is public.
    assert client.get(reverse("frontend:profile")).status_code == 302
    goodbye = client.get(reverse("frontend:account_deleted"))
    assert goodbye.status_code == 200
    assert not Session.objects.exists()
    # No row written afterwards holds the request's address (e.g. a logout entry).
    assert not AuditEntry.objects.filter(user=world.member).exclude(ip_address=None).exists()


def test_an_account_without_password_confirms_with_its_address(world):
    world.member.set_unusable_password()
    world.member.save(update_fields=["password"])
    client = _client(world.member)
    url = reverse("frontend:account_delete")
    assert 'name="email"' in client.get(url).content.decode()
    assert client.post(url, {"email": "someone@else.example"}).status_code == 400
    assert client.post(url, {"email": world.member.email.upper()}).status_code == 302
    assert User.objects.get(pk=world.member.pk).deleted_at is not None


def test_the_page_shows_what_blocks_it_with_links(world):
    client = _client(world.owner)
    page = client.get(reverse("frontend:account_delete"))
    text = page.content.decode()
    assert 'data-code="last_owner"' in text
    assert reverse("frontend:company", args=[world.company.pk]) in text
    refused = client.post(reverse("frontend:account_delete"), {"password": PASSWORD})
    assert refused.status_code == 400
    assert User.objects.get(pk=world.owner.pk).deleted_at is None


def test_the_only_person_of_a_company_ticks_the_box(world):
    solo = UserFactory()
    company = Company.objects.create(name="Solo GmbH", sector="craft", size="1", city="Hagen")
    CompanyMember.objects.create(company=company, user=solo, role="owner")
    client = _client(solo)
    url = reverse("frontend:account_delete")
    assert 'name="delete_companies"' in client.get(url).content.decode()
    assert client.post(url, {"password": PASSWORD}).status_code == 400
    assert client.post(url, {"password": PASSWORD, "delete_companies": "on"}).status_code == 302
    assert Company.objects.get(pk=company.pk).deleted_at is not None


# --- API ------------------------------------------------------------------------------------


def test_api_me_delete(world, client_for):
    _row, secret = api_token_create(user=world.member)
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}", HTTP_ACCEPT_LANGUAGE="en")
    wrong = client.post("/api/v1/me/delete/", {"password": "nope"}, content_type="application/json")
    assert wrong.status_code == 400 and "password" in wrong.json()
    ok = client.post("/api/v1/me/delete/", {"password": PASSWORD}, content_type="application/json")
    assert ok.status_code == 204
    assert not ApiToken.objects.filter(user=world.member).exists()
    assert client.get("/api/v1/me/").status_code == 401


def test_api_me_delete_refuses_with_the_preconditions(world, client_for):
    response = client_for(world.owner).post(
        "/api/v1/me/delete/", {"password": PASSWORD}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "last owner" in " ".join(response.json()["account"])
    assert User.objects.get(pk=world.owner.pk).deleted_at is None


def test_api_me_delete_needs_a_login(client_for):
    assert client_for(None).post("/api/v1/me/delete/", {}).status_code in (401, 403)


# --- commands -------------------------------------------------------------------------------


def test_delete_account_refuses_without_yes_when_not_interactive(world, monkeypatch):
    monkeypatch.setattr(_confirm, "interactive", lambda: False)
    with pytest.raises(CommandError, match="--yes"):
        call_command("delete_account", "--email", world.member.email)
    assert User.objects.get(pk=world.member.pk).deleted_at is None


def test_delete_account_asks_at_a_terminal(world, monkeypatch):
    monkeypatch.setattr(_confirm, "interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Cancelled"):
        call_command("delete_account", "--email", world.member.email)
    assert User.objects.get(pk=world.member.pk).deleted_at is None
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    out = io.StringIO()
    call_command("delete_account", "--email", world.member.email, stdout=out)
    assert User.objects.get(pk=world.member.pk).deleted_at is not None
    assert "company memberships: 1" in out.getvalue()


def test_delete_account_with_yes_prints_what_went(world):
    api_token_create(user=world.member)
    out = io.StringIO()
    call_command("delete_account", "--email", world.member.email.upper(), "--yes", stdout=out)
    assert "api tokens: 1" in out.getvalue()
    assert User.objects.get(pk=world.member.pk).deleted_at is not None


def test_delete_account_blocked_unless_forced(world):
    with pytest.raises(CommandError, match="--force"):
        call_command("delete_account", "--email", world.owner.email, "--yes")
    assert User.objects.get(pk=world.owner.pk).deleted_at is None
    out = io.StringIO()
    call_command("delete_account", "--email", world.owner.email, "--yes", "--force", stdout=out)
    assert "without owner" in out.getvalue()
    assert User.objects.get(pk=world.owner.pk).deleted_at is not None


def test_delete_account_unknown_address(db):
    with pytest.raises(CommandError, match="No account"):
        call_command("delete_account", "--email", "nobody@example.org", "--yes")


def test_delete_company_command(world, monkeypatch):
    monkeypatch.setattr(_confirm, "interactive", lambda: False)
    with pytest.raises(CommandError, match="--yes"):
        call_command("delete_company", "--company", str(world.company.pk))
    assert Company.objects.get(pk=world.company.pk).deleted_at is None
    out = io.StringIO()
    call_command("delete_company", "--company", str(world.company.pk), "--yes", stdout=out)
    assert "convoy memberships ended: 1" in out.getvalue()
    assert Company.objects.get(pk=world.company.pk).deleted_at is not None
    with pytest.raises(CommandError, match="No company"):
        call_command("delete_company", "--company", str(world.company.pk), "--yes")


def test_a_second_facilitator_unblocks(world):
    FacilitatorFactory(convoy=world.convoy, user=UserFactory())
    call_command("delete_account", "--email", world.facilitator.email, "--yes")
    assert User.objects.get(pk=world.facilitator.pk).deleted_at is not None
