"""The way in, in the web UI: the invitation page (sign-up first, prefilled; the company created
and the convoy joined in one step; no one-option selects), the company form without silent
preselection, colleagues added or invited from the company page and accepting on their own
page, and the first-steps guide."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from companies.models import Company, CompanyInvitation, CompanyMember
from companies.services import company_invitation_create
from convoys.models import Invitation, Membership
from convoys.services import invitation_create
from tests.factories import (
    CompanyFactory,
    CompanyInvitationFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
)

PASSWORD = "S3cure-enough!"
COMPANY = {
    "company-name": "Blumen Blum",
    "company-sector": "retail",
    "company-size": "2-9",
    "company-city": "Hagen",
}


def client_as(user: User | None, language: str = "de") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def _invite(world, email="neu@example.com") -> str:
    return invitation_create(actor=world.facilitator, convoy=world.convoy, email=email)[1]


# --- the convoy invitation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "primary", "secondary"),
    [
        ("en", "Create an account", "I already have an account"),
        ("de", "Konto erstellen", "Ich habe schon ein Konto"),
    ],
)
def test_a_visitor_is_offered_to_create_an_account_first(world, language, primary, secondary):
    token = _invite(world)
    url = reverse("frontend:invitation", kwargs={"token": token})
    body = text(client_as(None, language).get(url))
    signup = re.search(r'<a class="button" href="([^"]+)" data-testid="invitation-signup"', body)
    assert signup, "creating an account is the primary button"
    assert signup.group(1) == f"{reverse('frontend:signup')}?invitation={token}"
    login = re.search(
        r'<a class="button button-secondary" href="([^"]+)" data-testid="invitation-login"', body
    )
    assert login.group(1) == f"{reverse('frontend:login')}?next={url}&amp;invitation={token}"
    if language == "en":  # the German copy arrives with the lead's catalogue merge
        assert primary in body and secondary in body


def test_log_in_is_prefilled_from_the_invitation(world):
    token = _invite(world, world.owner.email)
    url = reverse("frontend:invitation", kwargs={"token": token})
    page = text(
        client_as(None, "en").get(f"{reverse('frontend:login')}?next={url}&invitation={token}")
    )
    assert f'value="{world.owner.email}"' in page
    forged = text(client_as(None, "en").get(f"{reverse('frontend:login')}?invitation=forged"))
    assert "@example.com" not in re.search(
        r'data-testid="login-form".*?</form>', forged, re.S
    ).group(0)


def test_sign_up_is_prefilled_from_the_invitation_and_returns_to_it(world):
    token = _invite(world)
    client = client_as(None, "en")
    page = text(client.get(reverse("frontend:signup") + f"?invitation={token}"))
    assert 'value="neu@example.com"' in page
    invitation_path = reverse("frontend:invitation", kwargs={"token": token})
    assert f'name="next" value="{invitation_path}"' in page
    response = client.post(
        reverse("frontend:signup"),
        {"name": "Nina Neu", "email": "neu@example.com", "password": PASSWORD,
         "next": invitation_path},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == invitation_path


@pytest.mark.parametrize("query", ["?invitation=forged", "?email=evil@example.com", "?colleague=x"])
def test_sign_up_prefills_nothing_without_a_usable_invitation(db, query):
    page = text(client_as(None, "en").get(reverse("frontend:signup") + query))
    form = re.search(r'data-testid="signup-form".*?</form>', page, re.S).group(0)
    assert "@example.com" not in form
    assert 'name="next"' not in form


def test_sign_up_prefills_nothing_from_a_used_invitation(world):
    token = _invite(world, world.owner.email)
    Invitation.objects.update(revoked_at="2026-01-01T00:00:00Z")
    page = text(client_as(None, "en").get(reverse("frontend:signup") + f"?invitation={token}"))
    assert world.owner.email not in page


def test_without_a_company_it_is_created_on_the_invitation_page_and_joins(world):
    token = _invite(world, world.outsider.email)
    url = reverse("frontend:invitation", kwargs={"token": token})
    client = client_as(world.outsider, "en")
    page = text(client.get(url))
    assert 'data-testid="invitation-company-form"' in page
    # Sector and size start empty, with "Please choose"; nothing is silently preselected.
    for field in ("sector", "size"):
        select = re.search(rf'<select name="company-{field}".*?</select>', page, re.S).group(0)
        first = re.search(r"<option[^>]*>([^<]*)</option>", select)
        assert 'value=""' in first.group(0) and first.group(1) == "Please choose"
        assert "selected" in first.group(0)
        assert select.count("selected") == 1
    response = client.post(url, COMPANY)
    assert response["Location"] == reverse("frontend:convoy", args=[world.convoy.pk])
    company = Company.objects.get(name="Blumen Blum")
    assert CompanyMember.objects.get(company=company).user == world.outsider
    assert Membership.objects.filter(convoy=world.convoy, company=company).exists()
    assert Invitation.objects.get().accepted_by == world.outsider


def test_a_colleague_who_is_no_owner_is_told_who_can_accept(world):
    url = reverse("frontend:invitation", kwargs={"token": _invite(world, world.member.email)})
    page = text(client_as(world.member, "en").get(url))
    assert 'data-testid="invitation-member-of"' in page and world.company.name in page
    assert 'data-testid="invitation-company-form"' in page


def test_a_failed_sign_up_keeps_the_way_back_to_the_invitation(world):
    token = _invite(world)
    url = reverse("frontend:signup") + f"?invitation={token}"
    response = client_as(None, "en").post(
        url, {"name": "Nina Neu", "email": "neu@example.com", "password": "123"}
    )
    assert response.status_code == 200
    page = text(response)
    invitation_path = reverse("frontend:invitation", kwargs={"token": token})
    assert f'name="next" value="{invitation_path}"' in page
    assert f'action="{url}"' in page
    assert not User.objects.filter(email="neu@example.com").exists()


def test_the_company_fields_are_required_and_nothing_is_written(world):
    url = reverse("frontend:invitation", kwargs={"token": _invite(world, world.outsider.email)})
    response = client_as(world.outsider, "en").post(url, {**COMPANY, "company-sector": ""})
    assert response.status_code == 200
    assert "This field is required." in text(response)
    assert not Company.objects.filter(name="Blumen Blum").exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_refused_acceptance_does_not_leave_a_company_behind(world):
    world.convoy.max_companies = 1  # full: world.company is in it
    world.convoy.save(update_fields=["max_companies"])
    url = reverse("frontend:invitation", kwargs={"token": _invite(world, world.outsider.email)})
    response = client_as(world.outsider, "en").post(url, COMPANY)
    assert response.status_code == 200
    assert "This convoy is full." in text(response)
    assert not Company.objects.filter(name="Blumen Blum").exists()


def test_with_one_company_the_page_says_which_joins(world):
    company = CompanyFactory(name="Bäckerei Brandt")
    CompanyMemberFactory(company=company, user=world.outsider, role="owner")
    url = reverse("frontend:invitation", kwargs={"token": _invite(world, world.outsider.email)})
    client = client_as(world.outsider, "en")
    page = text(client.get(url))
    assert "Bäckerei Brandt joins Digitalisierungs-Konvoi Hagen." in page
    assert "<select" not in page and 'type="radio"' not in page
    response = client.post(url, {"company": company.pk})
    assert response["Location"] == reverse("frontend:convoy", args=[world.convoy.pk])
    assert Membership.objects.filter(convoy=world.convoy, company=company).exists()


def test_with_several_companies_a_radio_list_with_nothing_chosen(world):
    first = CompanyFactory(name="Bäckerei Brandt")
    second = CompanyFactory(name="Café Brandt")
    for company in (first, second):
        CompanyMemberFactory(company=company, user=world.outsider, role="owner")
    url = reverse("frontend:invitation", kwargs={"token": _invite(world, world.outsider.email)})
    client = client_as(world.outsider, "en")
    page = text(client.get(url))
    assert page.count('type="radio"') == 2 and "checked" not in page
    assert "<select" not in page
    response = client.post(url, {})
    assert response.status_code == 200 and "This field is required." in text(response)
    response = client.post(url, {"company": second.pk})
    assert response.status_code == 302
    assert (
        Membership.objects.get(convoy=world.convoy, company__in=[first, second]).company == second
    )


def test_company_form_has_no_silent_preselection(world):
    page = text(client_as(world.outsider, "en").get(reverse("frontend:company_create")))
    for field in ("sector", "size"):
        select = re.search(rf'<select name="{field}".*?</select>', page, re.S).group(0)
        assert re.search(r'<option value="" selected>Please choose</option>', select)
    response = client_as(world.outsider, "en").post(
        reverse("frontend:company_create"), {"name": "Brandt", "city": "Hagen"}
    )
    assert response.status_code == 200
    assert text(response).count("This field is required.") == 2
    assert not Company.objects.filter(name="Brandt").exists()


# --- colleagues ------------------------------------------------------------------------------


def test_the_owner_sees_the_colleague_section_with_pending_invitations(world):
    CompanyInvitationFactory(company=world.company, email="neu@example.com")
    CompanyInvitationFactory(
        company=world.company, email="weg@example.com", revoked_at="2026-01-01T00:00:00Z"
    )
    url = reverse("frontend:company", args=[world.company.pk])
    page = text(client_as(world.owner, "en").get(url))
    assert reverse("frontend:company_colleague_add", args=[world.company.pk]) in page
    assert "neu@example.com" in page and "weg@example.com" not in page
    member_page = text(client_as(world.member, "en").get(url))
    assert 'data-testid="colleagues"' not in member_page
    assert "neu@example.com" not in member_page


def test_owner_invites_a_colleague_with_an_account_the_same_way(
    world, django_capture_on_commit_callbacks
):
    """No one is added without accepting, and the page says the same for every address."""
    client = client_as(world.owner, "en")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("frontend:company_colleague_add", args=[world.company.pk]),
            {"email": world.outsider.email.upper(), "role": "member"},
        )
    assert response.status_code == 302
    assert not CompanyMember.objects.filter(company=world.company, user=world.outsider).exists()
    assert CompanyInvitation.objects.get().email == world.outsider.email.lower()
    assert len(mail.outbox) == 1
    page = text(client.get(response["Location"]))
    assert (
        f"We sent an invitation to {world.outsider.email.lower()}. "
        "They join the company when they accept it." in page
    )
    assert world.outsider.name not in page


def test_colleague_invitations_from_the_page_are_rate_limited(world, settings):
    settings.COLLEAGUE_INVITATION_RATE_LIMIT = 1
    client = client_as(world.owner, "en")
    url = reverse("frontend:company_colleague_add", args=[world.company.pk])
    client.post(url, {"email": "eins@example.com", "role": "member"})
    response = client.post(url, {"email": "zwei@example.com", "role": "member"}, follow=True)
    assert "You have sent a lot of invitations in a short time." in text(response)
    assert list(CompanyInvitation.objects.values_list("email", flat=True)) == ["eins@example.com"]


def test_owner_invites_a_colleague_without_an_account(world, django_capture_on_commit_callbacks):
    client = client_as(world.owner, "en")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("frontend:company_colleague_add", args=[world.company.pk]),
            {"email": "neu@example.com", "role": "member"},
        )
    assert response["Location"].endswith("#colleagues")
    invitation = CompanyInvitation.objects.get()
    assert invitation.email == "neu@example.com"
    assert len(mail.outbox) == 1
    page = text(client.get(response["Location"]))
    assert (
        "We sent an invitation to neu@example.com. They join the company when they accept it."
        in page
    )


def test_a_bad_address_is_said_and_nothing_written(world):
    client = client_as(world.owner, "en")
    response = client.post(
        reverse("frontend:company_colleague_add", args=[world.company.pk]),
        {"email": "not an address", "role": "member"},
        follow=True,
    )
    assert "Enter a valid email address." in text(response)
    assert not CompanyInvitation.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 403), ("facilitator", 403), ("outsider", 404), ("other_member", 404)],
)
def test_only_owners_add_colleagues(world, who, status):
    response = client_as(getattr(world, who)).post(
        reverse("frontend:company_colleague_add", args=[world.company.pk]),
        {"email": "neu@example.com", "role": "member"},
    )
    assert response.status_code == status
    assert not CompanyInvitation.objects.exists()


def test_owner_revokes_and_resends(world, django_capture_on_commit_callbacks):
    invitation, _token = company_invitation_create(
        actor=world.owner, company=world.company, email="neu@example.com"
    )
    client = client_as(world.owner, "en")
    args = [world.company.pk, invitation.pk]
    assert client.get(reverse("frontend:company_invitation_resend", args=args)).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("frontend:company_invitation_resend", args=args))
    assert response.status_code == 302 and len(mail.outbox) == 1
    response = client.post(reverse("frontend:company_invitation_revoke", args=args))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    # Withdrawn: no longer among the pending ones.
    assert client.post(reverse("frontend:company_invitation_revoke", args=args)).status_code == 404
    member = client_as(world.member)
    other = CompanyInvitationFactory(company=world.company)
    other_args = [world.company.pk, other.pk]
    assert (
        member.post(reverse("frontend:company_invitation_revoke", args=other_args)).status_code
        == 403
    )


def test_the_colleague_signs_up_prefilled_and_joins(world):
    _invitation, token = company_invitation_create(
        actor=world.owner, company=world.company, email="neu@example.com"
    )
    url = reverse("frontend:company_invitation", kwargs={"token": token})
    client = client_as(None, "en")
    page = text(client.get(url))
    assert f"{reverse('frontend:signup')}?colleague={token}" in page
    assert "Create an account" in page
    signup = text(client.get(reverse("frontend:signup") + f"?colleague={token}"))
    assert 'value="neu@example.com"' in signup
    response = client.post(
        reverse("frontend:signup"),
        {"name": "Nina Neu", "email": "neu@example.com", "password": PASSWORD, "next": url},
    )
    assert response["Location"] == url
    page = text(client.get(url))
    assert "Join Sanitär Schulte" in page
    response = client.post(url)
    assert response["Location"] == reverse("frontend:company", args=[world.company.pk])
    newcomer = User.objects.get(email="neu@example.com")
    assert CompanyMember.objects.get(company=world.company, user=newcomer).role == "member"
    assert client.post(url).status_code == 410  # used


def test_the_colleague_page_for_another_account_and_dead_links(world):
    _invitation, token = company_invitation_create(
        actor=world.owner, company=world.company, email="neu@example.com"
    )
    url = reverse("frontend:company_invitation", kwargs={"token": token})
    response = client_as(world.outsider, "en").get(url)
    assert response.status_code == 403 and "neu@example.com" in text(response)
    assert client_as(world.outsider, "en").post(url).status_code == 403
    assert not CompanyMember.objects.filter(user=world.outsider).exists()
    missing = reverse("frontend:company_invitation", kwargs={"token": "nope"})
    response = client_as(None, "en").get(missing)
    assert response.status_code == 404 and world.company.name not in text(response)


# --- first steps -----------------------------------------------------------------------------


def test_home_guides_someone_without_a_company(world):
    page = text(client_as(world.outsider, "en").get(reverse("frontend:home")))
    assert 'data-testid="first-steps"' in page
    assert reverse("frontend:company_create") in page
    assert 'data-testid="first-steps-dismiss"' not in page


def test_home_guides_an_owner_to_the_first_project_and_can_be_hidden(db):
    owner = CompanyMemberFactory(role="owner")
    client = client_as(owner.user, "en")
    page = text(client.get(reverse("frontend:home")))
    assert 'data-testid="first-step-project" data-done="false"' in page
    assert reverse("frontend:project_create", args=[owner.company_id]) in page
    response = client.post(reverse("frontend:first_steps_dismiss"), {"next": "/"})
    assert response["Location"] == "/"
    assert 'data-testid="first-steps"' not in text(client.get(reverse("frontend:home")))
    assert client.get(reverse("frontend:first_steps_dismiss")).status_code == 405


def test_hiding_the_guide_refuses_an_open_redirect(db):
    owner = CompanyMemberFactory(role="owner")
    response = client_as(owner.user).post(
        reverse("frontend:first_steps_dismiss"), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("frontend:home")


def test_a_facilitator_gets_no_guide_for_a_convoy(db):
    from overview.first_steps import first_steps_for

    convoy = ConvoyFactory()
    facilitator = FacilitatorFactory(convoy=convoy).user
    assert first_steps_for(user=facilitator, convoy=convoy) is None
