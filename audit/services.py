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
    who = actor or user
    return AuditEntry.objects.create(
        action=str(action),
        user_id=user.pk if user is not None else None,
        actor_id=who.pk if who is not None else None,
        attempted_login=attempted_login[:254],
        ip_address=ip or None,
        user_agent=user_agent(request) if request is not None else "",
        target=target[:100],
        data=data or {},
    )


class Role:
    """The roles ROLE_GRANTED / ROLE_REVOKED name in data["role"]."""

    COMPANY_OWNER = "company_owner"
    COMPANY_MEMBER = "company_member"
    FACILITATOR = "facilitator"
    ADMIN = "admin"  # is_staff: may open the Django admin
    SUPERUSER = "superuser"
    GROUP = "group"  # a Django admin group (data["group"]: its id, data["group_name"])
    # Programme staff (a later issue): scope `programme=<id>`.
    PROGRAMME_MANAGER = "programme_manager"
    PROGRAMME_COACH = "programme_coach"


def audit_role(
    *,
    granted: bool,
    user: AbstractBaseUser,
    role: str,
    actor: AbstractBaseUser | None = None,
    request: HttpRequest | None = None,
    company: int | None = None,
    convoy: int | None = None,
    programme: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """A role given to or taken from `user` by `actor`: data {"role": …, and the scope's id
    under "company" / "convoy" / "programme"}, target "<scope>:<id>" (none for admin roles)."""
    details: dict[str, Any] = {"role": role, **(data or {})}
    target = ""
    for kind, pk in (("company", company), ("convoy", convoy), ("programme", programme)):
        if pk is not None:
            details[kind] = pk
            target = target or f"{kind}:{pk}"
    return audit_record(
        action=Action.ROLE_GRANTED if granted else Action.ROLE_REVOKED,
        user=user,
        actor=actor,
        request=request,
        target=target,
        data=details,
    )


def audit_export_downloaded(
    *, request: HttpRequest, target: str, export: str, format: str
) -> AuditEntry:
    """Someone downloaded a file with other people's personal data (an attendance list, a
    convoy workbook): `export` names it ("attendance", "convoy"), `format` is "xlsx"/"csv"."""
    user = getattr(request, "user", None)
    return audit_record(
        action=Action.EXPORT_DOWNLOADED,
        user=user if user is not None and user.is_authenticated else None,
        request=request,
        target=target,
        data={"export": export, "format": format},
    )
