"""Confirmation before what tells everyone (issue 12: 6): cancelling is a page that says what
happens, then a POST; a change that moves the time is confirmed first; a cancelled check-in
can be reinstated while ahead. The new check-in form's defaults and its series fields."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from checkins.models import CheckIn, CheckInStatus, Rsvp
from checkins.services import Repeat, checkin_cancel, checkin_schedule, rsvp_set
from frontend.checkin_forms import checkin_defaults
from tests.factories import CheckInFactory
from tests.support.domain import domain_state

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2027, 10, 14, 16, 0, tzinfo=BERLIN)


@pytest.fixture
def web():
    def make(user, language="en") -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        if user is not None:
            client.force_login(user)
        return client

    return make


def _series(world, count=3) -> list[CheckIn]:
    first = checkin_schedule(
        actor=world.facilitator,
        convoy=world.convoy,
        title="Konvoi-Treffen",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        rsvp_deadline=START - timedelta(days=1),
        repeat=Repeat(every_weeks=1, count=count),
    )
    return list(CheckIn.objects.filter(series=first.series).order_by("starts_at"))


def test_cancel_is_a_confirmation_page_first(world, web):
    checkin = CheckInFactory(convoy=world.convoy)
    rsvp_set(actor=world.member, checkin=checkin, response="yes")
    client = web(world.facilitator)
    detail = client.get(f"/checkins/{checkin.pk}/").content.decode()
    # The detail page links to the confirmation; it holds no form that cancels.
    assert f'href="/checkins/{checkin.pk}/cancel/"' in detail
    assert f'action="/checkins/{checkin.pk}/cancel/"' not in detail

    before = domain_state()
    page = client.get(f"/checkins/{checkin.pk}/cancel/")
    assert page.status_code == 200
    html = page.content.decode()
    # Facilitator, owner and member: three people are told, one of whom answered.
    assert "All 3 people in the convoy are told" in html
    assert "That includes the 1 person who answered." in html
    assert "disappears from their calendars" in html
    assert 'name="scope"' not in html  # not part of a series
    assert domain_state() == before  # looking changes nothing

    response = client.post(f"/checkins/{checkin.pk}/cancel/")
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.CANCELLED


def test_cancel_page_of_a_series_offers_all_following(world, web):
    checkins = _series(world, count=4)
    client = web(world.facilitator)
    html = client.get(f"/checkins/{checkins[1].pk}/cancel/").content.decode()
    assert 'name="scope"' in html and "2 more check-ins of the series follow" in html
    # A bad scope is an error on the page, nothing cancelled.
    before = domain_state()
    page = client.post(f"/checkins/{checkins[1].pk}/cancel/", {"scope": "alle"})
    assert page.status_code == 200 and domain_state() == before
    client.post(f"/checkins/{checkins[1].pk}/cancel/", {"scope": "following"})
    statuses = [c.status for c in CheckIn.objects.filter(series=checkins[0].series)]
    assert statuses == ["scheduled", "cancelled", "cancelled", "cancelled"]


def test_reinstate_from_the_detail_page_keeps_the_answers(world, web):
    checkin = CheckInFactory(convoy=world.convoy)
    rsvp_set(actor=world.member, checkin=checkin, response="yes")
    checkin_cancel(actor=world.facilitator, checkin=checkin)
    client = web(world.facilitator)
    detail = client.get(f"/checkins/{checkin.pk}/").content.decode()
    assert f'action="/checkins/{checkin.pk}/reinstate/"' in detail
    # Members see no undo.
    member_view = web(world.member).get(f"/checkins/{checkin.pk}/").content.decode()
    assert "/reinstate/" not in member_view
    assert web(world.member).post(f"/checkins/{checkin.pk}/reinstate/").status_code == 403
    assert web(world.outsider).post(f"/checkins/{checkin.pk}/reinstate/").status_code == 404

    response = client.post(f"/checkins/{checkin.pk}/reinstate/", follow=True)
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.SCHEDULED
    assert Rsvp.objects.get(checkin=checkin, user=world.member).status == "confirmed"
    assert "takes place again" in response.content.decode()


def test_a_past_cancelled_checkin_offers_no_undo(world, web):
    start = timezone.now() - timedelta(days=1)
    checkin = CheckInFactory(
        convoy=world.convoy,
        status=CheckInStatus.CANCELLED,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        rsvp_deadline=start,
    )
    client = web(world.facilitator)
    assert "/reinstate/" not in client.get(f"/checkins/{checkin.pk}/").content.decode()
    before = domain_state()
    client.post(f"/checkins/{checkin.pk}/reinstate/")
    assert domain_state() == before


def _edit_form(checkin, **changes):
    local = {
        "title": checkin.title,
        "starts_at": checkin.starts_at.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": checkin.ends_at.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M"),
        "rsvp_deadline": checkin.rsvp_deadline.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M"),
        "location": checkin.location,
        "capacity": checkin.capacity or "",
    }
    return {**local, **changes}


def test_a_change_that_moves_the_time_is_confirmed_first(world, web):
    checkin = CheckInFactory(
        convoy=world.convoy,
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        rsvp_deadline=START - timedelta(days=1),
    )
    client = web(world.facilitator)
    form = client.get(f"/checkins/{checkin.pk}/edit/").content.decode()
    assert "All 3 people in the convoy are told." in form

    before = domain_state()
    moved = _edit_form(checkin, starts_at="2027-10-14T18:00", ends_at="2027-10-14T19:00")
    page = client.post(f"/checkins/{checkin.pk}/edit/", moved)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="confirm-change"' in html and "All 3 people" in html
    assert 'name="confirmed" value="yes"' in html
    assert domain_state() == before  # nothing until confirmed

    response = client.post(f"/checkins/{checkin.pk}/edit/", {**moved, "confirmed": "yes"})
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.starts_at == datetime(2027, 10, 14, 18, 0, tzinfo=BERLIN)


def test_a_change_that_keeps_the_time_needs_no_confirmation(world, web):
    checkin = CheckInFactory(
        convoy=world.convoy,
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        rsvp_deadline=START,
    )
    response = web(world.facilitator).post(
        f"/checkins/{checkin.pk}/edit/", _edit_form(checkin, location="Raum 2")
    )
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.location == "Raum 2"


def test_edit_all_following_of_a_series_from_the_form(world, web):
    checkins = _series(world, count=3)
    client = web(world.facilitator)
    detail = client.get(f"/checkins/{checkins[1].pk}/").content.decode()
    assert "Part of a series, every week" in detail
    form = client.get(f"/checkins/{checkins[1].pk}/edit/").content.decode()
    assert 'name="scope"' in form
    data = _edit_form(checkins[1], title="Konvoi-Abend", scope="following")
    assert client.post(f"/checkins/{checkins[1].pk}/edit/", data).status_code == 302
    titles = [c.title for c in CheckIn.objects.filter(series=checkins[0].series)]
    assert titles == ["Konvoi-Treffen", "Konvoi-Abend", "Konvoi-Abend"]


def test_new_checkin_form_starts_on_the_next_weekday_at_16(world, web):
    # Friday evening → Monday; Sunday → Monday; Tuesday → Wednesday.
    for now, day in (
        (datetime(2027, 10, 15, 20, 0, tzinfo=BERLIN), 18),
        (datetime(2027, 10, 17, 9, 0, tzinfo=BERLIN), 18),
        (datetime(2027, 10, 19, 9, 0, tzinfo=BERLIN), 20),
    ):
        values = checkin_defaults(now=now, tz=BERLIN)
        assert values["starts_at"] == datetime(2027, 10, day, 16, 0, tzinfo=BERLIN)
        assert values["ends_at"] - values["starts_at"] == timedelta(minutes=60)
        assert values["rsvp_deadline"] == datetime(2027, 10, day - 1, 16, 0, tzinfo=BERLIN)
    html = web(world.facilitator).get(f"/convoys/{world.convoy.pk}/checkins/new/").content
    html = html.decode()
    assert 'value="' in html and "T16:00" in html and "T17:00" in html
    assert 'name="repeat_every"' in html and "Every 4 weeks" in html
    assert "frontend/checkins.js" in html


def test_new_series_from_the_form(world, web):
    response = web(world.facilitator).post(
        f"/convoys/{world.convoy.pk}/checkins/new/",
        {
            "title": "Konvoi-Treffen",
            "starts_at": "2027-10-14T16:00",
            "ends_at": "2027-10-14T17:00",
            "rsvp_deadline": "2027-10-13T16:00",
            "repeat_every": "4",
            "repeat_count": "3",
        },
    )
    assert response.status_code == 302
    checkins = list(CheckIn.objects.order_by("starts_at"))
    assert [c.starts_at.astimezone(BERLIN).strftime("%d.%m. %H:%M") for c in checkins] == [
        "14.10. 16:00",
        "11.11. 16:00",
        "09.12. 16:00",
    ]


@pytest.mark.parametrize(
    "repeat",
    [
        {"repeat_every": "4"},  # neither a number nor an end date
        {"repeat_every": "4", "repeat_count": "3", "repeat_until": "2027-12-31"},
        {"repeat_every": "9", "repeat_count": "3"},
        {"repeat_every": "1", "repeat_count": "20"},
        {"repeat_every": "1", "repeat_until": "2029-01-01"},  # more than twelve
    ],
)
def test_a_bad_series_in_the_form_is_shown_and_writes_nothing(world, web, repeat):
    client = web(world.facilitator)
    before = domain_state()
    response = client.post(
        f"/convoys/{world.convoy.pk}/checkins/new/",
        {
            "title": "Konvoi-Treffen",
            "starts_at": "2027-10-14T16:00",
            "ends_at": "2027-10-14T17:00",
            **repeat,
        },
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert domain_state() == before


@pytest.mark.parametrize("size", [2, 12])
def test_the_confirmation_pages_cost_the_same_whatever_the_convoy_size(
    world, web, size, django_assert_num_queries
):
    from tests.factories import CompanyFactory, CompanyMemberFactory, MembershipFactory

    for _ in range(size):
        company = CompanyFactory()
        MembershipFactory(convoy=world.convoy, company=company)
        person = CompanyMemberFactory(company=company).user
    checkins = _series(world, count=size)
    for checkin in checkins[:2]:
        rsvp_set(actor=person, checkin=checkin, response="yes")
    client = web(world.facilitator)
    client.get(f"/checkins/{checkins[0].pk}/cancel/")  # warm the session
    with django_assert_num_queries(7):
        assert client.get(f"/checkins/{checkins[0].pk}/cancel/").status_code == 200
    with django_assert_num_queries(7):
        assert client.get(f"/checkins/{checkins[0].pk}/edit/").status_code == 200
