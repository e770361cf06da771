"""Every e-mail Konvoi sends carries absolute links to the imprint and the privacy notice, in
the recipient's language, in its text and its HTML part."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from legal.links import legal_links
from notifications.models import Notification, NotificationKind
from tests.notifications.test_emails import NOTIFICATION_DATA

pytestmark = pytest.mark.django_db

LANGUAGES = ["de", "en"]
EXPECTED = {
    "de": ("/impressum/", "/datenschutz/"),
    "en": ("/imprint/?lang=en", "/privacy/?lang=en"),
}


def assert_legal_links(mail, language: str) -> None:
    imprint, privacy = (settings.SITE_URL + path for path in EXPECTED[language])
    assert legal_links(language)["imprint"] == imprint
    assert legal_links(language)["privacy"] == privacy
    alternatives = getattr(mail, "alternatives", [])  # a plain-text e-mail has none
    for part in [mail.body, *(content for content, _type in alternatives)]:
        assert imprint in part, part[-400:]
        assert privacy in part, part[-400:]
    other = "en" if language == "de" else "de"
    assert settings.SITE_URL + EXPECTED[other][0] not in mail.body
    for content, _type in alternatives:
        assert f'href="{imprint}"' in content
        assert f'href="{privacy}"' in content


def test_the_links_are_absolute_and_open_in_the_language(client) -> None:
    for language in LANGUAGES:
        for kind, url in legal_links(language).items():
            assert url.startswith(settings.SITE_URL + "/")
            response = client.get(url.removeprefix(settings.SITE_URL))
            assert response.status_code == 200, kind
            assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", NotificationKind.values)
def test_every_notification_mail(world, kind, language) -> None:
    from notifications.emails import notification_email

    assert set(NOTIFICATION_DATA) == set(NotificationKind.values)
    world.owner.language = language
    world.owner.save(update_fields=["language"])
    notification = Notification.objects.create(
        recipient=world.owner,
        kind=kind,
        actor=world.facilitator if kind.startswith("checkin") else world.member,
        convoy=world.convoy,
        target_type="convoy",
        target_id=world.convoy.pk,
        data=NOTIFICATION_DATA[kind],
        created_at=timezone.now(),
    )
    assert_legal_links(notification_email(notification), language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("channel", ["daily", "weekly"])
def test_the_digest_mails(world, language, channel) -> None:
    from notifications.emails import digest_email
    from notifications.models import DigestDelivery

    world.owner.language = language
    world.owner.save(update_fields=["language"])
    delivery = DigestDelivery.objects.create(
        user=world.owner, channel=channel, period="2031-W40", created_at=timezone.now()
    )
    items = [
        Notification.objects.create(
            recipient=world.owner,
            kind="mention",
            actor=world.member,
            convoy=world.convoy,
            data=NOTIFICATION_DATA["mention"],
            created_at=timezone.now(),
        )
    ]
    assert_legal_links(digest_email(delivery, items), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_convoy_invitation(world, mailoutbox, language) -> None:
    from notifications.invitations import invitation_email_send
    from tests.factories import InvitationFactory

    world.convoy.language = language
    world.convoy.save(update_fields=["language"])
    invitation = InvitationFactory(convoy=world.convoy, token="legal-token")
    invitation_email_send(invitation_id=invitation.pk, token="legal-token")
    (mail,) = mailoutbox
    assert_legal_links(mail, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_company_invitation(world, mailoutbox, language) -> None:
    from notifications.company_invitations import company_invitation_email_send
    from tests.factories import CompanyInvitationFactory

    world.owner.language = language
    world.owner.save(update_fields=["language"])
    invitation = CompanyInvitationFactory(
        company=world.company, invited_by=world.owner, token="legal-colleague"
    )
    company_invitation_email_send(invitation_id=invitation.pk, token="legal-colleague")
    (mail,) = mailoutbox
    assert_legal_links(mail, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_password_reset(world, client, mailoutbox, language) -> None:
    world.owner.language = language
    world.owner.save(update_fields=["language"])
    response = client.post("/password-reset/", {"email": world.owner.email})
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert_legal_links(mail, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_email_change_confirmation(world, mailoutbox, language) -> None:
    from accounts.services import user_email_change_request

    world.owner.language = language
    world.owner.save(update_fields=["language"])
    user_email_change_request(
        user=world.owner,
        new_email="new-address@example.com",
        password="correct-horse-42",
        link_for=lambda token: f"{settings.SITE_URL}/profile/email/{token}/",
    )
    mails = [mail for mail in mailoutbox if mail.to == ["new-address@example.com"]]
    assert len(mails) == 1
    assert_legal_links(mails[0], language)
    # Any other e-mail the change sends (a notice to the old address) carries them too.
    for mail in mailoutbox:
        assert_legal_links(mail, language)


def _email_templates() -> list[Path]:
    """Every body template of an e-mail in the project (subjects and partials aside)."""
    root = Path(settings.BASE_DIR)
    found = []
    for path in root.glob("*/templates/*/email/*"):
        body = not path.name.startswith("_") and not path.stem.endswith("_subject")
        if path.suffix in (".txt", ".html") and body:
            found.append(path)
    return found


def test_every_email_template_includes_the_legal_footer() -> None:
    """A new kind of e-mail gets the footer too (the tests above send the ones known today)."""
    templates = _email_templates()
    assert len(templates) >= 12
    missing = [str(path) for path in templates if not _includes_legal_footer(path)]
    assert missing == []


def _includes_legal_footer(path: Path) -> bool:
    """The footer is included by the template itself or by an app's own footer partial next
    to it (which includes the legal one)."""
    footer = f'{{% include "legal/email/_footer{path.suffix}" %}}'
    text = path.read_text()
    if footer in text:
        return True
    app = path.parent.parent.name
    partial = path.parent / f"_footer{path.suffix}"
    own = f'{{% include "{app}/email/_footer{path.suffix}" %}}'
    return own in text and partial.exists() and footer in partial.read_text()
