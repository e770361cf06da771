"""The programme report page: a period, the indicators with their counting rules, two charts
(reach over time, the funnel) with tables of the same numbers, and the downloads.

Managers only (programmes.selectors.programme_for_staff: a coach 403, anyone else 404). The
figures come from reports.programme_report, the same function the API and the files use.
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from programmes.selectors import programme_for_staff
from reports.programme_report import (
    NEW,
    RETURNING,
    Period,
    ProgrammeReport,
    breakdown_heading,
    dimension_label,
    period_default,
    period_last_quarter,
    period_last_year,
    period_parse,
    programme_report,
    value_label,
)


class PeriodForm(forms.Form):
    """`from` and `to` (the API's names, so the downloads take the same query); the rule
    for a valid period is reports.programme_report.period_parse."""

    period: Period

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        date_input = {"type": "date"}
        self.fields["from"] = forms.CharField(
            label=gettext_lazy("From"), widget=forms.DateInput(attrs=date_input)
        )
        self.fields["to"] = forms.CharField(
            label=gettext_lazy("To (included)"), widget=forms.DateInput(attrs=date_input)
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                self.period = period_parse(start=cleaned.get("from"), end=cleaned.get("to"))
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        return cleaned


def _query(period: Period) -> str:
    return urlencode({"from": period.start.isoformat(), "to": period.end.isoformat()})


def _indicator_cards(report: ProgrammeReport) -> list[dict[str, Any]]:
    """Each indicator with its breakdowns as labelled rows, for the cards."""
    cards = []
    for item in report.indicators:
        breakdowns = [
            {
                "dimension": dimension,
                "label": dimension_label(dimension),
                "heading": breakdown_heading(dimension),
                "rows": [
                    (value_label(dimension, key, indicator_key=item.key), n)
                    for key, n in entries.items()
                ],
            }
            for dimension, entries in (item.breakdown or {}).items()
        ]
        cards.append({"item": item, "breakdowns": breakdowns})
    return cards


def _chart_data(report: ProgrammeReport) -> dict[str, Any]:
    reach = [
        {
            "month": row["month"],
            "label": date_format(
                date(int(row["month"][:4]), int(row["month"][5:]), 1), "YEAR_MONTH_FORMAT"
            ),
            NEW: row[NEW],
            RETURNING: row[RETURNING],
        }
        for row in report.reach_by_month()
    ]
    funnel = report.indicator("funnel").breakdown or {}
    stages = [
        {"stage": key, "label": value_label("stage", key), "companies": n}
        for key, n in funnel.get("stage", {}).items()
    ]
    return {"reach": reach, "funnel": stages}


@login_required
@require_GET
def programme_report_view(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme, _role = programme_for_staff(
        programme_id=programme_id, user=request.user, manager=True
    )
    if "from" in request.GET or "to" in request.GET:
        form = PeriodForm(request.GET)
        period = form.period if form.is_valid() else None
    else:
        period = period_default()
        form = PeriodForm(initial={"from": period.start.isoformat(), "to": period.end.isoformat()})
    report = programme_report(programme=programme, period=period) if period else None
    quick = [
        (_("This year"), period_default()),
        (_("Last quarter"), period_last_quarter()),
        (_("Last year"), period_last_year()),
    ]
    context: dict[str, Any] = {
        "programme": programme,
        "form": form,
        "report": report,
        "period": period,
        "quick_links": [(label, "?" + _query(p)) for label, p in quick],
    }
    if report and period:
        # The JSON is for developers; the API documentation has it, the page does not.
        xlsx = reverse("programme-report-xlsx", kwargs={"id": programme.pk})
        csv = reverse("programme-report-csv", kwargs={"id": programme.pk})
        query = _query(period)
        chart = _chart_data(report)
        context |= {
            "cards": _indicator_cards(report),
            "chart": chart,
            "reach_total": sum(r[NEW] + r[RETURNING] for r in chart["reach"]),
            "downloads": {
                "xlsx": f"{xlsx}?{query}",
                "csv": f"{csv}?{query}",
            },
        }
    return render(request, "frontend/programmes/report.html", context)
