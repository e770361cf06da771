from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.kinds import ALLOWED_CHANNELS
from notifications.models import Channel, NotificationKind, TargetType
from notifications.services import NUDGE_MESSAGE_MAX_LENGTH


class NotificationTargetOutput(serializers.Serializer):
    type = serializers.ChoiceField(choices=TargetType.choices)
    id = serializers.IntegerField(allow_null=True)
    anchor = serializers.CharField(help_text="A place on the target's page, or empty.")


class NotificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    title = serializers.CharField(help_text="What happened, in the reader's language.")
    target = NotificationTargetOutput(
        allow_null=True, help_text="What it is about; null for nothing in particular."
    )
    url = serializers.CharField(
        help_text="Path of the web page of its target (kept for older clients)."
    )
    convoy = serializers.IntegerField(allow_null=True, source="convoy_id")
    actor = serializers.DictField(allow_null=True)
    data = serializers.DictField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "21:00"}
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the person's own zone, "HH:MM": no offset, by design."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


# "from" is a Python keyword, so the class is built with type(); null and null: none.
QuietHours = type(
    "QuietHours",
    (serializers.Serializer,),
    {
        "from": LocalTimeField(allow_null=True, help_text="Local time, e.g. 21:00."),
        "until": LocalTimeField(allow_null=True, help_text="Local time, e.g. 07:00."),
    },
)


class MutedConvoy(serializers.Serializer):
    convoy = serializers.IntegerField()
    until = serializers.DateField(
        allow_null=True, required=False, help_text="Snoozed until this day; null: muted."
    )


class PreferencesSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    timezone = serializers.CharField(required=False)
    channels = serializers.DictField(
        child=serializers.ChoiceField(choices=Channel.choices),
        required=False,
        help_text="Per notification kind: in_app, email, daily, weekly or off. "
        + "; ".join(f"{k}: {', '.join(v)}" for k, v in ALLOWED_CHANNELS.items()),
    )
    quiet_hours = QuietHours(required=False)
    weekends = serializers.BooleanField(required=False)
    muted_convoys = MutedConvoy(many=True, required=False)


class NudgeInput(serializers.Serializer):
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=NUDGE_MESSAGE_MAX_LENGTH,
        help_text="A short personal note shown with the reminder.",
    )


class NudgeOutput(serializers.Serializer):
    convoy = serializers.IntegerField(source="convoy_id")
    company = serializers.IntegerField(source="company_id")
    day = serializers.DateField(help_text="The convoy's local date: one nudge a day.")
    message = serializers.CharField()
    created_at = serializers.DateTimeField()
