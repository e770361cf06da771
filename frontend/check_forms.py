"""Forms of the Digitalisierungs-Check pages: one screen per dimension, built from the
questionnaire's data (checks.questionnaire), the company data of step 0, the address for the
full report, and the choice of a company for "start this project".

The forms only turn what a browser posts into the wire format of the answers
(`{question_key: value}`); the answers' rules stay in checks.questionnaire.answers_clean, which
checks.services.check_answers_save runs, and whose errors the view puts on these fields.
"""

import dataclasses
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from checks.questionnaire import DimensionDef, Question, text_in
from companies.models import Company, Sector, SizeBand

# A multi question's own "none of these" tick: it tells "answered, nothing applies" ([]) from
# "not answered yet" (no tick at all), which a browser's form cannot.
NOTHING = "__nothing__"
# agree_1_5's "no answer" (stored as null, which scoring leaves out).
NO_ANSWER = "na"
# How a question's text tells to tick (German, English): then the page adds no hint of its own.
TICK_WORDS = ("kreuzen", "ankreuz", "tick")
ROW_SEPARATOR = "--"  # field name of a row: "<question>--<row>" (keys are snake_case)

ALREADY_PLANNED_CHOICES = [
    ("already", pgettext_lazy("check answer", "Already done")),
    ("planned", pgettext_lazy("check answer", "Planned")),
    ("none", pgettext_lazy("check answer", "Not planned")),
]
NO_PARTLY_YES_CHOICES = [
    ("no", pgettext_lazy("check answer", "No")),
    ("partly", pgettext_lazy("check answer", "Partly")),
    ("yes", pgettext_lazy("check answer", "Yes")),
]
SCALE_CHOICES = [
    ("0", pgettext_lazy("check scale", "0 · Not used")),
    # Six steps a person can tell apart (the help texts of the file say the same words).
    ("1", pgettext_lazy("check scale", "1 · Considering it")),
    ("2", pgettext_lazy("check scale", "2 · Tried on a small scale")),
    ("3", pgettext_lazy("check scale", "3 · Tested in real work")),
    ("4", pgettext_lazy("check scale", "4 · Being introduced")),
    ("5", pgettext_lazy("check scale", "5 · In regular use")),
]
AGREE_CHOICES = [
    ("1", pgettext_lazy("check agree", "Not true")),
    ("2", pgettext_lazy("check agree", "Mostly not true")),
    ("3", pgettext_lazy("check agree", "Partly true")),
    ("4", pgettext_lazy("check agree", "Mostly true")),
    ("5", pgettext_lazy("check agree", "Fully true")),
    (NO_ANSWER, pgettext_lazy("check agree", "No answer")),
]
ROW_CHOICES = {
    "already_planned": ALREADY_PLANNED_CHOICES,
    "no_partly_yes": NO_PARTLY_YES_CHOICES,
    "scale_0_5": SCALE_CHOICES,
}


def row_field_name(question_key: str, row_key: str) -> str:
    return f"{question_key}{ROW_SEPARATOR}{row_key}"


@dataclass
class QuestionView:
    """What the step template shows of one question: its text, help, and either one field
    (multi, agree_1_5) or one radio group per row."""

    question: Question
    text: str
    help: str
    bound: forms.BoundField | None = None
    rows: list[tuple[str, forms.BoundField]] = dataclasses.field(default_factory=list)

    @property
    def type(self) -> str:
        return self.question.type

    @property
    def needs_hint(self) -> bool:
        """Whether the page adds "Tick everything that applies." to a tick list: not when the
        question's own text already says to tick (the page would say it twice)."""
        if self.type != "multi":
            return False
        text = self.text.casefold()
        return not any(word in text for word in TICK_WORDS)

    @property
    def errors(self) -> list[Any]:
        found: list[Any] = list(self.bound.errors) if self.bound is not None else []
        for _text, bound in self.rows:
            found.extend(bound.errors)
        return found


class ErrorSummaryMixin:
    """The list of a form's errors at the top of the form (its error summary): each with the
    field's label and the id of the element to jump to, so that on a phone, where the wrong
    field may be screens below, the person sees at once what to fix and where."""

    errors: Any

    def error_anchor(self, name: str) -> str:
        return cast(forms.Form, self)[name].auto_id or ""

    def error_label(self, name: str) -> str:
        return str(cast(forms.Form, self).fields[name].label or "")

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(label, message, anchor) per error; a form-wide error has neither."""
        items: list[tuple[str, str, str]] = []
        for name, errors in self.errors.items():
            field_error = name != NON_FIELD_ERRORS
            label = self.error_label(name) if field_error else ""
            anchor = self.error_anchor(name) if field_error else ""
            items.extend((label, str(message), anchor) for message in errors)
        return items


def question_anchor(question_key: str) -> str:
    return f"check-q-{question_key}"


class DimensionForm(ErrorSummaryMixin, forms.Form):
    """The questions of one dimension, pre-filled with the answers saved so far."""

    def __init__(
        self,
        *args: Any,
        dimension: DimensionDef,
        answers: dict[str, Any],
        language: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.dimension = dimension
        self.language = language
        for question in dimension.questions:
            saved = answers.get(question.key)
            if question.type == "multi":
                choices: list[tuple[str, Any]] = [
                    (o.key, text_in(o.text, language)) for o in question.options
                ]
                choices.append((NOTHING, _("None of these")))
                self.fields[question.key] = forms.MultipleChoiceField(
                    label=text_in(question.text, language),
                    choices=choices,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
                if isinstance(saved, list):
                    self.initial[question.key] = saved or [NOTHING]
            elif question.type == "agree_1_5":
                self.fields[question.key] = forms.ChoiceField(
                    label=text_in(question.text, language),
                    choices=AGREE_CHOICES,
                    required=False,
                    widget=forms.RadioSelect,
                )
                if question.key in answers:
                    self.initial[question.key] = NO_ANSWER if saved is None else str(saved)
            else:
                saved_rows = saved if isinstance(saved, dict) else {}
                for row in question.rows:
                    name = row_field_name(question.key, row.key)
                    self.fields[name] = forms.ChoiceField(
                        label=text_in(row.text, language),
                        choices=ROW_CHOICES[question.type],
                        required=False,
                        widget=forms.RadioSelect,
                    )
                    if row.key in saved_rows:
                        self.initial[name] = str(saved_rows[row.key])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for question in self.dimension.questions:
            ticked = cleaned.get(question.key) or []
            if question.type == "multi" and NOTHING in ticked and len(ticked) > 1:
                self.add_error(
                    question.key,
                    _("Please tick either the things that apply or “None of these”, not both."),
                )
        return cleaned

    def _question_of(self, name: str) -> Question:
        key = name.split(ROW_SEPARATOR)[0]
        return next(q for q in self.dimension.questions if q.key == key)

    def error_anchor(self, name: str) -> str:
        # The question's box (its fieldset): a row's error belongs to its whole question.
        return question_anchor(self._question_of(name).key)

    def error_label(self, name: str) -> str:
        return text_in(self._question_of(name).text, self.language)

    @property
    def questions(self) -> list[QuestionView]:
        views = []
        for question in self.dimension.questions:
            view = QuestionView(
                question=question,
                text=text_in(question.text, self.language),
                help=text_in(question.help, self.language) if question.help else "",
            )
            if question.type in ("multi", "agree_1_5"):
                view.bound = self[question.key]
            else:
                view.rows = [
                    (text_in(row.text, self.language), self[row_field_name(question.key, row.key)])
                    for row in question.rows
                ]
            views.append(view)
        return views

    def answers(self) -> dict[str, Any]:
        """The screen's answers in the wire format; an unanswered question is None ("take my
        answer back"), so that clearing a screen clears what it had saved. agree_1_5 is left
        out when nothing is chosen: its null means "no answer", which is an answer."""
        answers: dict[str, Any] = {}
        for question in self.dimension.questions:
            if question.type == "multi":
                ticked = self.cleaned_data.get(question.key) or []
                if not ticked:
                    answers[question.key] = None
                else:
                    answers[question.key] = [key for key in ticked if key != NOTHING]
            elif question.type == "agree_1_5":
                value = self.cleaned_data.get(question.key) or ""
                if value == NO_ANSWER:
                    answers[question.key] = None
                elif value:
                    answers[question.key] = int(value)
            else:
                rows: dict[str, Any] = {}
                for row in question.rows:
                    value = self.cleaned_data.get(row_field_name(question.key, row.key)) or ""
                    if value:
                        rows[row.key] = int(value) if question.type == "scale_0_5" else value
                answers[question.key] = rows or None
        return answers

    def service_errors(self, exc: ValidationError) -> None:
        """answers_clean's errors ({question_key: [message]}) on the question's field or, for
        a row question, on its first row."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, errors in exc.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            question = next((q for q in self.dimension.questions if q.key == key), None)
            if question is not None and question.key in self.fields:
                self.add_error(question.key, messages)
            elif question is not None and question.rows:
                self.add_error(row_field_name(key, question.rows[0].key), messages)
            else:
                self.add_error(None, messages)


NOT_SAID = ("", _("I would rather not say"))


class AboutForm(ErrorSummaryMixin, forms.Form):
    """Step 0 of the anonymous check: the company data the comparison with similar companies
    groups by (both optional)."""

    sector = forms.ChoiceField(
        label=_("Sector"), choices=[NOT_SAID, *Sector.choices], required=False
    )
    size = forms.ChoiceField(
        label=_("How many people work in your company?"),
        choices=[NOT_SAID, *SizeBand.choices],
        required=False,
    )


class ContactForm(ErrorSummaryMixin, forms.Form):
    """The address for the full report (consent required) and, separately and only for a
    check from a programme's page, the consent that the programme may contact the person."""

    # 254: what the model (EmailField) and the API hold.
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=_("Yes, send me the full report by e-mail."),
        error_messages={"required": _("Please agree so that we may send you the report.")},
    )
    share_with_programme = forms.BooleanField(required=False)
    contact_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    company_name = forms.CharField(
        label=_("Company name"),
        help_text=_("Only needed to share your result."),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        help_text=_("Only needed to share your result."),
        max_length=10,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "size": 8}
        ),
    )

    def __init__(self, *args: Any, programme_name: str | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme_name = programme_name
        if programme_name:
            self.fields["share_with_programme"].label = _(
                "%(programme)s may see my result and contact me about it (optional)."
            ) % {"programme": programme_name}
        else:
            for name in ("share_with_programme", "contact_name", "company_name", "postcode"):
                del self.fields[name]

    @property
    def share_fields(self) -> list[forms.BoundField]:
        names = ("contact_name", "company_name", "postcode")
        return [self[name] for name in names if name in self.fields]

    def service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        renamed = {"share_with_programme": "share_with_programme", "name": "contact_name"}
        for key, errors in exc.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            name = renamed.get(key, key)
            self.add_error(name if name in self.fields else None, messages)


class ProjectCompanyForm(forms.Form):
    """Which of the person's companies the anonymous check and its project belong to."""

    company = forms.TypedChoiceField(
        label=_("For which company?"), coerce=int, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, companies: list[Company], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.companies = companies
        field = self.fields["company"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c.pk, c.name) for c in companies]
        if len(companies) == 1:
            self.initial["company"] = companies[0].pk

    def chosen_company(self) -> Company:
        return next(c for c in self.companies if c.pk == self.cleaned_data["company"])
