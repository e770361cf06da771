"""Links to what a notification is about, built by the interface.

A notification stores its target (type, id, anchor), never a web-UI path: the domain does not
know the interface's URLs, and API clients receive the target. The interface registers one
link builder in its AppConfig.ready() (the web UI: frontend/apps.py); e-mails, the socket's
wire shape and the API's backwards-compatible `url` ask it here:

    from notifications.links import register_link_builder

    class FrontendConfig(AppConfig):
        def ready(self) -> None:
            register_link_builder(frontend_link)

An explicit registry rather than a signal: the caller needs the builder's answer.

Besides the notification targets (`TargetType`), the builder knows the pages e-mails link
to: "preferences", "unsubscribe" (with `token`), "invitation" (with the one-time `token`;
without it, the invitations page of the invitee), and an open event's public pages:
"event_public" (`id`, `slug`) and "registration" (the registrant's page, with `token`); the
anonymous check's page "check_public" and its e-mail confirmation "check_public_confirm"
(with `token`).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from notifications.models import Notification


@dataclass(frozen=True)
class Target:
    """A thing or page to link to; `convoy_id` is the convoy it is seen in, if any."""

    type: str
    id: int | None = None
    anchor: str = ""
    convoy_id: int | None = None
    token: str = ""
    slug: str = ""  # a programme's public address (its public pages)


LinkBuilder = Callable[[Target], str | None]

_builder: LinkBuilder | None = None


def register_link_builder(builder: LinkBuilder) -> None:
    """Set the interface's builder: a Target → a path (or None for one it cannot show)."""
    global _builder
    _builder = builder


def link_path(target: Target | None) -> str:
    """The path of a target, "/" for none or one the interface cannot show."""
    if target is None or not target.type or _builder is None:
        return "/"
    return _builder(target) or "/"


def link_url(target: Target | None) -> str:
    """The absolute URL of a target, for e-mails (SITE_URL + path)."""
    return settings.SITE_URL + link_path(target)


def notification_target(notification: Notification) -> Target | None:
    if not notification.target_type:
        return None
    return Target(
        type=notification.target_type,
        id=notification.target_id,
        anchor=notification.anchor,
        convoy_id=notification.convoy_id,
    )


def notification_path(notification: Notification) -> str:
    return link_path(notification_target(notification))
