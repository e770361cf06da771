def test_happy_path_over_the_api(db, api_client):
    r = api_client.post(
        "/api/v1/auth/register/",
        {"email": "Frieda@Example.com", "password": "S3cure-enough!", "name": "Frieda Fischer"},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["handle"] == "frieda_fischer"
    r = api_client.post(
        "/api/v1/auth/token/", {"email": "frieda@example.com", "password": "S3cure-enough!"}
    )
    assert r.status_code == 200, r.content
    api_client.credentials(HTTP_AUTHORIZATION="Token " + r.json()["token"])
    r = api_client.post(
        "/api/v1/convoys/",
        {
            "name": "Konvoi Hagen",
            "description": "",
            "timezone": "Europe/Berlin",
            "update_cadence_days": 14,
        },
    )
    assert r.status_code == 201, r.content
    convoy = r.json()
    # The one account invites its own address (an invitation is accepted by its addressee).
    r = api_client.post(
        f"/api/v1/convoys/{convoy['id']}/invitations/", {"email": "frieda@example.com"}
    )
    assert r.status_code == 201, r.content
    token = r.json()["token"]
    r = api_client.post(
        "/api/v1/companies/",
        {"name": "Sanitär Schulte", "sector": "craft", "size": "2-9", "city": "Hagen"},
    )
    assert r.status_code == 201, r.content
    company = r.json()
    r = api_client.post(f"/api/v1/invitations/{token}/accept/", {"company": company["id"]})
    assert r.status_code == 200, r.content
    r = api_client.post(
        "/api/v1/projects/",
        {
            "company": company["id"],
            "title": "Online-Termine",
            "category": "appointments",
            "convoys": [convoy["id"]],
        },
    )
    assert r.status_code == 201, r.content
    project = r.json()
    ms = [
        api_client.post(f"/api/v1/projects/{project['id']}/milestones/", {"title": t}).json()
        for t in ("Tool auswählen", "Live schalten")
    ]
    r = api_client.patch(f"/api/v1/milestones/{ms[0]['id']}/", {"status": "done"})
    assert r.status_code == 200, r.content
    r = api_client.post(
        f"/api/v1/convoys/{convoy['id']}/updates/",
        {
            "company": company["id"],
            "body": "Tool steht",
            "help_wanted": True,
            "milestones": [ms[0]["id"]],
        },
    )
    assert r.status_code == 201, r.content
    r = api_client.get(f"/api/v1/convoys/{convoy['id']}/dashboard/")
    assert r.status_code == 200, r.content
    dash = r.json()
    assert dash["companies"][0]["progress"] == 50
    assert dash["companies"][0]["help_wanted"] is True
    r = api_client.get(f"/api/v1/convoys/{convoy['id']}/events/?after=0")
    kinds = [e["kind"] for e in r.json()["results"]]
    assert kinds == [
        "membership.joined",
        "project.created",
        "milestone.created",
        "milestone.created",
        "milestone.completed",
        "update.posted",
    ]
    r = api_client.get("/api/v1/me/")
    assert r.json()["convoys"][0]["role"] == "facilitator"
    r = api_client.get("/api/schema/")
    assert r.status_code == 200


def test_a_client_cannot_claim_https_with_a_forwarded_header(client, settings):
    """Only the ASGI server, for the proxies it trusts, may turn X-Forwarded-Proto into the
    scheme; a plain-HTTP client sending it is still redirected to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
