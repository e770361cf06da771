"""Sending what the sweep and notify() decided: the protocol that keeps every e-mail and
digest to one send.

A sender claims rows (`email_claimed_at` / `claimed_at`) under SELECT … FOR UPDATE SKIP
LOCKED; a claim older than CLAIM_LEASE belongs to a crashed worker and may be taken again;
a row is marked sent right after its e-mail leaves, and a failed send gives the claim back.
The Celery tasks (notifications.queue) only load ids and call these.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from notifications.emails import digest_email, notification_email
from notifications.events import notification_message, notification_send
from notifications.models import Channel, DigestDelivery, Notification

CLAIM_LEASE = timedelta(minutes=15)  # a claim older than this belongs to a crashed worker


def _claim(queryset: QuerySet, *, field: str, now: datetime) -> list[int]:
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
        notification_send(
            notification.recipient_id,
            notification_message(notification, unread=unread.get(notification.recipient_id, 0)),
        )


def notification_emails_send(*, ids: list[int], now: datetime) -> int:
    """Send the due e-mails among these notifications, each once; returns how many."""
    claimed = _claim(
        Notification.objects.filter(
            pk__in=ids, channel=Channel.EMAIL, emailed_at__isnull=True, email_after__lte=now
        ),
        field="email_claimed_at",
        now=now,
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


def digest_send(*, delivery_id: int, now: datetime) -> bool:
    """Write and send one digest e-mail, once; False if another sender has it or it was
    empty."""
    if not _claim(
        DigestDelivery.objects.filter(pk=delivery_id, sent_at__isnull=True),
        field="claimed_at",
        now=now,
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
