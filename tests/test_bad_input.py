"""Bad input gets a 4xx with a message naming the offending field — never a 500, never a
partial write — in the caller's language."""

import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from projects.models import Project
from tests.factories import InvitationFactory, ProjectFactory
from tests.support.domain import domain_state

HUGE = 10**30  # beyond any database integer


def _project(world, content):
    return {"company": world.company.pk, "title": "Shop", "category": "ecommerce"}


def _convoy(**fields):
    return {"name": "Konvoi Witten", **fields}


# (id, role, method, path, body, status, field). body: dict, raw str, or callable(world, content).
# Placeholders in path: {convoy} {company} {project} {milestone} {token}.
CASES = [
    # --- malformed JSON and wrong types ---
    ("invalid json", "owner", "POST", "/companies/", '{"name": "Firma",', 400, "detail"),
    ("json not an object", "owner", "POST", "/companies/", "[1, 2]", 400, "non_field_errors"),
    # Nested beyond the decoder's recursion limit (was a RecursionError 500 on every endpoint)
    # or merely beyond the parser's depth limit: a parse error, never a 500.
    ("nested 100k arrays", "owner", "POST", "/companies/", "[" * 100_000, 400, "detail"),
    ("nested 100k objects", "owner", "POST", "/projects/", '{"a":' * 100_000, 400, "detail"),
    (
        "nested in a field",
        "owner",
        "PATCH",
        "/projects/{project}/",
        '{"title": ' + "[" * 50_000 + "]" * 50_000 + "}",
        400,
        "detail",
    ),
    (
        "valid but too deep",
        "facilitator",
        "POST",
        "/convoys/{convoy}/checkins/",
        "[" * 40 + "]" * 40,
        400,
        "detail",
    ),
    (
        "too deep, unauthenticated endpoint",
        "owner",
        "POST",
        "/auth/token/",
        "[" * 100_000,
        400,
        "detail",
    ),
    (
        "string for int",
        "owner",
        "POST",
        "/convoys/",
        _convoy(update_cadence_days="oft"),
        400,
        "update_cadence_days",
    ),
    ("list for string", "owner", "POST", "/convoys/", {"name": ["Konvoi"]}, 400, "name"),
    (
        "object for list",
        "owner",
        "POST",
        "/projects/",
        lambda w, c: {**_project(w, c), "convoys": {"id": 1}},
        400,
        "convoys",
    ),
    (
        "string for bool",
        "owner",
        "POST",
        "/convoys/{convoy}/updates/",
        lambda w, c: {"company": w.company.pk, "body": "x", "help_wanted": "vielleicht"},
        400,
        "help_wanted",
    ),
    (
        "null for required",
        "owner",
        "POST",
        "/companies/",
        {"name": None, "sector": "craft", "size": "1", "city": "Hagen"},
        400,
        "name",
    ),
    ("blank name", "owner", "POST", "/convoys/", {"name": "   "}, 400, "name"),
    (
        "huge int",
        "owner",
        "POST",
        "/convoys/",
        _convoy(update_cadence_days=HUGE),
        400,
        "update_cadence_days",
    ),
    # --- time zones, cadence ---
    (
        "unknown time zone (convoy)",
        "owner",
        "POST",
        "/convoys/",
        _convoy(timezone="Mars/Olympus"),
        400,
        "timezone",
    ),
    (
        "unknown time zone (convoy edit)",
        "facilitator",
        "PATCH",
        "/convoys/{convoy}/",
        {"timezone": "Europe/Hagen"},
        400,
        "timezone",
    ),
    ("unknown time zone (me)", "owner", "PATCH", "/me/", {"timezone": "Berlin"}, 400, "timezone"),
    (
        "unknown time zone (register)",
        None,
        "POST",
        "/auth/register/",
        {"email": "n@example.com", "password": "S3cure-enough!", "name": "N", "timezone": "CET!"},
        400,
        "timezone",
    ),
    (
        "zero cadence",
        "owner",
        "POST",
        "/convoys/",
        _convoy(update_cadence_days=0),
        400,
        "update_cadence_days",
    ),
    (
        "negative cadence",
        "facilitator",
        "PATCH",
        "/convoys/{convoy}/",
        {"update_cadence_days": -14},
        400,
        "update_cadence_days",
    ),
    (
        "zero max size",
        "facilitator",
        "PATCH",
        "/convoys/{convoy}/",
        {"max_companies": 0},
        400,
        "max_companies",
    ),
    # --- dates ---
    (
        "impossible date",
        "owner",
        "POST",
        "/projects/",
        lambda w, c: {**_project(w, c), "start_date": "2026-02-30"},
        400,
        "start_date",
    ),
    (
        "not a date",
        "owner",
        "POST",
        "/projects/{project}/milestones/",
        {"title": "Go-live", "due_date": "next friday"},
        400,
        "due_date",
    ),
    (
        "target before start",
        "owner",
        "POST",
        "/projects/",
        lambda w, c: {**_project(w, c), "start_date": "2026-05-01", "target_date": "2026-04-30"},
        400,
        "target_date",
    ),
    (
        "target before stored start",
        "owner",
        "PATCH",
        "/projects/{project}/",
        {"target_date": "2026-04-30"},
        400,
        "target_date",
    ),
    # --- enums ---
    (
        "unknown sector",
        "owner",
        "POST",
        "/companies/",
        {"name": "Hof", "sector": "farming", "size": "1", "city": "Hagen"},
        400,
        "sector",
    ),
    ("unknown size", "owner", "PATCH", "/companies/{company}/", {"size": "3"}, 400, "size"),
    (
        "unknown category",
        "owner",
        "POST",
        "/projects/",
        lambda w, c: {**_project(w, c), "category": "blockchain"},
        400,
        "category",
    ),
    (
        "unknown project status",
        "owner",
        "PATCH",
        "/projects/{project}/",
        {"status": "finished"},
        400,
        "status",
    ),
    (
        "unknown milestone status",
        "owner",
        "PATCH",
        "/milestones/{milestone}/",
        {"status": "finished"},
        400,
        "status",
    ),
    ("zero weight", "owner", "PATCH", "/milestones/{milestone}/", {"weight": 0}, 400, "weight"),
    (
        "unknown convoy status",
        "facilitator",
        "PATCH",
        "/convoys/{convoy}/",
        {"status": "paused"},
        400,
        "status",
    ),
    (
        "unknown role",
        "owner",
        "POST",
        "/companies/{company}/members/",
        lambda w, c: {"email": w.outsider.email, "role": "admin"},
        400,
        "role",
    ),
    ("unknown language", "owner", "PATCH", "/me/", {"language": "fr"}, 400, "language"),
    # --- unknown or foreign ids ---
    (
        "unknown company",
        "owner",
        "POST",
        "/projects/",
        lambda w, c: {**_project(w, c), "company": 999999},
        400,
        "company",
    ),
    (
        "huge company id",
        "owner",
        "POST",
        "/projects/",
        lambda w, c: {**_project(w, c), "company": HUGE},
        400,
        "company",
    ),
    (
        "convoy the company is not in",
        "owner",
        "POST",
        "/projects/",
        lambda w, c: {**_project(w, c), "convoys": [w.other_convoy.pk]},
        400,
        "convoys",
    ),
    (
        "unknown follow-up",
        "owner",
        "POST",
        "/projects/",
        lambda w, c: {**_project(w, c), "follow_up_of": 999999},
        400,
        "follow_up_of",
    ),
    (
        "follow-up of itself",
        "owner",
        "PATCH",
        "/projects/{project}/",
        lambda w, c: {"follow_up_of": c.project.pk},
        400,
        "follow_up_of",
    ),
    (
        "milestone of another company",
        "owner",
        "POST",
        "/convoys/{convoy}/updates/",
        lambda w, c: {"company": w.company.pk, "body": "x", "milestones": [c.foreign_milestone.pk]},
        400,
        "milestones",
    ),
    (
        "update for a company not in the convoy",
        "owner",
        "POST",
        "/convoys/{convoy}/updates/",
        lambda w, c: {"company": c.second_company.pk, "body": "x"},
        400,
        "company",
    ),
    (
        "empty update",
        "owner",
        "POST",
        "/convoys/{convoy}/updates/",
        lambda w, c: {"company": w.company.pk, "body": "  "},
        400,
        "body",
    ),
    (
        # Every well-formed address is invited by e-mail (tests/companies/test_invitations.py).
        "colleague's malformed address",
        "owner",
        "POST",
        "/companies/{company}/members/",
        {"email": "nobody(at)example.com"},
        400,
        "email",
    ),
    (
        "colleague twice",
        "owner",
        "POST",
        "/companies/{company}/members/",
        lambda w, c: {"email": w.member.email.upper()},
        400,
        "email",
    ),
    (
        "last owner leaves",
        "owner",
        "DELETE",
        "/companies/{company}/members/{owner_link}/",
        None,
        400,
        "user",
    ),
    ("unknown convoy", "owner", "GET", "/convoys/999999/", None, 404, "detail"),
    ("huge convoy id", "owner", "GET", f"/convoys/{HUGE}/", None, 404, "detail"),
    ("malformed project id", "owner", "GET", "/projects/abc/milestones/", None, 404, "detail"),
    (
        "unknown milestone",
        "owner",
        "PATCH",
        "/milestones/999999/",
        {"status": "done"},
        404,
        "detail",
    ),
    (
        "ended membership",
        "facilitator",
        "DELETE",
        "/convoys/{convoy}/memberships/999999/",
        None,
        404,
        "detail",
    ),
    # --- the event log cursor ---
    ("after=-1", "owner", "GET", "/convoys/{convoy}/events/?after=-1", None, 400, "after"),
    ("after=abc", "owner", "GET", "/convoys/{convoy}/events/?after=abc", None, 400, "after"),
    ("after=1.5", "owner", "GET", "/convoys/{convoy}/events/?after=1.5", None, 400, "after"),
    ("page past the end", "owner", "GET", "/convoys/{convoy}/events/?page=9", None, 404, "detail"),
    ("filter not a number", "owner", "GET", "/projects/?company=abc", None, 400, "company"),
    # --- invitations ---
    (
        "unknown token",
        "owner",
        "POST",
        "/invitations/not-a-token/accept/",
        lambda w, c: {"company": c.second_company.pk},
        400,
        "token",
    ),
    (
        "expired token",
        "other_member",
        "POST",
        "/invitations/{expired}/accept/",
        lambda w, c: {"company": w.other_company.pk},
        400,
        "token",
    ),
    (
        "used token",
        "other_member",
        "POST",
        "/invitations/{used}/accept/",
        lambda w, c: {"company": w.other_company.pk},
        400,
        "token",
    ),
    (
        "revoked token",
        "other_member",
        "POST",
        "/invitations/{revoked}/accept/",
        lambda w, c: {"company": w.other_company.pk},
        400,
        "token",
    ),
    (
        "accept for a company one does not own",
        "member",
        "POST",
        "/invitations/{for_member}/accept/",
        lambda w, c: {"company": c.second_company.pk},
        400,
        "company",
    ),
    (
        "accept for a company one cannot see",
        "owner",
        "POST",
        "/invitations/{token}/accept/",
        lambda w, c: {"company": w.other_company.pk},
        400,
        "company",
    ),
    (
        "accept for a company already in",
        "owner",
        "POST",
        "/invitations/{for_owner}/accept/",
        lambda w, c: {"company": w.company.pk},
        400,
        "company",
    ),
    ("accept without company", "owner", "POST", "/invitations/{token}/accept/", {}, 400, "company"),
    (
        "accept an invitation sent to another address",
        "owner",
        "POST",
        "/invitations/{token}/accept/",
        lambda w, c: {"company": c.second_company.pk},
        403,
        "detail",
    ),
    (
        "invite a non-address",
        "facilitator",
        "POST",
        "/convoys/{convoy}/invitations/",
        {"email": "frieda at example"},
        400,
        "email",
    ),
    # --- accounts ---
    (
        "duplicate e-mail",
        None,
        "POST",
        "/auth/register/",
        lambda w, c: {"email": w.owner.email.upper(), "password": "S3cure-enough!", "name": "Zwei"},
        400,
        "email",
    ),
    (
        "weak password",
        None,
        "POST",
        "/auth/register/",
        {"email": "neu@example.com", "password": "12345678", "name": "Nina"},
        400,
        "password",
    ),
    (
        "password like the e-mail",
        None,
        "POST",
        "/auth/register/",
        {"email": "nina.neumann@example.com", "password": "nina.neumann", "name": "Nina"},
        400,
        "password",
    ),
    (
        "wrong password",
        None,
        "POST",
        "/auth/token/",
        lambda w, c: {"email": w.owner.email, "password": "wrong"},
        400,
        "non_field_errors",
    ),
    ("blank name on me", "owner", "PATCH", "/me/", {"name": " "}, 400, "name"),
]


@pytest.fixture
def bad(world, content):
    """Extra rows the cases refer to: other companies, spent invitations."""
    from tests.factories import CompanyFactory, CompanyMemberFactory, MilestoneFactory

    second = CompanyFactory(name="Zweite GmbH")  # world.member owns nothing; owner owns this
    CompanyMemberFactory(company=second, user=world.owner, role="owner")
    CompanyMemberFactory(company=second, user=world.member, role="member")
    content.second_company = second
    content.foreign_milestone = MilestoneFactory(
        project=ProjectFactory(company=world.other_company)
    )
    now = timezone.now()
    InvitationFactory(convoy=world.convoy, token="expired", expires_at=now - timedelta(seconds=1))
    InvitationFactory(convoy=world.convoy, token="used", accepted_at=now - timedelta(days=1))
    InvitationFactory(convoy=world.convoy, token="revoked", revoked_at=now)
    # An invitation is accepted by the account it was sent to.
    InvitationFactory(convoy=world.convoy, token="for-member", email=world.member.email)
    InvitationFactory(convoy=world.convoy, token="for-owner", email=world.owner.email)
    Project.objects.filter(pk=content.project.pk).update(start_date="2026-05-01")
    return content


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "status", "field"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_bad_input_is_refused_naming_the_field(
    role, method, path, body, status, field, world, bad, client_for
):
    owner_link = world.owner.company_memberships.get(company=world.company).pk
    url = "/api/v1" + path.format(
        convoy=world.convoy.pk,
        company=world.company.pk,
        project=bad.project.pk,
        milestone=bad.milestone.pk,
        token=bad.invitation_token,
        owner_link=owner_link,
        expired="expired",
        used="used",
        revoked="revoked",
        for_member="for-member",
        for_owner="for-owner",
    )
    if callable(body):
        body = body(world, bad)
    raw = body if isinstance(body, str) or body is None else json.dumps(body)
    before = domain_state()

    response = client_for(getattr(world, role) if role else None).generic(
        method, url, data=raw, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == status, response.content
    errors = response.json()
    assert field in errors, errors
    messages = errors[field] if isinstance(errors[field], list) else [errors[field]]
    assert all(isinstance(m, str | dict) and m for m in messages), errors
    assert domain_state() == before


@override_settings(REQUEST_MAX_BODY_BYTES=2048)
def test_oversize_body_is_refused_before_parsing(world, client_for):
    before = domain_state()
    body = json.dumps({"name": "x" * 4096, "sector": "craft", "size": "1", "city": "Hagen"})

    response = client_for(world.owner).post(
        "/api/v1/companies/", data=body, content_type="application/json"
    )

    assert response.status_code == 413
    assert "2048" in response.json()["detail"]
    assert domain_state() == before


def test_default_limit_is_one_mebibyte(world, client_for, settings):
    assert settings.REQUEST_MAX_BODY_BYTES == 1024 * 1024
    body = json.dumps({"name": "x" * (1024 * 1024)})
    response = client_for(world.owner).post(
        "/api/v1/convoys/", data=body, content_type="application/json"
    )
    assert response.status_code == 413


def test_form_encoded_body_is_unsupported(world, client_for):
    response = client_for(world.owner).post(
        "/api/v1/companies/", {"name": "Firma"}, format="multipart"
    )
    assert response.status_code == 415


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Unknown time zone: Mars/Olympus"),
        ("de", "Unbekannte Zeitzone: Mars/Olympus"),
    ],
)
def test_error_messages_follow_accept_language(language, expected, world, client_for):
    response = client_for(world.owner).post(
        "/api/v1/convoys/",
        {"name": "Konvoi", "timezone": "Mars/Olympus"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response.json()["timezone"] == [expected]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "This field is required."), ("de", "Dieses Feld ist zwingend erforderlich.")],
)
def test_framework_messages_follow_accept_language(language, expected, world, client_for):
    response = client_for(world.owner).post("/api/v1/companies/", {}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json()["name"] == [expected]
