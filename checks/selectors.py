"""Every read of the check (part B fills this in)."""

from typing import Any

from accounts.models import AnyUser
from checks.models import CheckResponse
from companies.models import Company
from convoys.models import Convoy
from programmes.models import Programme

CONVOY_MEDIAN_MIN = 4  # companies with a submitted check before the convoy median shows
PEER_MIN = 15  # responses in a peer group before it is compared with


def check_for_user(*, check_id: int, user: AnyUser) -> CheckResponse:
    """A company's check for someone who may read it (members of the company, facilitators
    of its convoys, its advisor); Http404 for everyone else."""
    raise NotImplementedError


def check_can_answer(*, response: CheckResponse, user: AnyUser) -> bool:
    raise NotImplementedError


def company_checks(*, company: Company) -> list[CheckResponse]:
    raise NotImplementedError


def company_check_history(*, company: Company) -> list[dict[str, Any]]:
    """Submitted checks, oldest first, each with its scores and the change per dimension
    since the previous check of the same questionnaire version (None across versions)."""
    raise NotImplementedError


def convoy_maturity(*, convoy: Convoy) -> dict[str, Any]:
    """{"companies_submitted": n, "median": {dimension: x} or None below CONVOY_MEDIAN_MIN}."""
    raise NotImplementedError


def programme_peers(
    *, programme: Programme, sector: str, size: str, version: str
) -> dict[str, Any] | None:
    """{"group": "sector_size" | "sector" | "all", "n": n, "median": {dimension: x}} of the
    programme's submitted checks, or None below PEER_MIN in every group."""
    raise NotImplementedError
