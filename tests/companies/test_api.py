"""Companies over the API."""


def test_create_company_makes_the_caller_owner(world, client_for):
    client = client_for(world.outsider)
    r = client.post(
        "/api/v1/companies/",
        {"name": "Bäckerei Becker", "sector": "craft", "size": "10-49", "city": "Hagen"},
    )
    assert r.status_code == 201
    company = r.json()
    assert company["size"] == "10-49"
    members = client.get(f"/api/v1/companies/{company['id']}/members/").json()
    assert [(m["user"]["handle"], m["role"]) for m in members] == [("oskar", "owner")]


def test_owner_invites_and_removes_a_colleague(
    world, client_for, django_capture_on_commit_callbacks
):
    import re

    from django.core import mail

    from companies.services import company_invitation_accept

    client = client_for(world.owner)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/api/v1/companies/{world.company.pk}/members/", {"email": world.outsider.email}
        )
    assert r.status_code == 201
    assert r.json()["invitation"]["role"] == "member"
    assert "user" not in r.json()
    # invited, not added: the colleague sees nothing of the company until they accept
    assert (
        client_for(world.outsider).get(f"/api/v1/companies/{world.company.pk}/").status_code == 404
    )
    token = re.search(r"/colleague-invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)
    member = company_invitation_accept(actor=world.outsider, token=token)
    # the new colleague now sees the company and its convoy
    assert (
        client_for(world.outsider).get(f"/api/v1/companies/{world.company.pk}/").status_code == 200
    )
    assert client_for(world.outsider).get(f"/api/v1/convoys/{world.convoy.pk}/").status_code == 200
    r = client.delete(f"/api/v1/companies/{world.company.pk}/members/{member.pk}/")
    assert r.status_code == 204
    assert client_for(world.outsider).get(f"/api/v1/convoys/{world.convoy.pk}/").status_code == 404


def test_peer_companies_are_visible_read_only(world, client_for):
    from tests.factories import CompanyFactory, CompanyMemberFactory, MembershipFactory

    peer = CompanyFactory(name="Peer GmbH")
    CompanyMemberFactory(company=peer, role="owner")
    MembershipFactory(convoy=world.convoy, company=peer)
    client = client_for(world.member)
    assert client.get(f"/api/v1/companies/{peer.pk}/").status_code == 200
    assert client.patch(f"/api/v1/companies/{peer.pk}/", {"city": "X"}).status_code == 403
