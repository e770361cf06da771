"""The retention purge deletes exactly what is past each period, and nothing newer; the
periods come from the settings; the command and the beat task run the same function."""

import io
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import UserSession
from audit.models import Action, AuditEntry
from checkins.models import CalendarFeed
from comments.models import CommentRevision
from convoys.models import Invitation
from notifications.models import Notification
from privacy import retention
from privacy.retention import retention_purge
from tests.factories import CommentFactory, CompanyInvitationFactory, InvitationFactory

DAY = timedelta(days=1)


@pytest.fixture
def periods(settings):
    settings.RETENTION_READ_NOTIFICATIONS_DAYS = 10
    settings.RETENTION_COMMENT_REVISIONS_DAYS = 20
    settings.RETENTION_REVOKED_FEEDS_DAYS = 5
    settings.RETENTION_AUDIT_DAYS = 30
    settings.RETENTION_INVITATIONS_DAYS = 15
    return settings


def _notification(user, *, read_at):
    return Notification.objects.create(
        recipient=user,
        kind="mention",
        data={},
        key=f"k{read_at}",
        read_at=read_at,
        created_at=timezone.now(),
    )


def _axes(model, when):
    fields = {
        "username": "x@example.org",
        "ip_address": "198.51.100.1",
        "user_agent": f"agent {when.isoformat()}",  # (username, ip, agent) is unique
        "http_accept": "",
        "path_info": "/login/",
        "attempt_time": when,
    }
    if model is AccessAttempt:
        fields |= {"get_data": "", "post_data": "", "failures_since_start": 1}
    row = model.objects.create(**fields)
    model.objects.filter(pk=row.pk).update(attempt_time=when)  # auto_now_add on some
    return row


@pytest.fixture
def aged(world, periods):
    """For each kind: one row just past its period (goes) and one just inside (stays)."""
    now = timezone.now()
    rows: dict[str, tuple] = {}
    rows["notification"] = (
        _notification(world.owner, read_at=now - 10 * DAY - DAY),
        _notification(world.owner, read_at=now - 10 * DAY + DAY),
    )
    unread_old = _notification(world.member, read_at=None)
    Notification.objects.filter(pk=unread_old.pk).update(created_at=now - 400 * DAY)
    comment = CommentFactory(convoy=world.convoy, target_type="update", target_id=1)
    old_rev = CommentRevision.objects.create(comment=comment, body="alt", written_at=now)
    new_rev = CommentRevision.objects.create(comment=comment, body="neu", written_at=now)
    CommentRevision.objects.filter(pk=old_rev.pk).update(created_at=now - 21 * DAY)
    CommentRevision.objects.filter(pk=new_rev.pk).update(created_at=now - 19 * DAY)
    rows["revision"] = (old_rev, new_rev)
    rows["feed"] = (
        CalendarFeed.objects.create(
            user=world.owner, nonce="a", token_hash="a", revoked_at=now - 6 * DAY
        ),
        CalendarFeed.objects.create(
            user=world.owner, nonce="b", token_hash="b", revoked_at=now - 4 * DAY
        ),
    )
    live_feed = CalendarFeed.objects.create(user=world.member, nonce="c", token_hash="c")
    CalendarFeed.objects.filter(pk=live_feed.pk).update(created_at=now - 400 * DAY)
    rows["audit"] = (
        AuditEntry.objects.create(action=Action.LOGIN, at=now - 31 * DAY),
        AuditEntry.objects.create(action=Action.LOGIN, at=now - 29 * DAY),
    )
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        rows[model.__name__] = (_axes(model, now - 31 * DAY), _axes(model, now - 29 * DAY))
    rows["invitation"] = (
        InvitationFactory(convoy=world.convoy, expires_at=now - 16 * DAY),
        InvitationFactory(convoy=world.convoy, expires_at=now - 14 * DAY),
    )
    rows["company_invitation"] = (
        CompanyInvitationFactory(company=world.company, revoked_at=now - 16 * DAY),
        CompanyInvitationFactory(company=world.company, accepted_at=now - 14 * DAY),
    )
    # Open however old (it expires in the future): stays.
    open_invitation = InvitationFactory(convoy=world.convoy, expires_at=now + DAY)
    Invitation.objects.filter(pk=open_invitation.pk).update(created_at=now - 400 * DAY)
    rows["session"] = (
        Session.objects.create(session_key="a" * 32, session_data="", expire_date=now - DAY),
        Session.objects.create(session_key="b" * 32, session_data="", expire_date=now + DAY),
    )
    UserSession.objects.create(user=world.owner, session_key="a" * 32)
    UserSession.objects.create(user=world.owner, session_key="b" * 32)
    return {
        "rows": rows,
        "now": now,
        "keep": [unread_old, live_feed, open_invitation],
    }


def _exists(row) -> bool:
    return type(row)._base_manager.filter(pk=row.pk).exists()


def test_purge_deletes_exactly_what_is_past_each_period(aged):
    counts = retention_purge(aged["now"])
    for kind, (old, new) in aged["rows"].items():
        assert not _exists(old), kind
        assert _exists(new), kind
    for row in aged["keep"]:
        assert _exists(row), row
    assert counts["read_notifications"] == 1
    assert counts["comment_revisions"] == 1
    assert counts["revoked_calendar_feeds"] == 1
    assert counts["audit_entries"] == 1
    assert counts["login_records"] == 3
    assert counts["convoy_invitations"] == 1
    assert counts["company_invitations"] == 1
    assert counts["sessions"] == 1
    assert counts["user_sessions"] == 1
    assert list(UserSession.objects.values_list("session_key", flat=True)) == ["b" * 32]
    # Idempotent: a second run finds nothing.
    assert sum(retention_purge(aged["now"]).values()) == 0


def test_the_periods_come_from_the_settings(aged, settings):
    settings.RETENTION_READ_NOTIFICATIONS_DAYS = 12
    retention_purge(aged["now"])
    old, new = aged["rows"]["notification"]
    assert _exists(old) and _exists(new)


def test_deletes_in_batches(aged, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 1)
    now = aged["now"]
    for i in range(3):
        _notification(aged["rows"]["notification"][0].recipient, read_at=now - 100 * DAY - i * DAY)
    assert retention_purge(now)["read_notifications"] == 4


def test_the_command_runs_the_purge_at_a_given_moment(aged):
    out = io.StringIO()
    later = (aged["now"] + 2 * DAY).isoformat()
    call_command("purge_expired_data", "--now", later, stdout=out)
    # Two days later the notification read 9 days ago is past its 10 days too.
    assert not _exists(aged["rows"]["notification"][1])
    assert "read notifications: 2" in out.getvalue()


def test_the_command_refuses_a_bad_moment(db):
    with pytest.raises(CommandError):
        call_command("purge_expired_data", "--now", "yesterday")
    with pytest.raises(CommandError):
        call_command("purge_expired_data", "--now", "2026-01-01T03:00")


def test_beat_runs_it_daily_at_the_configured_hour(db, settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["retention-purge"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {settings.RETENTION_PURGE_HOUR}
    assert entry["schedule"].minute == {0}
    assert "sessions-clear" not in settings.CELERY_BEAT_SCHEDULE


def test_the_task_calls_the_purge(aged):
    from privacy.tasks import retention_purge_task

    result = retention_purge_task.delay(now=aged["now"].isoformat()).get()
    assert result["read_notifications"] == 1
