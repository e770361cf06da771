"""The programme pages: mine and a new one, a programme's home, its staff, its settings, the
staff invitation, the public page; German and English; query counts at two sizes."""

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from programmes.models import Programme, Staff, StaffInvitation
from tests.factories import ProgrammeFactory, StaffFactory, UserFactory
from tests.support.domain import domain_state


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def client_as(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        user.language = language
        user.save(update_fields=["language"])
        client.force_login(user)
    return client


def test_the_list_shows_mine_and_creates_a_programme(programme_world):
    pw = programme_world
    client = client_as(pw.coach)
    page = client.get("/programmes/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kompetenzzentrum Hagen" in html and "EDIH Rheinland" not in html
    assert 'data-testid="nav-programmes"' in html
    response = client.post(
        "/programmes/", {"name": "Digitalagentur Märkischer Kreis", "region": "NRW"}
    )
    programme = Programme.objects.get(name="Digitalagentur Märkischer Kreis")
    assert response.status_code == 302
    assert response["Location"] == f"/programmes/{programme.pk}/"
    assert programme.slug == "digitalagentur-maerkischer-kreis"
    assert Staff.objects.get(programme=programme).user == pw.coach


def test_the_create_form_shows_errors(world):
    client = client_as(world.outsider)
    before = domain_state()
    response = client.post("/programmes/", {"name": "", "region": ""})
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert domain_state() == before
    page = client.get("/programmes/")
    assert 'data-testid="nav-programmes"' not in page.content.decode()
    assert 'data-testid="no-programmes"' in page.content.decode()


def test_anonymous_goes_to_login(db):
    response = Client().get("/programmes/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_home_for_staff_404_for_others_and_cards_by_role(programme_world):
    pw = programme_world
    url = f"/programmes/{pw.programme.pk}/"
    coach_page = client_as(pw.coach).get(url)
    assert coach_page.status_code == 200
    html = coach_page.content.decode()
    assert "Your role: Coach" in html
    assert 'data-testid="programme-settings-link"' not in html
    assert f'href="/programmes/{pw.programme.pk}/convoys/"' in html
    assert f'href="/programmes/{pw.programme.pk}/companies/"' in html
    assert f'href="/programmes/{pw.programme.pk}/report/"' not in html
    manager_page = client_as(pw.manager).get(url).content.decode()
    assert 'data-testid="programme-settings-link"' in manager_page
    assert f'href="/programmes/{pw.programme.pk}/report/"' in manager_page
    assert f'href="/p/{pw.programme.slug}/"' in manager_page
    for user in (pw.outsider, pw.other_coach, pw.member):
        assert client_as(user).get(url).status_code == 404


def test_staff_page_lists_colleagues_and_managers_see_invitations(programme_world):
    pw = programme_world
    url = f"/programmes/{pw.programme.pk}/staff/"
    coach_html = client_as(pw.coach).get(url).content.decode()
    assert "Maren Manager" in coach_html and pw.manager.email in coach_html
    assert "neuer-coach@example.com" not in coach_html
    assert 'data-testid="staff-add-form"' not in coach_html
    assert 'data-testid="staff-leave-link"' in coach_html
    manager_html = client_as(pw.manager).get(url).content.decode()
    assert "neuer-coach@example.com" in manager_html
    assert 'data-testid="staff-add-form"' in manager_html
    assert client_as(pw.outsider).get(url).status_code == 404


def test_a_manager_adds_by_e_mail_and_a_coach_may_not(
    programme_world, django_capture_on_commit_callbacks
):
    pw = programme_world
    url = f"/programmes/{pw.programme.pk}/staff/"
    coach, other, client = client_as(pw.coach), client_as(pw.other_coach), client_as(pw.manager)
    before = domain_state()
    assert coach.post(url, {"email": "a@example.com", "role": "coach"}).status_code == 403
    assert other.post(url, {"email": "a@example.com", "role": "coach"}).status_code == 404
    assert domain_state() == before
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "a@example.com", "role": "coach"})
    assert response.status_code == 302
    assert StaffInvitation.objects.filter(programme=pw.programme, email="a@example.com").exists()
    assert len(mail.outbox) == 1
    again = client.post(url, {"email": pw.coach.email, "role": "coach"})
    assert again.status_code == 400
    assert "already on the programme" in again.content.decode()


def test_role_change_removal_and_revoke_on_the_page(programme_world):
    pw = programme_world
    coach = Staff.objects.get(programme=pw.programme, user=pw.coach)
    me = Staff.objects.get(programme=pw.programme, user=pw.manager)
    base = f"/programmes/{pw.programme.pk}"
    coach_client, client = client_as(pw.coach), client_as(pw.manager)
    coach_client.get(f"{base}/staff/")
    client.get(f"{base}/staff/")
    before = domain_state()
    assert coach_client.post(f"{base}/staff/{me.pk}/role/", {"role": "coach"}).status_code == 403
    assert coach_client.post(f"{base}/staff/{me.pk}/remove/").status_code == 403
    assert coach_client.get(f"{base}/staff/{me.pk}/remove/").status_code == 403
    revoke = f"{base}/staff-invitations/{pw.staff_invitation.pk}/revoke/"
    assert coach_client.post(revoke).status_code == 403
    # The last manager: refused with a message, nothing changed.
    response = client.post(f"{base}/staff/{me.pk}/role/", {"role": "coach"}, follow=True)
    assert "at least one manager" in response.content.decode()
    assert domain_state() == before
    assert client.post(f"{base}/staff/{coach.pk}/role/", {"role": "manager"}).status_code == 302
    coach.refresh_from_db()
    assert coach.role == "manager"
    assert (
        client.post(f"{base}/staff-invitations/{pw.staff_invitation.pk}/revoke/").status_code == 302
    )
    pw.staff_invitation.refresh_from_db()
    assert pw.staff_invitation.revoked_at is not None
    # Removing asks first (GET: a confirm page, nothing changes), POST does it.
    confirm = client.get(f"{base}/staff/{coach.pk}/remove/")
    assert confirm.status_code == 200 and "Remove Conrad Coach" in confirm.content.decode()
    assert Staff.objects.filter(pk=coach.pk).exists()
    assert client.post(f"{base}/staff/{coach.pk}/remove/").status_code == 302
    assert not Staff.objects.filter(pk=coach.pk).exists()


def test_a_coach_leaves_on_the_page_after_confirming(programme_world):
    pw = programme_world
    coach = Staff.objects.get(programme=pw.programme, user=pw.coach)
    client = client_as(pw.coach)
    client.get("/programmes/")
    before = domain_state()
    confirm = client.get(f"/programmes/{pw.programme.pk}/staff/{coach.pk}/remove/")
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert 'data-testid="staff-remove-confirm"' in html and "Leave “Kompetenzzentrum" in html
    assert domain_state() == before  # asking changes nothing
    response = client.post(f"/programmes/{pw.programme.pk}/staff/{coach.pk}/remove/")
    assert response.status_code == 302 and response["Location"] == "/programmes/"
    page = client.get("/programmes/").content.decode()
    assert 'data-testid="nav-programmes"' not in page


def test_settings_for_managers(programme_world):
    pw = programme_world
    url = f"/programmes/{pw.programme.pk}/settings/"
    assert client_as(pw.coach).get(url).status_code == 403
    assert client_as(pw.outsider).get(url).status_code == 404
    client = client_as(pw.manager)
    page = client.get(url)
    assert page.status_code == 200 and 'value="kompetenzzentrum-hagen"' in page.content.decode()
    data = {
        "name": "Kompetenzzentrum Hagen",
        "slug": "kz-hagen",
        "region": "Südwestfalen",
        "description": "Wir begleiten Betriebe.",
        "contact_email": "info@kz-hagen.de",
        "contact_phone": "02331 12345",
        "website": "https://kz-hagen.de",
        "imprint_url": "https://kz-hagen.de/impressum",
        "privacy_contact": "datenschutz@kz-hagen.de",
        "check_t1_months": "6",
        "check_t2_months": "12",
    }
    assert client.post(url, data).status_code == 302
    pw.programme.refresh_from_db()
    assert pw.programme.slug == "kz-hagen" and pw.programme.contact_phone == "02331 12345"
    before = domain_state()
    taken = client.post(url, {**data, "slug": "edih-rheinland"})
    assert taken.status_code == 400 and "already uses this address" in taken.content.decode()
    assert domain_state() == before


def test_the_invitation_page(programme_world):
    pw = programme_world
    url = f"/programme-invitations/{pw.staff_invitation_token}/"
    anonymous = Client().get(url)
    assert anonymous.status_code == 200
    html = anonymous.content.decode()
    assert f"/signup/?staff={pw.staff_invitation_token}" in html
    assert "neuer-coach@example.com" in html
    # Signing up comes back here with the address prefilled.
    signup = Client().get(f"/signup/?staff={pw.staff_invitation_token}")
    assert 'value="neuer-coach@example.com"' in signup.content.decode()
    assert client_as(pw.outsider).get(url).status_code == 403
    assert Client().get("/programme-invitations/nope/").status_code == 404
    person = UserFactory(email="neuer-coach@example.com")
    client = client_as(person)
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"/programmes/{pw.programme.pk}/"
    assert Staff.objects.get(programme=pw.programme, user=person).role == "coach"
    assert client.get(url).status_code == 410


def test_the_public_page(programme_world):
    pw = programme_world
    Programme.objects.filter(pk=pw.programme.pk).update(
        description="Wir begleiten Betriebe.", contact_email="info@kz-hagen.de"
    )
    page = Client().get(f"/p/{pw.programme.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kompetenzzentrum Hagen" in html and "info@kz-hagen.de" in html
    assert 'href="/imprint/"' in html
    Programme.objects.filter(pk=pw.programme.pk).update(imprint_url="https://kz-hagen.de/impressum")
    assert (
        "https://kz-hagen.de/impressum" in Client().get(f"/p/{pw.programme.slug}/").content.decode()
    )
    assert Client().get("/p/gibt-es-nicht/").status_code == 404


def test_pages_in_german(programme_world):
    pw = programme_world
    client = client_as(pw.manager, language="de")
    html = client.get(f"/programmes/{pw.programme.pk}/staff/").content.decode()
    assert "Offene Einladungen" in html
    html = client.get("/programmes/").content.decode()
    assert "Programm anlegen" in html


@pytest.mark.parametrize("size", [1, 5])
def test_list_page_queries_do_not_grow(db, django_assert_num_queries, size):
    user = UserFactory()
    for _ in range(size):
        StaffFactory(user=user, role="coach")
    client = client_as(user)
    client.get("/programmes/")  # warm the session
    # session, user, programmes, the page's frame (the notification badge)
    with django_assert_num_queries(4):
        response = client.get("/programmes/")
    assert response.content.decode().count("/programmes/") >= size


@pytest.mark.parametrize("size", [1, 6])
def test_staff_page_queries_do_not_grow(programme_world, django_assert_num_queries, size):
    pw = programme_world
    for _ in range(size):
        StaffFactory(programme=pw.programme)
        StaffInvitation.objects.create(
            programme=pw.programme,
            email=f"x{_}{size}@example.com",
            role="coach",
            token_hash=f"{size}-{_}".ljust(64, "0"),
            expires_at=pw.staff_invitation.expires_at,
        )
    client = client_as(pw.manager)
    url = f"/programmes/{pw.programme.pk}/staff/"
    client.get(url)
    # session, user, the caller's role with the programme, staff, invitations, badge
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count('data-testid="staff-member"') == size + 2


def test_public_and_home_pages_with_other_programmes_unaffected(programme_world):
    ProgrammeFactory(slug="noch-eins")
    assert Client().get("/p/noch-eins/").status_code == 200


def test_accepting_works_where_staff_must_use_a_second_factor(programme_world, settings):
    """MFA_REQUIRED_FOR=programme_staff: the invitation page opens and accepts (the person is
    not staff yet); the programme then asks for the second factor to be set up first."""
    settings.MFA_REQUIRED_FOR = ["programme_staff"]
    pw = programme_world
    person = UserFactory(email="neuer-coach@example.com")
    client = client_as(person)
    url = f"/programme-invitations/{pw.staff_invitation_token}/"
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert Staff.objects.filter(programme=pw.programme, user=person).exists()
    home = client.get(response["Location"])
    assert home.status_code == 302
    assert home["Location"].startswith("/profile/security/")


# --- newcomer review (fix round 2): what a first-time user on a phone reads -----------------


def test_settings_show_every_error_at_once_and_warn_about_old_links(programme_world):
    pw = programme_world
    client = client_as(pw.manager)
    url = f"/programmes/{pw.programme.pk}/settings/"
    assert 'data-testid="programme-slug-warning"' in client.get(url).content.decode()
    before = domain_state()
    response = client.post(
        url, {"name": "KZ Hagen", "slug": "Bad Address!", "contact_email": "not-an-address"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    # The address and the e-mail in one round, not the address only after the rest is right.
    assert "Use only lower-case letters" in html and "Enter a valid email address" in html
    assert domain_state() == before
    reserved = client.post(url, {"name": "KZ Hagen", "slug": "admin"})
    assert reserved.status_code == 400 and "reserved" in reserved.content.decode()


def test_the_invitation_page_names_the_role_in_a_sentence(programme_world):
    pw = programme_world
    url = f"/programme-invitations/{pw.staff_invitation_token}/"
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(url).content.decode()
    assert "Maren Manager invites you as a coach." in html
    StaffInvitation.objects.filter(pk=pw.staff_invitation.pk).update(role="manager")
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(url).content.decode()
    assert "Maren Manager invites you to the programme’s management." in html


def test_an_empty_convoys_overview_says_what_to_do(db):
    staff = StaffFactory(role="manager")
    html = client_as(staff.user).get(f"/programmes/{staff.programme_id}/convoys/").content.decode()
    assert 'data-testid="no-convoys"' in html
    assert 'href="/convoys/new/"' in html and "choose this programme" in html


def test_the_list_is_a_card_per_programme(programme_world):
    pw = programme_world
    StaffFactory(user=pw.manager, role="coach", programme=ProgrammeFactory(region="Rheinland"))
    html = client_as(pw.manager).get("/programmes/").content.decode()
    assert html.count('data-testid="programme-card"') == 2
    # The role badge is not part of the link (not underlined with the name).
    assert '</a></h3>\n          <p class="muted"><span class="badge">' in html


def test_home_shows_my_programmes_and_no_company_push_for_staff(programme_world):
    pw = programme_world
    html = client_as(pw.coach).get("/").content.decode()
    assert 'data-testid="home-programmes"' in html
    assert f'href="/programmes/{pw.programme.pk}/"' in html
    assert "You do not belong to a company yet." not in html
    assert 'data-testid="first-steps"' not in html
    assert 'data-testid="home-company-hint"' in html  # still there, quietly
    # Someone with a company and no programme sees the page as before.
    owner_html = client_as(UserFactory()).get("/").content.decode()
    assert 'data-testid="home-programmes"' not in owner_html
    assert "You do not belong to a company yet." in owner_html


@pytest.mark.parametrize("size", [1, 4])
def test_home_page_queries_do_not_grow_with_programmes(db, django_assert_num_queries, size):
    user = UserFactory()
    for _ in range(size):
        StaffFactory(user=user, role="coach")
    client = client_as(user)
    client.get("/")  # warm the session and caches
    # The same at any number of programmes: "My programmes" is one query.
    with django_assert_num_queries(7):
        html = client.get("/").content.decode()
    assert html.count('href="/programmes/') >= size
