"""Background work of the notifications app. Tasks take ids, claim, and call domain code;
each is idempotent: running one twice sends nothing twice."""

import logging
from datetime import datetime

from celery import shared_task
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation

from convoys.events import group_send_safely, user_group
from notifications.emails import digest_email, notification_email
from notifications.kinds import notification_title
from notifications.models import Channel, DigestDelivery, Notification
from notifications.sweep import CLAIM_LEASE, sweep_run

logger = logging.getLogger(__name__)


def _now(value: str | None) -> datetime:
    return datetime.fromisoformat(value) if value else timezone.now()


@shared_task(time_limit=1800, soft_time_limit=1700)
def reminders_sweep(*, now: str | None = None) -> dict[str, int]:
    """What beat runs every few minutes; `manage.py send_reminders` runs the same."""
    result = sweep_run(now=_now(now))
    return {**result.created, "digests": result.digests}


def notification_message(notification: Notification, *, unread: int) -> dict:
    """The wire shape of a notification on /ws/notifications/ and in the API list."""
    recipient = notification.recipient
    with translation.override(recipient.language):
        title = notification_title(notification, tz=recipient.timezone)
    return {
        "type": "notification",
        "id": notification.pk,
        "kind": notification.kind,
        "title": title,
        "url": notification.url,
        "convoy": notification.convoy_id,
        "at": notification.created_at.isoformat(),
        "unread": unread,
    }


@shared_task
def notifications_push(*, ids: list[int]) -> None:
    """Push new notifications to their people's open sockets, with each one's unread count."""
    notifications = list(
        Notification.objects.filter(pk__in=ids).select_related("recipient", "actor").order_by("id")
    )
    recipients = {n.recipient_id for n in notifications}
    unread = dict(
        Notification.objects.filter(recipient_id__in=recipients, read_at__isnull=True)
        .values("recipient_id")
        .annotate(count=Count("id"))
        .values_list("recipient_id", "count")
    )
    for notification in notifications:
        group_send_safely(
            user_group(notification.recipient_id),
            {
                "type": "notification.message",
                "message": notification_message(
                    notification, unread=unread.get(notification.recipient_id, 0)
                ),
            },
        )


def _claim(queryset, *, field: str, now: datetime) -> list[int]:
    """Take rows for this sender; rows another sender holds (and has not abandoned) stay."""
    stale = now - CLAIM_LEASE
    with transaction.atomic():
        ids = list(
            queryset.filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": stale}))
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        queryset.model.objects.filter(pk__in=ids).update(**{field: now})
    return ids


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_emails_send(*, ids: list[int], now: str | None = None) -> int:
    """Send the due e-mails among these notifications, each once."""
    moment = _now(now)
    claimed = _claim(
        Notification.objects.filter(
            pk__in=ids, channel=Channel.EMAIL, emailed_at__isnull=True, email_after__lte=moment
        ),
        field="email_claimed_at",
        now=moment,
    )
    sent = 0
    for notification in (
        Notification.objects.filter(pk__in=claimed)
        .select_related("recipient", "actor")
        .order_by("id")
    ):
        try:
            notification_email(notification).send()
        except OSError:
            # Give the rest back at once; the retry (or the next sweep) takes them again.
            Notification.objects.filter(pk__in=claimed, emailed_at__isnull=True).update(
                email_claimed_at=None
            )
            raise
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def digest_send(*, delivery_id: int, now: str | None = None) -> bool:
    """Write and send one digest e-mail, once."""
    moment = _now(now)
    if not _claim(
        DigestDelivery.objects.filter(pk=delivery_id, sent_at__isnull=True),
        field="claimed_at",
        now=moment,
    ):
        return False
    delivery = DigestDelivery.objects.select_related("user").get(pk=delivery_id)
    items = list(
        Notification.objects.filter(digest=delivery).select_related("actor").order_by("id")
    )
    if items:
        try:
            digest_email(delivery, items).send()
        except OSError:
            DigestDelivery.objects.filter(pk=delivery_id).update(claimed_at=None)
            raise
    sent_at = timezone.now()
    with transaction.atomic():
        DigestDelivery.objects.filter(pk=delivery_id).update(sent_at=sent_at)
        Notification.objects.filter(digest=delivery).update(emailed_at=sent_at)
    return bool(items)
