"""Snapshots of the domain's tables: a refused write must leave them exactly as they were."""

from accounts.models import ApiToken, User
from checkins.models import CalendarFeed, CheckIn, CheckInReport, Rsvp
from checks.models import CheckResponse
from comments.models import Comment, CommentRevision, Reaction
from companies.models import Company, CompanyInvitation, CompanyMember
from convoys.models import Convoy, Event, Facilitator, Invitation, Membership
from events.models import EventMessage, EventMessageDelivery, OpenEvent, Registration
from notifications.models import (
    ConvoyMute,
    DeliverySettings,
    DigestDelivery,
    Notification,
    NotificationPreference,
)
from programmes.models import CompanyRecord, Programme, Service, Staff, StaffInvitation, Touch
from projects.models import Milestone, Project, Update

# Every table the domain writes to (including the many-to-many link tables).
DOMAIN_MODELS = [
    User,
    ApiToken,
    Company,
    CompanyMember,
    CompanyInvitation,
    Convoy,
    Facilitator,
    Membership,
    Invitation,
    Event,
    Project,
    Project.convoys.through,
    Milestone,
    Update,
    Update.milestones.through,
    Comment,
    CommentRevision,
    Reaction,
    CheckIn,
    Rsvp,
    CheckInReport,
    CalendarFeed,
    Notification,
    NotificationPreference,
    DeliverySettings,
    ConvoyMute,
    DigestDelivery,
    Programme,
    Staff,
    StaffInvitation,
    OpenEvent,
    Registration,
    EventMessage,
    EventMessageDelivery,
    CheckResponse,
    CompanyRecord,
    Touch,
    Service,
]


def domain_counts() -> dict[str, int]:
    """Row count per domain table, plus each convoy's last_event_seq."""
    counts = {model._meta.label: model.objects.count() for model in DOMAIN_MODELS}
    for pk, seq in Convoy.objects.values_list("pk", "last_event_seq"):
        counts[f"convoy {pk} last_event_seq"] = seq
    return counts


def domain_state() -> dict[str, list]:
    """Every row of every domain table: a refused write must leave this exactly as it was
    (stricter than counts: it also catches an in-place change such as a renamed convoy)."""
    return {
        model._meta.label: sorted(map(repr, model.objects.order_by("pk").values_list()))
        for model in DOMAIN_MODELS
    }
