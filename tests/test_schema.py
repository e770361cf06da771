"""The OpenAPI schema is the contract: schemathesis sends generated requests (valid and invalid)
to every operation and checks that none answers 5xx and that every response — status code,
content type, headers, body — is what /api/schema/ declares.

Authenticated as a user who owns a company in a convoy they also facilitate, so that most
operations reach their real code path; path parameters point at real rows for positive cases.
"""

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.throttling import ScopedRateThrottle

from accounts.services import api_token_create
from convoys.models import Facilitator
from tests.factories import CompanyMemberFactory, MilestoneFactory, UserFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]
# Not negative_data_rejection: DRF deliberately accepts 0 for a string field and ignores a
# malformed ?page_size=; being lenient there is not a broken contract.


@pytest.fixture
def api_user(world, content, monkeypatch):
    """world.owner, also facilitating world.convoy: every operation has something to act on."""
    # Without this, registration and token answer 429 after 30 examples and test nothing more.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "100000/minute"})
    Facilitator.objects.create(convoy=world.convoy, user=world.owner)
    colleague = UserFactory(email="colleague@example.com")
    CompanyMemberFactory(company=world.company, user=colleague, role="member")
    MilestoneFactory(project=content.project, status="done")
    # Login lockout and sign-up limits would answer 429 after a few examples, like the throttle.
    monkeypatch.setattr(django_settings, "AXES_FAILURE_LIMIT", 100000)
    monkeypatch.setattr(django_settings, "SIGNUP_RATE_LIMIT", 100000)
    _token, secret = api_token_create(user=world.owner, name="schemathesis")
    # The WSGI handler would close the test's connection at the end of each request (inside
    # the test transaction); Django's own test client disconnects these signals the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "headers": {"Authorization": f"Token {secret}"},
        "ids": {
            "companies": {"id": world.company.pk, "member_id": content.colleague.pk},
            "convoys": {
                "id": world.convoy.pk,
                "convoy_id": world.convoy.pk,
                "membership_id": content.membership.pk,
                "invitation_id": content.invitation.pk,
            },
            "projects": {"id": content.project.pk},
            "milestones": {"id": content.milestone.pk},
            "comments": {"id": content.comment.pk},
            "invitations": {"token": content.invitation_token},
            "checkins": {"checkin_id": content.checkin.pk},
        },
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _real_path_parameters(case, ids: dict) -> None:
    """In positive cases, point path parameters at existing rows (random ids only find 404)."""
    if case.meta is not None and case.meta.generation.mode.is_negative:
        return
    resource = case.path.removeprefix("/api/v1/").split("/")[0]
    for name in case.path_parameters or {}:
        if name in ids.get(resource, {}):
            case.path_parameters[name] = ids[resource][name]


# Hundreds of generated requests: seconds.
pytestmark = pytest.mark.slow


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@pytest.mark.django_db
def test_api_conforms_to_its_schema(case, api_user):
    _real_path_parameters(case, api_user["ids"])
    case.call_and_validate(headers=api_user["headers"], checks=CHECKS)
