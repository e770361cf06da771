"""Signed-in browsers: recorded at login under the final session key, refreshed when due (and
only then), listed per person, ended from another device, ended by a password change and by
logout, purged when expired."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import UserSession
from accounts.sessions import (
    SEEN_SESSION_KEY,
    user_session_revoke,
    user_sessions_for,
    user_sessions_purge_expired,
    user_sessions_revoke_others,
)
from audit.models import Action, AuditEntry
from tests.factories import UserFactory
from tests.sessions.support import (
    FIREFOX_WINDOWS,
    SAFARI_IPHONE,
    browser,
    key_of,
    row_of,
    session_without_row,
    store,
)

pytestmark = pytest.mark.django_db


def statements(context: CaptureQueriesContext) -> list[str]:
    """The SQL sent, without the savepoints around a session save."""
    return [
        q["sql"]
        for q in context.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def make_due(client: Client, seconds_ago: int = 301) -> None:
    session = store(key_of(client))
    session[SEEN_SESSION_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_a_login_records_the_browser_under_the_final_session_key(world):
    anonymous = Client(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=FIREFOX_WINDOWS)
    anonymous.get("/login/")  # an anonymous session (CSRF, language) before the login
    before = anonymous.cookies.get("sessionid")
    response = anonymous.post(
        "/login/", {"username": world.member.email, "password": "correct-horse-42"}
    )
    assert response.status_code == 302
    key = key_of(anonymous)
    assert before is None or before.value != key
    row = UserSession.objects.get(user=world.member)
    assert row.session_key == key
    assert Session.objects.filter(session_key=key).exists()
    assert row.ip_address == "203.0.113.7"
    assert row.user_agent == FIREFOX_WINDOWS
    with translation.override("en"):
        assert [s.device for s in user_sessions_for(world.member)] == ["Firefox on Windows"]


def test_a_login_as_someone_else_in_the_same_session_gets_its_own_row(world, rf):
    """login() empties a session of another person (no key until saved): the row still gets
    the key the browser will carry."""
    from django.contrib.auth import login

    client = browser(world.member)
    request = rf.post("/login/")
    request.session = store(key_of(client))
    login(request, world.owner, backend="django.contrib.auth.backends.ModelBackend")
    key = request.session.session_key
    assert key and key != key_of(client)
    assert UserSession.objects.get(user=world.owner).session_key == key


def test_the_address_is_the_trusted_proxys(world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(
        REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9", HTTP_USER_AGENT="x"
    )
    client.post("/login/", {"username": world.member.email, "password": "correct-horse-42"})
    assert row_of(client).ip_address == "198.51.100.9"


def test_force_login_records_a_row_too(world):
    client = Client()
    client.force_login(world.member)
    assert row_of(client).user == world.member


def test_last_seen_is_written_only_when_due_and_costs_no_query_otherwise(world):
    client = browser(world.member)
    row = row_of(client)
    old = timezone.now() - timedelta(hours=1)
    UserSession.objects.filter(pk=row.pk).update(last_seen=old)
    client.get("/profile/")  # warm (caches of the page)
    with CaptureQueriesContext(connection) as not_due:
        assert client.get("/profile/").status_code == 200
    assert row_of(client).last_seen == old

    make_due(client)
    with CaptureQueriesContext(connection) as due:
        assert client.get("/profile/").status_code == 200
    assert row_of(client).last_seen > old
    # One UPDATE of the row, one of the session (the time of this refresh), nothing else.
    assert len(statements(due)) == len(statements(not_due)) + 2
    writes = [q["sql"] for q in due.captured_queries if q["sql"].startswith("UPDATE")]
    assert any("accounts_usersession" in sql for sql in writes)
    assert not any("accounts_usersession" in q["sql"] for q in not_due.captured_queries), (
        "a request that is not due must not touch the rows"
    )


def test_not_due_within_the_interval(world):
    client = browser(world.member)
    old = timezone.now() - timedelta(hours=1)
    UserSession.objects.filter(session_key=key_of(client)).update(last_seen=old)
    make_due(client, seconds_ago=200)
    client.get("/profile/")
    assert row_of(client).last_seen == old


def test_a_session_from_before_the_list_gets_its_row_on_its_next_request(world):
    session = session_without_row(world.member)
    client = Client(REMOTE_ADDR="192.0.2.1", HTTP_USER_AGENT=SAFARI_IPHONE)
    client.cookies["sessionid"] = session.session_key
    assert client.get("/profile/").status_code == 200
    row = UserSession.objects.get(session_key=session.session_key)
    assert (row.user, row.ip_address) == (world.member, "192.0.2.1")
    with translation.override("en"):
        assert user_sessions_for(world.member)[0].device == "Safari on iPhone"


def test_the_sessions_page_lists_own_sessions_only_and_marks_this_device(world):
    mine = browser(world.member)
    browser(world.member, ua=SAFARI_IPHONE, ip="192.0.2.44")
    browser(world.owner, ip="198.51.100.200")
    response = mine.get("/profile/sessions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="session"') == 2
    assert html.count('data-testid="session-current"') == 1
    assert "192.0.2.44" in html and "203.0.113.7" in html
    assert "198.51.100.200" not in html
    assert "Safari on iPhone" in html and "Firefox on Windows" in html
    listed = user_sessions_for(world.member, current_key=key_of(mine))
    assert [s.current for s in listed] == [True, False]  # this browser first


def test_the_sessions_page_shows_this_browser_when_it_had_no_row(world):
    session = session_without_row(world.member)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["sessionid"] = session.session_key
    html = client.get("/profile/sessions/").content.decode()
    assert html.count('data-testid="session-current"') == 1


def test_signing_out_another_browser_logs_it_out_on_its_next_request(world):
    laptop = browser(world.member)
    phone = browser(world.member, ua=SAFARI_IPHONE)
    assert phone.get("/profile/").status_code == 200
    phone_row = row_of(phone)
    response = laptop.post(f"/profile/sessions/{phone_row.pk}/revoke/")
    assert response.status_code == 302
    assert not UserSession.objects.filter(pk=phone_row.pk).exists()
    assert not Session.objects.filter(session_key=phone_row.session_key).exists()
    assert phone.get("/profile/").status_code == 302  # to the login page
    assert not UserSession.objects.filter(session_key=key_of(phone)).exists()
    assert laptop.get("/profile/").status_code == 200
    entry = AuditEntry.objects.get(action=Action.SESSION_REVOKED)
    assert (entry.user_id, entry.actor_id, entry.target) == (
        world.member.pk,
        world.member.pk,
        f"session:{phone_row.pk}",
    )
    assert entry.ip_address == "203.0.113.7"


def test_the_current_session_cannot_be_revoked_here(world):
    client = browser(world.member)
    row = row_of(client)
    response = client.post(f"/profile/sessions/{row.pk}/revoke/", follow=True)
    assert "To end it, log out." in response.content.decode()
    assert UserSession.objects.filter(pk=row.pk).exists()
    assert client.get("/profile/").status_code == 200
    assert not AuditEntry.objects.filter(action=Action.SESSION_REVOKED).exists()


def test_the_service_refuses_the_current_session(world, rf):
    client = browser(world.member)
    row = row_of(client)
    request = rf.post("/")
    request.session = store(row.session_key)
    with pytest.raises(ValidationError):
        user_session_revoke(world.member, row.pk, request=request)


def test_someone_elses_session_is_404_and_stays(world):
    theirs = browser(world.owner)
    mine = browser(world.member)
    row = row_of(theirs)
    assert mine.post(f"/profile/sessions/{row.pk}/revoke/").status_code == 404
    assert mine.post("/profile/sessions/99999999999999999999/revoke/").status_code == 404
    assert theirs.get("/profile/").status_code == 200
    with pytest.raises(UserSession.DoesNotExist):
        user_session_revoke(world.member, row.pk)


def test_sign_out_everywhere_else(world):
    here = browser(world.member)
    others = [browser(world.member, ua=SAFARI_IPHONE) for _ in range(2)]
    stranger = browser(world.owner)
    assert here.post("/profile/sessions/revoke-others/").status_code == 302
    assert list(
        UserSession.objects.filter(user=world.member).values_list("session_key", flat=True)
    ) == [key_of(here)]
    for other in others:
        assert other.get("/profile/").status_code == 302
    assert here.get("/profile/").status_code == 200
    assert stranger.get("/profile/").status_code == 200
    entry = AuditEntry.objects.get(action=Action.SESSION_REVOKED)
    assert entry.data == {"count": 2}
    # Nothing left to end: no second audit row.
    assert user_sessions_revoke_others(world.member, key_of(here)) == 0
    assert AuditEntry.objects.filter(action=Action.SESSION_REVOKED).count() == 1


def test_a_password_change_removes_the_other_rows_and_keeps_this_browser(world):
    here = browser(world.member)
    here.get("/profile/")
    created = row_of(here).created
    other = browser(world.member, ua=SAFARI_IPHONE)
    other_key = key_of(other)
    response = here.post(
        "/profile/password/",
        {
            "password-old_password": "correct-horse-42",
            "password-new_password": "Neues-Passwort-2026",
        },
    )
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=other_key).exists()
    rows = list(UserSession.objects.filter(user=world.member))
    # This browser got a new key (Django's update_session_auth_hash): its row moved with it.
    assert [r.session_key for r in rows] == [key_of(here)]
    assert rows[0].created == created
    assert here.get("/profile/").status_code == 200
    assert other.get("/profile/").status_code == 302


def test_a_password_reset_removes_every_row(world):
    from accounts.services import user_password_set

    browser(world.member)
    browser(world.member)
    user_password_set(user=world.member, password="Neues-Passwort-2026")
    assert not UserSession.objects.filter(user=world.member).exists()


def test_logout_removes_the_row(world):
    client = browser(world.member)
    key = key_of(client)
    client.post("/logout/")
    assert not UserSession.objects.filter(session_key=key).exists()


def test_purge_removes_rows_of_expired_and_vanished_sessions(world):
    alive = browser(world.member)
    expired = browser(world.member)
    vanished = browser(world.owner)
    Session.objects.filter(session_key=key_of(expired)).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    Session.objects.filter(session_key=key_of(vanished)).delete()
    assert user_sessions_purge_expired(timezone.now()) == 2
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [key_of(alive)]
    # The list never shows an expired session, purged or not.
    assert [s.id for s in user_sessions_for(world.member)] == [row_of(alive).pk]


def test_a_revoked_session_in_flight_does_not_come_back(world, rf):
    """A request of the revoked browser that loaded its session before the revocation does
    not write a new row for it."""
    from accounts.sessions import user_session_seen

    other = browser(world.member)
    row = row_of(other)
    request = rf.get("/")
    request.session = store(row.session_key)
    request.session.load()
    user_session_revoke(world.member, row.pk)
    user_session_seen(request=request, user_id=world.member.pk)
    assert not UserSession.objects.filter(session_key=row.session_key).exists()


def test_an_unknown_device(world):
    client = Client(HTTP_USER_AGENT="")
    client.post("/login/", {"username": world.member.email, "password": "correct-horse-42"})
    with translation.override("en"):
        assert [s.device for s in user_sessions_for(world.member)] == ["Unknown device"]


def test_a_new_user_starts_with_no_rows(db):
    assert user_sessions_for(UserFactory()) == []
