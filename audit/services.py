"""Writes to the audit log: `audit_record` is the one way a row is appended."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from audit.models import Action, AuditEntry
from audit.origin import client_ip, user_agent


def audit_record(
    *,
    action: Action | str,
    user: AbstractBaseUser | None,
    actor: AbstractBaseUser | None = None,
    request: HttpRequest | None = None,
    target: str = "",
    data: dict[str, Any] | None = None,
    attempted_login: str = "",
) -> AuditEntry:
    """Append one entry. `user` is whose account it is about; `actor` who did it (defaults to
    `user`); `request` gives the address and browser. `data` must hold no secrets."""
    ip = client_ip(request) if request is not None else ""
    return AuditEntry.objects.create(
        action=str(action),
        user_id=user.pk if user is not None else None,
        actor_id=(actor or user).pk if (actor or user) is not None else None,
        attempted_login=attempted_login[:254],
        ip_address=ip or None,
        user_agent=user_agent(request) if request is not None else "",
        target=target[:100],
        data=data or {},
    )
