"""Forms of the web UI. They check the shape of the input; business rules stay in services,
whose ValidationErrors the views copy onto these forms (`errors_to_form`)."""

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from companies.models import CompanyRole, Sector, SizeBand
from frontend.project_forms import UpdateEditForm
from frontend.timezones import TimezoneField
from projects.models import MilestoneStatus


def errors_to_form(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: keyed messages on their field when the form
    has it, everything else on the form as a whole."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form with an e-mail input (the user model logs in by e-mail)."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    # Django's own text ("Please enter a correct e-mail address and password") reads, in its
    # German, as if the fields were empty.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail address or the password is not right. Please try again."),
    }


class SignupForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not too common, not only digits."),
    )


# No silent preselection: a choice nobody made would read as the company's answer.
PLEASE_CHOOSE = ("", _("Please choose"))


class CompanyForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), choices=[PLEASE_CHOOSE, *Sector.choices])
    size = forms.ChoiceField(label=_("Size"), choices=[PLEASE_CHOOSE, *SizeBand.choices])
    city = forms.CharField(label=_("City"), max_length=120)
    region = forms.CharField(label=_("Region"), max_length=120, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")


class CompanyMemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of your colleague"))
    role = forms.ChoiceField(label=_("Role"), choices=CompanyRole.choices, initial="member")


class ConvoyForm(forms.Form):
    name = forms.CharField(label=_("Name of the convoy"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    timezone = TimezoneField()
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="de")
    update_cadence_days = forms.IntegerField(
        label=_("Update cadence (days)"),
        min_value=1,
        max_value=365,
        initial=14,
        help_text=_("How often each company is expected to post an update."),
    )
    max_companies = forms.IntegerField(
        label=_("Maximum number of companies"), min_value=1, max_value=500, required=False
    )

    def __init__(
        self, *args: Any, programmes: Sequence[tuple[int, str]] = (), **kwargs: Any
    ) -> None:
        """`programmes`: (id, name) of the programmes the person is staff of; with none, the
        form has no programme field."""
        super().__init__(*args, **kwargs)
        if programmes:
            self.fields["programme"] = forms.TypedChoiceField(
                label=_("Programme"),
                choices=[("", _("In no programme")), *programmes],
                coerce=int,
                empty_value=None,
                required=False,
                help_text=_(
                    "The programme that runs the convoy: its staff see the convoy’s figures, "
                    "and its companies enter the programme’s register."
                ),
            )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the company's contact person"), max_length=254
    )


class InvitationAcceptForm(forms.Form):
    """Which company joins: a radio list for several (none chosen beforehand); with one
    company the page says which and posts it as a hidden field."""

    company = forms.TypedChoiceField(
        label=_("Which of your companies joins?"), coerce=int, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, companies: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [(c.pk, c.name) for c in companies]


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("New milestone"), max_length=200)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    weight = forms.IntegerField(
        label=_("Weight"),
        min_value=1,
        max_value=100,
        initial=1,
        required=False,
        help_text=_("How much this step counts towards the project's progress."),
    )


class MilestoneStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=MilestoneStatus.choices)


class UpdateForm(UpdateEditForm):
    """A new update: the fields of an edit (one home for them and their limits) plus the
    company it is posted for."""

    company = forms.TypedChoiceField(label=_("Company"), coerce=int)
    field_order = ["company"]

    def __init__(
        self,
        *args: Any,
        companies: Iterable[Any],
        milestones: Iterable[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, milestones=milestones, **kwargs)
        companies = list(companies)
        self.fields["company"].choices = [(c.pk, c.name) for c in companies]
        # One company: no one-option select, the page names it instead.
        self.only_company = companies[0] if len(companies) == 1 else None
        if self.only_company is not None:
            self.fields["company"].widget = forms.HiddenInput()
            self.fields["company"].initial = self.only_company.pk
