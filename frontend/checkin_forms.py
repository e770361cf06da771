"""Forms of the check-in pages. Times are entered and shown in the convoy's time zone: the
views validate and render these forms inside `timezone.override(<convoy zone>)`, so Django's
DateTimeField reads the local wall time there (and refuses one that a DST change skips or
repeats)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from checkins.models import SERIES_COUNT, SERIES_EVERY_WEEKS, RsvpResponse, checkin_time_errors
from checkins.services import Repeat

LOCAL_INPUT = "%Y-%m-%dT%H:%M"
# A new check-in starts on the next working day at 16:00 for an hour; answers until the day
# before at the same time.
DEFAULT_START = time(16, 0)
DEFAULT_DURATION = timedelta(minutes=60)
DEFAULT_NOTICE = timedelta(days=1)


def checkin_defaults(*, now: datetime, tz: ZoneInfo) -> dict[str, datetime]:
    """The new check-in form's first values, in the convoy's zone: the next weekday (Monday
    to Friday) after today at 16:00, an hour long, RSVP deadline the day before."""
    day: date = now.astimezone(tz).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    starts_at = datetime.combine(day, DEFAULT_START, tzinfo=tz)
    return {
        "starts_at": starts_at,
        "ends_at": starts_at + DEFAULT_DURATION,
        "rsvp_deadline": datetime.combine(day - DEFAULT_NOTICE, DEFAULT_START, tzinfo=tz),
    }


def _local_datetime_field(label: str, *, required: bool = True, help_text: str = "") -> forms.Field:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "data-checkin-time": ""}, format=LOCAL_INPUT
        ),
    )


class CheckInForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = _local_datetime_field(_("Starts at"))
    ends_at = _local_datetime_field(_("Ends at"))
    rsvp_deadline = _local_datetime_field(
        _("RSVP deadline"),
        required=False,
        help_text=_("Empty: answers are possible until the start."),
    )
    location = forms.CharField(label=_("Place"), max_length=300, required=False)
    video_url = forms.URLField(
        label=_("Video link"), max_length=500, required=False, assume_scheme="https"
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: **bold**, *italic*, lists with -."),
    )
    capacity = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=_("Empty: no limit."),
    )

    def clean(self):
        data = super().clean()
        errors = checkin_time_errors(
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            rsvp_deadline=data.get("rsvp_deadline"),
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return data


def _every_label(weeks: int) -> str:
    return str(ngettext_lazy("Every week", "Every %(weeks)s weeks", weeks) % {"weeks": weeks})


class CheckInCreateForm(CheckInForm):
    """A new check-in, once or as a series every N weeks (a number of times or until a
    date)."""

    repeat_every = forms.TypedChoiceField(
        label=_("Repeat"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[],
    )
    repeat_count = forms.IntegerField(
        label=_("Number of check-ins"),
        min_value=SERIES_COUNT[0],
        max_value=SERIES_COUNT[1],
        required=False,
        help_text=_("2 to 12, or an end date instead."),
    )
    repeat_until = forms.DateField(
        label=_("Repeat until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The last date a check-in may fall on."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["repeat_every"].choices = [
            ("", _("Does not repeat")),
            *[
                (weeks, _every_label(weeks))
                for weeks in range(SERIES_EVERY_WEEKS[0], SERIES_EVERY_WEEKS[1] + 1)
            ],
        ]

    def clean(self):
        data = super().clean()
        every = data.get("repeat_every")
        count, until = data.get("repeat_count"), data.get("repeat_until")
        if every and count is None and until is None and "repeat_count" not in self.errors:
            self.add_error(
                "repeat_count", _("Say how many check-ins the series has, or until when it runs.")
            )
        elif every and count is not None and until is not None:
            self.add_error(
                "repeat_until", _("Give a number of check-ins or an end date, not both.")
            )
        return data

    def repeat(self) -> Repeat | None:
        data = self.cleaned_data
        if not data.get("repeat_every"):
            return None
        return Repeat(
            every_weeks=data["repeat_every"],
            count=data.get("repeat_count"),
            until=data.get("repeat_until"),
        )


SCOPE_CHOICES = [
    ("one", _("Only this check-in")),
    ("following", _("This and all following check-ins of the series")),
]


class ScopeForm(forms.Form):
    """Which check-ins of a series a change or cancellation is for."""

    scope = forms.ChoiceField(
        label=_("Apply to"),
        choices=SCOPE_CHOICES,
        initial="one",
        widget=forms.RadioSelect,
    )


class RsvpForm(forms.Form):
    response = forms.ChoiceField(choices=RsvpResponse.choices)


class ReportForm(forms.Form):
    company = forms.TypedChoiceField(label=_("Company"), coerce=int)
    moved = forms.CharField(
        label=_("What moved since the last check-in?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_steps = forms.CharField(
        label=_("What is next?"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    help_needed = forms.CharField(
        label=_("Where do you need help?"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, companies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [(c.pk, c.name) for c in companies]
        if len(self.fields["company"].choices) == 1:
            self.fields["company"].widget = forms.HiddenInput()


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes of the meeting"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown. Posted to the convoy; everyone in it can read them."),
    )
