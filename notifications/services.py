"""Writes of the notifications app: creating notifications, reading them, preferences."""

from collections.abc import Iterable
from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_update
from companies.models import Company, CompanyMember
from convoys.models import Convoy, ConvoyStatus, Membership
from convoys.selectors import convoys_for_user, require_facilitator
from modelutils.update import model_update
from notifications.kinds import ALLOWED_CHANNELS, DEFAULT_CHANNELS
from notifications.models import (
    Channel,
    ConvoyMute,
    DeliverySettings,
    Notification,
    NotificationKind,
    NotificationPreference,
    Nudge,
    TargetType,
)
from notifications.queue import notification_emails_send, notifications_push
from notifications.selectors import nudge_day
from notifications.timing import email_moment, local_now

NUDGE_MESSAGE_MAX_LENGTH = 300


def notify(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    actor: User | None,
    convoy_id: int | None,
    target_type: str = "",
    target_id: int | None = None,
    anchor: str = "",
    data: dict[str, Any],
    key: str | None = None,
    now: datetime | None = None,
) -> int:
    """Address a notification to people, each by the channel they chose for its kind.

    Runs inside the caller's transaction. Nobody is told of their own action; a muted or
    snoozed convoy and a kind switched off create nothing. The target (a `TargetType`, its id,
    and an anchor on its page) says what it is about; the interface builds the link. After
    commit the new notifications are pushed to the people's sockets and the e-mails that are
    due are queued.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify must run inside the transaction of its change")
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if target_type and target_type not in TargetType.values:
        raise ValueError(f"unknown notification target {target_type!r}")
    ids = {int(i) for i in recipient_ids} - ({actor.pk} if actor else set())
    if not ids:
        return 0
    now = now or timezone.now()
    people = list(
        User.objects.filter(pk__in=ids, is_active=True)
        .select_related("delivery_settings")
        .only("pk", "timezone", "delivery_settings__quiet_from", "delivery_settings__quiet_until")
    )
    channels = dict(
        NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list(
            "user_id", "channel"
        )
    )
    muted: set[int] = set()
    if convoy_id is not None:
        for user_id, until, tz in ConvoyMute.objects.filter(
            user_id__in=ids, convoy_id=convoy_id
        ).values_list("user_id", "until", "user__timezone"):
            if until is None or until >= local_now(now, tz).date():
                muted.add(user_id)
    rows = []
    for person in people:
        channel = channels.get(person.pk, DEFAULT_CHANNELS[kind])
        if channel == Channel.OFF or person.pk in muted:
            continue
        settings = getattr(person, "delivery_settings", None)
        email_after = None
        if channel == Channel.EMAIL:
            email_after = email_moment(
                now,
                tz=person.timezone,
                quiet_from=settings.quiet_from if settings else None,
                quiet_until=settings.quiet_until if settings else None,
            )
        rows.append(
            Notification(
                recipient_id=person.pk,
                kind=kind,
                actor=actor,
                convoy_id=convoy_id,
                target_type=target_type,
                target_id=target_id,
                anchor=anchor,
                data=data,
                key=key,
                channel=channel,
                created_at=now,
                email_after=email_after,
            )
        )
    if not rows:
        return 0
    if key is None:
        created = Notification.objects.bulk_create(rows)
        created_ids = [n.pk for n in created]
    else:
        # Idempotent by natural key: whoever already has it keeps the one they have.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        created_ids = list(
            Notification.objects.filter(
                recipient_id__in=[r.recipient_id for r in rows], key=key, created_at=now
            ).values_list("pk", flat=True)
        )
    notifications_deliver_on_commit(created_ids, now=now)
    return len(created_ids)


def notifications_deliver_on_commit(ids: list[int], *, now: datetime) -> None:
    """After commit: push to sockets, and send the e-mails due at `now` (the rest, held by
    quiet hours, leave with the sweep when they are due)."""
    if not ids:
        return
    notifications_push.delay_on_commit(ids=ids)
    notification_emails_send.delay_on_commit(ids=ids, now=now.isoformat())


@transaction.atomic
def notification_mark_read(*, user: User, notification: Notification) -> Notification:
    if notification.recipient_id != user.pk:
        raise Notification.DoesNotExist  # nobody learns of someone else's notification
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _validate_channels(channels: dict[str, str]) -> None:
    errors = []
    for kind, channel in channels.items():
        if kind not in NotificationKind.values:
            errors.append(_("Unknown notification kind: {kind}").format(kind=kind))
        elif channel not in ALLOWED_CHANNELS[kind]:
            errors.append(
                _("“{channel}” is not possible for {kind}.").format(channel=channel, kind=kind)
            )
    if errors:
        raise ValidationError({"channels": errors})


@transaction.atomic
def preferences_update(
    *,
    user: User,
    channels: dict[str, str] | None = None,
    quiet_from: time | None = None,
    quiet_until: time | None = None,
    quiet_hours_given: bool = False,
    weekends: bool | None = None,
    language: str | None = None,
    timezone_name: str | None = None,
    muted_convoys: list[dict[str, Any]] | None = None,
) -> None:
    """Set a person's notification preferences; what is not given stays as it is."""
    if channels:
        _validate_channels(channels)
    if quiet_hours_given and (quiet_from is None) != (quiet_until is None):
        raise ValidationError({"quiet_hours": [_("Give both the start and the end, or neither.")]})
    if muted_convoys is not None:
        visible = set(convoys_for_user(user=user).values_list("pk", flat=True))
        unknown = [m["convoy"] for m in muted_convoys if m["convoy"] not in visible]
        if unknown:
            raise ValidationError({"muted_convoys": [_("Unknown convoy.")]})
    if language is not None or timezone_name is not None:
        fields: dict[str, Any] = {}
        if language is not None:
            fields["language"] = language
        if timezone_name is not None:
            fields["timezone"] = timezone_name
        user_update(user=user, **fields)
    for kind, channel in (channels or {}).items():
        if channel == DEFAULT_CHANNELS[kind]:
            NotificationPreference.objects.filter(user=user, kind=kind).delete()
        else:
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"channel": channel}
            )
    if quiet_hours_given or weekends is not None:
        settings, _created = DeliverySettings.objects.get_or_create(user=user)
        delivery: dict[str, Any] = {}
        if quiet_hours_given:
            delivery |= {"quiet_from": quiet_from, "quiet_until": quiet_until}
        if weekends is not None:
            delivery["weekends"] = weekends
        model_update(settings, data=delivery, clean=False)
    if muted_convoys is not None:
        ConvoyMute.objects.filter(user=user).exclude(
            convoy_id__in=[m["convoy"] for m in muted_convoys]
        ).delete()
        for mute in muted_convoys:
            ConvoyMute.objects.update_or_create(
                user=user, convoy_id=mute["convoy"], defaults={"until": mute.get("until")}
            )


@transaction.atomic
def unsubscribe(*, user_id: int, kind: str) -> None:
    """Stop e-mails of one kind (the unsubscribe link): the kind stays in the app.

    `kind` may also be "digest.daily" or "digest.weekly": everything that came in that digest
    then stays in the app."""
    if kind in {"digest.daily", "digest.weekly"}:
        channel = Channel.DAILY if kind == "digest.daily" else Channel.WEEKLY
        chosen = dict(
            NotificationPreference.objects.filter(user_id=user_id).values_list("kind", "channel")
        )
        kinds = {k for k, default in DEFAULT_CHANNELS.items() if chosen.get(k, default) == channel}
    else:
        kinds = {kind}
    for k in kinds:
        NotificationPreference.objects.update_or_create(
            user_id=user_id, kind=k, defaults={"channel": Channel.IN_APP}
        )


# --- nudges ----------------------------------------------------------------------------------


def _already_nudged_message(*, company: Company, earlier: Nudge) -> str:
    if earlier.actor is not None:
        return _(
            "%(company)s was already nudged today by %(name)s. You can nudge again tomorrow."
        ) % {"company": company.name, "name": earlier.actor.display_name}
    return _("%(company)s was already nudged today. You can nudge again tomorrow.") % {
        "company": company.name
    }


@transaction.atomic
def company_nudge(
    *,
    actor: User,
    convoy: Convoy,
    company: Company,
    message: str = "",
    now: datetime | None = None,
) -> Nudge:
    """A facilitator asks a member company's people for an update (a `nudge` notification,
    in the app and by e-mail as each of them chose). The rule: only a facilitator of the
    convoy, only a company that is an active member, not in a closed convoy, and at most once
    per company and convoy a day, whoever of the facilitators nudges."""
    require_facilitator(user=actor, convoy_id=convoy.pk)
    if convoy.status == ConvoyStatus.CLOSED:
        raise ValidationError({"convoy": [_("This convoy is closed.")]})
    if not Membership.objects.active().filter(convoy=convoy, company=company).exists():
        raise ValidationError({"company": [_("This company is no longer in the convoy.")]})
    message = " ".join(message.split())
    if len(message) > NUDGE_MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "message": [
                    _("Keep the message short: at most %(max)d characters.")
                    % {"max": NUDGE_MESSAGE_MAX_LENGTH}
                ]
            }
        )
    now = now or timezone.now()
    day = nudge_day(convoy=convoy, now=now)
    earlier = (
        Nudge.objects.filter(convoy=convoy, company=company, day=day)
        .select_related("actor")
        .first()
    )
    if earlier is not None:
        raise ValidationError(
            {"company": [_already_nudged_message(company=company, earlier=earlier)]}
        )
    try:
        with transaction.atomic():
            nudge = Nudge.objects.create(
                convoy=convoy,
                company=company,
                day=day,
                actor=actor,
                message=message,
                created_at=now,
            )
    except IntegrityError:
        # Another facilitator nudged in the same moment: theirs stands.
        earlier = Nudge.objects.select_related("actor").get(convoy=convoy, company=company, day=day)
        raise ValidationError(
            {"company": [_already_nudged_message(company=company, earlier=earlier)]}
        ) from None
    notify(
        recipient_ids=CompanyMember.objects.filter(company=company).values_list(
            "user_id", flat=True
        ),
        kind=NotificationKind.NUDGE,
        actor=actor,
        convoy_id=convoy.pk,
        target_type=TargetType.CONVOY,
        target_id=convoy.pk,
        data={
            "company": company.name,
            "company_id": company.pk,
            "convoy": convoy.name,
            "message": message,
        },
        key=f"nudge:{convoy.pk}:{company.pk}:{day.isoformat()}",
        now=now,
    )
    return nudge
