"""The check-in pages: RSVP buttons (htmx), seats, waitlist position, reports, notes; the
facilitator's forms in the convoy's local time; outsiders get 404 everywhere."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from checkins.models import CheckIn, Rsvp
from checkins.services import rsvp_set
from tests.factories import CheckInFactory, CompanyMemberFactory


@pytest.fixture
def web():
    def make(user) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_login(user)
        return client

    return make


def test_member_sees_seats_and_answers_with_htmx(world, web):
    checkin = CheckInFactory(convoy=world.convoy, capacity=1, title="Check-in Oktober")
    client = web(world.member)
    page = client.get(f"/checkins/{checkin.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Check-in Oktober" in html and "<strong>0/1</strong>" in html
    assert f'data-live-convoy="{world.convoy.pk}"' in html and 'id="checkin-rsvp"' in html

    block = client.post(
        f"/checkins/{checkin.pk}/rsvp/", {"response": "yes"}, HTTP_HX_REQUEST="true"
    )
    assert block.status_code == 200
    text = block.content.decode()
    assert text.lstrip().startswith("<section") and "<strong>1/1</strong>" in text
    assert 'data-status="confirmed"' in text

    owner = web(world.owner).post(
        f"/checkins/{checkin.pk}/rsvp/", {"response": "yes"}, HTTP_HX_REQUEST="true"
    )
    assert "waitlist, position 1" in owner.content.decode()


def test_late_answer_shows_the_message_in_place(world, web):
    checkin = CheckInFactory(convoy=world.convoy)
    CheckIn.objects.filter(pk=checkin.pk).update(
        rsvp_deadline=datetime(2020, 10, 5, 10, tzinfo=UTC)
    )
    block = web(world.member).post(
        f"/checkins/{checkin.pk}/rsvp/", {"response": "yes"}, HTTP_HX_REQUEST="true"
    )
    assert "Answers for this check-in closed at 5 Oct 2020, 12:00" in block.content.decode()
    assert not Rsvp.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/checkins/{id}/",
        "/checkins/{id}/checkin.ics",
        "/checkins/{id}/attendance/",
        "/checkins/{id}/attendance.csv",
        "/checkins/{id}/edit/",
    ],
)
def test_outsiders_get_404(world, web, path):
    checkin = CheckInFactory(convoy=world.convoy)
    for person in (world.outsider, world.other_member, world.staff):
        assert web(person).get(path.format(id=checkin.pk)).status_code == 404
    response = web(world.outsider).post(f"/checkins/{checkin.pk}/rsvp/", {"response": "yes"})
    assert response.status_code == 404
    assert not Rsvp.objects.exists()


def test_members_cannot_use_the_facilitator_pages(world, web):
    checkin = CheckInFactory(convoy=world.convoy)
    client = web(world.member)
    assert client.get(f"/checkins/{checkin.pk}/attendance/").status_code == 403
    assert client.get(f"/checkins/{checkin.pk}/edit/").status_code == 403
    assert client.post(f"/checkins/{checkin.pk}/cancel/").status_code == 403
    assert client.get(f"/convoys/{world.convoy.pk}/checkins/new/").status_code == 403


def test_facilitator_schedules_in_the_convoys_local_time(world, web):
    client = web(world.facilitator)
    form = client.get(f"/convoys/{world.convoy.pk}/checkins/new/")
    assert 'type="datetime-local"' in form.content.decode()
    response = client.post(
        f"/convoys/{world.convoy.pk}/checkins/new/",
        {
            "title": "Check-in Oktober",
            "starts_at": "2031-10-06T17:00",
            "ends_at": "2031-10-06T19:00",
            "rsvp_deadline": "",
            "location": "Hagen",
            "capacity": "12",
        },
    )
    checkin = CheckIn.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/checkins/{checkin.pk}/"
    assert checkin.starts_at == datetime(2031, 10, 6, 15, tzinfo=UTC)  # 17:00 CEST
    assert checkin.rsvp_deadline == checkin.starts_at
    edit = client.get(f"/checkins/{checkin.pk}/edit/").content.decode()
    assert 'value="2031-10-06T17:00"' in edit  # shown in local time again


def test_a_local_time_that_a_clock_change_skips_is_refused(world, web):
    response = web(world.facilitator).post(
        f"/convoys/{world.convoy.pk}/checkins/new/",
        {"title": "Nachts", "starts_at": "2026-03-29T02:30", "ends_at": "2026-03-29T04:00"},
    )
    assert response.status_code == 200
    assert "starts_at" in response.context["form"].errors
    assert not CheckIn.objects.exists()


def test_report_form_and_reports(world, web):
    checkin = CheckInFactory(convoy=world.convoy)
    client = web(world.owner)
    response = client.post(
        f"/checkins/{checkin.pk}/report/",
        {"company": world.company.pk, "moved": "Shop live", "help_needed": "SEO"},
    )
    assert response.status_code == 302
    page = web(world.facilitator).get(f"/checkins/{checkin.pk}/").content.decode()
    assert "Shop live" in page and "SEO" in page
    assert world.company.name in page


def test_notes_and_cancel(world, web):
    checkin = CheckInFactory(convoy=world.convoy)
    client = web(world.facilitator)
    client.post(f"/checkins/{checkin.pk}/notes/", {"notes": "**Beschluss** <script>x</script>"})
    page = web(world.member).get(f"/checkins/{checkin.pk}/").content.decode()
    assert "<strong>Beschluss</strong>" in page and "<script>x" not in page
    client.post(f"/checkins/{checkin.pk}/cancel/")
    checkin.refresh_from_db()
    assert checkin.status == "cancelled"


def test_attendance_page(world, web):
    checkin = CheckInFactory(convoy=world.convoy)
    rsvp_set(actor=world.owner, checkin=checkin, response="yes")
    page = web(world.facilitator).get(f"/checkins/{checkin.pk}/attendance/")
    assert page.status_code == 200
    text = page.content.decode()
    assert world.owner.name in text and world.member.name in text
    csv = web(world.facilitator).get(f"/checkins/{checkin.pk}/attendance.csv")
    assert csv["Content-Type"] == "text/csv; charset=utf-8"


def test_convoy_page_lists_upcoming_checkins(world, web):
    checkin = CheckInFactory(convoy=world.convoy, title="Check-in Oktober", capacity=20)
    rsvp_set(actor=world.owner, checkin=checkin, response="yes")
    page = web(world.member).get(f"/convoys/{world.convoy.pk}/").content.decode()
    assert 'id="convoy-checkins" data-live-region' in page
    assert "Check-in Oktober" in page and "1/20 seats" in page


def test_calendar_page_makes_and_rotates_the_secret_url(world, web, client):
    client_ = web(world.member)
    assert "You have no calendar address yet." in client_.get("/calendar/").content.decode()
    client_.post("/calendar/")
    first = client_.get("/calendar/").context["url"]
    path = "/" + first.split("://", 1)[1].split("/", 1)[1]
    assert client.get(path).status_code == 200
    client_.post("/calendar/")
    assert client.get(path).status_code == 404
    assert client_.get("/calendar/").context["url"] != first


def test_another_person_in_two_companies_chooses_the_company(world, web):
    from tests.factories import CompanyFactory, MembershipFactory

    second = CompanyFactory(name="Zweite GmbH")
    MembershipFactory(convoy=world.convoy, company=second)
    CompanyMemberFactory(company=second, user=world.owner)
    checkin = CheckInFactory(convoy=world.convoy)
    page = web(world.owner).get(f"/checkins/{checkin.pk}/").content.decode()
    assert "Zweite GmbH" in page and 'name="company"' in page
