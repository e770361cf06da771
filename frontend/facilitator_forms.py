"""Forms of the facilitator's pages: editing a convoy, nudging a company."""

from django import forms
from django.utils.translation import gettext_lazy as _

from convoys.models import ConvoyStatus
from frontend.forms import ConvoyForm
from notifications.services import NUDGE_MESSAGE_MAX_LENGTH


class ConvoyEditForm(ConvoyForm):
    """The convoy's settings as they are created, and its status (forming → active → closed)."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=ConvoyStatus.choices,
        help_text=_(
            "A closed convoy takes no new companies and sends no more reminders; "
            "its history stays readable."
        ),
    )

    field_order = ["name", "topic", "description", "status"]


class NudgeForm(forms.Form):
    message = forms.CharField(
        label=_("A short personal note"),
        required=False,
        max_length=NUDGE_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown with the reminder, e.g. what you would like to hear about."),
    )
