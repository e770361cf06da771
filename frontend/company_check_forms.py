"""The form that starts a company's Digitalisierungs-Check (its people on the company's checks
page, a programme's coach on the register record). Who may start one is checks.services'
rule; the form only checks the stage's shape."""

from django import forms
from django.utils.translation import gettext_lazy as _

from checks.models import CheckStage


class CheckStartForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Which check is it?"),
        choices=CheckStage.choices,
        help_text=_(
            "T0 before the support starts, T1 and T2 later to see what has changed; "
            "ad hoc for a check in between."
        ),
    )
