import zoneinfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.serializers import PersonRef
from convoys.models import Convoy, ConvoyStatus, Invitation, Membership
from modelutils import MAX_ID


class TimezoneField(serializers.CharField):
    default_error_messages = {"unknown": _("Unknown time zone: {value}")}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in zoneinfo.available_timezones():
            self.fail("unknown", value=value)
        return value


class ConvoyInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    topic = serializers.CharField(required=False, allow_blank=True, max_length=200)
    status = serializers.ChoiceField(choices=ConvoyStatus.choices, required=False)
    timezone = TimezoneField(max_length=64, required=False)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    update_cadence_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    max_companies = serializers.IntegerField(
        min_value=1, max_value=500, required=False, allow_null=True
    )
    # The id of a programme the caller is staff of (null: in no programme).
    programme = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )


class ConvoyUpdateInput(ConvoyInput):
    name = serializers.CharField(max_length=200, required=False)


class ConvoyProgramme(serializers.Serializer):
    """The programme that runs a convoy."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class ConvoyOutput(serializers.ModelSerializer):
    company_count = serializers.IntegerField(read_only=True)
    role = serializers.SerializerMethodField()
    programme = ConvoyProgramme(allow_null=True, read_only=True)

    class Meta:
        model = Convoy
        fields = [
            "id",
            "name",
            "description",
            "topic",
            "status",
            "timezone",
            "language",
            "update_cadence_days",
            "max_companies",
            "company_count",
            "role",
            "programme",
            "last_event_seq",
            "created_at",
        ]

    def get_role(self, convoy: Convoy) -> str:
        return "facilitator" if getattr(convoy, "is_facilitator", False) else "member"


class InvitationInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class InvitationOutput(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "convoy", "email", "status", "created_at", "expires_at", "accepted_at"]

    def get_status(self, invitation: Invitation) -> str:
        return invitation.state().value


class InvitationCreatedOutput(InvitationOutput):
    token = serializers.CharField()

    class Meta(InvitationOutput.Meta):
        fields = [*InvitationOutput.Meta.fields, "token"]


class InvitationPreviewOutput(serializers.Serializer):
    convoy = serializers.DictField()
    invited_by = serializers.CharField(allow_null=True)
    expires_at = serializers.DateTimeField()
    problem = serializers.CharField(allow_null=True)


class InvitationAcceptInput(serializers.Serializer):
    company = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class MembershipCompany(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sector = serializers.CharField()
    size = serializers.CharField()
    city = serializers.CharField()


class MembershipOutput(serializers.ModelSerializer):
    company = MembershipCompany()

    class Meta:
        model = Membership
        fields = ["id", "convoy", "company", "status", "joined_at", "ended_at"]


class EventOutput(serializers.Serializer):
    type = serializers.CharField()
    seq = serializers.IntegerField()
    kind = serializers.CharField()
    data = serializers.DictField()
    actor = PersonRef(allow_null=True)
    at = serializers.CharField()


class DashboardProject(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    milestones_done = serializers.IntegerField()
    milestones_total = serializers.IntegerField()
    progress = serializers.IntegerField()
    weighted = serializers.BooleanField(
        help_text="The milestones weigh differently: progress is by weight, not the count share."
    )


class DashboardRef(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class DashboardMilestone(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    project = DashboardRef()
    days_overdue = serializers.IntegerField(allow_null=True)


class DashboardUpdate(serializers.Serializer):
    id = serializers.IntegerField()
    company = serializers.IntegerField()
    author = PersonRef(allow_null=True)
    body = serializers.CharField()
    next_steps = serializers.CharField(allow_blank=True)
    help_wanted = serializers.BooleanField()
    stuck_on = serializers.CharField(allow_blank=True)
    created_at = serializers.CharField()


class DashboardCompany(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sector = serializers.CharField()
    size = serializers.CharField()
    city = serializers.CharField()
    membership = serializers.IntegerField()
    joined_at = serializers.CharField()
    projects = DashboardProject(many=True)
    milestones_done = serializers.IntegerField()
    milestones_total = serializers.IntegerField()
    progress = serializers.IntegerField()
    last_update = DashboardUpdate(allow_null=True)
    help_wanted = serializers.BooleanField()
    days_since_update = serializers.IntegerField(allow_null=True)
    quiet = serializers.BooleanField()
    weighted = serializers.BooleanField(
        help_text="The milestones weigh differently: progress is by weight, not the count share."
    )
    help_wanted_line = serializers.CharField(allow_blank=True)
    milestones_blocked = DashboardMilestone(many=True)
    milestones_overdue = DashboardMilestone(many=True)
    days_silent = serializers.IntegerField()
    update_due = serializers.BooleanField()
    attention = serializers.IntegerField(
        help_text="0 needs a look now (blocked, help wanted, quiet), 1 something is due,"
        " 2 on track; the companies come sorted by it."
    )


class DashboardCompanyRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DashboardHelp(serializers.Serializer):
    id = serializers.IntegerField()
    first_line = serializers.CharField(allow_blank=True)


class DashboardAttention(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["blocked", "help_wanted", "quiet", "overdue", "update_due"]
    )
    company = DashboardCompanyRef()
    milestone = DashboardMilestone(required=False, help_text="blocked and overdue")
    update = DashboardHelp(required=False, help_text="help_wanted")
    days = serializers.IntegerField(required=False, help_text="quiet and update_due")


class DashboardDay(serializers.Serializer):
    date = serializers.DateField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class DashboardConvoy(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    timezone = serializers.CharField()
    update_cadence_days = serializers.IntegerField()
    last_event_seq = serializers.IntegerField()


class DashboardSeats(serializers.Serializer):
    confirmed = serializers.IntegerField()
    capacity = serializers.IntegerField(allow_null=True)
    waitlisted = serializers.IntegerField()


class DashboardCheckIn(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    seats = DashboardSeats()


class DashboardOutput(serializers.Serializer):
    convoy = DashboardConvoy()
    companies = DashboardCompany(many=True)
    milestones_done_over_time = DashboardDay(many=True)
    next_checkin = DashboardCheckIn(allow_null=True, help_text="The next scheduled check-in.")
    attention = DashboardAttention(
        many=True, help_text="Who needs a look, most pressing kind first (with names)."
    )
