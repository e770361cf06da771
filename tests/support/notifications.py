"""What a user was notified of."""

from notifications.models import Notification


def notifications_of(user) -> list[tuple[str, str | None]]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "key")
    )
