"""The web UI: pages render for the right people in German and English, outsiders get 404,
forms go through the services, and bad input shows an error and writes nothing."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from companies.models import Company, CompanyMember
from convoys.models import Convoy, Event, Invitation, Membership
from convoys.services import invitation_create
from projects.models import Milestone, Project, Update
from projects.services import (
    milestone_create,
    milestone_update,
    project_archive,
    project_create,
)
from tests.factories import CompanyFactory, CompanyMemberFactory, MembershipFactory, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_as(user: User | None, language: str = "de") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def project(world) -> Project:
    project = project_create(
        actor=world.member,
        company=world.company,
        title="Online-Termine",
        category="appointments",
        convoy_ids=[world.convoy.pk],
    )
    for title in ("Tool auswählen", "Live schalten"):
        milestone_create(actor=world.member, project=project, title=title)
    return project


# --- anonymous visitors and accounts ---------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "company_create", "convoy_create"])
def test_pages_need_login(db, name):
    response = client_as(None).get(reverse(f"frontend:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("frontend:login"))


@pytest.mark.parametrize(
    ("language", "word"), [("de", "Anmelden"), ("en", "Log in")], ids=["de", "en"]
)
@pytest.mark.parametrize("name", ["login", "signup", "password_reset"])
def test_public_pages_render_in_both_languages(db, name, language, word):
    response = client_as(None, language).get(reverse(f"frontend:{name}"))
    assert response.status_code == 200
    assert f'<html lang="{language}">' in text(response)
    assert word in text(response)


def test_german_is_the_default_language(db):
    response = Client().get(reverse("frontend:login"))
    assert '<html lang="de">' in text(response)


def test_signup_registers_logs_in_and_returns_to_next(db):
    client = client_as(None, "en")
    response = client.post(
        reverse("frontend:signup"),
        {
            "name": "Anna Schmidt",
            "email": "Anna@Example.com",
            "password": "S3cure-enough!",
            "next": "/convoys/new/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/convoys/new/"
    user = User.objects.get(email="anna@example.com")
    assert user.language == "en"
    assert user.handle == "anna_schmidt"
    assert client.get(reverse("frontend:home")).status_code == 200


def test_signup_refuses_an_open_redirect(db):
    response = client_as(None).post(
        reverse("frontend:signup"),
        {"name": "A", "email": "a@example.com", "password": "S3cure-enough!", "next": "//evil.io"},
    )
    assert response["Location"] == reverse("frontend:home")


def test_signup_with_a_weak_password_shows_the_error_and_creates_nobody(db):
    response = client_as(None, "de").post(
        reverse("frontend:signup"),
        {"name": "Anna", "email": "anna@example.com", "password": "123"},
    )
    assert response.status_code == 200
    assert "Dieses Passwort ist zu kurz" in text(response)
    assert not User.objects.exists()


def test_signup_with_a_taken_address_shows_the_service_error(world):
    response = client_as(None, "en").post(
        reverse("frontend:signup"),
        {"name": "Olaf", "email": world.owner.email.upper(), "password": "S3cure-enough!"},
    )
    assert "An account with this e-mail address exists." in text(response)
    assert User.objects.filter(name="Olaf").count() == 0


def test_login_switches_to_the_users_language(db):
    UserFactory(email="eve@example.com", language="en")
    client = client_as(None, "de")
    response = client.post(
        reverse("frontend:login"), {"username": "eve@example.com", "password": "correct-horse-42"}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in text(client.get(reverse("frontend:home")))


def test_login_with_a_wrong_password_shows_an_error(db):
    UserFactory(email="eve@example.com")
    response = client_as(None, "de").post(
        reverse("frontend:login"), {"username": "eve@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in text(response)


def test_logout(world):
    client = client_as(world.owner)
    assert client.post(reverse("frontend:logout")).status_code == 302
    assert client.get(reverse("frontend:home")).status_code == 302


def test_language_switch_is_saved_on_the_account(world):
    client = client_as(world.owner, "de")
    response = client.post(reverse("frontend:language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    world.owner.refresh_from_db()
    assert world.owner.language == "en"
    assert '<html lang="en">' in text(client.get(reverse("frontend:home")))


def test_a_wrong_password_says_so_in_plain_words(world):
    response = client_as(None, "de").post(
        reverse("frontend:login"), {"username": world.owner.email, "password": "falsch"}
    )
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort stimmen nicht." in text(response)


def test_language_switch_ignores_unknown_languages(world):
    client_as(world.owner).post(reverse("frontend:language"), {"language": "xx", "next": "/"})
    world.owner.refresh_from_db()
    assert world.owner.language == "de"


def test_password_reset_mails_a_link_on_site_url_whatever_the_request_host(world, settings):
    settings.SITE_URL = "https://konvoi.example"
    client = client_as(None, "de")
    response = client.post(
        reverse("frontend:password_reset"), {"email": world.owner.email}, HTTP_HOST="localhost"
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Passwort für Konvoi zurücksetzen"
    link = re.search(r"https://konvoi\.example(/password-reset/\S+/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    assert "Neues Passwort wählen" in text(response)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "An0ther-secret!", "new_password2": "An0ther-secret!"}
    )
    assert response["Location"] == reverse("frontend:password_reset_complete")
    world.owner.refresh_from_db()
    assert world.owner.check_password("An0ther-secret!")


@pytest.mark.parametrize(
    ("language", "subject"),
    [("de", "Passwort für Konvoi zurücksetzen"), ("en", "Reset your Konvoi password")],
)
def test_password_reset_mail_is_plain_text_in_the_persons_language(db, language, subject):
    person = UserFactory(email="o'brien&co@example.com", language=language)
    client_as(None, "de" if language == "en" else "en").post(
        reverse("frontend:password_reset"), {"email": person.email}
    )
    (message,) = mail.outbox
    assert message.subject == subject
    assert "o'brien&co@example.com" in message.body
    assert not re.search(r"&(amp|#x27|#39|lt|gt|quot);", message.subject + message.body)
    html = message.alternatives[0][0]
    assert "o&#x27;brien&amp;co@example.com" in html
    assert f'<html lang="{language}">' in html
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.extra_headers["X-Auto-Response-Suppress"] == "All"


# --- home and companies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "word"), [("de", "Meine Unternehmen"), ("en", "My companies")]
)
def test_home_lists_my_companies_and_convoys(world, language, word):
    response = client_as(world.owner, language).get(reverse("frontend:home"))
    assert response.status_code == 200
    body = text(response)
    assert word in body
    assert world.company.name in body
    assert world.convoy.name in body
    assert world.other_convoy.name not in body


def test_company_create(world):
    client = client_as(world.outsider)
    response = client.post(
        reverse("frontend:company_create"),
        {"name": "Bäckerei Brandt", "sector": "craft", "size": "10-49", "city": "Hagen"},
    )
    company = Company.objects.get(name="Bäckerei Brandt")
    assert response["Location"] == reverse("frontend:company", args=[company.pk])
    assert CompanyMember.objects.get(company=company).user == world.outsider
    assert client.get(response["Location"]).status_code == 200


def test_company_create_returns_to_next(world):
    response = client_as(world.outsider).post(
        reverse("frontend:company_create") + "?next=/invitations/abc/",
        {"name": "Brandt", "sector": "craft", "size": "10-49", "city": "Hagen"},
    )
    assert response["Location"] == "/invitations/abc/"


def test_company_create_with_bad_input_writes_nothing(world):
    response = client_as(world.outsider, "de").post(
        reverse("frontend:company_create"), {"name": "Brandt", "sector": "craft", "size": "huge"}
    )
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in text(response)
    assert not Company.objects.filter(name="Brandt").exists()


def test_company_page_for_members_peers_and_outsiders(world):
    url = reverse("frontend:company", args=[world.company.pk])
    owner_page = text(client_as(world.owner, "de").get(url))
    assert "Kollegin oder Kollegen hinzufügen" in owner_page
    assert world.member.email in owner_page
    member_page = text(client_as(world.member).get(url))
    assert 'data-testid="member-form"' not in member_page
    assert client_as(world.outsider).get(url).status_code == 404
    assert client_as(world.other_member).get(url).status_code == 404


# Inviting colleagues (every address alike): tests/companies/test_frontend.py


def test_project_create_shares_with_the_chosen_convoy(world):
    client = client_as(world.member)
    url = reverse("frontend:project_create", args=[world.company.pk])
    assert world.convoy.name in text(client.get(url))
    response = client.post(
        url,
        {
            "title": "Webshop",
            "category": "ecommerce",
            "status": "planned",
            # One convoy: no list, one "share with my convoy" box.
            "share": "on",
        },
    )
    project = Project.objects.get(title="Webshop")
    assert response["Location"] == reverse("frontend:project", args=[project.pk])
    assert list(project.convoys.all()) == [world.convoy]
    assert Event.objects.filter(convoy=world.convoy, kind="project.created").count() == 1


def test_project_create_refuses_foreign_convoys(world):
    MembershipFactory(company=world.company)  # two convoys: a list of checkboxes
    response = client_as(world.member).post(
        reverse("frontend:project_create", args=[world.company.pk]),
        {
            "title": "Webshop",
            "category": "ecommerce",
            "status": "planned",
            "convoys": [world.other_convoy.pk],
        },
    )
    assert response.status_code == 200
    assert not Project.objects.exists()


# --- convoys and invitations -----------------------------------------------------------------


def test_convoy_create_makes_the_creator_facilitator(world):
    response = client_as(world.outsider).post(
        reverse("frontend:convoy_create"),
        {
            "name": "Konvoi Lüdenscheid",
            "timezone": "Europe/Berlin",
            "language": "de",
            "update_cadence_days": 14,
        },
    )
    convoy = Convoy.objects.get(name="Konvoi Lüdenscheid")
    assert response["Location"] == reverse("frontend:convoy_invitations", args=[convoy.pk])
    assert list(convoy.facilitators.all()) == [world.outsider]


def test_convoy_create_with_bad_cadence_writes_nothing(world):
    response = client_as(world.outsider, "en").post(
        reverse("frontend:convoy_create"),
        {"name": "K", "timezone": "Europe/Berlin", "language": "de", "update_cadence_days": 0},
    )
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in text(response)
    assert not Convoy.objects.filter(name="K").exists()


@pytest.mark.parametrize(
    ("language", "word"), [("de", "Einladung senden"), ("en", "Send invitation")]
)
def test_invitations_page_for_the_facilitator(world, language, word):
    invitation_create(actor=world.facilitator, convoy=world.convoy, email="x@example.com")
    response = client_as(world.facilitator, language).get(
        reverse("frontend:convoy_invitations", args=[world.convoy.pk])
    )
    assert response.status_code == 200
    assert word in text(response)
    assert "x@example.com" in text(response)


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 403), ("outsider", 404), ("other_member", 404)]
)
def test_invitations_page_for_others(world, who, status):
    url = reverse("frontend:convoy_invitations", args=[world.convoy.pk])
    assert client_as(getattr(world, who)).get(url).status_code == status
    response = client_as(getattr(world, who)).post(url, {"email": "x@example.com"})
    assert response.status_code == status
    assert not Invitation.objects.exists()


def test_facilitator_invites_by_email(world, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "http://testserver"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(world.facilitator).post(
            reverse("frontend:convoy_invitations", args=[world.convoy.pk]),
            {"email": "Neu@Example.com"},
        )
    assert response.status_code == 302
    assert Invitation.objects.get().email == "neu@example.com"
    assert len(mail.outbox) == 1
    assert "http://testserver/invitations/" in mail.outbox[0].body


def test_invite_with_a_bad_address_writes_nothing(world):
    response = client_as(world.facilitator, "de").post(
        reverse("frontend:convoy_invitations", args=[world.convoy.pk]), {"email": "kaputt"}
    )
    assert response.status_code == 200
    assert "Bitte geben Sie eine gültige E-Mail-Adresse ein." in text(response)
    assert not Invitation.objects.exists() and not mail.outbox


def _invite(world, user=None) -> str:
    """A token of an invitation to the user's address (an invitation is accepted by it)."""
    email = user.email if user is not None else "neu@example.com"
    _invitation, token = invitation_create(
        actor=world.facilitator, convoy=world.convoy, email=email
    )
    return token


@pytest.fixture
def invitation_token(world) -> str:
    return _invite(world)


# The invitation page's sign-up, inline company and one-company sentence:
# tests/companies/test_frontend.py


def test_owner_accepts_an_invitation_for_a_company(world):
    company = CompanyFactory(name="Bäckerei Brandt")
    CompanyMemberFactory(company=company, user=world.outsider, role="owner")
    url = reverse("frontend:invitation", kwargs={"token": _invite(world, world.outsider)})
    client = client_as(world.outsider)
    assert "Bäckerei Brandt" in text(client.get(url))
    response = client.post(url, {"company": company.pk})
    assert response["Location"] == reverse("frontend:convoy", args=[world.convoy.pk])
    assert Membership.objects.filter(convoy=world.convoy, company=company, status="active").exists()
    assert client.get(response["Location"]).status_code == 200


def test_accepting_for_a_company_already_in_the_convoy_shows_the_error(world):
    url = reverse("frontend:invitation", kwargs={"token": _invite(world, world.owner)})
    response = client_as(world.owner, "en").post(url, {"company": world.company.pk})
    assert response.status_code == 200
    assert "This company is already in the convoy." in text(response)
    assert Invitation.objects.get().accepted_at is None


def test_accepting_for_a_company_one_does_not_own_is_refused(world):
    url = reverse("frontend:invitation", kwargs={"token": _invite(world, world.member)})
    response = client_as(world.member).post(url, {"company": world.company.pk})
    assert response.status_code == 200
    assert Invitation.objects.get().accepted_at is None


def test_unknown_and_used_invitation_links(world, invitation_token):
    response = client_as(world.owner, "de").get(
        reverse("frontend:invitation", kwargs={"token": "nope"})
    )
    assert response.status_code == 404
    assert "Dieser Einladungslink ist nicht gültig." in text(response)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    url = reverse("frontend:invitation", kwargs={"token": invitation_token})
    response = client_as(world.owner, "en").get(url)
    assert response.status_code == 410
    assert "This invitation has expired." in text(response)
    # A dead link shows nothing of the private convoy any more.
    assert world.convoy.name not in text(response)
    assert world.facilitator.name not in text(response)


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_invitation_for_another_address_says_so_and_offers_to_log_out(
    world, invitation_token, method
):
    company = CompanyFactory(name="Bäckerei Brandt")
    CompanyMemberFactory(company=company, user=world.outsider, role="owner")
    url = reverse("frontend:invitation", kwargs={"token": invitation_token})
    client = client_as(world.outsider, "en")
    response = getattr(client, method)(url, {"company": company.pk} if method == "post" else None)
    assert response.status_code == 403
    body = text(response)
    assert (
        f"This invitation is for neu@example.com, but you are logged in as "
        f"{world.outsider.email}." in body
    )
    assert 'data-testid="invitation-logout"' in body and f'value="{url}"' in body
    assert 'data-testid="invitation-accept-form"' not in body
    assert not Membership.objects.filter(company=company).exists()
    # Logging out comes back to the invitation, now asking to log in with that address.
    response = client.post(reverse("frontend:logout"), {"next": url})
    assert response["Location"] == url
    assert "This invitation is for neu@example.com." in text(client.get(url))


def test_the_facilitator_revokes_and_resends_from_the_invitations_page(world):
    accepted, token = invitation_create(
        actor=world.facilitator, convoy=world.convoy, email=world.other_member.email
    )
    Invitation.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now())
    invitation, token = invitation_create(
        actor=world.facilitator, convoy=world.convoy, email="neu@example.com"
    )
    client = client_as(world.facilitator, "en")
    page = text(client.get(reverse("frontend:convoy_invitations", args=[world.convoy.pk])))
    # Buttons for the open invitation only: resend is a CSRF-protected POST; withdrawing
    # asks first on a page of its own (tests/frontend/test_facilitator.py).
    assert page.count('data-testid="invitation-revoke"') == 1
    assert page.count('data-testid="invitation-resend"') == 1
    assert page.count("csrfmiddlewaretoken") >= 2

    resend = reverse("frontend:convoy_invitation_resend", args=[world.convoy.pk, invitation.pk])
    response = client.post(resend)
    assert response["Location"] == reverse("frontend:convoy_invitations", args=[world.convoy.pk])
    assert Invitation.objects.get(pk=invitation.pk).token_hash != invitation.token_hash
    old_link = reverse("frontend:invitation", kwargs={"token": token})
    assert client_as(None).get(old_link).status_code == 404

    revoke = reverse("frontend:convoy_invitation_revoke", args=[world.convoy.pk, invitation.pk])
    response = client.post(revoke, follow=True)
    assert "The invitation to neu@example.com was withdrawn" in text(response)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    # Revoked: no more buttons for it.
    assert 'data-testid="invitation-revoke"' not in text(response)


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("owner", 403), ("outsider", 404)])
@pytest.mark.parametrize("action", ["revoke", "resend"])
def test_only_the_facilitator_revokes_or_resends(world, who, status, action):
    invitation, _token = invitation_create(
        actor=world.facilitator, convoy=world.convoy, email="neu@example.com"
    )
    before = Invitation.objects.values().get(pk=invitation.pk)
    url = reverse(f"frontend:convoy_invitation_{action}", args=[world.convoy.pk, invitation.pk])
    assert client_as(getattr(world, who)).post(url).status_code == status
    # Resending has no page of its own; withdrawing asks first (a GET changes nothing).
    facilitator_get = client_as(world.facilitator).get(url).status_code
    assert facilitator_get == (200 if action == "revoke" else 405)
    assert Invitation.objects.values().get(pk=invitation.pk) == before


# --- the dashboard ---------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "word"), [("de", "Meilensteine"), ("en", "Milestones")])
@pytest.mark.parametrize("who", ["facilitator", "owner", "member"])
def test_dashboard_renders_for_members_and_facilitators(world, project, who, language, word):
    milestone_update(actor=world.member, milestone=project.milestones.first(), status="done")
    response = client_as(getattr(world, who), language).get(
        reverse("frontend:convoy", args=[world.convoy.pk])
    )
    assert response.status_code == 200
    body = text(response)
    assert word in body
    assert f'id="project-{project.pk}-progress"' in body
    assert '<progress max="100" value="50"' in body
    assert "50 %" in body
    last_seq = Convoy.objects.get(pk=world.convoy.pk).last_event_seq
    assert f'data-last-seq="{last_seq}"' in body
    assert 'id="milestones-data"' in body  # the chart's data, with its table fallback
    assert 'data-testid="milestones-table"' in body


def test_dashboard_feed_speaks_german(world, project):
    milestone_update(actor=world.member, milestone=project.milestones.first(), status="done")
    body = text(
        client_as(world.owner, "de").get(reverse("frontend:convoy", args=[world.convoy.pk]))
    )
    assert (
        "Sanitär Schulte hat den Meilenstein „Tool auswählen“ in „Online-Termine“ erledigt." in body
    )
    assert "gerade eben" in body


@pytest.mark.parametrize("who", ["outsider", "other_member", "staff"])
def test_dashboard_is_404_for_outsiders(world, who):
    url = reverse("frontend:convoy", args=[world.convoy.pk])
    assert client_as(getattr(world, who)).get(url).status_code == 404


def test_update_form_offers_no_milestones_of_archived_projects(world, project):
    url = reverse("frontend:update_create", args=[world.convoy.pk])
    client = client_as(world.member, "de")
    assert "Tool auswählen" in text(client.get(url))
    project_archive(actor=world.member, project=project)
    assert "Tool auswählen" not in text(client.get(url))


def test_dashboard_shows_help_wanted_and_quiet(world, project):
    client = client_as(world.member, "de")
    client.post(
        reverse("frontend:update_create", args=[world.convoy.pk]),
        {"company": world.company.pk, "body": "Tool steht", "help_wanted": "on"},
    )
    body = text(client.get(reverse("frontend:convoy", args=[world.convoy.pk])))
    assert 'data-testid="help-wanted"' in body
    assert 'data-testid="quiet"' not in body
    Membership.objects.update(joined_at=timezone.now() - timedelta(days=30))
    Update.objects.update(created_at=timezone.now() - timedelta(days=30))
    Convoy.objects.filter(pk=world.convoy.pk).update(last_event_seq=999)  # new cache key
    body = text(client.get(reverse("frontend:convoy", args=[world.convoy.pk])))
    assert 'data-testid="quiet"' in body
    assert "vor 30 Tagen" not in body and "vor 4 Wochen" in body


def _dashboard_queries(client: Client, convoy: Convoy) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("frontend:convoy", args=[convoy.pk])).status_code == 200
    return len(queries)


def _add_company_with_project(convoy: Convoy) -> None:
    company = CompanyFactory()
    MembershipFactory(convoy=convoy, company=company)
    user = UserFactory()
    CompanyMemberFactory(company=company, user=user, role="owner")
    project = project_create(
        actor=user, company=company, title="P", category="website", convoy_ids=[convoy.pk]
    )
    for title in ("A", "B"):
        milestone = milestone_create(actor=user, project=project, title=title)
    milestone_update(actor=user, milestone=milestone, status="done")


def test_dashboard_queries_do_not_grow_with_the_convoy(world, project):
    client = client_as(world.facilitator)
    _add_company_with_project(world.convoy)
    client.get("/")  # warm: the header's programmes entry is cached per person
    small = _dashboard_queries(client, world.convoy)
    for _ in range(4):
        _add_company_with_project(world.convoy)
    assert _dashboard_queries(client, world.convoy) == small


# --- projects, milestones, updates -----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "word"), [("de", "Meilenstein hinzufügen"), ("en", "Add milestone")]
)
def test_project_page_for_the_company(world, project, language, word):
    response = client_as(world.member, language).get(reverse("frontend:project", args=[project.pk]))
    assert response.status_code == 200
    assert word in text(response)
    assert "Tool auswählen" in text(response)


def test_project_page_is_read_only_for_the_facilitator(world, project):
    body = text(client_as(world.facilitator).get(reverse("frontend:project", args=[project.pk])))
    assert "Tool auswählen" in body
    assert 'data-testid="milestone-form"' not in body


@pytest.mark.parametrize("who", ["outsider", "other_member"])
def test_project_page_is_404_for_outsiders(world, project, who):
    url = reverse("frontend:project", args=[project.pk])
    assert client_as(getattr(world, who)).get(url).status_code == 404


def test_completing_a_milestone_with_htmx_updates_the_block(world, project):
    milestone = project.milestones.order_by("id").first()
    response = client_as(world.member, "de").post(
        reverse("frontend:milestone_status", args=[milestone.pk]), {"status": "done"}, **HTMX
    )
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body  # a fragment for htmx to swap in
    assert f'id="project-{project.pk}-milestones"' in body
    assert "50 %" in body and "1 von 2 Meilensteinen erledigt" in body
    milestone.refresh_from_db()
    assert milestone.status == "done" and milestone.completed_at is not None
    event = Event.objects.filter(convoy=world.convoy).latest("seq")
    assert event.kind == "milestone.completed"
    assert event.data["milestone"]["id"] == milestone.pk


def test_completing_a_milestone_without_js_redirects(world, project):
    milestone = project.milestones.first()
    response = client_as(world.member).post(
        reverse("frontend:milestone_status", args=[milestone.pk]), {"status": "done"}
    )
    assert response["Location"] == reverse("frontend:project", args=[project.pk])


def test_a_bad_status_changes_nothing(world, project):
    milestone = project.milestones.first()
    events = Event.objects.count()
    response = client_as(world.member).post(
        reverse("frontend:milestone_status", args=[milestone.pk]), {"status": "finished"}, **HTMX
    )
    assert response.status_code == 200
    assert 'role="alert"' in text(response)
    milestone.refresh_from_db()
    assert milestone.status == "planned"
    assert Event.objects.count() == events


def test_the_facilitator_may_not_complete_a_milestone(world, project):
    milestone = project.milestones.first()
    response = client_as(world.facilitator).post(
        reverse("frontend:milestone_status", args=[milestone.pk]), {"status": "done"}, **HTMX
    )
    assert response.status_code == 403
    milestone.refresh_from_db()
    assert milestone.status == "planned"


def test_outsiders_get_404_for_milestones(world, project):
    milestone = project.milestones.first()
    for url in (
        reverse("frontend:milestone_status", args=[milestone.pk]),
        reverse("frontend:milestone_create", args=[project.pk]),
    ):
        response = client_as(world.other_member).post(url, {"status": "done", "title": "x"})
        assert response.status_code == 404
    assert Milestone.objects.count() == 2


def test_adding_a_milestone_with_htmx(world, project):
    response = client_as(world.member).post(
        reverse("frontend:milestone_create", args=[project.pk]),
        {"title": "Team schulen", "due_date": "2030-01-31"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Team schulen" in text(response)
    assert project.milestones.filter(title="Team schulen", weight=1).exists()


def test_adding_a_milestone_without_title_shows_the_error(world, project):
    response = client_as(world.member, "de").post(
        reverse("frontend:milestone_create", args=[project.pk]), {"title": ""}, **HTMX
    )
    assert "Dieses Feld ist zwingend erforderlich." in text(response)
    assert project.milestones.count() == 2


@pytest.mark.parametrize(
    ("language", "word"), [("de", "Was hat sich bewegt?"), ("en", "What moved?")]
)
def test_update_form_renders(world, project, language, word):
    response = client_as(world.member, language).get(
        reverse("frontend:update_create", args=[world.convoy.pk])
    )
    assert response.status_code == 200
    assert word in text(response)
    assert "Online-Termine: Live schalten" in text(response)


def test_posting_an_update(world, project):
    milestone = project.milestones.first()
    response = client_as(world.member).post(
        reverse("frontend:update_create", args=[world.convoy.pk]),
        {
            "company": world.company.pk,
            "body": "Tool steht",
            "next_steps": "Live gehen",
            "stuck_on": "Schnittstelle",
            "help_wanted": "on",
            "milestones": [milestone.pk],
        },
    )
    assert response["Location"] == reverse("frontend:convoy", args=[world.convoy.pk])
    update = Update.objects.get()
    assert update.help_wanted and update.stuck_on == "Schnittstelle"
    assert list(update.milestones.all()) == [milestone]
    assert Event.objects.filter(convoy=world.convoy).latest("seq").kind == "update.posted"


def test_posting_an_empty_update_writes_nothing(world, project):
    response = client_as(world.member, "de").post(
        reverse("frontend:update_create", args=[world.convoy.pk]),
        {"company": world.company.pk, "body": "   "},
    )
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in text(response)
    assert not Update.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("facilitator", 403), ("outsider", 404)])
def test_update_form_for_people_without_a_company_in_the_convoy(world, who, status):
    url = reverse("frontend:update_create", args=[world.convoy.pk])
    assert client_as(getattr(world, who)).get(url).status_code == status


def test_a_peer_may_not_add_projects_to_another_company(world):
    peer_company = CompanyFactory()
    MembershipFactory(convoy=world.convoy, company=peer_company)
    url = reverse("frontend:project_create", args=[peer_company.pk])
    assert client_as(world.owner).get(url).status_code == 403
    response = client_as(world.owner).post(
        url, {"title": "X", "category": "cloud", "status": "idea"}
    )
    assert response.status_code == 403
    assert not Project.objects.exists()


def test_update_form_names_the_one_company_instead_of_a_one_option_select(world, project):
    url = reverse("frontend:update_create", args=[world.convoy.pk])
    body = client_as(world.member, "de").get(url).content.decode()
    assert '<select name="company"' not in body
    assert f'type="hidden" name="company" value="{world.company.pk}"' in body
    assert f"Für {world.company.name}" in body
