"""Who sees the log: operators in the read-only admin, each person their own entries (API and
page), never anyone else's; the API list's queries do not grow with the entries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from audit.models import Action, AuditEntry
from audit.origin import user_agent_summary
from audit.services import audit_record, audit_role
from tests.audit.helpers import FIREFOX
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class FakeRequest:
    def __init__(self, ip="203.0.113.4", ua=FIREFOX):
        self.META = {"REMOTE_ADDR": ip, "HTTP_USER_AGENT": ua}


def entries_for(person, count: int) -> None:
    for _ in range(count):
        audit_record(action=Action.LOGIN, user=person, request=FakeRequest())


# --- admin ---


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_lists_and_shows_entries_for_a_superuser(superuser_client):
    person = UserFactory(email="nina@example.com")
    audit_record(action=Action.LOGIN_FAILED, user=person, request=FakeRequest())
    entry = AuditEntry.objects.filter(user_id=person.pk).get()
    r = superuser_client.get("/admin/audit/auditentry/")
    assert r.status_code == 200
    assert "nina@example.com" in r.content.decode()
    r = superuser_client.get("/admin/audit/auditentry/", {"q": "nina@example"})
    assert r.status_code == 200 and "203.0.113.4" in r.content.decode()
    r = superuser_client.get("/admin/audit/auditentry/", {"q": "203.0.113.4"})
    assert r.status_code == 200 and "nina@example.com" in r.content.decode()
    r = superuser_client.get("/admin/audit/auditentry/", {"action__exact": "login.failed"})
    assert r.status_code == 200
    r = superuser_client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert r.status_code == 200
    assert "203.0.113.4" in r.content.decode()


def test_admin_refuses_add_change_and_delete_even_to_a_superuser(superuser_client):
    person = UserFactory()
    entry = audit_record(action=Action.LOGIN, user=person)
    assert superuser_client.get("/admin/audit/auditentry/add/").status_code == 403
    r = superuser_client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "logout"})
    assert r.status_code == 403
    assert superuser_client.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    r = superuser_client.post(
        "/admin/audit/auditentry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert AuditEntry.objects.filter(pk=entry.pk, action=Action.LOGIN).exists()


def test_admin_list_queries_do_not_grow(superuser_client):
    def count(n):
        for _ in range(n):
            audit_role(granted=True, user=UserFactory(), actor=UserFactory(), role="admin")
        with CaptureQueriesContext(connection) as ctx:
            assert superuser_client.get("/admin/audit/auditentry/").status_code == 200
        return len(ctx)

    assert count(3) == count(30)


# --- a person's own log ---


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_the_api_shows_own_entries_only_newest_first():
    person, admin, other = UserFactory(), UserFactory(name="Anna Admin"), UserFactory()
    audit_record(action=Action.LOGIN, user=person, request=FakeRequest())
    audit_role(granted=True, user=person, actor=admin, role="admin")
    audit_record(action=Action.LOGIN, user=other, request=FakeRequest("198.51.100.1"))
    audit_role(granted=True, user=other, actor=person, role="company_owner", company=1)
    r = api(person).get("/api/v1/me/audit/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [row["action"] for row in rows] == ["role.granted", "login"]
    granted, login = rows
    assert granted["by_self"] is False and granted["actor_name"] == "Anna Admin"
    assert granted["details"] == {"role": "admin"}
    assert login["by_self"] is True and login["actor_name"] is None
    assert login["ip_address"] == "203.0.113.4"
    assert login["device"] == "Firefox on Windows"
    assert login["action_label"] == "Logged in"
    assert set(login) == {
        "id", "at", "action", "action_label", "ip_address", "user_agent", "device", "target",
        "by_self", "actor_name", "details",
    }  # fmt: skip
    assert "198.51.100.1" not in r.content.decode()


def test_the_api_is_for_logged_in_people_only():
    assert APIClient().get("/api/v1/me/audit/").status_code in (401, 403)


def test_the_api_list_costs_the_same_queries_for_5_and_50_entries():
    person = UserFactory()
    client = api(person)

    def add(n):  # each by another admin: an N+1 on the actor would show
        for _ in range(n):
            audit_role(granted=True, user=person, actor=UserFactory(), role="admin")

    def get():
        with CaptureQueriesContext(connection) as ctx:
            r = client.get("/api/v1/me/audit/")
        assert r.status_code == 200
        return len(ctx), len(r.json()["results"])

    add(5)
    small = get()
    add(45)
    big = get()
    assert (small[1], big[1]) == (5, 50)
    assert small[0] == big[0]


def test_the_activity_page_shows_own_entries_in_plain_words():
    person, admin, other = UserFactory(), UserFactory(name="Anna Admin"), UserFactory()
    audit_record(action=Action.LOGIN_FAILED, user=person, request=FakeRequest())
    audit_role(granted=True, user=person, actor=admin, role="admin")
    audit_record(action=Action.LOGIN, user=other, request=FakeRequest("198.51.100.1"))
    client = Client()
    client.force_login(person)  # itself a LOGIN entry of the person
    client.cookies["django_language"] = "en"
    r = client.get("/profile/activity/")
    assert r.status_code == 200
    page = r.content.decode()
    assert page.count('data-testid="activity-entry"') == 3
    assert "from 203.0.113.4 (Firefox on Windows)" in page
    assert "by Anna Admin" in page
    assert "Access to the administration" in page
    assert "198.51.100.1" not in page
    profile = client.get("/profile/").content.decode()
    assert 'href="/profile/activity/"' in profile


def test_the_activity_page_is_paginated_and_needs_a_login():
    person = UserFactory()
    entries_for(person, 30)
    client = Client()
    client.force_login(person)
    first = client.get("/profile/activity/").content.decode()
    assert first.count('data-testid="activity-entry"') == 25
    second = client.get("/profile/activity/?page=2").content.decode()
    assert second.count('data-testid="activity-entry"') == 6
    assert Client().get("/profile/activity/").status_code == 302


@pytest.mark.parametrize(
    ("ua", "summary"),
    [
        (FIREFOX, "Firefox on Windows"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.4.0", "curl"),
        ("", "Unknown device"),
    ],
)
def test_user_agent_summary(ua, summary, settings):
    from django.utils import translation

    with translation.override("en"):
        assert user_agent_summary(ua) == summary
