"""Reads of the audit log: a person's own entries, and the one shape they are shown in (the
API, the activity page's data and the personal data export use it)."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEntry
from audit.origin import user_agent_summary


def audit_entries_for_user(user_id: int) -> QuerySet[AuditEntry]:
    """The entries about one person's account, newest first, with the actor joined (one
    query however many entries). Never another person's entries."""
    return (
        AuditEntry.objects.for_user(user_id)
        .select_related("actor")
        .only(
            "id",
            "at",
            "action",
            "user_id",
            "actor_id",
            "actor__name",
            "ip_address",
            "user_agent",
            "target",
            "data",
        )
        .order_by("-at", "-id")
    )


# What a role entry's data["role"] means, in words (audit.services.Role).
ROLE_LABELS = {
    "company_owner": gettext_lazy("Owner of a company"),
    "company_member": gettext_lazy("Member of a company"),
    "facilitator": gettext_lazy("Moderation of a convoy"),
    "admin": gettext_lazy("Access to the administration"),
    "superuser": gettext_lazy("All rights in the administration"),
    "group": gettext_lazy("A group in the administration"),
}


def audit_role_label(entry: AuditEntry) -> str:
    """The role a ROLE_GRANTED / ROLE_REVOKED entry is about, in words ("" for others)."""
    role = entry.data.get("role", "") if isinstance(entry.data, dict) else ""
    if not role:
        return ""
    label = ROLE_LABELS.get(role)
    if role == "group" and entry.data.get("group_name"):
        return f"{label}: {entry.data['group_name']}"
    return str(label) if label else role


def audit_actor_name(entry: AuditEntry) -> str | None:
    """The name of the other person who did it (an admin, an owner); None if it was the person
    themselves or nobody (the system, an unknown address)."""
    if entry.actor_id is None or entry.actor_id == entry.user_id:
        return None
    actor = entry.actor
    return actor.name if actor is not None else _("former member")


def audit_entry_as_dict(entry: AuditEntry) -> dict[str, Any]:
    """One entry as the person sees it, JSON-ready. Of other people only their name."""
    return {
        "id": entry.pk,
        "at": entry.at.isoformat(),
        "action": entry.action,
        "action_label": str(entry.get_action_display()),
        "ip_address": entry.ip_address or None,
        "user_agent": entry.user_agent,
        "device": user_agent_summary(entry.user_agent) if entry.user_agent else None,
        "target": entry.target,
        "by_self": entry.actor_id is None or entry.actor_id == entry.user_id,
        "actor_name": audit_actor_name(entry),
        "details": entry.data,
    }
