"""The public registration form of an open event (no account). It checks the shape of the
input; the rules (seats, deadline, the per-company cap, required questions) stay in
events.services.registration_create, whose ValidationErrors the view puts on this form."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from companies.models import Sector, SizeBand
from events.models import OpenEvent
from frontend.forms import PLEASE_CHOOSE

ANSWER_PREFIX = "answer_"


class RegistrationForm(forms.Form):
    """Only what the registration needs; `contact_consent` is separate and optional."""

    name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    # 254: what the model (EmailField) and the API hold; Django's form field would take 320.
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("Your confirmation and the link to cancel go to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    company_name = forms.CharField(
        label=_("Company name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "size": 8}
        ),
    )
    size = forms.ChoiceField(label=_("Size"), choices=[PLEASE_CHOOSE, *SizeBand.choices])
    sector = forms.ChoiceField(label=_("Sector"), choices=[PLEASE_CHOOSE, *Sector.choices])
    consent = forms.BooleanField(
        label=_("I agree that my details are processed for this registration."),
        error_messages={"required": _("Please agree to the processing of your registration.")},
    )
    contact_consent = forms.BooleanField(
        label=_("The programme may contact me after the event (materials, next steps)."),
        required=False,
    )
    # The honeypot: people never see or hear it (off-screen, aria-hidden, not in the tab
    # order, no autofill); a bot that fills every input does.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, event: OpenEvent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.question_keys: list[str] = []
        for question in event.questions or []:
            key = str(question.get("key", "")).strip()
            if not key:
                continue
            self.question_keys.append(key)
            self.fields[ANSWER_PREFIX + key] = forms.CharField(
                label=str(question.get("label") or key),
                required=bool(question.get("required")),
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.data.get("website"):
            raise ValidationError(
                _("Your registration could not be sent. Please try again."), code="honeypot"
            )
        return cleaned

    @property
    def person_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "email", "company_name", "postcode")]

    @property
    def company_fields(self) -> list[forms.BoundField]:
        return [self["size"], self["sector"]]

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[ANSWER_PREFIX + key] for key in self.question_keys]

    def answers(self) -> dict[str, str]:
        return {
            key: self.cleaned_data.get(ANSWER_PREFIX + key, "").strip()
            for key in self.question_keys
            if self.cleaned_data.get(ANSWER_PREFIX + key, "").strip()
        }

    def service_errors(self, exc: ValidationError) -> None:
        """registration_create's errors on their fields: an answer's key on its question,
        anything the form does not show on the form as a whole."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for field, errors in exc.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            if field in self.question_keys:
                self.add_error(ANSWER_PREFIX + field, messages)
            elif field in self.fields and field != "website":
                self.add_error(field, messages)
            else:
                self.add_error(None, messages)
