"""E-mails: both languages, the one-click unsubscribe for exactly one kind, without login."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from convoys.models import Membership
from notifications.emails import unsubscribe_token
from notifications.models import Notification, NotificationKind, NotificationPreference
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
            target_type="convoy",
            target_id=world.convoy.pk,
            data={"excerpt": "Rufen Sie mich an", "target_title": "Online-Termine"},
        )


@pytest.mark.parametrize(
    ("language", "greeting", "title", "unsubscribe"),
    [
        (
            "de",
            "Guten Tag, Olaf Owner,",
            "Mia Member hat Sie erwähnt: Rufen Sie mich an",
            "Keine E-Mails",
        ),
        (
            "en",
            "Hello, Olaf Owner,",
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
        "de": "Wie kommen Sie voran? Sanitär Schulte hat seit mindestens 14 Tagen nichts in "
        "Digitalisierungs-Konvoi Hagen gepostet – Ihr Konvoi freut sich über ein kurzes Update.",
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


# --- every kind, both languages: text parts are text, the HTML part escapes ---------------------

# Names as people type them: an ampersand, apostrophes, angle brackets, quotes.
NASTY = 'Vogt & Partner\'s <b>"Shop"</b>'
ENTITIES = ("&amp;", "&#x27;", "&#39;", "&lt;", "&gt;", "&quot;", "&#34;")

NOTIFICATION_DATA = {
    "reminder.update_due": {"company": NASTY, "convoy": NASTY, "cadence": 14, "nudge": 1},
    "reminder.rsvp_missing": {"title": NASTY, "deadline": "2031-10-05T12:00:00+02:00"},
    "reminder.checkin_soon": {"title": NASTY, "starts_at": "2031-10-06T17:00:00+02:00"},
    "reminder.report_due": {"title": NASTY, "starts_at": "2031-10-06T17:00:00+02:00"},
    "digest.facilitator": {"convoy": NASTY},
    "mention": {"excerpt": NASTY, "target_title": NASTY},
    "comment.reply": {"excerpt": NASTY, "target_title": NASTY},
    "comment.on_post": {"excerpt": NASTY, "target_title": NASTY},
    "invitation": {"convoy": NASTY},
    "checkin.changed": {
        "title": NASTY,
        "starts_at": "2031-10-06T17:00:00+02:00",
        "change": "rescheduled",
    },
    "checkin.promoted": {"title": NASTY, "starts_at": "2031-10-06T17:00:00+02:00"},
    "nudge": {"company": NASTY, "convoy": NASTY, "message": NASTY},
    "reminder.check_due": {"company": NASTY, "programme": NASTY, "stage": "T1"},
}


def test_the_entity_tests_cover_every_notification_kind():
    assert set(NOTIFICATION_DATA) == set(NotificationKind.values)


@pytest.fixture
def nasty_world(world):
    """The world with every name a reader sees made of characters HTML would escape."""
    from checkins.models import CheckIn
    from projects.models import Milestone, Update

    world.convoy.name = NASTY
    world.convoy.save(update_fields=["name"])
    world.company.name = NASTY
    world.company.save(update_fields=["name"])
    for user in (world.owner, world.member, world.facilitator):
        user.name = NASTY
        user.save(update_fields=["name"])
    # The facilitator digest's rows: an update asking for help, a milestone done, a check-in.
    from tests.factories import CheckInFactory, MilestoneFactory, ProjectFactory, UpdateFactory

    project = ProjectFactory(company=world.company, title=NASTY, convoys=[world.convoy])
    MilestoneFactory(project=project, title=NASTY)
    Milestone.objects.filter(project=project).update(status="done", completed_at=timezone.now())
    UpdateFactory(convoy=world.convoy, company=world.company, author=world.owner, body=NASTY)
    Update.objects.filter(convoy=world.convoy).update(help_wanted=True, stuck_on=NASTY)
    CheckInFactory(convoy=world.convoy, created_by=world.facilitator, title="Check-in")
    CheckIn.objects.filter(convoy=world.convoy).update(title=NASTY)
    return world


def _assert_text_and_html(mail, language):
    html = mail.alternatives[0][0]
    for entity in ENTITIES:
        assert entity not in mail.subject, (entity, mail.subject)
        assert entity not in mail.body, (entity, mail.body)
    assert "<b>" not in html.replace("<body", ""), "the HTML part must escape names"
    assert "&lt;b&gt;" in html
    assert f'<html lang="{language}">' in html
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    assert mail.extra_headers["X-Auto-Response-Suppress"] == "All"
    greeting = {"de": "Guten Tag", "en": "Hello"}[language]
    assert mail.body.startswith(greeting), mail.body[:40]
    assert f"<p>{greeting}" in html


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("kind", list(NOTIFICATION_DATA))
def test_every_notification_mail_is_plain_text_in_text_and_escaped_in_html(
    nasty_world, kind, language
):
    from notifications.emails import notification_email

    world = nasty_world
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

    mail = notification_email(notification)

    _assert_text_and_html(mail, language)
    assert NASTY in mail.subject or kind == "reminder.update_due"  # its title is cut at 120
    assert NASTY in mail.body
    assert "List-Unsubscribe" in mail.extra_headers


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_english_report_due_subject_keeps_its_apostrophe(world, language):
    from notifications.emails import notification_email

    world.owner.language = language
    world.owner.save(update_fields=["language"])
    notification = Notification.objects.create(
        recipient=world.owner,
        kind="reminder.report_due",
        convoy=world.convoy,
        data={"title": "Check-in", "starts_at": "2031-10-06T17:00:00+02:00"},
        created_at=timezone.now(),
    )
    subject = notification_email(notification).subject
    assert subject.startswith(
        {"de": "Konvoi: Der Bericht Ihres Unternehmens", "en": "Konvoi: Your company's report"}[
            language
        ]
    )


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_facilitator_digest_lists_each_row_on_its_own_line(nasty_world, language):
    from notifications.emails import notification_email
    from tests.factories import CompanyFactory, MembershipFactory, UpdateFactory

    world = nasty_world
    world.facilitator.language = language
    world.facilitator.save(update_fields=["language"])
    second = CompanyFactory(name="Bäckerei Becker")
    MembershipFactory(convoy=world.convoy, company=second)
    UpdateFactory(convoy=world.convoy, company=second, author=world.owner, body="Neu")
    notification = Notification.objects.create(
        recipient=world.facilitator,
        kind="digest.facilitator",
        convoy=world.convoy,
        data={"convoy": NASTY},
        created_at=timezone.now(),
    )

    mail = notification_email(notification)

    _assert_text_and_html(mail, language)
    # One row per line, a blank line before the next heading.
    assert "- Bäckerei Becker (1)\n- " + NASTY + " (1)\n\n" in mail.body


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("weekly", [False, True])
def test_the_digest_mail_is_plain_text_in_text_and_escaped_in_html(nasty_world, language, weekly):
    from notifications.emails import digest_email
    from notifications.models import DigestDelivery

    world = nasty_world
    world.owner.language = language
    world.owner.save(update_fields=["language"])
    delivery = DigestDelivery.objects.create(
        user=world.owner,
        channel="weekly" if weekly else "daily",
        period="2031-W40" if weekly else "2031-10-01",
        created_at=timezone.now(),
    )
    items = [
        Notification.objects.create(
            recipient=world.owner,
            kind=kind,
            actor=world.member,
            convoy=world.convoy,
            data=NOTIFICATION_DATA[kind],
            created_at=timezone.now(),
        )
        for kind in ("comment.on_post", "mention", "reminder.report_due")
    ]

    mail = digest_email(delivery, items)

    _assert_text_and_html(mail, language)
    assert NASTY in mail.body
    assert "Reply-To" not in mail.extra_headers and mail.reply_to == []


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_invitation_mail_is_plain_text_in_text_and_escaped_in_html(
    nasty_world, mailoutbox, language
):
    from notifications.invitations import invitation_email_send
    from tests.factories import InvitationFactory

    world = nasty_world
    world.convoy.language = language
    world.convoy.save(update_fields=["language"])
    invitation = InvitationFactory(
        convoy=world.convoy, token="nasty-token", invited_by=world.facilitator
    )

    invitation_email_send(invitation_id=invitation.pk, token="nasty-token")

    (mail,) = mailoutbox
    _assert_text_and_html(mail, language)
    assert NASTY in mail.subject and NASTY in mail.body
    assert invitation.email in mail.body
    # The facilitator invites in person: a reply reaches them.
    assert len(mail.reply_to) == 1 and world.facilitator.email in mail.reply_to[0]


def test_an_invitation_to_someone_with_an_account_is_in_their_language(world, mailoutbox):
    from notifications.invitations import invitation_email_send
    from tests.factories import InvitationFactory

    world.convoy.language = "de"
    world.convoy.save(update_fields=["language"])
    world.outsider.language = "en"
    world.outsider.save(update_fields=["language"])
    invitation = InvitationFactory(
        convoy=world.convoy, token="t-en", email=world.outsider.email.upper()
    )

    invitation_email_send(invitation_id=invitation.pk, token="t-en")

    (mail,) = mailoutbox
    assert '<html lang="en">' in mail.alternatives[0][0]
    assert mail.body.startswith("Hello, Oskar Outsider,")
    assert mail.reply_to == []  # nobody invited in person (invited_by is gone)


def test_a_check_in_change_by_the_facilitator_can_be_answered_a_mention_cannot(world):
    from notifications.emails import notification_email

    def mail(kind, actor):
        return notification_email(
            Notification.objects.create(
                recipient=world.owner,
                kind=kind,
                actor=actor,
                convoy=world.convoy,
                data=NOTIFICATION_DATA[kind],
                created_at=timezone.now(),
            )
        )

    changed = mail("checkin.changed", world.facilitator)
    assert len(changed.reply_to) == 1 and world.facilitator.email in changed.reply_to[0]
    # Convoy members do not see each other's addresses: no Reply-To to a commenter.
    assert mail("mention", world.member).reply_to == []
    assert mail("comment.reply", world.member).reply_to == []
