"""The header's "Programmes" entry follows staff changes at once: someone a manager adds sees it
on their next page, someone removed stops seeing it, without logging in again (the answer is
cached per person and dropped by the staff services, not kept in the browser session)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from privacy.erasure import account_delete
from programmes.models import Staff
from programmes.services import (
    programme_create,
    programme_staff_cache_key,
    staff_invitation_accept,
    staff_remove,
)
from tests.factories import UserFactory

NAV = 'data-testid="nav-programmes"'


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _nav_shown(client: Client) -> bool:
    page = client.get("/profile/")
    assert page.status_code == 200
    return NAV in page.content.decode()


def test_someone_added_sees_the_entry_on_the_next_page(programme_world):
    pw = programme_world
    invited = UserFactory(email=pw.staff_invitation.email)
    client = _client(invited)
    assert not _nav_shown(client)  # known (and kept) as not staff

    # Joining elsewhere (the e-mailed link opened in another browser, or the API).
    staff_invitation_accept(token=pw.staff_invitation_token, user=invited)

    # The same browser session: a memo kept in the session would still say "no".
    assert _nav_shown(client)


def test_someone_removed_no_longer_sees_the_entry(programme_world):
    pw = programme_world
    client = _client(pw.coach)
    assert _nav_shown(client)

    staff_remove(staff=Staff.objects.get(programme=pw.programme, user=pw.coach), by=pw.manager)

    assert not _nav_shown(client)


def test_creating_a_programme_shows_the_entry(db):
    founder = UserFactory()
    client = _client(founder)
    assert not _nav_shown(client)
    programme_create(user=founder, name="Digitalagentur Sauerland", region="NRW")
    assert _nav_shown(client)


def test_erasing_an_account_drops_its_cached_answer(programme_world):
    pw = programme_world
    assert _nav_shown(_client(pw.coach))
    key = programme_staff_cache_key(pw.coach.pk)
    assert cache.get(key) is True

    account_delete(pw.coach, force=True)

    assert cache.get(key) is None
    assert not Staff.objects.filter(user=pw.coach).exists()


def test_the_answer_costs_no_query_once_known(programme_world):
    client = _client(programme_world.coach)
    assert _nav_shown(client)

    with CaptureQueriesContext(connection) as queries:
        assert _nav_shown(client)

    assert not [q for q in queries.captured_queries if "programmes_staff" in q["sql"]]


def test_a_change_to_one_person_keeps_the_others_answer(programme_world):
    pw = programme_world
    assert _nav_shown(_client(pw.manager))

    staff_remove(staff=Staff.objects.get(programme=pw.programme, user=pw.coach), by=pw.manager)

    assert cache.get(programme_staff_cache_key(pw.manager.pk)) is True
