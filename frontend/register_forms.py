"""Forms of the register pages: the filter, recording and editing a company, a service."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from companies.models import Sector, SizeBand, SizeClass
from frontend.project_forms import DATE_WIDGET
from programmes.models import ServiceCategory, ServiceKind, Stage


def _any(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class RegisterFilterForm(forms.Form):
    """The register's search and filters, as a GET form (a shareable address)."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    size_class = forms.ChoiceField(label=_("Size"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args: Any, regions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Name, city or postcode"), "type": "search"}
        )
        self.fields["stage"].choices = _any(_("All stages"), Stage.choices)
        self.fields["sector"].choices = _any(_("All sectors"), Sector.choices)
        self.fields["size_class"].choices = _any(_("All sizes"), SizeClass.choices)
        self.fields["region"].choices = _any(_("All regions"), [(r, r) for r in regions])

    # Folded into "Filter" on the page, below the search field (a phone shows the list first).
    SELECTS = ("stage", "sector", "size_class", "region")

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}

    def select_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.SELECTS]

    def selects_active(self) -> bool:
        return any(name in self.filters() for name in self.SELECTS)


class CompanyRecordForm(forms.Form):
    """Record a company the programme reached (one without a Konvoi account)."""

    name = forms.CharField(label=_("Company name"), max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    size = forms.ChoiceField(label=_("Size"), choices=SizeBand.choices)
    city = forms.CharField(label=_("City"), max_length=120)
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        required=False,
        help_text=_("With the name, it tells companies apart."),
    )
    region = forms.CharField(label=_("Region"), max_length=120, required=False)
    website = forms.URLField(
        label=_("Website"), max_length=200, required=False, assume_scheme="https"
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)

    COMPANY_FIELDS = ("name", "sector", "size", "city", "postcode", "region", "website")


class CompanyRecordEditForm(CompanyRecordForm):
    """Edit a record: a company with Konvoi accounts keeps its own facts, so only the contact
    person is offered then."""

    def __init__(self, *args: Any, company_facts: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not company_facts:
            for name in self.COMPANY_FIELDS:
                del self.fields[name]


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ServiceKind.choices,
        help_text=_("“Convoy”: a place in a convoy the programme arranged for the company."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=ServiceCategory.choices)
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    minutes = forms.IntegerField(label=_("Minutes"), required=False, min_value=1, max_value=10000)
    coach = forms.ModelChoiceField(label=_("Coach"), queryset=User.objects.none(), required=False)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only the programme's staff see these."),
    )

    def __init__(self, *args: Any, coaches: Any, me: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "Me" is the empty choice: the others are listed by name, oneself once only.
        self.fields["coach"].queryset = coaches.exclude(pk=me.pk)
        self.fields["coach"].label_from_instance = lambda user: user.name or user.email
        self.fields["coach"].empty_label = _("Me")
