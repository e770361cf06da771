"""Convoys over the API: creation, invitations, memberships, the event log."""

from convoys.models import Event
from tests.factories import CompanyFactory, CompanyMemberFactory


def test_create_convoy_makes_the_caller_facilitator(world, client_for):
    r = client_for(world.outsider).post(
        "/api/v1/convoys/",
        {"name": "Konvoi Witten", "timezone": "Europe/Berlin", "update_cadence_days": 7},
    )
    assert r.status_code == 201
    body = r.json()
    assert (body["role"], body["status"], body["company_count"], body["last_event_seq"]) == (
        "facilitator",
        "forming",
        0,
        0,
    )


def test_invite_preview_accept(world, client_for, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for(world.facilitator).post(
            f"/api/v1/convoys/{world.convoy.pk}/invitations/", {"email": world.outsider.email}
        )
    assert r.status_code == 201
    token = r.json()["token"]
    assert r.json()["status"] == "open"
    assert len(mailoutbox) == 1
    listed = client_for(world.facilitator).get(f"/api/v1/convoys/{world.convoy.pk}/invitations/")
    assert "token" not in listed.json()["results"][0]

    owner = world.outsider
    company = CompanyFactory(name="Neu GmbH")
    CompanyMemberFactory(company=company, user=owner, role="owner")
    preview = client_for(owner).get(f"/api/v1/invitations/{token}/").json()
    assert preview["convoy"] == {"id": world.convoy.pk, "name": world.convoy.name}
    assert preview["problem"] is None
    r = client_for(owner).post(f"/api/v1/invitations/{token}/accept/", {"company": company.pk})
    assert r.status_code == 200
    assert r.json()["status"] == "active"
    assert client_for(owner).get(f"/api/v1/convoys/{world.convoy.pk}/").status_code == 200
    preview = (
        client_for(owner).get(f"/api/v1/invitations/{token}/", HTTP_ACCEPT_LANGUAGE="en").json()
    )
    assert preview["problem"] == "This invitation has already been used."


def test_unknown_invitation_is_404(world, client_for):
    assert client_for(world.owner).get("/api/v1/invitations/nope/").status_code == 404


def test_events_after_n_ascending(world, client_for):
    client = client_for(world.owner)
    for body in ("eins", "zwei", "drei"):
        client.post(
            f"/api/v1/convoys/{world.convoy.pk}/updates/",
            {"company": world.company.pk, "body": body},
        )
    r = client.get(f"/api/v1/convoys/{world.convoy.pk}/events/?after=1")
    events = r.json()["results"]
    assert [e["seq"] for e in events] == [2, 3]
    assert [e["data"]["update"]["body"] for e in events] == ["zwei", "drei"]
    assert set(events[0]) == {"type", "seq", "kind", "data", "actor", "at"}
    assert client.get(f"/api/v1/convoys/{world.convoy.pk}/events/?after=3").json()["count"] == 0
    default = client.get(f"/api/v1/convoys/{world.convoy.pk}/events/").json()
    assert default["count"] == 3


def test_owner_leaves_and_loses_sight_of_the_convoy(world, client_for):
    client = client_for(world.owner)
    memberships = client.get(f"/api/v1/convoys/{world.convoy.pk}/memberships/").json()["results"]
    assert [m["company"]["id"] for m in memberships] == [world.company.pk]
    r = client.delete(f"/api/v1/convoys/{world.convoy.pk}/memberships/{memberships[0]['id']}/")
    assert r.status_code == 204
    assert client.get(f"/api/v1/convoys/{world.convoy.pk}/").status_code == 404
    assert Event.objects.get(convoy=world.convoy).kind == "membership.left"


def test_facilitator_edits_the_convoy(world, client_for):
    r = client_for(world.facilitator).patch(
        f"/api/v1/convoys/{world.convoy.pk}/", {"update_cadence_days": 7, "max_companies": 8}
    )
    assert r.status_code == 200
    assert (r.json()["update_cadence_days"], r.json()["max_companies"]) == (7, 8)
    assert r.json()["last_event_seq"] == 1


def _invite(world, client_for, email):
    r = client_for(world.facilitator).post(
        f"/api/v1/convoys/{world.convoy.pk}/invitations/", {"email": email}
    )
    assert r.status_code == 201, r.content
    return r.json()


def test_accepting_an_invitation_sent_to_another_address_is_403(world, client_for):
    invitation = _invite(world, client_for, "neu@example.com")
    company = CompanyFactory(name="Neu GmbH")
    CompanyMemberFactory(company=company, user=world.outsider, role="owner")
    r = client_for(world.outsider).post(
        f"/api/v1/invitations/{invitation['token']}/accept/",
        {"company": company.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 403
    assert r.json()["detail"].startswith("This invitation is for neu@example.com, but you are")
    assert not company.memberships.exists()


def test_facilitator_revokes_and_the_link_stops_working(world, client_for):
    invitation = _invite(world, client_for, world.other_member.email)
    base = f"/api/v1/convoys/{world.convoy.pk}/invitations/{invitation['id']}"
    r = client_for(world.facilitator).post(f"{base}/revoke/")
    assert r.status_code == 200
    assert r.json()["status"] == "revoked" and "token" not in r.json()
    r = client_for(world.other_member).post(
        f"/api/v1/invitations/{invitation['token']}/accept/",
        {"company": world.other_company.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 400
    assert r.json()["token"] == ["This invitation was withdrawn."]
    # Withdrawn is final: no new link for it.
    r = client_for(world.facilitator).post(f"{base}/resend/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    assert r.json()["invitation"] == ["This invitation was withdrawn."]


def test_facilitator_resends_with_a_new_link(
    world, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = _invite(world, client_for, world.other_member.email)
    base = f"/api/v1/convoys/{world.convoy.pk}/invitations/{invitation['id']}"
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for(world.facilitator).post(f"{base}/resend/")
    assert r.status_code == 200
    body = r.json()
    assert (body["id"], body["status"]) == (invitation["id"], "open")
    assert body["token"] != invitation["token"]
    assert f"/invitations/{body['token']}/" in mailoutbox[-1].body
    old = client_for(world.other_member).get(f"/api/v1/invitations/{invitation['token']}/")
    assert old.status_code == 404
    r = client_for(world.other_member).post(
        f"/api/v1/invitations/{body['token']}/accept/", {"company": world.other_company.pk}
    )
    assert r.status_code == 200
    r = client_for(world.facilitator).post(f"{base}/revoke/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    assert r.json()["invitation"] == ["This invitation has already been accepted."]


def test_an_invitation_of_another_convoy_is_404_under_this_one(world, client_for):
    from tests.factories import FacilitatorFactory, InvitationFactory

    FacilitatorFactory(convoy=world.other_convoy, user=world.facilitator)
    foreign = InvitationFactory(convoy=world.other_convoy)
    for action in ("revoke", "resend"):
        r = client_for(world.facilitator).post(
            f"/api/v1/convoys/{world.convoy.pk}/invitations/{foreign.pk}/{action}/"
        )
        assert r.status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None
