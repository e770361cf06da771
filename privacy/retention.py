"""Retention: what is kept only for a while, deleted once a day (privacy.tasks, at
RETENTION_PURGE_HOUR) or by `manage.py purge_expired_data`.

The periods are settings (RETENTION_*), so that the privacy notice states the same numbers the
purge uses. Each kind is deleted in batches of BATCH rows by primary key (no unbounded IN list,
no long lock on a busy table); a run is idempotent and a second one finds nothing.
"""

from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Q

from accounts.sessions import user_sessions_purge_expired
from audit.models import AuditEntry
from checkins.models import CalendarFeed
from checks.models import CheckResponse, CheckStatus
from comments.models import CommentRevision
from companies.models import CompanyInvitation
from convoys.models import Invitation
from events.models import Registration, RegistrationStatus
from notifications.models import Notification

BATCH = 1000


def _days(name: str) -> timedelta:
    return timedelta(days=int(getattr(settings, name)))


def batched_delete(queryset: models.QuerySet[Any]) -> int:
    """Delete the rows of `queryset`, BATCH primary keys per statement. Returns how many."""
    total = 0
    while True:
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not pks:
            return total
        with transaction.atomic():
            queryset.model.objects.filter(pk__in=pks).delete()
        total += len(pks)


def _invitations_finished_before(cutoff: datetime) -> Q:
    """Used, withdrawn or expired before `cutoff` (open ones stay however old)."""
    return (
        Q(accepted_at__lt=cutoff)
        | Q(revoked_at__lt=cutoff)
        | Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lt=cutoff)
    )


def _sessions_purge(now: datetime) -> dict[str, int]:
    engine = import_module(settings.SESSION_ENGINE)
    counts = {"sessions": 0}
    db_store = settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    )
    if db_store:
        counts["sessions"] = batched_delete(Session.objects.filter(expire_date__lt=now))
    else:
        engine.SessionStore.clear_expired()  # file/cache stores: their own rule
    counts["user_sessions"] = user_sessions_purge_expired(now)
    return counts


def registrations_erase(now: datetime) -> int:
    """Open events' registrants, EVENT_REGISTRATION_RETENTION_DAYS after the event ended,
    and cancelled registrations EVENT_CANCELLED_REGISTRATION_RETENTION_DAYS after they were
    cancelled (sooner, if the event is long ahead): their name, e-mail address and answers
    are erased (and the contact consent, which needs the address; the door code and the
    link's token open nothing then but an empty ticket). What the programme counts stays:
    company name, postcode, size and sector, the status, the check-in, the register match.
    In batches; a second run finds nothing."""
    cutoff = now - _days("EVENT_REGISTRATION_RETENTION_DAYS")
    cancelled_cutoff = now - _days("EVENT_CANCELLED_REGISTRATION_RETENTION_DAYS")
    due = Q(event__ends_at__lt=cutoff) | Q(
        status=RegistrationStatus.CANCELLED, cancelled_at__lt=cancelled_cutoff
    )
    pending = Registration.objects.filter(due).filter(
        ~Q(name="") | ~Q(email="") | ~Q(answers={}) | Q(contact_consent=True)
    )
    total = 0
    while True:
        pks = list(pending.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not pks:
            return total
        Registration.objects.filter(pk__in=pks).update(
            name="", email="", answers={}, contact_consent=False, email_confirmed_at=None
        )
        total += len(pks)


def anonymous_checks_purge(now: datetime) -> int:
    """Anonymous Digitalisierungs-Checks (no company: taken from a public page and never filed
    under one): an unfinished one CHECK_DRAFT_RETENTION_DAYS after its last change, a finished
    one (with the address left for the report) CHECK_ANONYMOUS_RETENTION_DAYS after its last
    change. The programme's register keeps what a confirmed share put there (its own entry);
    the report counts only companies' checks, so its figures do not change."""
    drafts = CheckResponse.objects.filter(
        company__isnull=True,
        status=CheckStatus.DRAFT,
        updated_at__lt=now - _days("CHECK_DRAFT_RETENTION_DAYS"),
    )
    finished = CheckResponse.objects.filter(
        company__isnull=True,
        status=CheckStatus.SUBMITTED,
        updated_at__lt=now - _days("CHECK_ANONYMOUS_RETENTION_DAYS"),
    )
    return batched_delete(drafts) + batched_delete(finished)


def retention_purge(now: datetime) -> dict[str, int]:
    """Delete what is past its period at `now`; returns how many rows of each kind went."""
    counts = _sessions_purge(now)
    counts["read_notifications"] = batched_delete(
        Notification.objects.filter(read_at__lt=now - _days("RETENTION_READ_NOTIFICATIONS_DAYS"))
    )
    counts["comment_revisions"] = batched_delete(
        CommentRevision.objects.filter(
            created_at__lt=now - _days("RETENTION_COMMENT_REVISIONS_DAYS")
        )
    )
    counts["revoked_calendar_feeds"] = batched_delete(
        CalendarFeed.objects.filter(revoked_at__lt=now - _days("RETENTION_REVOKED_FEEDS_DAYS"))
    )
    invitations_cutoff = now - _days("RETENTION_INVITATIONS_DAYS")
    counts["convoy_invitations"] = batched_delete(
        Invitation.objects.filter(_invitations_finished_before(invitations_cutoff))
    )
    counts["company_invitations"] = batched_delete(
        CompanyInvitation.objects.filter(_invitations_finished_before(invitations_cutoff))
    )
    audit_cutoff = now - _days("RETENTION_AUDIT_DAYS")
    counts["audit_entries"] = AuditEntry.objects.purge_before(audit_cutoff)
    # Login attempts and logs of django-axes: kept as long as the audit log.
    counts["login_records"] = sum(
        batched_delete(model.objects.filter(attempt_time__lt=audit_cutoff))
        for model in (AccessAttempt, AccessLog, AccessFailureLog)
    )
    counts["event_registrants"] = registrations_erase(now)
    counts["anonymous_checks"] = anonymous_checks_purge(now)
    return counts
