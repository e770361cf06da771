# ruff: noqa: E501 - the matrix is a table; its rows stay on one line each
"""Who may do what over the API: every endpoint × every role, as one table.

Policy (DESIGN.md, "Bars every part is held to"):
- anonymous callers get 401 everywhere except registration and token;
- whoever does not belong to a convoy, company or project gets 404 for it, as if it did not
  exist: outsiders, members of *another* convoy, and staff (is_staff grants nothing in the API);
- whoever can see a thing but may not change it gets 403 (a company member inviting, a
  facilitator editing a company's milestone);
- a refused request changes nothing: every row of every domain table (which includes each
  convoy's last_event_seq) is the same before and after.

Ids in request *bodies* that the caller cannot see (POST /projects/ for someone else's
company, accepting an invitation for a company one does not own) are invalid input: 400
naming the field, not 404, because the URL addresses nothing of theirs.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.support.domain import domain_state

ROLES = ("anonymous", "outsider", "other_member", "staff", "member", "owner", "facilitator")
PASSWORD = "correct-horse-42"  # tests.factories.UserFactory


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # placeholders: {convoy} {company} {project} {milestone} {token} {invitation} {membership}
    # {colleague} {update} {comment} {checkin} {company_invitation} {company_token}
    body: Any  # None, a dict, or a callable (world, content) -> dict
    expected: tuple[int, ...]  # one status per role, in ROLES order

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def E(method, path, body, *expected):  # reads as a table row
    assert len(expected) == len(ROLES), path
    return Endpoint(method, path, body, expected)


REGISTER = {"email": "neu@example.com", "password": "S3cure-enough!", "name": "Nina Neu"}
COMPANY = {"name": "Bäckerei Becker", "sector": "craft", "size": "10-49", "city": "Hagen"}
CONVOY = {"name": "Konvoi Witten", "timezone": "Europe/Berlin", "update_cadence_days": 7}


def token_body(world, content):
    return {"email": world.owner.email, "password": PASSWORD}


def add_colleague(world, content):
    # Every address is invited (world.outsider's already is, by content.company_invitation).
    return {"email": "neue-kollegin@example.com", "role": "member"}


def accept_for_other_company(world, content):
    return {"company": world.other_company.pk}


def new_project(world, content):
    return {
        "company": world.company.pk,
        "title": "Online-Termine",
        "category": "appointments",
        "convoys": [world.convoy.pk],
    }


def new_update(world, content):
    return {"company": world.company.pk, "body": "Shop ist live", "help_wanted": True}


def new_comment(world, content):
    return {"target_type": "update", "target_id": content.update.pk, "body": "Super, @olaf!"}


def new_checkin(world, content):
    return {
        "title": "Check-in Oktober",
        "starts_at": "2031-10-06T17:00:00+02:00",
        "ends_at": "2031-10-06T19:00:00+02:00",
        "location": "Hagen",
        "capacity": 12,
        "rsvp_deadline": "2031-10-05T12:00:00+02:00",
    }


# fmt: off
MATRIX = [
    # method  path                                             body                      anon outs other staff memb owner facil
    E("POST",   "/auth/register/",                             REGISTER,                 201, 201, 201, 201, 201, 201, 201),
    E("POST",   "/auth/token/",                                token_body,               200, 200, 200, 200, 200, 200, 200),
    # Token-only: a request without an API token (here: forced authentication) has none to end.
    E("POST",   "/auth/logout/",                               None,                     401, 401, 401, 401, 401, 401, 401),
    E("POST",   "/auth/logout-all/",                           None,                     401, 200, 200, 200, 200, 200, 200),
    E("GET",    "/auth/tokens/",                               None,                     401, 200, 200, 200, 200, 200, 200),
    E("DELETE", "/auth/tokens/{unknown}/",                     None,                     401, 404, 404, 404, 404, 404, 404),
    E("GET",    "/me/",                                        None,                     401, 200, 200, 200, 200, 200, 200),
    E("PATCH",  "/me/",                                        {"name": "Neuer Name"},   401, 200, 200, 200, 200, 200, 200),
    E("POST",   "/me/email/",                                  {"email": "neu@example.com", "password": "falsch"}, 401, 400, 400, 400, 400, 400, 400),
    E("POST",   "/me/email/confirm/",                          {"token": "kaputt"},      400, 400, 400, 400, 400, 400, 400),
    E("POST",   "/me/password/",                               {"old_password": "falsch", "new_password": "Neues-Passwort-2026"}, 401, 400, 400, 400, 400, 400, 400),
    E("GET",    "/companies/",                                 None,                     401, 200, 200, 200, 200, 200, 200),
    E("POST",   "/companies/",                                 COMPANY,                  401, 201, 201, 201, 201, 201, 201),
    E("GET",    "/companies/{company}/",                       None,                     401, 404, 404, 404, 200, 200, 200),
    E("PATCH",  "/companies/{company}/",                       {"city": "Witten"},       401, 404, 404, 404, 403, 200, 403),
    E("GET",    "/companies/{company}/members/",               None,                     401, 404, 404, 404, 200, 200, 200),
    E("POST",   "/companies/{company}/members/",               add_colleague,            401, 404, 404, 404, 403, 201, 403),
    # A member may leave a company; only an owner removes others.
    E("DELETE", "/companies/{company}/members/{colleague}/",   None,                     401, 404, 404, 404, 204, 204, 403),
    # A company's invitations to colleagues are its owners' business; who sees the company
    # (its members, its convoys' facilitators) but does not own it gets 403.
    E("GET",    "/companies/{company}/invitations/",           None,                     401, 404, 404, 404, 403, 200, 403),
    E("POST",   "/companies/{company}/invitations/{company_invitation}/revoke/", None,   401, 404, 404, 404, 403, 200, 403),
    E("POST",   "/companies/{company}/invitations/{company_invitation}/resend/", None,   401, 404, 404, 404, 403, 200, 403),
    # Only the account of the invited address (outsider's) joins with the token.
    E("POST",   "/company-invitations/{company_token}/accept/", None,                    401, 200, 403, 403, 403, 403, 403),
    E("GET",    "/convoys/",                                   None,                     401, 200, 200, 200, 200, 200, 200),
    E("POST",   "/convoys/",                                   CONVOY,                   401, 201, 201, 201, 201, 201, 201),
    E("GET",    "/convoys/{convoy}/",                          None,                     401, 404, 404, 404, 200, 200, 200),
    E("PATCH",  "/convoys/{convoy}/",                          {"name": "Umbenannt"},    401, 404, 404, 404, 403, 403, 200),
    E("GET",    "/convoys/{convoy}/invitations/",              None,                     401, 404, 404, 404, 403, 403, 200),
    E("POST",   "/convoys/{convoy}/invitations/",              {"email": "x@example.com"}, 401, 404, 404, 404, 403, 403, 201),
    # Revoke and resend: facilitators' business, like the list.
    E("POST",   "/convoys/{convoy}/invitations/{invitation}/revoke/", None,              401, 404, 404, 404, 403, 403, 200),
    E("POST",   "/convoys/{convoy}/invitations/{invitation}/resend/", None,              401, 404, 404, 404, 403, 403, 200),
    # The token is the capability: whoever holds it may look at it.
    E("GET",    "/invitations/{token}/",                       None,                     401, 200, 200, 200, 200, 200, 200),
    # Only the invited address's account (other_member), as an owner of the company named in
    # the body (other_company), can accept; the others' bodies name a company they cannot use.
    E("POST",   "/invitations/{token}/accept/",                accept_for_other_company, 401, 400, 200, 400, 400, 400, 400),
    E("GET",    "/convoys/{convoy}/memberships/",              None,                     401, 404, 404, 404, 200, 200, 200),
    # The facilitator removes a company; its owner takes it out; nobody else.
    E("DELETE", "/convoys/{convoy}/memberships/{membership}/", None,                     401, 404, 404, 404, 403, 204, 204),
    # Nudge: the facilitator asks a member company for an update (once a day).
    E("POST",   "/convoys/{convoy}/companies/{company}/nudge/", {"message": "Wie läuft's?"}, 401, 404, 404, 404, 403, 403, 201),
    E("GET",    "/convoys/{convoy}/dashboard/",                None,                     401, 404, 404, 404, 200, 200, 200),
    E("GET",    "/convoys/{convoy}/export.xlsx",               None,                     401, 404, 404, 404, 403, 403, 200),
    E("GET",    "/projects/",                                  None,                     401, 200, 200, 200, 200, 200, 200),
    E("POST",   "/projects/",                                  new_project,              401, 400, 400, 400, 201, 201, 403),
    E("GET",    "/projects/{project}/",                        None,                     401, 404, 404, 404, 200, 200, 200),
    E("PATCH",  "/projects/{project}/",                        {"status": "done"},       401, 404, 404, 404, 200, 200, 403),
    E("PATCH",  "/projects/{project}/",                        {"archived": True},       401, 404, 404, 404, 200, 200, 403),
    E("DELETE", "/projects/{project}/",                        None,                     401, 404, 404, 404, 204, 204, 403),
    E("GET",    "/projects/{project}/milestones/",             None,                     401, 404, 404, 404, 200, 200, 200),
    E("POST",   "/projects/{project}/milestones/",             {"title": "Go-live"},     401, 404, 404, 404, 201, 201, 403),
    E("GET",    "/milestones/{milestone}/",                    None,                     401, 404, 404, 404, 200, 200, 200),
    E("PATCH",  "/milestones/{milestone}/",                    {"status": "done"},       401, 404, 404, 404, 200, 200, 403),
    E("DELETE", "/milestones/{milestone}/",                    None,                     401, 404, 404, 404, 204, 204, 403),
    # content.update is the owner's: its author or a company owner edits it, not a colleague.
    E("GET",    "/updates/{update}/",                          None,                     401, 404, 404, 404, 200, 200, 200),
    E("PATCH",  "/updates/{update}/",                          {"body": "Neu"},          401, 404, 404, 404, 403, 200, 403),
    E("DELETE", "/updates/{update}/",                          None,                     401, 404, 404, 404, 403, 204, 403),
    E("GET",    "/convoys/{convoy}/updates/",                  None,                     401, 404, 404, 404, 200, 200, 200),
    E("POST",   "/convoys/{convoy}/updates/",                  new_update,               401, 404, 404, 404, 201, 201, 403),
    E("GET",    "/convoys/{convoy}/events/?after=0",           None,                     401, 404, 404, 404, 200, 200, 200),
    # Comments: content.comment is the owner's, on content.update in world.convoy. A target
    # the caller cannot see, named in the body, is a 400 on target_id; read by query, a 404.
    E("GET",    "/comments/?target_type=update&target_id={update}", None,                401, 404, 404, 404, 200, 200, 200),
    E("POST",   "/comments/",                                  new_comment,              401, 400, 400, 400, 201, 201, 201),
    E("GET",    "/comments/{comment}/",                        None,                     401, 404, 404, 404, 200, 200, 200),
    E("PATCH",  "/comments/{comment}/",                        {"body": "Korrigiert"},   401, 404, 404, 404, 403, 200, 403),
    E("DELETE", "/comments/{comment}/",                        None,                     401, 404, 404, 404, 403, 204, 403),
    E("POST",   "/comments/{comment}/reactions/",              {"emoji": "👍"},          401, 404, 404, 404, 200, 200, 200),
    E("GET",    "/comments/{comment}/revisions/",              None,                     401, 404, 404, 404, 403, 403, 200),
    E("POST",   "/comments/{comment}/hide/",                   None,                     401, 404, 404, 404, 403, 403, 200),
    # Check-ins: content.checkin is scheduled in world.convoy. Facilitators schedule, change,
    # post notes and export; people of member companies answer and file their company's report.
    E("GET",    "/convoys/{convoy}/checkins/",                 None,                     401, 404, 404, 404, 200, 200, 200),
    E("POST",   "/convoys/{convoy}/checkins/",                 new_checkin,              401, 404, 404, 404, 403, 403, 201),
    E("GET",    "/checkins/{checkin}/",                        None,                     401, 404, 404, 404, 200, 200, 200),
    E("PATCH",  "/checkins/{checkin}/",                        {"title": "Neuer Titel"}, 401, 404, 404, 404, 403, 403, 200),
    E("POST",   "/checkins/{checkin}/rsvp/",                   {"response": "yes"},      401, 404, 404, 404, 200, 200, 200),
    E("GET",    "/checkins/{checkin}/reports/",                None,                     401, 404, 404, 404, 200, 200, 200),
    E("PUT",    "/checkins/{checkin}/reports/",                {"moved": "Shop läuft"},  401, 404, 404, 404, 200, 200, 403),
    E("POST",   "/checkins/{checkin}/notes/",                  {"notes": "Protokoll"},   401, 404, 404, 404, 403, 403, 200),
    E("GET",    "/checkins/{checkin}/attendance.csv",          None,                     401, 404, 404, 404, 403, 403, 200),
    E("GET",    "/checkins/{checkin}/attendance.xlsx",         None,                     401, 404, 404, 404, 403, 403, 200),
    E("GET",    "/checkins/{checkin}/ics/",                    None,                     401, 404, 404, 404, 200, 200, 200),
    E("GET",    "/me/calendar/",                               None,                     401, 200, 200, 200, 200, 200, 200),
    E("POST",   "/me/calendar/rotate/",                        None,                     401, 200, 200, 200, 200, 200, 200),
    # Notifications: content.notification is world.owner's; everyone else's list is their own.
    E("GET",    "/notifications/",                             None,                     401, 200, 200, 200, 200, 200, 200),
    E("POST",   "/notifications/{notification}/read/",         None,                     401, 404, 404, 404, 404, 200, 404),
    E("POST",   "/notifications/read-all/",                    None,                     401, 200, 200, 200, 200, 200, 200),
    E("GET",    "/me/preferences/",                            None,                     401, 200, 200, 200, 200, 200, 200),
    E("PUT",    "/me/preferences/",                            {"weekends": True},       401, 200, 200, 200, 200, 200, 200),
    E("PUT",    "/me/preferences/",                            {"muted_convoys": [{"convoy": 0}]}, 401, 400, 400, 400, 400, 400, 400),
    # Accounts and data protection (issue 13): one's own audit log, two factors, sessions,
    # tokens, data export and deletion. Nobody in `world` has a second factor.
    E("GET",    "/me/audit/",                                  None,                     401, 200, 200, 200, 200, 200, 200),
    E("GET",    "/me/mfa/",                                    None,                     401, 200, 200, 200, 200, 200, 200),
    E("POST",   "/me/mfa/totp/",                               None,                     401, 201, 201, 201, 201, 201, 201),
    E("POST",   "/me/mfa/totp/confirm/",                       {"code": "000000"},       401, 400, 400, 400, 400, 400, 400),
    E("POST",   "/me/mfa/recovery-codes/",                     {"code": "000000"},       401, 400, 400, 400, 400, 400, 400),
    E("POST",   "/me/mfa/disable/",                            {"password": "falsch", "code": "000000"}, 401, 400, 400, 400, 400, 400, 400),
    E("GET",    "/me/sessions/",                               None,                     401, 200, 200, 200, 200, 200, 200),
    E("DELETE", "/me/sessions/{unknown}/",                     None,                     401, 404, 404, 404, 404, 404, 404),
    # Someone's session is theirs alone: only its owner ends it (204), everyone else 404.
    E("DELETE", "/me/sessions/{member_session}/",              None,                     401, 404, 404, 404, 204, 404, 404),
    # Another named token while authenticated (no second factor in the world: allowed).
    E("POST",   "/auth/tokens/",                               {"name": "Matrix"},       401, 201, 201, 201, 201, 201, 201),
    # POST: each download writes an audit row. The company's data: its owners only.
    E("POST",   "/me/export/",                                 None,                     401, 200, 200, 200, 200, 200, 200),
    E("POST",   "/companies/{company}/export/",                None,                     401, 404, 404, 404, 403, 200, 403),
    # Deleting one's account: blocked for the only person of a company (other_member), the
    # last owner of a company with members (owner) and the only facilitator (facilitator).
    E("POST",   "/me/delete/",                                 {"password": PASSWORD},   401, 204, 400, 204, 204, 400, 400),
    E("POST",   "/companies/{company}/delete/",                {"name": "Sanitär Schulte"}, 401, 404, 404, 404, 403, 204, 403),
    E("POST",   "/companies/{company}/members/{colleague}/role/", {"role": "owner"},     401, 404, 404, 404, 403, 200, 403),
    # The Digitalisierungs-Check (issue 16): a company's checks for its people; its convoys' facilitators read them (answering is 403); the convoy's median for its members.
    E("GET",    "/checks/{check}/",                            None,                     401, 404, 404, 404, 200, 200, 200),
    E("PUT",    "/checks/{draft_check}/answers/",              {"answers": {}},          401, 404, 404, 404, 200, 200, 403),
    E("POST",   "/checks/{draft_check}/submit/",               None,                     401, 404, 404, 404, 400, 400, 403),
    E("PUT",    "/checks/{check}/answers/",                    {"answers": {}},          401, 404, 404, 404, 409, 409, 409),
    E("POST",   "/checks/",                                    lambda w, c: {"company": w.company.pk}, 401, 404, 404, 404, 201, 201, 404),
    E("POST",   "/checks/{check}/projects/",                   {"category": "website"},  401, 404, 404, 404, 201, 201, 403),
    E("GET",    "/companies/{company}/checks/",                None,                     401, 404, 404, 404, 200, 200, 200),
    E("GET",    "/convoys/{convoy}/maturity/",                 None,                     401, 404, 404, 404, 200, 200, 200),
    # A draft is discarded by the company's people (also a coach's draft with them); facilitators read only (403); submitted: 409 for everyone who reads it.
    E("DELETE", "/checks/{draft_check}/",                      None,                     401, 404, 404, 404, 204, 204, 403),
    E("DELETE", "/checks/{check}/",                            None,                     401, 404, 404, 404, 409, 409, 409),
]
# fmt: on


def _url(endpoint: Endpoint, world, content) -> str:
    return "/api/v1" + endpoint.path.format(
        convoy=world.convoy.pk,
        company=world.company.pk,
        project=content.project.pk,
        milestone=content.milestone.pk,
        token=content.invitation_token,
        invitation=content.invitation.pk,
        membership=content.membership.pk,
        colleague=content.colleague.pk,
        company_invitation=content.company_invitation.pk,
        company_token=content.company_invitation_token,
        update=content.update.pk,
        comment=content.comment.pk,
        checkin=content.checkin.pk,
        notification=content.notification.pk,
        member_session=content.member_session,
        check=content.check,
        draft_check=content.draft_check,
        unknown=987654,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", MATRIX, ids=str)
def test_role_gets_expected_status(endpoint, role, world, content, client_for):
    user = None if role == "anonymous" else getattr(world, role)
    body = endpoint.body(world, content) if callable(endpoint.body) else endpoint.body
    expected = endpoint.expected[ROLES.index(role)]
    before = domain_state()

    response = client_for(user).generic(
        endpoint.method,
        _url(endpoint, world, content),
        data=None if body is None else json.dumps(body),
        content_type="application/json",
    )

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response["Content-Type"] == "application/json", response.content
        assert response.json(), "an error must say what is wrong"
        assert domain_state() == before, "a refused request changed data"
    elif endpoint.method == "GET":
        assert domain_state() == before, "a read changed data"


# Who sees which rows in the lists (the same selectors decide retrieve → 404 above).
@pytest.mark.parametrize(
    ("role", "companies", "convoys", "projects"),
    [
        ("outsider", [], [], []),
        ("staff", [], [], []),
        ("other_member", ["other_company"], ["other_convoy"], []),
        ("member", ["company"], ["convoy"], ["project"]),
        ("owner", ["company"], ["convoy"], ["project"]),
        ("facilitator", ["company"], ["convoy"], ["project"]),
    ],
)
def test_lists_show_only_what_the_role_belongs_to(
    role, companies, convoys, projects, world, content, client_for
):
    client = client_for(getattr(world, role))

    def ids(path):
        response = client.get(f"/api/v1/{path}/")
        assert response.status_code == 200
        return sorted(row["id"] for row in response.json()["results"])

    assert ids("companies") == sorted(getattr(world, name).pk for name in companies)
    assert ids("convoys") == sorted(getattr(world, name).pk for name in convoys)
    assert ids("projects") == sorted(getattr(content, name).pk for name in projects)
    me = client.get("/api/v1/me/").json()
    assert sorted(c["id"] for c in me["convoys"]) == ids("convoys")


def test_every_operation_of_the_schema_is_in_the_matrix():
    """A new endpoint must get its row in MATRIX, or this fails."""

    def normalise(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", path.split("?")[0])

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    operations = {
        (method.upper(), normalise(path))
        for path, item in paths.items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    from tests.programmes.test_matrix import PROGRAMME_MATRIX

    # Programme endpoints have their own roles and table (tests/programmes/test_matrix.py).
    # A row showing that a method is refused (405 for everyone signed in) is no operation.
    in_matrix = {
        (e.method, normalise("/api/v1" + e.path))
        for e in [*MATRIX, *PROGRAMME_MATRIX]
        if set(e.expected[1:]) != {405}
    }
    assert operations == in_matrix


# --- the web pages: the facilitator's tools and the company page -----------------------------
# The same roles and the same policy, for pages: anonymous visitors are sent to log in (302),
# outsiders get 404, whoever sees the thing but may not act 403, and a refused request changes
# nothing. A successful form redirects (302).
def company_edit_form(world, content):
    return {"name": "Sanitär Schulte", "sector": "craft", "size": "10-49", "city": "Witten"}


def convoy_edit_form(world, content):
    return {
        "name": "Umbenannt",
        "status": "active",
        "timezone": "Europe/Berlin",
        "language": "de",
        "update_cadence_days": 14,
    }


# fmt: off
WEB_MATRIX = [
    # method  path                                             body                      anon outs other staff memb owner facil
    E("GET",  "/convoys/",                                     None,                     302, 200, 200, 200, 200, 200, 200),
    E("GET",  "/companies/{company}/",                         None,                     302, 404, 404, 404, 200, 200, 200),
    E("GET",  "/companies/{company}/edit/",                    None,                     302, 404, 404, 404, 403, 200, 404),
    E("POST", "/companies/{company}/edit/",                    company_edit_form,        302, 404, 404, 404, 403, 302, 404),
    E("GET",  "/convoys/{convoy}/edit/",                       None,                     302, 404, 404, 404, 403, 403, 200),
    E("POST", "/convoys/{convoy}/edit/",                       convoy_edit_form,         302, 404, 404, 404, 403, 403, 302),
    E("GET",  "/convoys/{convoy}/companies/{company}/nudge/",  None,                     302, 404, 404, 404, 403, 403, 200),
    E("POST", "/convoys/{convoy}/companies/{company}/nudge/",  {"message": "Wie läuft's?"}, 302, 404, 404, 404, 403, 403, 302),
    E("GET",  "/convoys/{convoy}/companies/{company}/remove/", None,                     302, 404, 404, 404, 403, 403, 200),
    E("POST", "/convoys/{convoy}/companies/{company}/remove/", None,                     302, 404, 404, 404, 403, 403, 302),
    E("GET",  "/convoys/{convoy}/invitations/{invitation}/revoke/", None,                302, 404, 404, 404, 403, 403, 200),
    E("POST", "/convoys/{convoy}/invitations/{invitation}/revoke/", None,                302, 404, 404, 404, 403, 403, 302),
    E("GET",  "/checkins/{checkin}/edit/",                     None,                     302, 404, 404, 404, 403, 403, 200),
    E("GET",  "/checkins/{checkin}/cancel/",                   None,                     302, 404, 404, 404, 403, 403, 200),
    E("POST", "/checkins/{checkin}/cancel/",                   None,                     302, 404, 404, 404, 403, 403, 302),
    E("POST", "/checkins/{checkin}/reinstate/",                None,                     302, 404, 404, 404, 403, 403, 302),
    # Accounts and data protection (issue 13).
    E("POST", "/profile/sessions/{unknown}/revoke/",           None,                     302, 404, 404, 404, 404, 404, 404),
    E("POST", "/profile/sessions/{member_session}/revoke/",    None,                     302, 404, 404, 404, 302, 404, 404),
    E("POST", "/profile/tokens/{unknown}/revoke/",             None,                     302, 404, 404, 404, 404, 404, 404),
    E("GET",  "/profile/activity/",                            None,                     302, 200, 200, 200, 200, 200, 200),
    E("GET",  "/profile/security/",                            None,                     302, 200, 200, 200, 200, 200, 200),
    E("GET",  "/profile/data/",                                None,                     302, 200, 200, 200, 200, 200, 200),
    E("POST", "/profile/data/",                                None,                     302, 200, 200, 200, 200, 200, 200),
    E("POST", "/companies/{company}/data/",                    None,                     302, 404, 404, 404, 403, 200, 403),
    E("GET",  "/profile/delete/",                              None,                     302, 200, 200, 200, 200, 200, 200),
    E("POST", "/profile/delete/",                              {"password": PASSWORD},   302, 302, 400, 302, 302, 400, 400),
    E("GET",  "/companies/{company}/delete/",                  None,                     302, 404, 404, 404, 403, 200, 403),
    E("POST", "/companies/{company}/delete/",                  {"name": "Sanitär Schulte"}, 302, 404, 404, 404, 403, 302, 403),
    E("POST", "/companies/{company}/members/{colleague}/role/", {"role": "owner"},       302, 404, 404, 404, 403, 302, 403),
    # The Digitalisierungs-Check (issue 16): a company's checks page.
    E("GET",  "/companies/{company}/checks/",                  None,                     302, 404, 404, 404, 200, 200, 200),
    E("POST", "/companies/{company}/checks/",                  {"stage": "T0"},          302, 404, 404, 404, 302, 302, 403),
    E("POST", "/companies/{company}/checks/",                  {"stage": "T9"},          302, 404, 404, 404, 400, 400, 403),
]
# fmt: on


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", WEB_MATRIX, ids=str)
def test_role_gets_expected_status_on_pages(endpoint, role, world, content):
    from django.test import Client

    user = None if role == "anonymous" else getattr(world, role)
    body = endpoint.body(world, content) if callable(endpoint.body) else endpoint.body
    expected = endpoint.expected[ROLES.index(role)]
    client = Client()
    if user is not None:
        client.force_login(user)
    before = domain_state()

    url = _url(endpoint, world, content).removeprefix("/api/v1")
    response = client.get(url) if endpoint.method == "GET" else client.post(url, body or {})

    assert response.status_code == expected, response.content[:300]
    if user is None:
        assert response["Location"].startswith("/login/")
    if user is None or expected >= 400 or endpoint.method == "GET":
        assert domain_state() == before, "a refused request or a page view changed data"
