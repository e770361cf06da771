"""E-mailed, single-use, expiring invitations (a convoy's and a company's): one token rule and
one reading of the timestamps, shared by both kinds."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InvitationState(models.TextChoices):
    """Where an invitation stands, as the API and the pages report it."""

    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Withdrawn")


def token_hash(token: str) -> str:
    """What is stored in place of the token: the e-mailed link is the only copy of it."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_new() -> tuple[str, str]:
    """A fresh token for the link, and its hash for the database."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def invitation_state(
    *,
    revoked_at: datetime | None,
    accepted_at: datetime | None,
    expires_at: datetime,
    now: datetime | None = None,
) -> InvitationState:
    """Withdrawn beats used beats expired."""
    if revoked_at is not None:
        return InvitationState.REVOKED
    if accepted_at is not None:
        return InvitationState.ACCEPTED
    if expires_at <= (now or timezone.now()):
        return InvitationState.EXPIRED
    return InvitationState.OPEN


def invitation_expires_at(now: datetime | None = None) -> datetime:
    """When an invitation sent (or sent again) now stops working."""
    return (now or timezone.now()) + timedelta(days=settings.INVITATION_VALID_DAYS)


def invitation_state_problem(state: InvitationState, *, expired: str) -> str | None:
    """Why an invitation in `state` can no longer be used, or None; `expired` says whom to
    ask for a new one."""
    if state == InvitationState.REVOKED:
        return str(_("This invitation was withdrawn."))
    if state == InvitationState.ACCEPTED:
        return str(_("This invitation has already been used."))
    if state == InvitationState.EXPIRED:
        return expired
    return None
