"""Signed-in browsers: the rows beside Django's session store that let a person see where they
are signed in and end a session from another device (services and reads in one module: the
rules are few and belong together).

A row (accounts.UserSession) is written at login (the `user_logged_in` signal, connected in
AccountsConfig.ready) and refreshed by config.session_middleware at most every
SESSION_SEEN_INTERVAL_SECONDS; a session without a row (older than this feature, or made by a
test's force_login without a request) gets one on its next due refresh. The session itself
stays in Django's store (django.contrib.sessions, the database by default): ending a session
deletes it there and its row, and tells the person's sockets to re-check their login, which
closes the sockets of that session (accounts.consumers.credentials_valid).
"""

from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.events import credentials_changed_on_commit
from accounts.mfa import mfa_enabled, session_second_factor_state_from_session
from accounts.models import User, UserSession
from audit.models import Action
from audit.origin import client_ip, user_agent, user_agent_summary
from audit.services import audit_record

# Kept in the session itself: when its row was last written (a Unix time), so that the check
# whether a refresh is due costs no query.
SEEN_SESSION_KEY = "_konvoi_session_seen"
RECORDED_ATTRIBUTE = "_konvoi_session_recorded"


def _store(session_key: str | None = None) -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def _session_model() -> Any:
    """Django's session model when the engine keeps sessions in the database (db, cached_db),
    else None."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    get_model = getattr(store_class, "get_model_class", None)
    return get_model() if get_model is not None else None


BATCH = 500  # sessions per statement when scanning or deleting: no unbounded IN lists


def _store_delete(keys: list[str]) -> None:
    if not keys:
        return
    model = _session_model()
    if model is not None and not settings.SESSION_ENGINE.endswith("cached_db"):
        for start in range(0, len(keys), BATCH):
            model.objects.filter(session_key__in=keys[start : start + BATCH]).delete()
        return
    for key in keys:
        _store().delete(key)


def user_session_keys_in_store(user_id: int) -> set[str]:
    """The keys of every live session in a database session store (db, cached_db) that carries
    this person's id, whether or not it has a UserSession row (sessions from before the list of
    browsers, or a lost row). Scans the store BATCH rows at a time in key order; an empty set
    for other engines (cache, signed cookies), which cannot be scanned."""
    model = _session_model()
    if model is None:
        return set()
    decode = _store().decode
    wanted = str(user_id)
    live = model.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
    keys: set[str] = set()
    last = ""
    while True:
        rows = list(live.filter(session_key__gt=last).order_by("session_key")[:BATCH])
        if not rows:
            return keys
        for row in rows:
            if str(decode(row.session_data).get(SESSION_KEY)) == wanted:
                keys.add(row.session_key)
        last = rows[-1].session_key


def _origin(request: HttpRequest | None) -> dict[str, Any]:
    if request is None:
        return {"ip_address": None, "user_agent": ""}
    return {"ip_address": client_ip(request) or None, "user_agent": user_agent(request)}


def _session_of(request: HttpRequest | None) -> Any:
    return getattr(request, "session", None) if request is not None else None


# --- writes --------------------------------------------------------------------------------


def user_session_record_login(*, request: HttpRequest | None, user: Any) -> UserSession | None:
    """At login (user_logged_in): the row of this browser, under the session's final key.
    login() has already given the session its new key, except after a flush (another person
    was signed in in this browser): then the session is saved now to get its key."""
    session = _session_of(request)
    if session is None or not isinstance(user, User):
        return None
    if session.session_key is None:
        session.save()
    key = session.session_key
    now = timezone.now()
    defaults = {"user": user, "created": now, "last_seen": now, **_origin(request)}
    try:
        with transaction.atomic():
            row, _created = UserSession.objects.update_or_create(session_key=key, defaults=defaults)
    except IntegrityError:  # two logins raced for one key: the other one wrote it
        return None
    session[SEEN_SESSION_KEY] = int(now.timestamp())
    # The refresh middleware need not write again in this request.
    setattr(getattr(request, "_request", request), RECORDED_ATTRIBUTE, True)
    return row


def user_session_seen_due(session: Any, *, now: float) -> bool:
    """Whether the row of this (loaded) session should be refreshed: no query."""
    seen = session.get(SEEN_SESSION_KEY)
    if not isinstance(seen, int):
        return True
    return now - seen >= settings.SESSION_SEEN_INTERVAL_SECONDS or now < seen


def user_session_seen(
    *, request: HttpRequest, user_id: int, previous_key: str | None = None
) -> None:
    """Refresh last_seen of the request's session: one UPDATE. When the session got a new key
    during the request (a password change keeps this browser signed in under a new key), the
    row moves to it; a session without a row (from before this feature) gets one."""
    session = request.session
    key = session.session_key
    if not key:
        return
    now = timezone.now()
    updated = UserSession.objects.filter(session_key=key, user_id=user_id).update(last_seen=now)
    if not updated and previous_key and previous_key != key:
        updated = UserSession.objects.filter(session_key=previous_key, user_id=user_id).update(
            session_key=key, last_seen=now
        )
    if not updated and session.exists(key):
        try:
            with transaction.atomic():
                UserSession.objects.create(
                    user_id=user_id,
                    session_key=key,
                    created=now,
                    last_seen=now,
                    **_origin(request),
                )
        except IntegrityError:  # a parallel request of the same browser wrote it
            pass
    session[SEEN_SESSION_KEY] = int(now.timestamp())


def user_session_forget(*, request: HttpRequest | None) -> None:
    """At logout (user_logged_out, before Django empties the session): the row goes."""
    session = _session_of(request)
    key = getattr(session, "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


def _current_key(request: HttpRequest | None) -> str | None:
    return getattr(_session_of(request), "session_key", None)


@transaction.atomic
def user_session_revoke(user: User, session_id: int, request: HttpRequest | None = None) -> None:
    """End one of the person's other sessions: removed from Django's session store (that
    browser is signed out on its next request) and from the list; its sockets close after
    commit. UserSession.DoesNotExist for an id that is not one of the person's; the session
    of `request` itself cannot be ended here (that is logging out)."""
    row = UserSession.objects.select_for_update().get(pk=session_id, user=user)
    if row.session_key == _current_key(request):
        raise ValidationError(
            {"session": [_("This is the session you are using. To end it, log out.")]},
            code="current",
        )
    _store_delete([row.session_key])
    row.delete()
    audit_record(
        action=Action.SESSION_REVOKED,
        user=user,
        request=request,
        target=f"session:{session_id}",
        data={"device": user_agent_summary(row.user_agent)},
    )
    credentials_changed_on_commit(user_id=user.pk)


def user_sessions_end(user: User, keep_session_key: str | None = None) -> int:
    """End every session of the person but `keep_session_key` (None: all of them): those with
    a UserSession row and those the session store holds without one. Their rows go too. The
    caller tells the sockets. Returns how many sessions ended."""
    rows = UserSession.objects.filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = set(rows.values_list("session_key", flat=True))
    keys |= user_session_keys_in_store(user.pk)
    keys.discard(keep_session_key or "")
    _store_delete(sorted(keys))
    rows.delete()
    return len(keys)


@transaction.atomic
def user_sessions_revoke_others(
    user: User, keep_session_key: str | None, request: HttpRequest | None = None
) -> int:
    """Sign out everywhere else: every session of the person but `keep_session_key` ends (as
    user_session_revoke). Returns how many ended."""
    ended = user_sessions_end(user, keep_session_key)
    if ended:
        audit_record(
            action=Action.SESSION_REVOKED,
            user=user,
            request=request,
            target="session:others",
            data={"count": ended},
        )
        credentials_changed_on_commit(user_id=user.pk)
    return ended


def user_sessions_end_on_password_change(user: User, keep_session_key: str | None) -> None:
    """A new password ends the other sessions (Django's session hash no longer matches): their
    rows and store entries go too. The caller tells the sockets (credentials changed)."""
    user_sessions_end(user, keep_session_key)


def user_sessions_purge_expired(now: datetime) -> int:
    """Delete the rows whose session has expired or is gone from the store (the daily
    retention purge). Returns how many rows went."""
    model = _session_model()
    if model is not None:
        alive = model.objects.filter(expire_date__gt=now).values("session_key")
        deleted, _by_model = UserSession.objects.exclude(session_key__in=alive).delete()
        return deleted
    gone = [
        pk
        for pk, key in UserSession.objects.values_list("pk", "session_key").iterator()
        if not _store().exists(key)
    ]
    deleted, _by_model = UserSession.objects.filter(pk__in=gone).delete()
    return deleted


# --- reads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInfo:
    id: int
    device: str
    ip_address: str | None
    created: datetime
    last_seen: datetime
    current: bool
    # Logged in with the password, but the second factor was not entered (yet): someone who
    # knows the password may be at the code prompt there.
    second_factor_pending: bool = False


def _sessions_data(keys: list[str]) -> dict[str, dict[str, Any]]:
    """The stored data of these sessions: one query when they live in the database."""
    model = _session_model()
    if model is not None:
        decode = _store().decode
        return {
            row.session_key: decode(row.session_data)
            for row in model.objects.filter(session_key__in=keys)
        }
    return {key: _store(key).load() for key in keys}


def _second_factor_pending_keys(user: User, keys: list[str]) -> set[str]:
    if not keys or not mfa_enabled(user):
        return set()  # no second factor: nothing is owed (and no query)
    data = _sessions_data(keys)
    return {
        key
        for key in keys
        if session_second_factor_state_from_session(user, data.get(key, {})) == "verify"
    }


def _live_rows(user: User) -> QuerySet[UserSession]:
    rows = UserSession.objects.filter(user=user)
    model = _session_model()
    if model is not None:
        alive = model.objects.filter(expire_date__gt=timezone.now()).values("session_key")
        rows = rows.filter(session_key__in=alive)
    return rows.order_by("-last_seen", "-pk")


def user_sessions_for(user: User, current_key: str | None = None) -> list[SessionInfo]:
    """The person's signed-in browsers that still work, with a readable device ("Firefox on
    Windows"): the session `current_key` first (marked `current`), then the most recently
    active."""
    live = list(_live_rows(user))
    pending = _second_factor_pending_keys(user, [row.session_key for row in live])
    rows = [
        SessionInfo(
            id=row.pk,
            device=user_agent_summary(row.user_agent),
            ip_address=row.ip_address,
            created=row.created,
            last_seen=row.last_seen,
            current=bool(current_key) and row.session_key == current_key,
            second_factor_pending=row.session_key in pending,
        )
        for row in live
    ]
    return sorted(rows, key=lambda info: not info.current)


def request_session_user_id(request: HttpRequest) -> int | None:
    """The signed-in person of the request's session, from the session alone (no query beyond
    loading the session)."""
    value = request.session.get(SESSION_KEY)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
