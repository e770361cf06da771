"""Fixes after the newcomer review of issue 13: notes in .env.example that became part of a
published value (and the check that catches them), the privacy notice's missing periods and
processors, the accessibility statement's enforcement body, the German SSO sentence, and an
imprint without operator that showed empty headings."""

import re
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import override_settings

pytestmark = pytest.mark.django_db

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"
NO_OPERATOR = dict.fromkeys(
    (
        "LEGAL_OPERATOR_NAME",
        "LEGAL_OPERATOR_ADDRESS",
        "LEGAL_OPERATOR_EMAIL",
        "LEGAL_OPERATOR_PHONE",
    ),
    "",
)


def _ids() -> list[str]:
    return [message.id for message in run_checks()]


# --- 1. notes beside values ---------------------------------------------------------------


def test_no_variable_in_env_example_has_a_note_beside_its_value() -> None:
    """django-environ keeps everything after `=`: a note there is published as the value."""
    noted = [
        line
        for line in ENV_EXAMPLE.read_text().splitlines()
        if (match := re.match(r"^#?\s*[A-Z][A-Z0-9_]*=(.*)$", line))
        and (
            re.search(r"\s{2,}\S", match.group(1))
            or "(optional)" in match.group(1)
            or "default:" in match.group(1)
        )
    ]
    assert noted == []


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("LEGAL_REGISTER", "Amtsgericht Musterstadt, VR 1234   (optional)"),
        ("LEGAL_ACCESSIBILITY_CONTACT", "a11y@example.org   (default: LEGAL_OPERATOR_EMAIL)"),
        ("LEGAL_DPO_CONTACT", "dsb@example.org (Optional)"),
    ],
)
def test_the_check_warns_about_a_note_left_in_a_legal_value(setting, value) -> None:
    with override_settings(**{setting: value}):
        messages = [m for m in run_checks() if m.id == "legal.W002"]
    assert len(messages) == 1
    assert setting in messages[0].msg


@override_settings(
    LEGAL_REGISTER="Amtsgericht Musterstadt, VR 1234",
    LEGAL_REPRESENTATIVE="Dr. Vera Beispiel (Vorstand)",
)
def test_the_check_is_quiet_for_plain_values() -> None:
    assert "legal.W002" not in _ids()


# --- 2. privacy notice: invitations, access logs, backups, third countries, e-mail -------


def test_the_privacy_notice_states_the_new_periods_by_default(client) -> None:
    german = client.get("/datenschutz/").content.decode()
    assert "noch 90 Tage gespeichert und wird dann gelöscht" in german  # invitations
    assert "Diese Protokolle werden nach 7 Tagen gelöscht." in german
    assert "spätestens nach 30 Tagen auch aus den Sicherungskopien" in german
    assert "eine Übermittlung in Drittländer gibt es nicht" in german
    english = client.get("/privacy/?lang=en").content.decode()
    assert "for 90 more days and then deleted" in english
    assert "These logs are deleted after 7 days." in english
    assert "after 30 days at the latest" in english
    assert "there are no transfers to third countries" in english


def test_the_privacy_notice_follows_the_new_settings(client, settings) -> None:
    settings.RETENTION_INVITATIONS_DAYS = 45
    settings.LEGAL_SERVER_LOG_DAYS = 3
    settings.LEGAL_BACKUP_DAYS = 60
    settings.LEGAL_EMAIL_PROVIDER = "Mailversand Muster GmbH, Berlin"
    settings.LEGAL_THIRD_COUNTRY_TRANSFERS = "Der E-Mail-Versand läuft über Servers in Musterland."
    german = client.get("/datenschutz/").content.decode()
    assert "noch 45 Tage gespeichert" in german
    assert "nach 3 Tagen gelöscht" in german
    assert "Zugriffsprotokolle des Webservers oder Reverse-Proxys: 3 Tage." in german
    assert "spätestens nach 60 Tagen" in german
    assert "versendet werden (Mailversand Muster GmbH, Berlin)" in german
    assert "Der E-Mail-Versand läuft über Servers in Musterland." in german
    assert "gibt es nicht" not in german


# --- 3. accessibility: the federal conciliation body is only for federal bodies -----------


@override_settings(LEGAL_ACCESSIBILITY_ENFORCEMENT="")
def test_the_default_enforcement_body_says_it_is_for_federal_bodies_only(client) -> None:
    german = client.get("/barrierefreiheit/").content.decode()
    assert "nur für öffentliche Stellen des Bundes zuständig" in german
    assert "Durchsetzungs- oder Schlichtungsstelle dieses Landes" in german
    english = client.get("/accessibility/?lang=en").content.decode()
    assert "only for public bodies of the federal government" in english


@override_settings(LEGAL_ACCESSIBILITY_ENFORCEMENT="Ombudsstelle Musterland")
def test_an_operators_enforcement_body_replaces_the_federal_one(client) -> None:
    german = client.get("/barrierefreiheit/").content.decode()
    assert "Ombudsstelle Musterland" in german
    assert "schlichtungsstelle-bgg" not in german


# --- 4. German SSO wording -----------------------------------------------------------------


@override_settings(OIDC_ENABLED=True, OIDC_PROVIDER_NAME="Hochschul-Konto")
def test_the_german_notice_names_the_sso_provider_without_nested_brackets(client) -> None:
    german = client.get("/datenschutz/").content.decode()
    assert (
        "Ohne Name und E-Mail-Adresse sowie ein Passwort oder die Anmeldung über "
        "„Hochschul-Konto“ können wir kein Konto führen." in german
    )
    assert "außer wenn Sie selbst die Anmeldung über „Hochschul-Konto“ wählen." in german
    assert "(SSO))" not in german
    assert "(außer bei" not in german


# --- 5. imprint without operator ----------------------------------------------------------


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize(
    ("path", "headings"),
    [
        ("/impressum/", ("Angaben gemäß § 5 DDG", "Kontakt")),
        ("/imprint/?lang=en", ("Information according to § 5 DDG", "Contact")),
    ],
)
def test_an_imprint_without_operator_has_no_empty_headings(client, debug, path, headings):
    with override_settings(DEBUG=debug, **NO_OPERATOR):
        html = client.get(path).content.decode()
    assert 'data-testid="imprint-incomplete"' in html  # the banner, whatever DEBUG is
    for heading in headings:
        assert f"<h2>{heading}</h2>" not in html


@override_settings(**{**NO_OPERATOR, "LEGAL_OPERATOR_PHONE": "+49 123 45678"})
def test_an_imprint_shows_a_section_it_has_something_for(client) -> None:
    html = client.get("/impressum/").content.decode()
    assert "<h2>Kontakt</h2>" in html
    assert "<h2>Angaben gemäß § 5 DDG</h2>" not in html


# The German rules the catalogue test enforces (tests/test_translations.py) also hold for the
# German default texts, which are templates rather than catalogue entries.
@pytest.mark.parametrize("kind", ["imprint", "privacy", "accessibility"])
def test_the_german_default_texts_keep_the_german_rules(kind) -> None:
    from legal.selectors import default_text
    from tests.test_translations import (
        COLON_FORM,
        FORBIDDEN_WORDS,
        INFORMAL,
        OTHER_GENDER_FORMS,
    )

    everything = {
        "OIDC_ENABLED": True,
        "OIDC_PROVIDER_NAME": "Hochschul-Konto",
        "LEGAL_OPERATOR_NAME": "Kompetenzzentrum Musterstadt e. V.",
        "LEGAL_OPERATOR_EMAIL": "kontakt@example.org",
    }
    with override_settings(**everything):
        text = default_text(kind=kind, language="de")
    # Markdown links and addresses contain colons ("mailto:"); gender forms never follow one.
    assert not COLON_FORM.search(text.replace("mailto:", ""))
    assert not OTHER_GENDER_FORMS.search(text)
    assert not INFORMAL.search(text)
    for pattern in FORBIDDEN_WORDS.values():
        assert not pattern.search(text)
