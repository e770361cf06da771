"""Forms of the check-in pages. Times are entered and shown in the convoy's time zone: the
views validate and render these forms inside `timezone.override(<convoy zone>)`, so Django's
DateTimeField reads the local wall time there (and refuses one that a DST change skips or
repeats)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from checkins.models import RsvpResponse, checkin_time_errors

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def _local_datetime_field(label: str, *, required: bool = True, help_text: str = "") -> forms.Field:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
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
