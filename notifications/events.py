"""The per-person live stream's wire shape and its one sending point (/ws/notifications/).

The consumer relays what is sent to the person's group `user.<id>`; the API and the replay
on reconnect use the same shape.
"""

from typing import Any

from django.utils import translation

from live.groups import user_group
from live.publish import group_send_safely
from notifications.kinds import notification_title
from notifications.links import notification_path
from notifications.models import Notification

# The consumer's handler for the channel-layer message type below.
MESSAGE_TYPE = "notification.message"


def notification_message(notification: Notification, *, unread: int) -> dict[str, Any]:
    """The wire shape of a notification on /ws/notifications/ (in the recipient's language).
    `url` is the web UI's link to its target, built by the interface (notifications.links)."""
    recipient = notification.recipient
    with translation.override(recipient.language):
        title = notification_title(notification, tz=recipient.timezone)
    return {
        "type": "notification",
        "id": notification.pk,
        "kind": notification.kind,
        "title": title,
        "url": notification_path(notification),
        "target": notification_target_data(notification),
        "convoy": notification.convoy_id,
        "at": notification.created_at.isoformat(),
        "unread": unread,
    }


def notification_target_data(notification: Notification) -> dict[str, Any] | None:
    """What a notification is about, for clients: {type, id} (and the anchor on its page)."""
    if not notification.target_type:
        return None
    return {
        "type": notification.target_type,
        "id": notification.target_id,
        "anchor": notification.anchor,
    }


def notification_send(user_id: int, message: dict[str, Any]) -> None:
    """Send one notification message to a person's open sockets; never raises."""
    group_send_safely(user_group(user_id), {"type": MESSAGE_TYPE, "message": message})
