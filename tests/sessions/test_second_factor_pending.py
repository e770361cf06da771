"""The list of signed-in browsers marks a session that was opened with the password but has
not passed the second factor (someone who knows the password may be at the code prompt)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.sessions import user_sessions_for
from tests.sessions.support import SAFARI_IPHONE, browser, key_of, store

pytestmark = pytest.mark.django_db


def _verify(client, device) -> None:
    session = store(key_of(client))
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def test_a_session_still_owing_the_second_factor_is_marked(world):
    device = TOTPDevice.objects.create(user=world.member, name="App", confirmed=True)
    laptop = browser(world.member)
    _verify(laptop, device)
    phone = browser(world.member, ua=SAFARI_IPHONE, ip="192.0.2.44")  # password only
    listed = {s.current: s for s in user_sessions_for(world.member, current_key=key_of(laptop))}
    assert listed[True].second_factor_pending is False
    assert listed[False].second_factor_pending is True
    html = laptop.get("/profile/sessions/").content.decode()
    assert html.count('data-testid="session-second-factor-pending"') == 1
    _verify(phone, device)
    html = laptop.get("/profile/sessions/").content.decode()
    assert 'data-testid="session-second-factor-pending"' not in html


def test_without_a_second_factor_nothing_is_marked_and_no_session_is_read(world):
    laptop = browser(world.member)
    browser(world.member, ua=SAFARI_IPHONE)
    with CaptureQueriesContext(connection) as queries:
        listed = user_sessions_for(world.member, current_key=key_of(laptop))
    assert [s.second_factor_pending for s in listed] == [False, False]
    assert not any("session_data" in q["sql"] for q in queries)  # the rows only
    html = laptop.get("/profile/sessions/").content.decode()
    assert 'data-testid="session-second-factor-pending"' not in html
