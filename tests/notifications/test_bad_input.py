"""Malformed preference bodies are 400s naming the field, never 500s, and change nothing."""

import pytest

from notifications.models import ConvoyMute, DeliverySettings, NotificationPreference


@pytest.mark.parametrize(
    "body",
    [
        [],
        "quiet",
        {"channels": "email"},
        {"channels": {"mention": None}},
        {"quiet_hours": 5},
        {"quiet_hours": {"from": "21:00"}},
        {"weekends": "sometimes"},
        {"muted_convoys": "all"},
        {"muted_convoys": [{"convoy": "eins"}]},
        {"muted_convoys": [{"convoy": 1, "until": "31.12.2026"}]},
        {"language": "fr"},
    ],
)
def test_malformed_preferences(world, client_for, body):
    response = client_for(world.owner).put("/api/v1/me/preferences/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()
    assert not NotificationPreference.objects.exists()
    assert not DeliverySettings.objects.exists()
    assert not ConvoyMute.objects.exists()


def test_non_numeric_notification_id_is_404(world, client_for):
    assert client_for(world.owner).post("/api/v1/notifications/abc/read/").status_code == 404
