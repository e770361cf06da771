"""Pages of a company's Digitalisierungs-Checks over time: the history T0 → T1 → T2 with the
change per dimension and the drafts to continue (its people and the facilitators of its
convoys; everyone else gets a 404), starting a new check (its people only), and a programme
coach starting a check together with a company of the register (advisor-assisted).

Taking a check and its result are frontend.check_views' pages; these views read through
checks.selectors and write through checks.services.
"""

from collections.abc import Iterable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from checks.models import CheckResponse, CheckStage
from checks.questionnaire import questionnaire_load
from checks.scoring import dimensions_answered
from checks.selectors import (
    company_check_history,
    company_checks,
    company_for_checks,
    programme_record_checks,
    programme_record_unshared_stages,
)
from checks.services import CheckClosed, check_draft_discard, check_start
from companies.selectors import company_role
from frontend.company_check_forms import CheckStartForm
from frontend.forms import errors_to_form
from programmes.models import CompanyRecord, Programme
from programmes.selectors import company_record_for_staff, programme_for_staff

# The order in which a company goes through the re-assessments.
_STAGE_SEQUENCE = (CheckStage.T0, CheckStage.T1, CheckStage.T2)


def stage_due(stages: Iterable[str]) -> str:
    """The stage a new check most likely is, given the stages of the submitted ones: T0 when
    there is none, T1 after a T0, T2 after a T1, then ad hoc. Only the form's preselection:
    the person starting the check chooses."""
    done = set(stages)
    for stage in _STAGE_SEQUENCE:
        if stage not in done:
            return stage
    return CheckStage.ADHOC


def _check_step(response: CheckResponse) -> HttpResponse:
    return redirect("frontend:check_step", check_id=response.pk, step=1)


def _draft_progress(draft: CheckResponse) -> dict[str, int]:
    """How far a draft is: dimensions answered of all, and the step to continue at (the
    first dimension without an answer; step n is the n-th dimension)."""
    try:
        questionnaire = questionnaire_load(draft.questionnaire_version)
    except LookupError:  # a version no longer shipped: start at the beginning
        return {"answered": 0, "total": 0, "step": 1}
    flags = list(dimensions_answered(questionnaire, draft.answers).values())
    step = next((i for i, done in enumerate(flags, start=1) if not done), 1)
    return {"answered": sum(flags), "total": len(flags), "step": step}


def _overall_series(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chart's data: the overall score of each submitted check, oldest first."""
    return [
        {
            "label": f"{_stage_short(entry['check'].stage)} · "
            + date_format(localtime(entry["check"].submitted_at), "SHORT_DATE_FORMAT"),
            "overall": entry["check"].overall,
        }
        for entry in history
    ]


def _stage_short(stage: str) -> str:
    return _("ad hoc") if stage == CheckStage.ADHOC else stage


@login_required
@require_http_methods(["GET", "POST"])
def company_checks_view(request: HttpRequest, company_id: int) -> HttpResponse:
    """The company's checks: the submitted ones oldest first with the change since the
    previous one, its drafts, and (for its people) the form that starts a new check."""
    user = cast(User, request.user)  # login_required
    company = company_for_checks(company_id=company_id, user=user)
    is_member = company_role(user=user, company=company) is not None
    history = company_check_history(company=company)
    due = stage_due(entry["check"].stage for entry in history)
    form = CheckStartForm(request.POST or None, initial={"stage": due})
    if request.method == "POST":
        if not is_member:
            # A facilitator reads the company's checks; its people take them.
            raise PermissionDenied
        if "discard" in request.POST:
            return _draft_discard(request, user=user, company_id=company.pk)
        if form.is_valid():
            try:
                response = check_start(
                    actor=user,
                    company=company,
                    stage=form.cleaned_data["stage"],
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                return _check_step(response)
    # A draft is the work of the company's people (or their advisor): only they see it.
    drafts = [c for c in company_checks(company=company) if not c.is_submitted] if is_member else []
    for draft in drafts:
        draft.progress = _draft_progress(draft)  # type: ignore[attr-defined]
    context = {
        "company": company,
        "is_member": is_member,
        "history": history,
        "newest_first": list(reversed(history)),
        "chart_data": _overall_series(history),
        "drafts": drafts,
        "form": form,
        "stage_due": due,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "frontend/checks/company_checks.html", context, status=status)


def _draft_discard(request: HttpRequest, *, user: User, company_id: int) -> HttpResponse:
    """A member throws an open draft of their company away (also one a coach started with
    it: the company decides what is taken in its name)."""
    draft_id = request.POST.get("discard", "")
    draft = (
        CheckResponse.objects.filter(pk=int(draft_id), company_id=company_id).first()
        if draft_id.isdigit()
        else None
    )
    if draft is None:
        raise Http404
    try:
        check_draft_discard(actor=user, response=draft)
    except CheckClosed:
        messages.error(request, _("This check has already been submitted."))
    else:
        messages.success(request, _("The draft was discarded."))
    return redirect("frontend:company_checks", company_id=company_id)


@login_required
@require_POST
def record_check_start_view(
    request: HttpRequest, programme_id: int, record_id: int
) -> HttpResponse:
    """A programme's coach (or manager) starts a check together with a company of the register:
    advisor-assisted, the coach recorded as the advisor; then they answer it together."""
    programme, _role = programme_for_staff(programme_id=programme_id, user=request.user)
    record = company_record_for_staff(programme=programme, record_id=record_id)
    form = CheckStartForm(request.POST, prefix="check")
    if not form.is_valid():
        messages.error(request, _("Please choose which check it is (T0, T1, T2 or ad hoc)."))
        return redirect("frontend:programme_record", programme_id=programme.pk, record_id=record.pk)
    try:
        response = check_start(
            actor=cast(User, request.user),  # login_required
            company=record.company,
            stage=form.cleaned_data["stage"],
            programme=programme,
            advisor_assisted=True,
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("frontend:programme_record", programme_id=programme.pk, record_id=record.pk)
    return _check_step(response)


def record_checks_context(
    *, programme: Programme, record: CompanyRecord, user: User
) -> dict[str, Any]:
    """What the register record page shows of the company's checks: the ones the programme
    may see (advisor-assisted by its staff, or shared with it), the reader's own unfinished
    checks with the company (to continue them), and the form to start one."""
    checks = list(programme_record_checks(programme=programme, company=record.company))
    own_drafts = [
        c
        for c in company_checks(company=record.company)
        if not c.is_submitted and c.advisor_id == user.pk and c.programme_id == programme.pk
    ]
    for draft in own_drafts:
        draft.progress = _draft_progress(draft)  # type: ignore[attr-defined]
    unshared = programme_record_unshared_stages(
        programme=programme, company=record.company, shown=[c.pk for c in checks]
    )
    # T0, T1 and T2 are taken once per programme (checks.services): the preselection skips
    # the stages the company took, shared or not.
    due = stage_due([c.stage for c in checks if c.is_submitted] + unshared)
    return {
        "record_checks": own_drafts + checks,
        "record_checks_unshared": len(unshared),
        "check_start_form": CheckStartForm(initial={"stage": due}, prefix="check"),
    }
