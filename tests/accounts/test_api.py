"""Accounts over the API: register, token, /me/."""

from tests.factories import CompanyMemberFactory, FacilitatorFactory


def test_register_then_token_then_me(db, api_client):
    r = api_client.post(
        "/api/v1/auth/register/",
        {"email": "Nina@Example.com", "password": "S3cure-enough!", "name": "Nina Neu"},
    )
    assert r.status_code == 201
    assert set(r.json()) == {"id", "email", "name", "handle", "language", "timezone"}
    assert r.json()["email"] == "nina@example.com"
    r = api_client.post(
        "/api/v1/auth/token/", {"email": "NINA@example.com", "password": "S3cure-enough!"}
    )
    assert r.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
    me = api_client.get("/api/v1/me/").json()
    assert me["handle"] == "nina_neu"
    assert (me["companies"], me["convoys"]) == ([], [])


def test_a_wrong_token_is_401(db, api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api_client.get("/api/v1/me/").status_code == 401


def test_me_lists_companies_and_convoys_with_roles(world, client_for):
    FacilitatorFactory(convoy=world.other_convoy, user=world.owner)
    CompanyMemberFactory(company=world.other_company, user=world.owner, role="member")
    me = client_for(world.owner).get("/api/v1/me/").json()
    assert me["companies"] == [
        {"id": world.other_company.pk, "name": "Modehaus Kramer", "role": "member"},
        {"id": world.company.pk, "name": "Sanitär Schulte", "role": "owner"},
    ]
    assert me["convoys"] == [
        {"id": world.convoy.pk, "name": "Digitalisierungs-Konvoi Hagen", "role": "member"},
        {"id": world.other_convoy.pk, "name": "Konvoi Iserlohn", "role": "facilitator"},
    ]


def test_patch_me(world, client_for):
    r = client_for(world.member).patch(
        "/api/v1/me/", {"language": "en", "timezone": "America/New_York"}
    )
    assert r.status_code == 200
    assert (r.json()["language"], r.json()["timezone"]) == ("en", "America/New_York")
    world.member.refresh_from_db()
    assert world.member.language == "en"
