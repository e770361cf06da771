"""Forms of the project pages: a project (with its first milestones and its sharing), a
milestone, and an update's edit. They check the shape of the input; the rules stay in
projects.services."""

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import MilestoneStatus, ProjectCategory, ProjectStatus
from projects.services import FIRST_MILESTONES_MAX

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(forms.Form):
    """A project's fields and the convoys it is shared with.

    Sharing: with several convoys a checkbox per convoy (all ticked for a new project); with
    exactly one a single "share with my convoy" box (the page names the convoy). With `first`
    the form also takes up to three first milestones (empty rows are ignored).
    """

    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("Please choose")), *ProjectCategory.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=ProjectStatus.choices, initial=ProjectStatus.IN_PROGRESS
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DATE_WIDGET)
    target_date = forms.DateField(label=_("Target date"), required=False, widget=DATE_WIDGET)

    def __init__(
        self,
        *args: Any,
        convoys: Sequence[Any],
        shared_ids: Iterable[int] | None = None,
        first: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.convoy_list = list(convoys)
        # A new project is shared with every convoy unless the person unticks it.
        shared = {c.pk for c in self.convoy_list} if shared_ids is None else set(shared_ids)
        if len(self.convoy_list) == 1:
            self.fields["share"] = forms.BooleanField(
                label=_("Share with my convoy"),
                required=False,
                initial=self.convoy_list[0].pk in shared,
            )
        elif self.convoy_list:
            self.fields["convoys"] = forms.TypedMultipleChoiceField(
                label=_("Share with convoys"),
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[(c.pk, c.name) for c in self.convoy_list],
                initial=[c.pk for c in self.convoy_list if c.pk in shared],
            )
        self.milestone_rows: list[tuple[forms.BoundField, forms.BoundField]] = []
        if first:
            for n in range(1, FIRST_MILESTONES_MAX + 1):
                self.fields[f"milestone_{n}_title"] = forms.CharField(
                    label=_("Milestone %(n)d") % {"n": n}, max_length=200, required=False
                )
                self.fields[f"milestone_{n}_due_date"] = forms.DateField(
                    label=_("Due date of milestone %(n)d") % {"n": n},
                    required=False,
                    widget=DATE_WIDGET,
                )
            self.milestone_rows = [
                (self[f"milestone_{n}_title"], self[f"milestone_{n}_due_date"])
                for n in range(1, FIRST_MILESTONES_MAX + 1)
            ]

    def project_fields(self) -> list[forms.BoundField]:
        """The project's own fields, in order (the page lays out sharing and milestones)."""
        names = ["title", "category", "status", "description", "start_date", "target_date"]
        return [self[name] for name in names]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, target = data.get("start_date"), data.get("target_date")
        if start and target and target < start:
            self.add_error("target_date", _("The target date must not be before the start date."))
        for n in range(1, FIRST_MILESTONES_MAX + 1):
            if data.get(f"milestone_{n}_due_date") and not data.get(f"milestone_{n}_title"):
                self.add_error(
                    f"milestone_{n}_title", _("Please give the milestone with a due date a title.")
                )
        return data

    def convoy_ids(self) -> list[int]:
        """The convoys ticked (after is_valid)."""
        if "share" in self.fields:
            return [self.convoy_list[0].pk] if self.cleaned_data.get("share") else []
        return list(self.cleaned_data.get("convoys") or [])

    def values(self) -> dict[str, Any]:
        """The project's fields (after is_valid)."""
        names = ("title", "category", "status", "description", "start_date", "target_date")
        return {name: self.cleaned_data[name] for name in names}

    def first_milestones(self) -> list[dict[str, Any]]:
        """The milestone rows that have a title (after is_valid)."""
        return [
            {
                "title": self.cleaned_data[f"milestone_{n}_title"],
                "due_date": self.cleaned_data.get(f"milestone_{n}_due_date"),
            }
            for n in range(1, FIRST_MILESTONES_MAX + 1)
            if (self.cleaned_data.get(f"milestone_{n}_title") or "").strip()
        ]


class MilestoneEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_WIDGET)
    status = forms.ChoiceField(label=_("Status"), choices=MilestoneStatus.choices)
    weight = forms.IntegerField(
        label=_("Weight"),
        min_value=1,
        max_value=100,
        help_text=_("How much this step counts towards the project's progress."),
    )


class UpdateEditForm(forms.Form):
    body = forms.CharField(
        label=_("What moved?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_steps = forms.CharField(
        label=_("What is next?"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    help_wanted = forms.BooleanField(label=_("Help wanted"), required=False)
    stuck_on = forms.CharField(
        label=_("Where are you stuck?"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    milestones = forms.TypedMultipleChoiceField(
        label=_("Milestones this update is about"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, milestones: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestones"].choices = [
            (m.pk, f"{m.project.title}: {m.title}") for m in milestones
        ]
