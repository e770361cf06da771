"""The check-in API as the contract: shapes, errors naming the field (in the caller's
language), who sees which reports, the CSV, and constant query counts."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from checkins.models import CheckIn, Rsvp
from checkins.services import report_file, rsvp_set
from tests.factories import CheckInFactory, CompanyMemberFactory, UserFactory
from tests.support.domain import domain_state

NEW = {
    "title": "Check-in Oktober",
    "starts_at": "2031-10-06T17:00:00+02:00",
    "ends_at": "2031-10-06T19:00:00+02:00",
    "location": "Hagen",
    "agenda": "**Runde** <script>alert(1)</script>",
    "capacity": 2,
    "rsvp_deadline": "2031-10-05T12:00:00+02:00",
}


def test_facilitator_schedules_and_members_list(world, client_for):
    response = client_for(world.facilitator).post(
        f"/api/v1/convoys/{world.convoy.pk}/checkins/", NEW, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["starts_at"] == "2031-10-06T17:00:00+02:00"  # shown in the server's zone
    assert body["timezone"] == "Europe/Berlin"
    assert body["seats"] == {"confirmed": 0, "capacity": 2, "waitlisted": 0}
    assert body["status"] == "scheduled" and body["sequence"] == 0
    assert "<script>" not in body["agenda_html"] and "<strong>Runde</strong>" in body["agenda_html"]
    listed = client_for(world.member).get(f"/api/v1/convoys/{world.convoy.pk}/checkins/").json()
    assert [c["id"] for c in listed["results"]] == [body["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "2031-10-06T16:00:00+02:00"}, "ends_at"),
        ({"rsvp_deadline": "2031-10-07T12:00:00+02:00"}, "rsvp_deadline"),
        ({"capacity": 0}, "capacity"),
        ({"starts_at": "morgen"}, "starts_at"),
        ({"video_url": "javascript:alert(1)"}, "video_url"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_input_is_400_naming_the_field(world, client_for, change, field):
    before = domain_state()
    response = client_for(world.facilitator).post(
        f"/api/v1/convoys/{world.convoy.pk}/checkins/", {**NEW, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert domain_state() == before


def test_patch_reschedules_and_cancels(world, client_for):
    checkin = CheckInFactory(convoy=world.convoy)
    client = client_for(world.facilitator)
    later = (checkin.starts_at + timedelta(hours=1)).isoformat()
    response = client.patch(
        f"/api/v1/checkins/{checkin.pk}/",
        {"starts_at": later, "ends_at": (checkin.ends_at + timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["sequence"] == 1
    # A start after the existing end is caught by the service (400 naming the field).
    bad = client.patch(
        f"/api/v1/checkins/{checkin.pk}/",
        {"starts_at": (checkin.ends_at + timedelta(days=1)).isoformat()},
        format="json",
    )
    assert bad.status_code == 400 and "ends_at" in bad.json()
    cancelled = client.patch(
        f"/api/v1/checkins/{checkin.pk}/", {"status": "cancelled"}, format="json"
    )
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["sequence"] == 2
    again = client.patch(f"/api/v1/checkins/{checkin.pk}/", {"title": "x"}, format="json")
    assert again.status_code == 400 and "status" in again.json()


def test_rsvp_answers_with_status_position_and_seats(world, client_for):
    checkin = CheckInFactory(convoy=world.convoy, capacity=1)
    first = client_for(world.owner).post(
        f"/api/v1/checkins/{checkin.pk}/rsvp/", {"response": "yes"}, format="json"
    )
    assert first.json() == {
        "response": "yes",
        "status": "confirmed",
        "position": None,
        "seats": {"confirmed": 1, "capacity": 1, "waitlisted": 0},
    }
    second = client_for(world.member).post(
        f"/api/v1/checkins/{checkin.pk}/rsvp/", {"response": "yes"}, format="json"
    )
    assert second.json() == {
        "response": "yes",
        "status": "waitlisted",
        "position": 1,
        "seats": {"confirmed": 1, "capacity": 1, "waitlisted": 1},
    }
    bad = client_for(world.member).post(
        f"/api/v1/checkins/{checkin.pk}/rsvp/", {"response": "vielleicht"}, format="json"
    )
    assert bad.status_code == 400 and "response" in bad.json()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "5 Oct 2020, 12:00 (Europe/Berlin)"),
        ("de", "05.10.2020, 12:00 (Europe/Berlin)"),
    ],
)
def test_late_rsvp_is_400_with_the_deadline_in_the_callers_language(
    world, client_for, language, expected
):
    # Answers closed at noon in Hagen on 5 October; the meeting itself is still ahead.
    checkin = CheckInFactory(
        convoy=world.convoy,
        starts_at=timezone.now() + timedelta(days=1),
        rsvp_deadline=datetime(2020, 10, 5, 10, 0, tzinfo=UTC),
    )
    before = domain_state()
    response = client_for(world.owner).post(
        f"/api/v1/checkins/{checkin.pk}/rsvp/",
        {"response": "yes"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    (message,) = response.json()["response"]
    assert expected in message
    if language == "en":
        assert message.startswith("Answers for this check-in closed at")
    assert domain_state() == before
    assert not Rsvp.objects.exists()


def test_reports_own_company_for_members_all_for_the_facilitator(world, client_for):
    checkin = CheckInFactory(convoy=world.convoy)
    # A second member company with its report.
    from tests.factories import CompanyFactory, MembershipFactory

    peer = CompanyFactory(name="Bäckerei Brinkmann")
    baker = UserFactory()
    CompanyMemberFactory(company=peer, user=baker, role="owner")
    MembershipFactory(convoy=world.convoy, company=peer)
    report_file(actor=baker, checkin=checkin, company=peer, moved="Kasse digital")

    put = client_for(world.member).put(
        f"/api/v1/checkins/{checkin.pk}/reports/",
        {"moved": "Shop live", "help_needed": "SEO"},
        format="json",
    )
    assert put.status_code == 200, put.content
    assert put.json()["company"] == {"id": world.company.pk, "name": world.company.name}
    mine = client_for(world.owner).get(f"/api/v1/checkins/{checkin.pk}/reports/").json()
    assert [r["company"]["name"] for r in mine["results"]] == [world.company.name]
    every = client_for(world.facilitator).get(f"/api/v1/checkins/{checkin.pk}/reports/").json()
    assert [r["company"]["name"] for r in every["results"]] == [
        "Bäckerei Brinkmann",
        world.company.name,
    ]
    wrong = client_for(world.member).put(
        f"/api/v1/checkins/{checkin.pk}/reports/",
        {"company": peer.pk, "moved": "x"},
        format="json",
    )
    assert wrong.status_code == 400 and "company" in wrong.json()


def test_notes_are_posted_and_sanitised(world, client_for):
    checkin = CheckInFactory(convoy=world.convoy)
    response = client_for(world.facilitator).post(
        f"/api/v1/checkins/{checkin.pk}/notes/",
        {"notes": "[klick](javascript:alert(1)) *Danke*"},
        format="json",
    )
    assert response.status_code == 200
    assert "javascript" not in response.json()["notes_html"]
    assert "<em>Danke</em>" in response.json()["notes_html"]


def test_attendance_csv(world, client_for):
    checkin = CheckInFactory(convoy=world.convoy)
    rsvp_set(actor=world.owner, checkin=checkin, response="yes")
    rsvp_set(actor=world.facilitator, checkin=checkin, response="maybe")
    report_file(actor=world.owner, checkin=checkin, company=world.company, moved="=HYPERLINK()")
    world.member.name = "=cmd|' /C calc'!A0"
    world.member.save()
    response = client_for(world.facilitator).get(
        f"/api/v1/checkins/{checkin.pk}/attendance.csv", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    # ";"-separated (German Excel), answers and statuses translated, the answer's time local.
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [
        "Name",
        "E-mail",
        "Company",
        "Response",
        "Status",
        "Answered at",
        "Report filed",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    owner = by_name[world.owner.name]
    assert owner[2:5] + owner[6:] == [world.company.name, "Yes", "Confirmed", "yes"]
    assert owner[5]  # e.g. "2026-11-29 09:14"
    assert by_name["'=cmd|' /C calc'!A0"][3:] == ["", "", "", "yes"]  # no formula, no answer
    facilitator = by_name[world.facilitator.name]
    assert facilitator[2:5] + facilitator[6:] == ["", "Maybe", "Tentative", "no"]


# --- query counts: constant in the size of the convoy ------------------------------------------


@pytest.fixture(params=[3, 30], ids=lambda n: f"{n} check-ins")
def sized(request, world):
    n = request.param
    people = [UserFactory() for _ in range(n)]
    for person in people:
        CompanyMemberFactory(company=world.company, user=person)
    for i in range(n):
        checkin = CheckInFactory(convoy=world.convoy, capacity=n // 2 or 1)
        for person in people[: i + 1]:
            Rsvp.objects.create(checkin=checkin, user=person, response="no", status="declined")
    checkin = CheckIn.objects.order_by("id").last()
    for person in people:
        report_file(actor=person, checkin=checkin, company=world.company, moved="x")
    return n, checkin


def test_query_counts(world, sized, client_for, django_assert_num_queries):
    n, checkin = sized
    client = client_for(world.facilitator)
    with django_assert_num_queries(3):  # convoy · count · page with seats and convoy
        response = client.get(f"/api/v1/convoys/{world.convoy.pk}/checkins/")
    assert response.json()["count"] == n
    with django_assert_num_queries(1):  # check-in with convoy, seats and role
        client.get(f"/api/v1/checkins/{checkin.pk}/")
    with django_assert_num_queries(3):  # check-in · count · page with company and author
        response = client.get(f"/api/v1/checkins/{checkin.pk}/reports/")
    assert response.json()["count"] == 1
    # check-in · people with answers · others who answered · the audit row of the download
    with django_assert_num_queries(4):
        client.get(f"/api/v1/checkins/{checkin.pk}/attendance.csv")
    with django_assert_num_queries(1):
        client.get(f"/api/v1/checkins/{checkin.pk}/ics/")
