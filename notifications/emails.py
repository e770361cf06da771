"""E-mails of the notifications app: one notification, a digest, each with its unsubscribe.

Every e-mail is written in the recipient's language and time zone and carries a one-click
unsubscribe for its kind (RFC 8058: `List-Unsubscribe` + `List-Unsubscribe-Post`), signed so
that it works without login and for nothing but that person and kind.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from notifications.kinds import notification_title
from notifications.models import DigestDelivery, Notification, NotificationKind

UNSUBSCRIBE_SALT = "konvoi.notifications.unsubscribe"
DIGEST_KINDS = ("digest.daily", "digest.weekly")


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_parse(token: str) -> tuple[int, str] | None:
    """The (user id, kind) a token was made for, or None if it was not made by us."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict):
        return None
    user_id, kind = value.get("u"), value.get("k")
    if not isinstance(user_id, int) or kind not in (*NotificationKind.values, *DIGEST_KINDS):
        return None
    return user_id, kind


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return settings.SITE_URL + reverse("frontend:unsubscribe", kwargs={"token": token})


def _absolute(url: str) -> str:
    return url if url.startswith("http") else settings.SITE_URL + (url or "/")


def _message(
    *, user: User, template: str, context: dict[str, Any], unsubscribe_kind: str
) -> EmailMultiAlternatives:
    link = unsubscribe_url(user_id=user.pk, kind=unsubscribe_kind)
    context = {
        **context,
        "user": user,
        "unsubscribe_url": link,
        "preferences_url": settings.SITE_URL + reverse("frontend:notification_preferences"),
        "site_url": settings.SITE_URL,
    }
    with translation.override(user.language), timezone.override(user.timezone):
        context["LANGUAGE_CODE"] = user.language
        subject = render_to_string(f"notifications/email/{template}_subject.txt", context)
        text = render_to_string(f"notifications/email/{template}.txt", context)
        html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split())[:200],
        text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _item(notification: Notification, user: User) -> dict[str, Any]:
    return {
        "title": notification_title(notification, tz=user.timezone),
        "url": _absolute(notification.url),
        "kind": notification.kind,
        "created_at": notification.created_at,
    }


def notification_email(notification: Notification) -> EmailMultiAlternatives:
    """One notification as an e-mail (the facilitator digest with its weekly summary)."""
    from notifications.selectors import facilitator_digest_summary

    user = notification.recipient
    with translation.override(user.language):
        item = _item(notification, user)
    context: dict[str, Any] = {"item": item, "notification": notification}
    template = "notification"
    if notification.kind == NotificationKind.FACILITATOR_DIGEST and notification.convoy_id:
        template = "facilitator_digest"
        context["summary"] = facilitator_digest_summary(
            convoy_id=notification.convoy_id,
            since=notification.data.get("since"),
            until=notification.data.get("until"),
        )
    return _message(
        user=user, template=template, context=context, unsubscribe_kind=notification.kind
    )


def digest_email(
    delivery: DigestDelivery, notifications: Sequence[Notification]
) -> EmailMultiAlternatives:
    """A daily or weekly digest: one e-mail listing every item it holds."""
    user = delivery.user
    with translation.override(user.language):
        items = [_item(n, user) for n in notifications]
    return _message(
        user=user,
        template="digest",
        context={"items": items, "delivery": delivery, "weekly": delivery.channel == "weekly"},
        unsubscribe_kind=f"digest.{delivery.channel}",
    )
