"""Forms of the staff's event pages. They check the shape of the input; the rules (capacity
below the registered count, a deadline after the start, a cancelled event) are events.services'
and come back as ValidationErrors that the views put on the form (`errors_to_form`).

Times are entered as a date and a time in the programme's time zone. The form hands them on
as wall-clock times (naive): events.services reads them in the programme's zone, the one rule
for the API and the pages (a time the clocks skip becomes the time after the change, a
repeated one its first pass), where Django's SplitDateTimeField would refuse both.
"""

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import EventFormat, MessageSegment, OpenEvent, RegistrationStatus

# A few optional questions are enough on a form (label + required); more need the API.
QUESTION_ROWS = 3


class _SplitDateTime(forms.SplitDateTimeWidget):
    """A date and a time input, each with the phone's own picker."""

    def __init__(self) -> None:
        super().__init__(
            date_attrs={"type": "date"},
            time_attrs={"type": "time"},
            date_format="%Y-%m-%d",
            time_format="%H:%M",
        )


class _WallClockDateTimeField(forms.SplitDateTimeField):
    """A date and a time as wall-clock time (naive), read in the programme's zone by the
    service."""

    def compress(self, data_list: list[Any]) -> datetime.datetime | None:
        if data_list and all(part is not None for part in data_list):
            return datetime.datetime.combine(*data_list)
        return super().compress(data_list)


def _when(label: str, help_text: str = "") -> forms.SplitDateTimeField:
    return _WallClockDateTimeField(
        label=label,
        help_text=help_text,
        input_date_formats=["%Y-%m-%d", "%d.%m.%Y"],
        input_time_formats=["%H:%M", "%H:%M:%S"],
        widget=_SplitDateTime(),
    )


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    format = forms.ChoiceField(label=_("Format"), choices=EventFormat.choices)
    description = forms.CharField(
        label=_("Description"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    starts_at = _when(_("Starts"))
    ends_at = _when(_("Ends"))
    location = forms.CharField(
        label=_("Place"),
        max_length=300,
        required=False,
        help_text=_("Address and room, e.g. the canteen of Stadtwerke Hagen."),
    )
    online_url = forms.URLField(
        label=_("Video link"), max_length=500, required=False, assume_scheme="https"
    )
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=100000)
    registration_deadline = _when(
        _("Registration until"), _("After this, the registration form is closed.")
    )
    max_per_company = forms.IntegerField(
        label=_("At most per company"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("Same company: the same name and postcode. Empty: no limit."),
    )

    def __init__(self, *args: Any, event: OpenEvent | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        # A date and a time input under one label: each says which part it is (screen
        # readers; the visible label is not tied to either).
        for name in ("starts_at", "ends_at", "registration_deadline"):
            field = self.fields[name]
            day, hour = field.widget.widgets  # type: ignore[attr-defined]
            day.attrs["aria-label"] = _("%(field)s: date") % {"field": field.label}
            hour.attrs["aria-label"] = _("%(field)s: time") % {"field": field.label}
        existing = list(event.questions or []) if event else []
        self.question_keys: list[str | None] = []
        for i in range(QUESTION_ROWS):
            known = existing[i] if i < len(existing) else None
            self.question_keys.append(known.get("key") if known else None)
            self.fields[f"question_{i}"] = forms.CharField(
                label=_("Question %(number)s") % {"number": i + 1},
                max_length=200,
                required=False,
                initial=known.get("label", "") if known else "",
            )
            self.fields[f"question_{i}_required"] = forms.BooleanField(
                label=_("Answer required"),
                required=False,
                initial=bool(known.get("required")) if known else False,
            )
        if event is None:
            self.fields["draft"] = forms.BooleanField(
                label=_("Save as a draft (not public yet)"), required=False
            )

    def question_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"question_{i}"], self[f"question_{i}_required"]) for i in range(QUESTION_ROWS)
        ]

    def questions(self) -> list[dict[str, Any]]:
        """The questions as stored (OpenEvent.questions): a changed row keeps its key, so the
        answers given so far stay with it."""
        rows = []
        used: set[str] = set()
        for i in range(QUESTION_ROWS):
            label = (self.cleaned_data.get(f"question_{i}") or "").strip()
            if not label:
                continue
            key = self.question_keys[i] or f"q{i + 1}"
            while key in used:
                key += "x"
            used.add(key)
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "required": bool(self.cleaned_data.get(f"question_{i}_required")),
                }
            )
        return rows

    def values(self) -> dict[str, Any]:
        """The keyword arguments of events.services.event_create / event_update."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "format": data["format"],
            "description": data.get("description") or "",
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "location": data.get("location") or "",
            "online_url": data.get("online_url") or "",
            "capacity": data["capacity"],
            "registration_deadline": data["registration_deadline"],
            "max_per_company": data.get("max_per_company"),
            "questions": self.questions(),
        }


def event_initial(event: OpenEvent) -> dict[str, Any]:
    return {
        "title": event.title,
        "format": event.format,
        "description": event.description,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "location": event.location,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "registration_deadline": event.registration_deadline,
        "max_per_company": event.max_per_company,
    }


class RegistrationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or company"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            *RegistrationStatus.choices,
            ("attended", _("Checked in")),
            ("no_show", _("Registered, not checked in")),
        ],
    )


class CheckInForm(forms.Form):
    """A check-in at the door: a registration of the list, or the code under the QR code."""

    registration = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    code = forms.CharField(label=_("Door code"), max_length=40, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("registration") and not (data.get("code") or "").strip():
            raise forms.ValidationError(_("Type the code under the QR code."), code="required")
        return data


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    company_name = forms.CharField(label=_("Company"), max_length=200)
    postcode = forms.CharField(label=_("Postcode"), max_length=10)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    contact_consent = forms.BooleanField(
        label=_("May be contacted after the event"), required=False
    )


class MessageForm(forms.Form):
    segment = forms.ChoiceField(
        label=_("To"), choices=MessageSegment.choices, widget=forms.RadioSelect
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )
