"""Shapes of the programme's convoy overview (GET /api/v1/programmes/{id}/convoys/): figures
of each convoy, never its content."""

from rest_framework import serializers

from convoys.models import ConvoyStatus


class OverviewQuery(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ConvoyStatus.choices,
        required=False,
        allow_blank=True,
        help_text="Only convoys with this status.",
    )
    needs_attention = serializers.BooleanField(
        required=False, default=False, help_text="Only convoys that need attention."
    )


class ProgrammeConvoyOutput(serializers.Serializer):
    id = serializers.IntegerField(source="convoy.pk")
    name = serializers.CharField(source="convoy.name")
    status = serializers.ChoiceField(source="convoy.status", choices=ConvoyStatus.choices)
    facilitators = serializers.ListField(source="facilitator_names", child=serializers.CharField())
    is_facilitator = serializers.BooleanField(
        source="health.is_facilitator",
        help_text="Whether you facilitate this convoy (and so may open it).",
    )
    companies = serializers.IntegerField(source="health.company_count")
    companies_needing_attention = serializers.SerializerMethodField()
    update_due = serializers.IntegerField(
        source="health.update_due", help_text="Companies whose update is due (not yet quiet)."
    )
    quiet = serializers.IntegerField(
        source="health.quiet", help_text="Companies without an update for two cadences."
    )
    help_wanted = serializers.IntegerField(source="health.help_wanted")
    milestones_blocked = serializers.IntegerField(source="health.blocked")
    milestones_overdue = serializers.IntegerField(source="health.overdue")
    needs_attention = serializers.SerializerMethodField()
    next_checkin = serializers.DateField(source="next_checkin_date", allow_null=True)
    checkins_held_90_days = serializers.IntegerField(source="checkins_held")
    checkins_confirmed = serializers.IntegerField(
        help_text="Confirmed yes answers of people of member companies to those check-ins."
    )
    member_people = serializers.IntegerField(
        help_text="People of the active member companies, today."
    )
    attendance_percent = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "checkins_confirmed as a share of a full turnout (checkins_held_90_days × "
            "member_people), in percent; null without a check-in held or without people."
        ),
    )
    last_activity = serializers.DateField(source="last_activity_date", allow_null=True)
    projects_in_progress = serializers.IntegerField()
    projects_done = serializers.IntegerField()

    def get_companies_needing_attention(self, row) -> int:
        return len(row.health.attention_company_ids)

    def get_needs_attention(self, row) -> bool:
        return bool(row.health.attention)


class OverviewTotalsOutput(serializers.Serializer):
    convoys = serializers.IntegerField()
    convoys_needing_attention = serializers.IntegerField()
    companies = serializers.IntegerField(help_text="Active member companies, each counted once.")
    companies_needing_attention = serializers.IntegerField()


class ProgrammeConvoysPageOutput(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    totals = OverviewTotalsOutput(help_text="Across all the programme's convoys, unfiltered.")
    results = ProgrammeConvoyOutput(many=True)
