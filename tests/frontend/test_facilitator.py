"""The facilitator's tools and the company page: who sees a company's people and projects,
editing a company and a convoy, nudging a company for an update (once a day), removing a
company, withdrawing an invitation after a confirmation, and "My convoys" with each convoy's
health in a constant number of queries."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from companies.models import Company
from convoys.models import Convoy, Invitation, Membership
from notifications.kinds import notification_title
from notifications.models import Notification, NotificationPreference, Nudge
from notifications.services import company_nudge
from overview.convoy_health import convoys_overview
from tests.factories import (
    CheckInFactory,
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    InvitationFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    UpdateFactory,
    UserFactory,
    populate_convoy,
)
from tests.support.domain import domain_state


def client_as(user: User | None, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# --- the company page ------------------------------------------------------------------------


@pytest.fixture
def projects(world):
    shared = ProjectFactory(company=world.company, convoys=[world.convoy], title="Webshop")
    private = ProjectFactory(company=world.company, title="Geheime Buchhaltung")
    return shared, private


def test_company_page_shows_people_contacts_projects_and_convoys_to_members(world, projects):
    page = text(client_as(world.member).get(reverse("frontend:company", args=[world.company.pk])))
    assert world.owner.name in page and world.owner.email in page
    assert "Webshop" in page and "Geheime Buchhaltung" in page
    assert world.convoy.name in page
    assert 'data-testid="facilitator-actions"' not in page
    assert 'data-testid="company-edit-link"' not in page  # members do not manage the company


def test_company_page_for_a_facilitator_shows_contacts_and_only_shared_projects(world, projects):
    # The company is also in a convoy this facilitator does not run: not theirs to know.
    elsewhere = ConvoyFactory(name="Konvoi Lüdenscheid")
    MembershipFactory(convoy=elsewhere, company=world.company)
    ProjectFactory(company=world.company, convoys=[elsewhere], title="Nur in Lüdenscheid")

    response = client_as(world.facilitator).get(
        reverse("frontend:company", args=[world.company.pk])
    )

    page = text(response)
    assert response.status_code == 200
    assert world.owner.email in page and world.member.email in page
    assert "Webshop" in page
    assert "Geheime Buchhaltung" not in page
    assert "Nur in Lüdenscheid" not in page
    assert "Konvoi Lüdenscheid" not in page
    assert 'data-testid="facilitator-actions"' in page
    assert reverse("frontend:company_nudge", args=[world.convoy.pk, world.company.pk]) in page
    assert reverse("frontend:membership_remove", args=[world.convoy.pk, world.company.pk]) in page
    assert 'data-testid="member-form"' not in page


@pytest.mark.parametrize("role", ["outsider", "other_member", "staff"])
def test_company_page_is_404_for_everyone_else(world, role):
    url = reverse("frontend:company", args=[world.company.pk])
    assert client_as(getattr(world, role)).get(url).status_code == 404


def test_company_page_is_404_for_a_convoy_peer_and_a_former_facilitator(world):
    peer = CompanyFactory()
    MembershipFactory(convoy=world.convoy, company=peer)
    peer_owner = UserFactory()
    CompanyMemberFactory(company=peer, user=peer_owner, role="owner")
    url = reverse("frontend:company", args=[world.company.pk])
    assert client_as(peer_owner).get(url).status_code == 404
    # Once the company left the convoy, its facilitator no longer sees its people.
    Membership.objects.filter(company=world.company).update(status="removed")
    assert client_as(world.facilitator).get(url).status_code == 404


def test_owner_edits_the_company(world):
    url = reverse("frontend:company_edit", args=[world.company.pk])
    page = text(client_as(world.owner).get(url))
    assert 'value="Sanitär Schulte"' in page  # the form starts from the company's data

    response = client_as(world.owner).post(
        url,
        {
            "name": "Sanitär Schulte GmbH",
            "sector": "construction",
            "size": "10-49",
            "city": "Hagen",
            "website": "https://schulte.example",
        },
    )

    assert response.status_code == 302
    company = Company.objects.get(pk=world.company.pk)
    assert (company.name, company.sector, company.website) == (
        "Sanitär Schulte GmbH",
        "construction",
        "https://schulte.example",
    )


def test_company_edit_with_bad_input_shows_the_error_and_writes_nothing(world):
    client = client_as(world.owner)
    before = domain_state()
    response = client.post(
        reverse("frontend:company_edit", args=[world.company.pk]),
        {"name": "", "sector": "craft", "size": "huge", "city": "Hagen"},
    )
    assert response.status_code == 200
    assert 'class="errorlist"' in text(response)
    assert domain_state() == before


@pytest.mark.parametrize(
    ("role", "status"),
    [("member", 403), ("facilitator", 404), ("outsider", 404), ("other_member", 404)],
)
def test_only_an_owner_edits_the_company(world, role, status):
    url = reverse("frontend:company_edit", args=[world.company.pk])
    client = client_as(getattr(world, role))
    before = domain_state()
    assert client.get(url).status_code == status
    assert (
        client.post(url, {"name": "X", "sector": "craft", "size": "1", "city": "X"}).status_code
        == status
    )
    assert domain_state() == before


# --- editing a convoy ------------------------------------------------------------------------


def test_facilitator_edits_the_convoy(world):
    url = reverse("frontend:convoy_edit", args=[world.convoy.pk])
    page = text(client_as(world.facilitator).get(url))
    assert 'value="Digitalisierungs-Konvoi Hagen"' in page
    seq = world.convoy.last_event_seq

    response = client_as(world.facilitator).post(
        url,
        {
            "name": "Konvoi Hagen 2027",
            "topic": "ERP",
            "description": "Zweite Runde",
            "status": "closed",
            "timezone": "Europe/Berlin",
            "language": "en",
            "update_cadence_days": 7,
            "max_companies": 12,
        },
    )

    assert response.status_code == 302
    convoy = Convoy.objects.get(pk=world.convoy.pk)
    assert (convoy.name, convoy.status, convoy.language, convoy.update_cadence_days) == (
        "Konvoi Hagen 2027",
        "closed",
        "en",
        7,
    )
    assert convoy.max_companies == 12
    assert convoy.last_event_seq == seq + 1  # convoy.updated, live for everyone


def test_convoy_edit_with_bad_input_writes_nothing(world):
    client = client_as(world.facilitator)
    before = domain_state()
    response = client.post(
        reverse("frontend:convoy_edit", args=[world.convoy.pk]),
        {"name": "X", "status": "paused", "timezone": "Mars/Olympus", "update_cadence_days": 0},
    )
    assert response.status_code == 200
    assert text(response).count('class="errorlist"') >= 3
    assert domain_state() == before


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("owner", 403), ("outsider", 404)])
def test_only_a_facilitator_edits_the_convoy(world, role, status):
    url = reverse("frontend:convoy_edit", args=[world.convoy.pk])
    client = client_as(getattr(world, role))
    before = domain_state()
    assert client.get(url).status_code == status
    assert client.post(url, {"name": "Gekapert", "status": "closed"}).status_code == status
    assert domain_state() == before


# --- nudging ---------------------------------------------------------------------------------


def test_nudge_service_notifies_the_companys_people_once_a_day(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        nudge = company_nudge(
            actor=world.facilitator,
            convoy=world.convoy,
            company=world.company,
            message="  Wie  läuft der Webshop? ",
        )

    assert nudge.message == "Wie läuft der Webshop?"
    rows = Notification.objects.filter(kind="nudge")
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(
        [world.owner.pk, world.member.pk]
    )
    assert {(n.actor_id, n.convoy_id, n.target_type, n.target_id) for n in rows} == {
        (world.facilitator.pk, world.convoy.pk, "convoy", world.convoy.pk)
    }
    # E-mail at once by default, with the facilitator to answer to.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.owner.email, world.member.email])
    assert all(world.facilitator.email in m.reply_to[0] for m in mail.outbox)
    assert "Wie läuft der Webshop?" in mail.outbox[0].body

    # A second nudge the same day, by anyone, is refused and changes nothing.
    other = UserFactory(name="Fritz Zweit")
    FacilitatorFactory(convoy=world.convoy, user=other)
    before = domain_state()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        company_nudge(actor=other, convoy=world.convoy, company=world.company)
    assert "already nudged today by Frieda Facil" in " ".join(refused.value.messages)
    assert domain_state() == before

    # The next day (in the convoy's time zone) it may be sent again.
    company_nudge(
        actor=other,
        convoy=world.convoy,
        company=world.company,
        now=timezone.now() + timedelta(days=1),
    )
    assert Nudge.objects.count() == 2


def test_nudge_respects_each_persons_choice(world, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=world.member, kind="nudge", channel="off")
    NotificationPreference.objects.create(user=world.owner, kind="nudge", channel="in_app")
    with django_capture_on_commit_callbacks(execute=True):
        company_nudge(actor=world.facilitator, convoy=world.convoy, company=world.company)
    assert list(
        Notification.objects.filter(kind="nudge").values_list("recipient_id", flat=True)
    ) == [world.owner.pk]
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["owner", "member", "outsider"])
def test_only_a_facilitator_may_nudge(world, who):
    before = domain_state()
    with pytest.raises(PermissionDenied):
        company_nudge(actor=getattr(world, who), convoy=world.convoy, company=world.company)
    assert domain_state() == before


def test_nudge_refuses_a_company_outside_the_convoy_and_a_closed_convoy(world):
    with pytest.raises(ValidationError):
        company_nudge(actor=world.facilitator, convoy=world.convoy, company=world.other_company)
    Convoy.objects.filter(pk=world.convoy.pk).update(status="closed")
    world.convoy.refresh_from_db()
    with pytest.raises(ValidationError):
        company_nudge(actor=world.facilitator, convoy=world.convoy, company=world.company)
    assert not Nudge.objects.exists()


def test_nudge_message_must_be_short(world):
    with pytest.raises(ValidationError):
        company_nudge(
            actor=world.facilitator, convoy=world.convoy, company=world.company, message="x" * 301
        )
    assert not Nudge.objects.exists()


def test_nudge_title_in_german_and_english(world):
    note = Notification(
        kind="nudge",
        actor=world.facilitator,
        data={"company": "Sanitär Schulte", "convoy": "Konvoi Hagen", "message": "Wie läuft's?"},
    )
    with translation.override("en"):
        assert notification_title(note) == (
            "Frieda Facil asks Sanitär Schulte for a short update in Konvoi Hagen: “Wie läuft's?”"
        )
    plain = Notification(kind="nudge", actor=None, data={"company": "A", "convoy": "B"})
    with translation.override("en"):
        assert notification_title(plain) == "The facilitator asks A for a short update in B."


def test_nudge_page_asks_first_then_sends(world, django_capture_on_commit_callbacks):
    url = reverse("frontend:company_nudge", args=[world.convoy.pk, world.company.pk])
    client = client_as(world.facilitator)
    page = text(client.get(url))
    assert 'data-testid="nudge-form"' in page
    assert world.owner.name in page and world.member.name in page  # who will be told
    assert not Notification.objects.exists()  # looking at the page sends nothing

    company_page = reverse("frontend:company", args=[world.company.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"message": "Bitte kurz berichten", "next": company_page})

    assert response.status_code == 302
    assert response["Location"] == company_page
    assert Notification.objects.filter(kind="nudge").count() == 2
    again = text(client.get(url))
    assert 'data-testid="nudge-earlier"' in again
    assert 'data-testid="nudge-form"' not in again
    refused = client.post(url, {"message": ""})
    assert refused.status_code == 200
    assert "Frieda Facil already asked Sanitär Schulte for an update today" in text(refused)
    assert Nudge.objects.count() == 1


def test_nudge_page_does_not_redirect_elsewhere(world):
    url = reverse("frontend:company_nudge", args=[world.convoy.pk, world.company.pk])
    response = client_as(world.facilitator).post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("frontend:convoy", args=[world.convoy.pk])


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 403), ("member", 403), ("outsider", 404), ("other_member", 404), ("staff", 404)],
)
def test_nudge_page_for_others(world, role, status):
    url = reverse("frontend:company_nudge", args=[world.convoy.pk, world.company.pk])
    client = client_as(getattr(world, role))
    assert client.get(url).status_code == status
    assert client.post(url, {}).status_code == status
    assert not Nudge.objects.exists()


def test_nudge_page_for_a_company_not_in_the_convoy_is_404(world):
    url = reverse("frontend:company_nudge", args=[world.convoy.pk, world.other_company.pk])
    assert client_as(world.facilitator).get(url).status_code == 404


def test_nudge_is_a_kind_people_can_choose_for(world):
    page = text(client_as(world.owner).get(reverse("frontend:notification_preferences")))
    assert "Nudges from the facilitator" in page


# --- removing a company, withdrawing an invitation -------------------------------------------


def test_remove_page_says_what_happens_then_removes(world):
    url = reverse("frontend:membership_remove", args=[world.convoy.pk, world.company.pk])
    client = client_as(world.facilitator)
    page = text(client.get(url))
    assert "loses access" in page and "stays in the convoy’s history" in page
    assert Membership.objects.get(company=world.company).status == "active"

    response = client.post(url)

    assert response.status_code == 302
    membership = Membership.objects.get(company=world.company)
    assert membership.status == "removed"
    assert world.convoy.events.filter(kind="membership.left").exists()
    # At once: the company's people no longer see the convoy.
    assert (
        client_as(world.owner).get(reverse("frontend:convoy", args=[world.convoy.pk])).status_code
        == 404
    )
    # And there is nothing left to remove.
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"), [("owner", 403), ("member", 403), ("outsider", 404), ("other_member", 404)]
)
def test_only_a_facilitator_removes_a_company_here(world, role, status):
    url = reverse("frontend:membership_remove", args=[world.convoy.pk, world.company.pk])
    client = client_as(getattr(world, role))
    before = domain_state()
    assert client.get(url).status_code == status
    assert client.post(url).status_code == status
    assert domain_state() == before


def test_invitations_page_links_to_a_confirmation_before_withdrawing(world):
    invitation = InvitationFactory(convoy=world.convoy, email="neu@example.com")
    client = client_as(world.facilitator)
    revoke = reverse("frontend:convoy_invitation_revoke", args=[world.convoy.pk, invitation.pk])
    page = text(client.get(reverse("frontend:convoy_invitations", args=[world.convoy.pk])))
    assert f'href="{revoke}"' in page

    confirm = text(client.get(revoke))
    assert "neu@example.com" in confirm and 'data-testid="revoke-form"' in confirm
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None  # asking changes nothing

    response = client.post(revoke)
    assert response.status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None


def test_resend_from_the_invitations_page(world, django_capture_on_commit_callbacks):
    invitation = InvitationFactory(convoy=world.convoy, email="neu@example.com")
    old_hash = invitation.token_hash
    url = reverse("frontend:convoy_invitation_resend", args=[world.convoy.pk, invitation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(world.facilitator).post(url)
    assert response.status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).token_hash != old_hash
    assert [m.to for m in mail.outbox] == [["neu@example.com"]]


@pytest.mark.parametrize(("role", "status"), [("owner", 403), ("outsider", 404)])
def test_only_a_facilitator_withdraws_an_invitation(world, role, status):
    invitation = InvitationFactory(convoy=world.convoy)
    url = reverse("frontend:convoy_invitation_revoke", args=[world.convoy.pk, invitation.pk])
    client = client_as(getattr(world, role))
    assert client.get(url).status_code == status
    assert client.post(url).status_code == status
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None


# --- "My convoys" ----------------------------------------------------------------------------


def test_overview_shows_the_health_of_a_facilitated_convoy(world):
    today = timezone.localdate()
    quiet = CompanyFactory(name="Steuerkanzlei Vogt")
    MembershipFactory(convoy=world.convoy, company=quiet)
    Membership.objects.filter(company=quiet).update(joined_at=timezone.now() - timedelta(days=40))
    due = CompanyFactory(name="Dreherei Lindner")
    MembershipFactory(convoy=world.convoy, company=due)
    Membership.objects.filter(company=due).update(joined_at=timezone.now() - timedelta(days=60))
    old = UpdateFactory(convoy=world.convoy, company=due)
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=20))
    UpdateFactory(convoy=world.convoy, company=world.company, help_wanted=True)
    project = ProjectFactory(company=world.company, convoys=[world.convoy])
    MilestoneFactory(project=project, status="blocked")
    MilestoneFactory(project=project, status="planned", due_date=today - timedelta(days=3))
    MilestoneFactory(project=project, status="done", due_date=today - timedelta(days=3))
    MilestoneFactory(project=project, status="planned", due_date=today + timedelta(days=3))
    # Not counted: a project the company keeps to itself, an archived one, and a company
    # that left.
    private = ProjectFactory(company=world.company)
    MilestoneFactory(project=private, status="blocked")
    archived = ProjectFactory(
        company=world.company, convoys=[world.convoy], archived_at=timezone.now()
    )
    MilestoneFactory(project=archived, status="blocked")
    gone = CompanyFactory()
    MembershipFactory(convoy=world.convoy, company=gone, status="removed")
    MilestoneFactory(project=ProjectFactory(company=gone, convoys=[world.convoy]), status="blocked")
    checkin = CheckInFactory(convoy=world.convoy)

    [row] = convoys_overview(user=world.facilitator, now=timezone.now())

    assert row.is_facilitator and row.company_count == 3
    assert (row.update_due, row.quiet, row.help_wanted, row.blocked, row.overdue) == (1, 1, 1, 1, 1)
    assert row.next_checkin_id == checkin.pk
    page = text(client_as(world.facilitator).get(reverse("frontend:convoys")))
    assert "1 update due" in page and "1 company quiet for long" in page
    assert "1 asks for help" in page and "1 milestone blocked" in page
    assert "1 milestone overdue" in page
    assert reverse("frontend:convoy_edit", args=[world.convoy.pk]) in page


def test_overview_for_a_member_lists_convoys_without_health(world):
    UpdateFactory(convoy=world.convoy, company=world.company, help_wanted=True)
    [row] = convoys_overview(user=world.owner, now=timezone.now())
    assert not row.is_facilitator and row.help_wanted == 0
    page = text(client_as(world.owner).get(reverse("frontend:convoys")))
    assert world.convoy.name in page
    assert 'data-testid="convoy-health"' not in page
    assert "asks for help" not in page
    assert reverse("frontend:convoy_edit", args=[world.convoy.pk]) not in page
    assert world.other_convoy.name not in page


def test_overview_for_an_outsider_is_empty_and_anonymous_must_log_in(world):
    assert convoys_overview(user=world.outsider, now=timezone.now()) == []
    response = client_as(None).get(reverse("frontend:convoys"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("frontend:login"))


def test_overview_is_in_german(world):
    page = text(client_as(world.facilitator, "de").get(reverse("frontend:convoys")))
    assert "Meine Konvois" in page


def _facilitated_convoys(user: User, count: int, companies: int) -> None:
    for _ in range(count):
        convoy = ConvoyFactory()
        FacilitatorFactory(convoy=convoy, user=user)
        populate_convoy(convoy, companies=companies)
        CheckInFactory(convoy=convoy)


@pytest.mark.parametrize(("convoys", "companies"), [(1, 2), (4, 6)])
def test_overview_queries_do_not_grow_with_convoys_and_companies(
    db, convoys, companies, django_assert_num_queries
):
    user = UserFactory()
    _facilitated_convoys(user, convoys, companies)
    member_convoy = ConvoyFactory()
    company = CompanyFactory()
    CompanyMemberFactory(company=company, user=user)
    MembershipFactory(convoy=member_convoy, company=company)
    client = client_as(user)
    client.get(reverse("frontend:convoys"))  # warm the session and the user's caches

    # session, user, convoys, memberships with their latest update, milestones, and the
    # page's frame (the notification badge).
    with django_assert_num_queries(6):
        response = client.get(reverse("frontend:convoys"))
    assert response.status_code == 200
    assert text(response).count('data-testid="convoy-row"') == convoys + 1


def test_my_convoys_is_linked_from_the_nav_and_the_home_page(world):
    page = text(client_as(world.facilitator).get(reverse("frontend:home")))
    assert 'data-testid="nav-convoys"' in page
    assert 'data-testid="convoys-overview-link"' in page
    # Without a convoy there is nothing to overview on the home page (the nav keeps the link).
    assert 'data-testid="convoys-overview-link"' not in text(
        client_as(world.outsider).get(reverse("frontend:home"))
    )


def test_dashboard_offers_the_facilitator_nudge_remove_and_settings(world):
    # Quiet for long: the attention strip offers the nudge too.
    Membership.objects.filter(company=world.company).update(
        joined_at=timezone.now() - timedelta(days=40)
    )
    dashboard = reverse("frontend:convoy", args=[world.convoy.pk])
    nudge = reverse("frontend:company_nudge", args=[world.convoy.pk, world.company.pk])
    remove = reverse("frontend:membership_remove", args=[world.convoy.pk, world.company.pk])
    edit = reverse("frontend:convoy_edit", args=[world.convoy.pk])

    page = text(client_as(world.facilitator).get(dashboard))
    assert 'data-testid="company-nudge"' in page and nudge in page
    assert 'data-testid="attention-nudge"' in page
    assert 'data-testid="company-remove"' in page and remove in page
    assert f'href="{edit}"' in page

    member_page = text(client_as(world.owner).get(dashboard))
    for link in (nudge, remove, edit):
        assert link not in member_page

    # Once asked today, the card says so instead of offering it again.
    company_nudge(actor=world.facilitator, convoy=world.convoy, company=world.company)
    page = text(client_as(world.facilitator).get(dashboard))
    assert 'data-testid="company-nudged"' in page
    assert 'data-testid="company-nudge"' not in page
    assert 'data-testid="attention-nudge"' not in page


def test_nudge_over_the_api_once_a_day(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.facilitator)
    url = f"/api/v1/convoys/{world.convoy.pk}/companies/{world.company.pk}/nudge/"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"message": "Wie läuft's?"}, format="json")
    assert first.status_code == 201
    assert first.json()["company"] == world.company.pk
    assert first.json()["message"] == "Wie läuft's?"
    assert Notification.objects.filter(kind="nudge").count() == 2

    again = client.post(url, {}, format="json", HTTP_ACCEPT_LANGUAGE="de")
    assert again.status_code == 400
    assert "heute schon" in str(again.json()) or "already nudged" in str(again.json())
    assert "company" in again.json()
    too_long = client.post(
        f"/api/v1/convoys/{world.convoy.pk}/companies/{world.company.pk}/nudge/",
        {"message": "x" * 301},
        format="json",
    )
    assert too_long.status_code == 400 and "message" in too_long.json()
    assert Nudge.objects.count() == 1


def test_an_id_too_large_for_the_database_is_404(world, client_for):
    huge = 53748103691527581073408
    for name in ("company_nudge", "membership_remove"):
        url = reverse(f"frontend:{name}", args=[world.convoy.pk, huge])
        assert client_as(world.facilitator).get(url).status_code == 404
    api = f"/api/v1/convoys/{world.convoy.pk}/companies/{huge}/nudge/"
    assert client_for(world.facilitator).post(api, {}, format="json").status_code == 404


def test_the_maximum_cannot_drop_below_the_companies_already_in(world):
    MembershipFactory(convoy=world.convoy, company=CompanyFactory())
    client = client_as(world.facilitator)
    before = domain_state()
    response = client.post(
        reverse("frontend:convoy_edit", args=[world.convoy.pk]),
        {
            "name": world.convoy.name,
            "status": "active",
            "timezone": "Europe/Berlin",
            "language": "de",
            "update_cadence_days": 14,
            "max_companies": 1,
        },
    )
    assert response.status_code == 200
    assert "2 companies are already in the convoy" in text(response)
    assert domain_state() == before
