"""Notifications over the API and the web: own ones only, read, read-all, preferences."""

import pytest
from django.db import transaction

from notifications.models import ConvoyMute, DeliverySettings, Notification, NotificationPreference
from notifications.services import notify


def make(world, recipient, kind="mention", n=1, **data):
    with transaction.atomic():
        for _ in range(n):
            notify(
                recipient_ids=[recipient.pk],
                kind=kind,
                actor=world.member,
                convoy_id=world.convoy.pk,
                target_type="convoy",
                target_id=world.convoy.pk,
                data={"excerpt": "Wir hatten dasselbe Problem", "target_title": "Update", **data},
            )
    return Notification.objects.filter(recipient=recipient).order_by("-id")


def test_list_is_own_and_translated(world, client_for):
    make(world, world.owner, n=2)
    make(world, world.facilitator)
    body = client_for(world.owner).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["count"] == 2
    assert body["results"][0]["title"] == "Mia Member mentioned you: Wir hatten dasselbe Problem"
    assert body["results"][0]["actor"]["handle"] == "mia"
    german = client_for(world.owner).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="de")
    assert german.json()["results"][0]["title"].startswith("Mia Member hat Sie erwähnt")


def test_someone_elses_notification_is_404_and_stays_unread(world, client_for):
    theirs = make(world, world.facilitator).get()
    response = client_for(world.owner).post(f"/api/v1/notifications/{theirs.pk}/read/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_and_read_all(world, client_for):
    mine = list(make(world, world.owner, n=3))
    make(world, world.facilitator)
    client = client_for(world.owner)
    assert client.post(f"/api/v1/notifications/{mine[0].pk}/read/").json()["read_at"]
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 2
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 2}
    assert Notification.objects.filter(recipient=world.facilitator, read_at__isnull=True).exists()


def test_anonymous_gets_401(api_client):
    assert api_client.get("/api/v1/notifications/").status_code == 401
    assert api_client.get("/api/v1/me/preferences/").status_code == 401


def test_preferences_round_trip(world, client_for):
    client = client_for(world.owner)
    defaults = client.get("/api/v1/me/preferences/").json()
    assert defaults["channels"]["mention"] == "email"
    assert defaults["channels"]["comment.on_post"] == "daily"
    assert defaults["quiet_hours"] == {"from": None, "until": None}
    response = client.put(
        "/api/v1/me/preferences/",
        {
            "channels": {"mention": "weekly", "reminder.update_due": "off"},
            "quiet_hours": {"from": "21:00", "until": "07:30"},
            "weekends": True,
            "timezone": "America/New_York",
            "language": "en",
            "muted_convoys": [{"convoy": world.convoy.pk, "until": "2026-12-24"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["channels"]["mention"] == "weekly"
    assert body["quiet_hours"] == {"from": "21:00", "until": "07:30"}
    assert (body["timezone"], body["language"], body["weekends"]) == (
        "America/New_York",
        "en",
        True,
    )
    assert body["muted_convoys"] == [{"convoy": world.convoy.pk, "until": "2026-12-24"}]
    assert DeliverySettings.objects.get(user=world.owner).weekends is True
    assert ConvoyMute.objects.get(user=world.owner).until.isoformat() == "2026-12-24"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"channels": {"nonsense": "email"}}, "channels"),
        ({"channels": {"mention": "sometimes"}}, "channels"),
        ({"channels": {"digest.facilitator": "daily"}}, "channels"),
        ({"quiet_hours": {"from": "21:00", "until": None}}, "quiet_hours"),
        ({"quiet_hours": {"from": "25:00", "until": "07:00"}}, "quiet_hours"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"muted_convoys": [{"convoy": 999999}]}, "muted_convoys"),
    ],
)
def test_bad_preferences_are_400_naming_the_field_and_change_nothing(
    world, client_for, payload, field
):
    response = client_for(world.owner).put("/api/v1/me/preferences/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not NotificationPreference.objects.exists()
    assert not DeliverySettings.objects.exists()
    assert not ConvoyMute.objects.exists()


def test_muting_someone_elses_convoy_is_refused(world, client_for):
    response = client_for(world.owner).put(
        "/api/v1/me/preferences/",
        {"muted_convoys": [{"convoy": world.other_convoy.pk}]},
        format="json",
    )
    assert response.status_code == 400
    assert not ConvoyMute.objects.exists()


def test_notifications_page_badge_and_open(world, client):
    make(world, world.owner, n=2)
    client.force_login(world.owner)
    page = client.get("/notifications/").content.decode()
    assert page.count('class="card notification unread"') == 2
    assert "data-notification-count>2<" in page
    # The socket resumes after the newest one the page knew: no replay, no stale toast.
    newest = Notification.objects.filter(recipient=world.owner).latest("id")
    assert f'data-last-id="{newest.pk}"' in page
    first = Notification.objects.filter(recipient=world.owner).first()
    response = client.post(f"/notifications/{first.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == f"/convoys/{world.convoy.pk}/"
    first.refresh_from_db()
    assert first.read_at is not None
    theirs = make(world, world.facilitator).get()
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404


def test_preferences_page_saves(world, client):
    client.force_login(world.owner)
    assert client.get("/notifications/settings/").status_code == 200
    form = {
        "language": "de",
        "timezone": "Europe/Berlin",
        "quiet_from": "22:00",
        "quiet_until": "07:00",
        "weekends": "",
        f"mute__{world.convoy.pk}": "snoozed",
        f"until__{world.convoy.pk}": "2026-12-01",
    }
    from notifications.kinds import DEFAULT_CHANNELS

    form.update({f"channel__{k}": v for k, v in DEFAULT_CHANNELS.items()})
    form["channel__mention"] = "in_app"
    response = client.post("/notifications/settings/", form)
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=world.owner).channel == "in_app"
    assert ConvoyMute.objects.get(user=world.owner).until.isoformat() == "2026-12-01"
