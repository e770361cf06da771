"""The profile page: name, language and time zone; the e-mail change confirmed from the new
address (signed, expiring, single-use link; the old address told); the password change (the
current one required; other sessions and API tokens end). Plus the time-zone rule the forms
and the models share, and the date format of each language."""

import re
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import formats, translation

from accounts.models import ApiToken, User, validate_timezone
from accounts.services import api_token_create, user_update
from accounts.timezones import COMMON_TIMEZONES, selectable_timezones
from frontend.timezones import TimezoneField, timezone_choices
from tests.factories import UserFactory

PASSWORD = "correct-horse-42"


def client_as(user: User | None, language: str = "de") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


def _confirm_link(message) -> str:
    match = re.search(r"https?://\S+/profile/email/confirm/(\S+)/", message.body)
    assert match, message.body
    return f"/profile/email/confirm/{match.group(1)}/"


@pytest.fixture
def person(db) -> User:
    return UserFactory(email="anna@example.com", name="Anna Alt", language="de")


# --- page and the name, language and time-zone form ------------------------------------------


def test_the_page_needs_a_login(db):
    response = Client().get("/profile/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(("language", "heading"), [("de", "Profil"), ("en", "Profile")])
def test_the_page_shows_the_three_forms_and_is_linked_from_the_nav(person, language, heading):
    response = client_as(person, language).get("/profile/")
    html = response.content.decode()
    assert response.status_code == 200
    for testid in ("profile-form", "email-form", "password-form", "nav-profile"):
        assert f'data-testid="{testid}"' in html
    assert 'href="/profile/"' in html
    assert "anna@example.com" in html
    if language == "en":
        assert f"<h1>{heading}</h1>" in html


def test_name_language_and_time_zone_are_saved(person):
    response = client_as(person).post(
        "/profile/",
        {
            "profile-name": "  Anna Neu ",
            "profile-language": "en",
            "profile-timezone": "Europe/Vienna",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.language, person.timezone) == ("Anna Neu", "en", "Europe/Vienna")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("profile-name", "   "),
        ("profile-language", "fr"),
        ("profile-timezone", "Factory"),
        ("profile-timezone", "US/Eastern"),
        ("profile-timezone", "Mars/Olympus"),
    ],
)
def test_bad_profile_input_is_refused_and_nothing_changes(person, field, value):
    data = {"profile-name": "Anna Alt", "profile-language": "de", "profile-timezone": "UTC"}
    data[field] = value
    response = client_as(person, "en").post("/profile/", data)
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    person.refresh_from_db()
    assert (person.name, person.language, person.timezone) == ("Anna Alt", "de", "Europe/Berlin")


# --- e-mail change ----------------------------------------------------------------------------


def test_email_change_is_confirmed_from_the_new_address_and_the_old_one_is_told(
    person, django_capture_on_commit_callbacks
):
    client = client_as(person, "en")
    response = client.post(
        "/profile/email/", {"email-email": "Anna@Neu.example", "email-password": PASSWORD}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    (message,) = mail.outbox
    assert message.to == ["anna@neu.example"]
    person.refresh_from_db()
    assert person.email == "anna@example.com"  # nothing changes until the link is opened

    link = _confirm_link(message)
    page = Client().get(link)  # the link works on another device, logged out
    assert page.status_code == 200
    assert "anna@neu.example" in page.content.decode()
    person.refresh_from_db()
    assert person.email == "anna@example.com"  # a GET (a mail scanner) changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    person.refresh_from_db()
    assert person.email == "anna@neu.example"
    notice = mail.outbox[-1]
    assert notice.to == ["anna@example.com"]
    assert "anna@neu.example" in notice.body

    # Single use: the link no longer matches the account.
    again = client.post(link)
    assert again.status_code == 400
    assert 'data-testid="email-confirm-error"' in again.content.decode()


def test_the_mail_is_written_in_the_persons_language(person):
    # The page is read in German, the person's language is English: the mail follows the
    # person (the German wording is in the catalogue, checked by test_translations).
    user_update(user=person, language="en")
    client_as(person, "de").post(
        "/profile/email/", {"email-email": "neu@example.com", "email-password": PASSWORD}
    )
    (message,) = mail.outbox
    assert message.subject == "Confirm your new e-mail address for Konvoi"
    assert "valid for 48 hours" in message.body


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("taken@example.com", PASSWORD, "email"),
        ("TAKEN@example.com", PASSWORD, "email"),
        ("anna@example.com", PASSWORD, "email"),
        ("neu@example.com", "wrong-password", "password"),
        ("not-an-address", PASSWORD, "email"),
    ],
)
def test_email_change_refused(person, email, password, field):
    UserFactory(email="taken@example.com")
    response = client_as(person, "en").post(
        "/profile/email/", {"email-email": email, "email-password": password}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_email-{field}_error"' in html
    assert mail.outbox == []


def test_an_address_taken_after_the_link_was_sent_is_refused(person):
    client = client_as(person, "en")
    client.post("/profile/email/", {"email-email": "neu@example.com", "email-password": PASSWORD})
    link = _confirm_link(mail.outbox[0])
    UserFactory(email="neu@example.com")
    response = client.post(link)
    assert response.status_code == 400
    assert "An account with this e-mail address exists." in response.content.decode()
    person.refresh_from_db()
    assert person.email == "anna@example.com"


def test_a_forged_link_is_refused(person):
    client = client_as(person, "en")
    client.post("/profile/email/", {"email-email": "neu@example.com", "email-password": PASSWORD})
    link = _confirm_link(mail.outbox[0])
    forged = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    for response in (
        client.get(forged),
        client.post(forged),
        client.get("/profile/email/confirm/x/"),
    ):
        assert response.status_code == 400
        assert "This link is not valid any more" in response.content.decode()
    person.refresh_from_db()
    assert person.email == "anna@example.com"


def test_an_expired_link_is_refused(person, monkeypatch):
    client = client_as(person, "en")
    client.post("/profile/email/", {"email-email": "neu@example.com", "email-password": PASSWORD})
    link = _confirm_link(mail.outbox[0])
    later = datetime.now().timestamp() + (settings.EMAIL_CHANGE_LINK_HOURS + 1) * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.post(link)
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.email == "anna@example.com"


def test_email_change_requests_are_rate_limited(person, settings):
    settings.PASSWORD_RESET_RATE_LIMIT = 2
    client = client_as(person, "en")
    statuses = [
        client.post(
            "/profile/email/", {"email-email": f"n{i}@example.com", "email-password": PASSWORD}
        ).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(mail.outbox) == 2


def _request_change(client, email: str) -> str:
    before = len(mail.outbox)
    response = client.post("/profile/email/", {"email-email": email, "email-password": PASSWORD})
    assert response.status_code == 302
    assert len(mail.outbox) == before + 1
    return _confirm_link(mail.outbox[-1])


def test_a_used_link_stays_dead_when_the_address_is_changed_back(person):
    client = client_as(person, "en")
    first = _request_change(client, "neu@example.com")
    assert client.post(first).status_code == 302
    back = _request_change(client, "anna@example.com")
    assert client.post(back).status_code == 302
    person.refresh_from_db()
    assert person.email == "anna@example.com"  # the "old" address of the first link again
    for response in (client.get(first), client.post(first)):
        assert response.status_code == 400
        assert "This link is not valid any more" in response.content.decode()
    person.refresh_from_db()
    assert person.email == "anna@example.com"
    assert person.email_change_nonce == ""


def test_a_later_request_voids_the_earlier_unopened_link(person):
    client = client_as(person, "en")
    first = _request_change(client, "erst@example.com")
    second = _request_change(client, "zweit@example.com")
    assert client.get(first).status_code == 400
    assert client.post(first).status_code == 400
    person.refresh_from_db()
    assert person.email == "anna@example.com"
    assert client.post(second).status_code == 302
    person.refresh_from_db()
    assert person.email == "zweit@example.com"


def test_a_link_without_the_request_code_is_refused(person):
    # A link signed as before the code existed (or with a guessed one) does not work.
    client = client_as(person, "en")
    _request_change(client, "neu@example.com")
    for extra in ({}, {"nonce": ""}, {"nonce": "guess"}, {"nonce": 7}):
        token = signing.dumps(
            {"user": person.pk, "old": "anna@example.com", "new": "neu@example.com", **extra},
            salt="accounts.email_change",
        )
        assert client.post(f"/profile/email/confirm/{token}/").status_code == 400
    person.refresh_from_db()
    assert person.email == "anna@example.com"


# --- password change --------------------------------------------------------------------------


def test_password_change_keeps_this_session_and_ends_the_others_and_the_tokens(person):
    here = client_as(person)
    elsewhere = client_as(person)
    api_token_create(user=person, name="script")
    response = here.post(
        "/profile/password/",
        {"password-old_password": PASSWORD, "password-new_password": "Neues-Passwort-2026"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Neues-Passwort-2026")
    assert ApiToken.objects.filter(user=person).count() == 0
    assert here.get("/profile/").status_code == 200
    assert elsewhere.get("/profile/").status_code == 302  # logged out


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("wrong-password", "Neues-Passwort-2026", "old_password"),
        (PASSWORD, "12345678", "new_password"),
        (PASSWORD, "short", "new_password"),
        (PASSWORD, "", "new_password"),
    ],
)
def test_password_change_refused(person, old, new, field):
    api_token_create(user=person, name="script")
    response = client_as(person, "en").post(
        "/profile/password/", {"password-old_password": old, "password-new_password": new}
    )
    assert response.status_code == 400
    assert f'id="id_password-{field}_error"' in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert ApiToken.objects.filter(user=person).count() == 1


# --- time zones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Factory",
        "localtime",
        "posixrules",
        "posix/Europe/Berlin",
        "right/UTC",
        "Etc/GMT+1",
        "US/Eastern",
        "GB",
        "Europe/Kiev",
        "CET",
        "",
    ],
)
def test_junk_zone_names_are_neither_offered_nor_accepted(name):
    # (A city alone, "Berlin", is taken by the form as its zone: test_timezone_input.)
    assert name not in timezone_choices()
    with pytest.raises(ValidationError):
        validate_timezone(name)
    with pytest.raises(ValidationError):
        TimezoneField().clean(name)


def test_the_common_zones_come_first_and_every_offered_zone_is_accepted(db):
    choices = timezone_choices()
    assert choices[: len(COMMON_TIMEZONES)] == list(COMMON_TIMEZONES)
    for name in (
        "Europe/Berlin",
        "Europe/Vienna",
        "Europe/Zurich",
        "Europe/Luxembourg",
        "Europe/Amsterdam",
        "Europe/London",
        "UTC",
    ):
        assert name in COMMON_TIMEZONES
    assert len(choices) == len(set(choices)) == len(selectable_timezones())
    assert 300 < len(choices) < 500  # the zone.tab zones, not the ~600 raw names
    assert "America/New_York" in choices and "Asia/Tokyo" in choices
    rest = choices[len(COMMON_TIMEZONES) :]
    assert rest == sorted(rest)
    for name in choices:
        validate_timezone(name)
        assert TimezoneField().clean(name) == name


def test_the_service_applies_the_same_rule(person):
    with pytest.raises(ValidationError):
        user_update(user=person, timezone="US/Pacific")
    user_update(user=person, timezone="Europe/Warsaw")
    person.refresh_from_db()
    assert person.timezone == "Europe/Warsaw"


def test_the_zone_input_suggests_the_zones_in_a_datalist(person):
    html = client_as(person).get("/profile/").content.decode()
    field = re.search(r'<input[^>]*name="profile-timezone"[^>]*>', html).group(0)
    assert 'list="id_profile-timezone-zones"' in field
    assert 'value="Europe/Berlin"' in field
    datalist = re.search(r'<datalist id="id_profile-timezone-zones">(.*?)</datalist>', html).group(
        1
    )
    options = re.findall(r'<option value="([^"]+)">', datalist)
    assert options[:3] == ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich"]
    assert "Factory" not in options and "US/Eastern" not in options


def test_the_notification_settings_and_convoy_forms_use_the_same_zone_field(person):
    html = client_as(person).get("/notifications/settings/").content.decode()
    assert re.search(r'<input[^>]*name="timezone"[^>]*list="id_timezone-zones"', html)
    assert '<option value="Factory"' not in html
    html = client_as(person).get("/convoys/new/").content.decode()
    assert re.search(r'<input[^>]*name="timezone"[^>]*list="id_timezone-zones"', html)


# --- one date format per language -------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "date", "datetime_", "short"),
    [
        ("de", "29.11.2026", "29.11.2026, 14:00", "29.11.2026"),
        ("en", "29 Nov 2026", "29 Nov 2026, 14:00", "29 Nov 2026"),
    ],
)
def test_one_date_format_per_language(language, date, datetime_, short):
    moment = datetime(2026, 11, 29, 14, 0)
    with translation.override(language):
        assert formats.date_format(moment, "DATE_FORMAT") == date
        assert formats.date_format(moment, "DATETIME_FORMAT") == datetime_
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == short
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == datetime_
        assert formats.time_format(moment, "TIME_FORMAT") == "14:00"
        assert formats.date_format(moment + timedelta(days=3), "DATE_FORMAT") != date


# --- the same through the API ------------------------------------------------------------------


def test_api_email_change_and_confirm(person, client_for, django_capture_on_commit_callbacks):
    client = client_for(person)
    response = client.post(
        "/api/v1/me/email/", {"email": "neu@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 202
    person.refresh_from_db()
    assert person.email == "anna@example.com"
    token = _confirm_link(mail.outbox[0]).split("/")[-2]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client_for(None).post(
            "/api/v1/me/email/confirm/", {"token": token}, format="json"
        )
    assert confirmed.status_code == 200
    assert confirmed.json()["email"] == "neu@example.com"
    assert mail.outbox[-1].to == ["anna@example.com"]
    again = client_for(None).post("/api/v1/me/email/confirm/", {"token": token}, format="json")
    assert again.status_code == 400
    assert "token" in again.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "taken@example.com", "password": PASSWORD}, "email"),
        ({"email": "neu@example.com", "password": "falsch"}, "password"),
        ({"email": "kaputt", "password": PASSWORD}, "email"),
    ],
)
def test_api_email_change_refused(person, client_for, body, field):
    UserFactory(email="taken@example.com")
    response = client_for(person).post("/api/v1/me/email/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert mail.outbox == []


def test_api_password_change_revokes_the_tokens(person, api_client):
    _token, secret = api_token_create(user=person, name="script")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    wrong = api_client.post(
        "/api/v1/me/password/",
        {"old_password": "falsch", "new_password": "Neues-Passwort-2026"},
        format="json",
    )
    assert wrong.status_code == 400
    assert "old_password" in wrong.json()
    response = api_client.post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "new_password": "Neues-Passwort-2026"},
        format="json",
    )
    assert response.status_code == 204
    person.refresh_from_db()
    assert person.check_password("Neues-Passwort-2026")
    assert api_client.get("/api/v1/me/").status_code == 401


def test_the_current_password_check_is_rate_limited_per_person_on_the_page_and_the_api(
    person, client_for, settings
):
    """One counter for both ways in: guesses on the page and through the API add up, and
    after the limit even the right password gets 429 (the guesser must not learn it)."""
    settings.PASSWORD_RESET_RATE_LIMIT = 5
    page = client_as(person, "en")
    api = client_for(person)
    wrong_page = {"password-old_password": "falsch", "password-new_password": "Neu-Passwort-2026"}
    wrong_api = {"old_password": "falsch", "new_password": "Neu-Passwort-2026"}
    statuses = [page.post("/profile/password/", wrong_page).status_code for _ in range(3)]
    statuses += [
        api.post("/api/v1/me/password/", wrong_api, format="json").status_code for _ in range(2)
    ]
    assert statuses == [400] * 5
    blocked_page = page.post(
        "/profile/password/",
        {"password-old_password": PASSWORD, "password-new_password": "Neu-Passwort-2026"},
    )
    assert blocked_page.status_code == 429
    assert "Too many attempts with your current password" in blocked_page.content.decode()
    blocked_api = api.post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "new_password": "Neu-Passwort-2026"},
        format="json",
    )
    assert blocked_api.status_code == 429
    # The API answers in the request's language (German by default).
    assert "Zu viele Versuche mit Ihrem aktuellen Passwort" in blocked_api.json()["detail"]
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    # Per person: someone else is not held up.
    other = UserFactory(email="bert@example.com")
    ok = client_for(other).post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "new_password": "Neu-Passwort-2026"},
        format="json",
    )
    assert ok.status_code == 204


def test_api_me_patch_uses_the_same_time_zone_rule(person, client_for):
    response = client_for(person).patch("/api/v1/me/", {"timezone": "US/Eastern"}, format="json")
    assert response.status_code == 400
    assert "timezone" in response.json()
    ok = client_for(person).patch("/api/v1/me/", {"timezone": "Europe/Prague"}, format="json")
    assert ok.json()["timezone"] == "Europe/Prague"
