"""E-mails: both languages, the one-click unsubscribe for exactly one kind, without login."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from convoys.models import Membership
from notifications.emails import unsubscribe_token
from notifications.models import Notification, NotificationPreference
from notifications.services import notify
from notifications.sweep import sweep_run

BERLIN = ZoneInfo("Europe/Berlin")


def mention(world, recipient):
    with transaction.atomic():
        notify(
            recipient_ids=[recipient.pk],
            kind="mention",
            actor=world.member,
            convoy_id=world.convoy.pk,
            url=f"/convoys/{world.convoy.pk}/",
            data={"excerpt": "Rufen Sie mich an", "target_title": "Online-Termine"},
        )


@pytest.mark.parametrize(
    ("language", "greeting", "title", "unsubscribe"),
    [
        (
            "de",
            "Hallo Olaf Owner,",
            "Mia Member hat Sie erwähnt: Rufen Sie mich an",
            "Keine E-Mails",
        ),
        (
            "en",
            "Hello Olaf Owner,",
            "Mia Member mentioned you: Rufen Sie mich an",
            "No more e-mails",
        ),
    ],
)
def test_a_mention_mail_in_the_recipients_language(
    settings,
    world,
    mailoutbox,
    django_capture_on_commit_callbacks,
    language,
    greeting,
    title,
    unsubscribe,
):
    world.owner.language = language
    world.owner.save()
    with django_capture_on_commit_callbacks(execute=True):
        mention(world, world.owner)
    (mail,) = mailoutbox
    assert mail.to == [world.owner.email]
    assert title in mail.subject
    assert greeting in mail.body and title in mail.body
    assert unsubscribe in mail.body
    html = mail.alternatives[0][0]
    assert f'lang="{language}"' in html and title in html
    assert f"{settings.SITE_URL}/convoys/{world.convoy.pk}/" in mail.body
    link = mail.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/unsubscribe/" in link
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_update_reminder_reads_right(world, mailoutbox, language):
    world.owner.language = language
    world.owner.save()
    Membership.objects.filter(company=world.company).update(
        joined_at=datetime(2026, 11, 2, 10, tzinfo=BERLIN)
    )
    sweep_run(now=datetime(2026, 11, 16, 10, tzinfo=BERLIN))
    mail = next(m for m in mailoutbox if m.to == [world.owner.email])
    expected = {
        "de": "Zeit für ein Update: Sanitär Schulte hat seit mindestens 14 Tagen nichts in "
        "Digitalisierungs-Konvoi Hagen gepostet.",
        "en": "Time for an update: Sanitär Schulte has not posted in Digitalisierungs-Konvoi "
        "Hagen for at least 14 days.",
    }[language]
    assert expected in mail.body


def test_unsubscribe_works_without_login_and_only_for_its_kind(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mention(world, world.owner)
    link = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = link.removeprefix("http://127.0.0.1:8000")
    # GET only asks (mail scanners follow links); nothing changes yet.
    page = client.get(path)
    assert page.status_code == 200
    assert not NotificationPreference.objects.exists()
    # The one-click POST from the mail client: no session, no CSRF token.
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert list(NotificationPreference.objects.values_list("user_id", "kind", "channel")) == [
        (world.owner.pk, "mention", "in_app")
    ]
    # Still in the app, no longer by e-mail; other kinds unaffected.
    with django_capture_on_commit_callbacks(execute=True):
        mention(world, world.owner)
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(recipient=world.owner).count() == 2


def test_a_tampered_or_foreign_token_is_404(world, client):
    token = unsubscribe_token(user_id=world.owner.pk, kind="mention")
    assert client.post(f"/unsubscribe/{token[:-2]}xx/").status_code == 404
    assert client.get("/unsubscribe/not-a-token/").status_code == 404
    from django.core import signing

    other_salt = signing.dumps({"u": world.owner.pk, "k": "mention"}, salt="something-else")
    assert client.post(f"/unsubscribe/{other_salt}/").status_code == 404
    assert not NotificationPreference.objects.exists()


def test_unsubscribing_from_the_daily_digest(world, client):
    token = unsubscribe_token(user_id=world.owner.pk, kind="digest.daily")
    client.post(f"/unsubscribe/{token}/")
    # comment.on_post defaults to the daily digest: now it stays in the app.
    assert NotificationPreference.objects.get(user=world.owner).kind == "comment.on_post"
    assert NotificationPreference.objects.get(user=world.owner).channel == "in_app"
