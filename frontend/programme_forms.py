"""Forms of the programme pages: create a programme, its settings, add staff."""

from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.models import StaffRole
from programmes.services import slug_problem


class ProgrammeCreateForm(forms.Form):
    name = forms.CharField(label=_("Name of the programme"), max_length=200)
    region = forms.CharField(
        label=_("Region"),
        max_length=120,
        required=False,
        help_text=_("Where the programme works, e.g. Südwestfalen."),
    )


class ProgrammeSettingsForm(forms.Form):
    """A plain form (not a ModelForm): the programme is changed by programme_update only."""

    name = forms.CharField(label=_("Name of the programme"), max_length=200)
    slug = forms.CharField(
        label=_("Public address"),
        max_length=60,
        help_text=_("The programme’s public page is /p/<address>/: a–z, digits, hyphens."),
    )
    region = forms.CharField(label=_("Region"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    website = forms.URLField(
        label=_("Website"), max_length=200, required=False, assume_scheme="https"
    )
    imprint_url = forms.URLField(
        label=_("Imprint (web address)"),
        max_length=200,
        assume_scheme="https",
        required=False,
        help_text=_("Your own imprint. Without it, the public page links to Konvoi’s."),
    )
    privacy_contact = forms.EmailField(
        label=_("Privacy contact"),
        required=False,
        help_text=_("Whom people write to about their data."),
    )
    # The bounds are the model's; that T2 comes after T1 is the service's to say.
    check_t1_months = forms.IntegerField(
        label=_("Digitalisierungs-Check again after (T1), in months"),
        min_value=1,
        max_value=36,
        help_text=_(
            "Companies that took the check before the support (T0) are reminded to take it "
            "again after this many months, or when their convoy closes if that is earlier."
        ),
    )
    check_t2_months = forms.IntegerField(
        label=_("And a second time (T2), months after T0"),
        min_value=2,
        max_value=60,
        help_text=_("Counted from T0, like T1; more months than for T1."),
    )

    def clean_slug(self) -> str:
        """The address's form checked here, with the other fields (all errors at once); that
        no other programme uses it is the service's to say."""
        slug = self.cleaned_data["slug"].strip().lower()
        problem = slug_problem(slug)
        if problem is not None:
            raise forms.ValidationError(problem)
        return slug


class StaffAddForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices, initial=StaffRole.COACH)


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(choices=StaffRole.choices)
