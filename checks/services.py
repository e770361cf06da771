"""Every write of the check (part B fills this in; the signatures are the contract the API,
the pages, the demo and the tasks use)."""

from typing import Any

from accounts.models import User
from checks.models import CheckResponse, CheckStage
from companies.models import Company
from convoys.models import Convoy
from programmes.models import Programme
from projects.models import Project


class CheckClosed(Exception):
    """A submitted response is read-only (the API answers 409)."""


def check_start(
    *,
    actor: User,
    company: Company,
    stage: str = CheckStage.ADHOC,
    programme: Programme | None = None,
    convoy: Convoy | None = None,
    advisor_assisted: bool = False,
) -> CheckResponse:
    """A draft check for `company`, started by one of its members, or by a coach of a
    programme that has the company in its register (advisor-assisted: the coach is recorded
    as the advisor). Programme and convoy default from the company's convoy."""
    raise NotImplementedError


def public_check_start(
    *, programme: Programme | None, language: str, sector: str = "", size: str = ""
) -> tuple[CheckResponse, str]:
    """An anonymous draft from a programme's public page (or none): (response, token)."""
    raise NotImplementedError


def public_check_allowed(*, client: str) -> bool:
    """The rate limit of anonymous checks started per client (IPv4 address or IPv6 /64)."""
    raise NotImplementedError


def check_answers_save(
    *,
    response: CheckResponse,
    answers: dict[str, Any],
    sector: str | None = None,
    size: str | None = None,
) -> CheckResponse:
    """Merge `answers` (partial) into the draft; CheckClosed once submitted."""
    raise NotImplementedError


def check_submit(*, response: CheckResponse) -> CheckResponse:
    """Score, suggest, and close the draft; touches the programme's register where allowed."""
    raise NotImplementedError


def check_rescore(*, response: CheckResponse, rule_version: str) -> CheckResponse:
    """A new snapshot of a submitted response with another scoring rule (only when asked)."""
    raise NotImplementedError


def public_check_contact(
    *,
    response: CheckResponse,
    email: str,
    consent: bool,
    share_with_programme: bool = False,
    contact_name: str = "",
    company_name: str = "",
    postcode: str = "",
) -> CheckResponse:
    """An anonymous respondent leaves an address (consent required): the full report is
    theirs, and an e-mail with its link goes out; sharing with the programme takes effect
    once confirmed from that e-mail (public_check_email_confirm)."""
    raise NotImplementedError


def public_check_email_confirm(
    *, response: CheckResponse, proof: object, accept: bool
) -> CheckResponse:
    raise NotImplementedError


def public_check_claim(*, response: CheckResponse, actor: User, company: Company) -> CheckResponse:
    """A signed-in respondent files their anonymous check under their company (history,
    comparison, projects)."""
    raise NotImplementedError


def public_check_erase(*, response: CheckResponse) -> None:
    """The anonymous respondent deletes their check and what they left with it."""
    raise NotImplementedError


def check_project_start(*, actor: User, response: CheckResponse, category: str) -> Project:
    """ "Start this project": a project of the suggestion's category with its template
    milestones, for the response's company (member only), shared with its convoys."""
    raise NotImplementedError
