from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import PersonRef
from checkins.models import (
    SERIES_COUNT,
    SERIES_EVERY_WEEKS,
    CheckIn,
    CheckInReport,
    CheckInStatus,
    RsvpResponse,
    RsvpStatus,
    checkin_time_errors,
)
from checkins.services import SCOPES
from companies.api.serializers import CompanyRef


class RepeatInput(serializers.Serializer):
    """A series: every N weeks at the same local time, either `count` meetings or until a
    date (inclusive)."""

    every_weeks = serializers.IntegerField(
        min_value=SERIES_EVERY_WEEKS[0], max_value=SERIES_EVERY_WEEKS[1]
    )
    count = serializers.IntegerField(
        min_value=SERIES_COUNT[0], max_value=SERIES_COUNT[1], required=False
    )
    until = serializers.DateField(required=False)

    def validate(self, attrs):
        if ("count" in attrs) == ("until" in attrs):
            raise serializers.ValidationError(
                _("Say how many check-ins the series has, or until when it runs.")
            )
        return attrs


class CheckInInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    rsvp_deadline = serializers.DateTimeField(required=False)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    video_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    agenda = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    capacity = serializers.IntegerField(
        min_value=1, max_value=100000, required=False, allow_null=True
    )
    repeat = RepeatInput(
        required=False,
        help_text="Schedule a series: every 1-8 weeks, 2-12 meetings (count) or until a date.",
    )

    def validate(self, attrs):
        errors = checkin_time_errors(
            starts_at=attrs.get("starts_at"),
            ends_at=attrs.get("ends_at"),
            rsvp_deadline=attrs.get("rsvp_deadline"),
        )
        if errors:
            raise serializers.ValidationError({k: [v] for k, v in errors.items()})
        return attrs


class CheckInUpdateInput(CheckInInput):
    """Any subset of the fields; `status: cancelled` cancels the check-in, `status:
    scheduled` reinstates a cancelled one that is still ahead. `scope: following` applies the
    change or cancellation to this and all later check-ins of its series."""

    title = serializers.CharField(max_length=200, required=False)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    status = serializers.ChoiceField(
        choices=[CheckInStatus.CANCELLED, CheckInStatus.SCHEDULED], required=False
    )
    scope = serializers.ChoiceField(choices=list(SCOPES), default="one")
    repeat = None  # a series is made when scheduling, not by a change


class SeatsOutput(serializers.Serializer):
    confirmed = serializers.IntegerField()
    capacity = serializers.IntegerField(allow_null=True)
    waitlisted = serializers.IntegerField()


class CheckInOutput(serializers.ModelSerializer):
    timezone = serializers.CharField(source="convoy.timezone")
    # Stored when written (checkins.services): a read never renders Markdown.
    agenda_html = serializers.CharField(read_only=True)
    notes_html = serializers.CharField(read_only=True)
    seats = serializers.SerializerMethodField()

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "convoy",
            "title",
            "starts_at",
            "ends_at",
            "timezone",
            "rsvp_deadline",
            "location",
            "video_url",
            "agenda",
            "agenda_html",
            "capacity",
            "seats",
            "status",
            "sequence",
            "series",
            "notes",
            "notes_html",
            "notes_posted_at",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(SeatsOutput)
    def get_seats(self, checkin: CheckIn) -> dict:
        # From the with_seats() annotations: no query per check-in.
        return SeatsOutput(
            {
                "confirmed": checkin.seats_confirmed,
                "capacity": checkin.capacity,
                "waitlisted": checkin.seats_waitlisted,
            }
        ).data


class RsvpInput(serializers.Serializer):
    response = serializers.ChoiceField(choices=RsvpResponse.choices)


class RsvpOutput(serializers.Serializer):
    response = serializers.ChoiceField(choices=RsvpResponse.choices)
    status = serializers.ChoiceField(choices=RsvpStatus.choices)
    position = serializers.IntegerField(
        allow_null=True, help_text="Place on the waitlist (1 = next), or null."
    )
    seats = SeatsOutput()


class ReportInput(serializers.Serializer):
    company = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Needed only when you belong to several member companies of the convoy.",
    )
    moved = serializers.CharField(max_length=5000)
    next_steps = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    help_needed = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ReportOutput(serializers.ModelSerializer):
    company = CompanyRef()
    author = PersonRef(allow_null=True)

    class Meta:
        model = CheckInReport
        fields = [
            "id",
            "checkin",
            "company",
            "author",
            "moved",
            "next_steps",
            "help_needed",
            "created_at",
            "updated_at",
        ]


class NotesInput(serializers.Serializer):
    notes = serializers.CharField(max_length=20000)


class CalendarFeedOutput(serializers.Serializer):
    url = serializers.URLField(
        allow_null=True, help_text="Secret subscription URL; null until one is made (rotate)."
    )
