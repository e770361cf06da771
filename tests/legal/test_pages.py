"""The legal pages: public, in both languages, filled from the settings, the admin's text
first; the imprint says when the operator is missing; the links in the footer and forms."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from legal.models import LegalText
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OPERATOR = {
    "LEGAL_OPERATOR_NAME": "Kompetenzzentrum Musterstadt e. V.",
    "LEGAL_OPERATOR_ADDRESS": "Hafenstraße 7\n12345 Musterstadt",
    "LEGAL_OPERATOR_EMAIL": "kontakt@kz-muster.example",
    "LEGAL_OPERATOR_PHONE": "+49 123 45678",
    "LEGAL_REPRESENTATIVE": "Dr. Vera Vorstand",
    "LEGAL_REGISTER": "Amtsgericht Musterstadt, VR 4711",
    "LEGAL_VAT_ID": "DE123456789",
    "LEGAL_CONTENT_RESPONSIBLE": "Ina Inhalt, Hafenstraße 7, 12345 Musterstadt",
    "LEGAL_DPO_CONTACT": "Datenschutz Dora, dsb@kz-muster.example",
    "LEGAL_SUPERVISORY_AUTHORITY": "Landesbeauftragte für Datenschutz Musterland",
    "LEGAL_ACCESSIBILITY_CONTACT": "barrierefrei@kz-muster.example",
    "LEGAL_ACCESSIBILITY_ENFORCEMENT": "Schlichtungsstelle Musterland, https://schlichtung.example",
    "LEGAL_HOSTING": "Muster-Rechenzentrum GmbH, Frankfurt am Main",
}
NO_OPERATOR = dict.fromkeys(
    ("LEGAL_OPERATOR_NAME", "LEGAL_OPERATOR_ADDRESS", "LEGAL_OPERATOR_EMAIL"), ""
)
# What each page must show of the settings.
SHOWN = {
    "imprint": [
        "Kompetenzzentrum Musterstadt e. V.",
        "Hafenstraße 7<br>\n12345 Musterstadt",
        "kontakt@kz-muster.example",
        "+49 123 45678",
        "Dr. Vera Vorstand",
        "Amtsgericht Musterstadt, VR 4711",
        "DE123456789",
        "Ina Inhalt",
    ],
    "privacy": [
        "Kompetenzzentrum Musterstadt e. V.",
        "Datenschutz Dora",
        "Landesbeauftragte für Datenschutz Musterland",
        "Muster-Rechenzentrum GmbH",
        "sessionid",
        "csrftoken",
        "django_language",
    ],
    "accessibility": [
        "barrierefrei@kz-muster.example",
        "Schlichtungsstelle Musterland",
    ],
}
# German from the default texts (legal/templates/legal/defaults/), not from the catalogue the
# lead compiles, so these hold before and after.
HEADINGS = {
    ("imprint", "de"): "<h2>Angaben gemäß § 5 DDG</h2>",
    ("imprint", "en"): "<h1>Imprint</h1>",
    ("privacy", "de"): "<h2>1. Verantwortliche Stelle</h2>",
    ("privacy", "en"): "<h1>Privacy notice</h1>",
    ("accessibility", "de"): "<h2>Stand der Vereinbarkeit mit den Anforderungen</h2>",
    ("accessibility", "en"): "<h1>Accessibility statement</h1>",
}


@pytest.mark.parametrize("kind", ["imprint", "privacy", "accessibility"])
@pytest.mark.parametrize("language", ["de", "en"])
@override_settings(**OPERATOR)
def test_each_page_in_each_language_shows_the_operator_from_the_settings(
    client, kind, language
) -> None:
    response = client.get(f"/{kind}/", HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert HEADINGS[(kind, language)] in html
    for shown in SHOWN[kind]:
        assert shown in html, shown
    assert 'data-testid="imprint-incomplete"' not in html


@pytest.mark.parametrize(
    ("path", "language", "heading"),
    [
        ("/impressum/", "de", "<h2>Inhalte der Mitglieder</h2>"),  # no operator here
        ("/datenschutz/", "de", "<h2>1. Verantwortliche Stelle</h2>"),
        ("/barrierefreiheit/", "de", "<h2>Stand der Vereinbarkeit mit den Anforderungen</h2>"),
        ("/impressum/?lang=en", "en", "<h1>Imprint</h1>"),
        ("/privacy/?lang=en", "en", "<h1>Privacy notice</h1>"),
        ("/privacy/?lang=de", "de", "<h2>1. Verantwortliche Stelle</h2>"),
    ],
)
def test_german_paths_and_the_lang_parameter(client, path, language, heading) -> None:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en" if language == "de" else "de")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert heading in html


def test_an_unknown_language_falls_back_to_german(client) -> None:
    response = client.get("/privacy/?lang=fr", HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="de">' in response.content.decode()


@override_settings(**OPERATOR)
def test_the_admins_text_wins_over_the_default(client) -> None:
    LegalText.objects.create(
        kind="imprint",
        language="en",
        body="## Who we are\n\nThe *Hafen* centre.\n\n<script>x</script>",
    )
    html = client.get("/imprint/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h2>Who we are</h2>" in html
    assert "<em>Hafen</em>" in html
    assert "<script>x" not in html
    assert "Dr. Vera Vorstand" not in html  # the default is not shown
    # The German page has no stored German text: the operator's own (English) words win, with
    # the page in English (lang) around them.
    german = client.get("/impressum/").content.decode()
    assert "<h2>Who we are</h2>" in german
    assert '<html lang="en">' in german


@override_settings(DEBUG=False, **NO_OPERATOR)
@pytest.mark.parametrize("language", ["de", "en"])
def test_an_imprint_without_operator_says_so_and_invents_none(client, language) -> None:
    html = client.get(f"/imprint/?lang={language}").content.decode()
    assert 'data-testid="imprint-incomplete"' in html
    assert ("noch nicht vollständig" if language == "de" else "not complete yet") in html


@override_settings(DEBUG=False, **NO_OPERATOR)
def test_the_system_check_warns_without_operator_until_a_text_is_stored() -> None:
    ids = [message.id for message in run_checks()]
    assert "legal.W001" in ids
    LegalText.objects.create(kind="imprint", language="de", body="Impressum der Stelle")
    assert "legal.W001" not in [message.id for message in run_checks()]


@override_settings(DEBUG=False, **OPERATOR)
def test_the_system_check_is_quiet_with_an_operator() -> None:
    assert "legal.W001" not in [message.id for message in run_checks()]


@override_settings(DEBUG=True, **NO_OPERATOR)
def test_the_system_check_is_quiet_in_development() -> None:
    assert "legal.W001" not in [message.id for message in run_checks()]


@pytest.mark.parametrize(
    ("setting", "value", "shown_de", "shown_en"),
    [
        ("RETENTION_AUDIT_DAYS", 400, "Vorgänge: 400 Tage", "events: 400 days"),
        (
            "RETENTION_READ_NOTIFICATIONS_DAYS",
            33,
            "Benachrichtigungen: 33 Tage",
            "notifications: 33 days",
        ),
        ("RETENTION_COMMENT_REVISIONS_DAYS", 77, "Kommentare: 77 Tage", "comments: 77 days"),
        (
            "RETENTION_REVOKED_FEEDS_DAYS",
            5,
            "Kalender-Abonnements: 5 Tage",
            "subscriptions: 5 days",
        ),
        ("SESSION_COOKIE_AGE", 21 * 86400, "Sitzungen: 21 Tage", "sessions: 21 days after"),
    ],
)
def test_the_privacy_notice_states_the_retention_periods_set(
    client, settings, setting, value, shown_de, shown_en
) -> None:
    assert shown_de not in client.get("/datenschutz/").content.decode()
    setattr(settings, setting, value)
    assert shown_de in client.get("/datenschutz/").content.decode()
    assert shown_en in client.get("/privacy/?lang=en").content.decode()


def test_the_cookie_lifetimes_follow_the_settings(client, settings) -> None:
    settings.SESSION_COOKIE_AGE = 3 * 86400
    html = client.get("/privacy/?lang=en").content.decode()
    assert "<strong>sessionid</strong>: Keeps you logged in" in html
    assert "Kept for: 3 days." in html


def test_the_privacy_notice_links_the_profile_pages_that_exist(client) -> None:
    from frontend.legal_views import optional_url

    html = client.get("/privacy/?lang=en").content.decode()
    assert 'href="/profile/"' in html
    for name in ("frontend:profile_data", "frontend:profile_activity", "frontend:account_delete"):
        url = optional_url(name)
        if url is not None:
            assert f'href="{url}"' in html
    assert optional_url("frontend:no_such_page") is None


def test_a_logged_in_person_sees_the_pages_too(client) -> None:
    client.force_login(UserFactory(language="en"))
    assert client.get("/accessibility/").status_code == 200


@pytest.mark.parametrize("path", ["/login/", "/signup/", "/password-reset/", "/imprint/"])
def test_the_footer_links_the_three_pages(client, path) -> None:
    html = client.get(path).content.decode()
    assert 'href="/imprint/"' in html
    assert 'href="/privacy/"' in html
    assert 'href="/accessibility/"' in html


def test_the_footer_on_a_page_behind_login(client) -> None:
    client.force_login(UserFactory())
    html = client.get("/profile/").content.decode()
    assert 'data-testid="footer-privacy"' in html


@pytest.mark.parametrize("path", ["/login/", "/signup/"])
def test_login_and_signup_say_where_the_privacy_notice_is(client, path) -> None:
    html = client.get(path).content.decode()
    assert 'data-testid="form-privacy-link" href="/privacy/"' in html


def test_the_admin_links_the_pages(client) -> None:
    html = client.get("/admin/login/").content.decode()
    assert 'href="/imprint/"' in html
    assert 'href="/privacy/"' in html


def test_no_third_party_content_can_load(client) -> None:
    """The privacy notice says fonts and scripts come from this server only: the CSP holds
    every page to that (no other origin in any directive)."""
    response = client.get("/privacy/")
    policy = response.headers["Content-Security-Policy"]
    sources = {
        source
        for directive in policy.split(";")
        for source in directive.split()[1:]
        if not source.startswith("'nonce-")
    }
    assert sources <= {"'self'", "'none'", "data:"}, sources
    assert "no analytics" in client.get("/privacy/?lang=en").content.decode()


@override_settings(OIDC_ENABLED=True, OIDC_PROVIDER_NAME="Login der Hochschule")
def test_single_sign_on_is_described_when_enabled(client) -> None:
    html = client.get("/privacy/?lang=en").content.decode()
    assert "“Login der Hochschule”, that service sends us your e-mail address and your name" in html


def test_single_sign_on_is_not_described_when_off(client, settings) -> None:
    settings.OIDC_ENABLED = False
    assert "Single sign-on" not in client.get("/privacy/?lang=en").content.decode()


def test_an_operator_writes_a_text_in_the_admin(client) -> None:
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/legal/legaltext/add/").status_code == 200
    response = client.post(
        "/admin/legal/legaltext/add/",
        {"kind": "privacy", "language": "de", "body": "## Unsere Datenschutzerklärung\n\nKurz."},
    )
    assert response.status_code == 302
    html = client.get("/datenschutz/").content.decode()
    assert "<h2>Unsere Datenschutzerklärung</h2>" in html
    assert "1. Verantwortliche Stelle" not in html
    # One text per page and language.
    again = client.post(
        "/admin/legal/legaltext/add/", {"kind": "privacy", "language": "de", "body": "Noch eine"}
    )
    assert again.status_code == 200
    assert LegalText.objects.filter(kind="privacy", language="de").count() == 1


def test_the_pages_only_answer_reading(client) -> None:
    assert client.head("/imprint/").status_code == 200
    assert client.post("/imprint/").status_code == 405
