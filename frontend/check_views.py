"""Pages of taking the Digitalisierungs-Check and of its result, phone first: one dimension
per screen, every screen saves the draft, Back and Next, resumable.

Two ways in share one set of templates, parameterised by a `CheckFlow` (the response and the
addresses of its pages):
- the anonymous check from a programme's public page (or /check/): its address
  /check/<token>/ is the resume link; the short result at once, the full report after an
  e-mail address was left (with consent) or the check was filed under a company;
- a company's check (/checks/<id>/…), for the people checks.selectors allow (404 otherwise).

Reads go through checks.selectors, writes through checks.services (the same functions the API
calls). Pages opened by a token are not cached, not indexed, and send a Referer only within
the site (the forms' CSRF check needs one; the token never leaves the site).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from audit.origin import client_ip
from checks.keys import check_by_token
from checks.models import DIMENSIONS, Band, CheckResponse
from checks.questionnaire import Questionnaire, is_answered, questionnaire_load, text_in
from checks.recommendations import CATEGORIES, recommendations_text
from checks.scoring import band_meaning, dimension_meaning, dimensions_answered
from checks.selectors import (
    check_can_answer,
    check_for_user,
    convoy_maturity,
    programme_peers,
    viewer_company_ids,
)
from checks.services import (
    CheckClaimed,
    CheckClosed,
    CheckLimited,
    check_answers_save,
    check_project_start,
    check_submit,
    public_check_allowed,
    public_check_claim,
    public_check_contact,
    public_check_email_confirm,
    public_check_erase,
    public_check_limited_message,
    public_check_start,
)
from companies.selectors import companies_for_user, is_company_member
from frontend.check_forms import AboutForm, ContactForm, DimensionForm, ProjectCompanyForm
from programmes.models import Programme
from programmes.selectors import programme_public

SHORT_SUGGESTIONS = 3  # what an anonymous respondent sees before leaving an address


def _private(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page opened by the respondent's token: no caching anywhere, not indexed, a Referer
    only within the site (under no-referrer the browser posts the page's forms with "Origin:
    null", which Django's CSRF check refuses)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapped


@dataclass
class CheckFlow:
    """One response and the addresses of its pages: the anonymous check's (by token) or a
    company check's (by id). The templates get this, never a URL name."""

    response: CheckResponse
    token: str = ""

    @property
    def public(self) -> bool:
        return bool(self.token)

    @property
    def first_step(self) -> int:
        # Step 0 asks sector and size; a company's check has them from the company.
        return 0 if self.public else 1

    @property
    def last_step(self) -> int:
        return len(DIMENSIONS)

    @property
    def steps(self) -> int:
        return self.last_step - self.first_step + 1

    def step_url(self, step: int) -> str:
        if self.public:
            return reverse("frontend:check_public_step", kwargs={"token": self.token, "step": step})
        return reverse("frontend:check_step", kwargs={"check_id": self.response.pk, "step": step})

    def _page(self, public_name: str, company_name: str) -> str:
        if self.public:
            return reverse(f"frontend:{public_name}", kwargs={"token": self.token})
        return reverse(f"frontend:{company_name}", kwargs={"check_id": self.response.pk})

    @property
    def result_url(self) -> str:
        return self._page("check_public_result", "check_result")

    @property
    def print_url(self) -> str:
        return self._page("check_public_print", "check_print")

    @property
    def resume_url(self) -> str:
        """The address to bookmark: the anonymous check's own link."""
        return reverse("frontend:check_public", kwargs={"token": self.token}) if self.public else ""

    def project_url(self, category: str) -> str:
        if self.public:
            return reverse(
                "frontend:check_public_project",
                kwargs={"token": self.token, "category": category},
            )
        return reverse(
            "frontend:check_project", kwargs={"check_id": self.response.pk, "category": category}
        )

    @property
    def full(self) -> bool:
        """Whether the full report shows: always for a company's check; for the anonymous
        one once an address was left with consent, or it was filed under a company."""
        response = self.response
        return not self.public or response.consent_at is not None or response.company_id is not None


def _public_flow(token: str) -> CheckFlow:
    response = check_by_token(token=token)
    if response is None:
        raise Http404("No such check.")
    return CheckFlow(response=response, token=token)


def _company_flow(request: HttpRequest, check_id: int) -> CheckFlow:
    return CheckFlow(response=check_for_user(check_id=check_id, user=request.user))


def _open_questions(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, int]:
    """Per dimension: how many of its questions are still open. A statement answered "no
    answer" is not open (the person chose it), although scoring leaves it out."""
    return {
        dimension.key: sum(
            1
            for question in dimension.questions
            if not is_answered(question, answers.get(question.key))
            and not (question.type == "agree_1_5" and question.key in answers)
        )
        for dimension in questionnaire.dimensions
    }


def _started(response: CheckResponse) -> bool:
    return bool(response.answers) or bool(response.sector) or bool(response.size)


def _first_open_step(flow: CheckFlow, questionnaire: Questionnaire) -> int:
    """Where a draft goes on: the first dimension with an open question (the start for a
    fresh one), else the last screen with its "Evaluate" button."""
    answers = flow.response.answers or {}
    if not answers:
        return flow.first_step
    still_open = _open_questions(questionnaire, answers)
    for index, dimension in enumerate(questionnaire.dimensions, start=1):
        if still_open[dimension.key]:
            return index
    return flow.last_step


# --- starting --------------------------------------------------------------------------------


def _start(request: HttpRequest, programme: Programme | None) -> HttpResponse:
    """The intro (GET) and the start of an anonymous check (POST), then its step 0."""
    status = 200
    problem = None
    if request.method == "POST":
        if public_check_allowed(client=client_ip(request)):
            _response, token = public_check_start(
                programme=programme, language=(get_language() or "de")[:2]
            )
            return redirect("frontend:check_public_step", token=token, step=0)
        problem = public_check_limited_message()
        status = 429
    return render(
        request,
        "frontend/checks/start.html",
        {"programme": programme, "problem": problem},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def check_programme_start_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The check from a programme's public page: the result may be shared with it."""
    return _start(request, programme_public(slug=slug))


@require_http_methods(["GET", "POST"])
def check_start_public_view(request: HttpRequest) -> HttpResponse:
    return _start(request, None)


# --- the steps -------------------------------------------------------------------------------


def _step(request: HttpRequest, flow: CheckFlow, step: int) -> HttpResponse:
    """One screen: step 0 the company data (anonymous check only), 1–6 one dimension each.
    Every POST saves; "back" and "next" then move, "submit" (the last screen) evaluates."""
    response = flow.response
    if response.is_submitted:
        return redirect(flow.result_url)
    if step < flow.first_step or step > flow.last_step:
        raise Http404("No such step.")
    questionnaire = questionnaire_load(response.questionnaire_version)
    language = get_language()
    data = request.POST if request.method == "POST" else None
    dimension = questionnaire.dimensions[step - 1] if step else None
    form: AboutForm | DimensionForm
    if dimension is None:
        form = AboutForm(data, initial={"sector": response.sector, "size": response.size})
    else:
        form = DimensionForm(
            data, dimension=dimension, answers=response.answers or {}, language=language
        )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if isinstance(form, DimensionForm):
                    check_answers_save(response=response, answers=form.answers())
                else:
                    check_answers_save(
                        response=response,
                        answers={},
                        sector=form.cleaned_data["sector"],
                        size=form.cleaned_data["size"],
                    )
            except CheckClosed:
                return redirect(flow.result_url)
            except ValidationError as exc:
                if isinstance(form, DimensionForm):
                    form.service_errors(exc)
                else:
                    form.add_error(None, exc.messages)
            else:
                return _step_move(request, flow, questionnaire, step)
    context = {
        "flow": flow,
        "response": response,
        "step": step,
        "form": form,
        "dimension": dimension,
        "dimension_title": text_in(dimension.title, language) if dimension else "",
        "dimension_intro": text_in(dimension.intro, language) if dimension else "",
        "position": step - flow.first_step + 1,
        "back_url": flow.step_url(step - 1) if step > flow.first_step else "",
        "is_last": step == flow.last_step,
        "open_areas": _open_areas(flow, questionnaire, step) if step == flow.last_step else [],
    }
    return render(request, "frontend/checks/step.html", context, status=status)


def _open_areas(flow: CheckFlow, questionnaire: Questionnaire, step: int) -> list[dict[str, Any]]:
    """The other areas with open questions, for the last screen: what "Evaluate" would
    leave out of the score."""
    still_open = _open_questions(questionnaire, flow.response.answers or {})
    language = get_language()
    return [
        {
            "title": text_in(dimension.title, language),
            "step": index,
            "open": still_open[dimension.key],
        }
        for index, dimension in enumerate(questionnaire.dimensions, start=1)
        if index != step and still_open[dimension.key]
    ]


def _step_move(
    request: HttpRequest, flow: CheckFlow, questionnaire: Questionnaire, step: int
) -> HttpResponse:
    go = request.POST.get("go", "next")
    if go.startswith("step-") and go[5:].isdigit():  # the last screen's list of open areas
        target = int(go[5:])
        if flow.first_step <= target <= flow.last_step:
            return redirect(flow.step_url(target))
    if go == "back":
        return redirect(flow.step_url(max(step - 1, flow.first_step)))
    if go == "submit" and step == flow.last_step:
        try:
            check_submit(response=flow.response)
        except CheckClosed:
            return redirect(flow.result_url)
        except ValidationError as exc:
            if "stage" in exc.message_dict:
                # The stage was submitted meanwhile (e.g. by a coach with the company).
                messages.error(request, exc.message_dict["stage"][0])
                return redirect(flow.step_url(step))
            # A dimension without any answer: back to the first one, saying what is missing.
            answered = dimensions_answered(questionnaire, flow.response.answers or {})
            open_step = next(
                (
                    index
                    for index, dimension in enumerate(questionnaire.dimensions, start=1)
                    if not answered.get(dimension.key)
                ),
                flow.last_step,
            )
            title = text_in(questionnaire.dimensions[open_step - 1].title)
            messages.error(
                request,
                _(
                    "Please answer at least one question about “%(area)s”. Then we can "
                    "evaluate your check."
                )
                % {"area": title},
            )
            return redirect(flow.step_url(open_step))
        return redirect(flow.result_url)
    return redirect(flow.step_url(min(step + 1, flow.last_step)))


@_private
@require_http_methods(["GET"])
def check_public_view(request: HttpRequest, token: str) -> HttpResponse:
    """The resume link: the first screen still open, or the result."""
    flow = _public_flow(token)
    if flow.response.is_submitted:
        return redirect(flow.result_url)
    questionnaire = questionnaire_load(flow.response.questionnaire_version)
    if _started(flow.response):
        messages.info(
            request,
            _("Welcome back! Your answers are saved; you continue where questions are open."),
        )
    return redirect(flow.step_url(_first_open_step(flow, questionnaire)))


@_private
@require_http_methods(["GET", "POST"])
def check_public_step_view(request: HttpRequest, token: str, step: int) -> HttpResponse:
    return _step(request, _public_flow(token), step)


@login_required
@require_http_methods(["GET", "POST"])
def check_step_view(request: HttpRequest, check_id: int, step: int) -> HttpResponse:
    flow = _company_flow(request, check_id)
    if not flow.response.is_submitted and not check_can_answer(
        response=flow.response, user=request.user
    ):
        # Readers of the company's checks (its convoys' facilitators) see results, not drafts.
        raise Http404("No such check.")
    if step == 0:
        return redirect(flow.step_url(1))
    return _step(request, flow, step)


# --- the result ------------------------------------------------------------------------------


def _report(flow: CheckFlow) -> dict[str, Any]:
    """What the result and the print page show: overall score and band in words, each
    dimension's score (with its meaning in the full report), the chart's data and the
    suggestions (the top three until the full report is open)."""
    response = flow.response
    questionnaire = questionnaire_load(response.questionnaire_version)
    language = get_language()
    scores = response.scores or {}
    values = scores.get("dimensions") or {}
    full = flow.full
    dimensions = []
    for dimension in questionnaire.dimensions:
        value = values.get(dimension.key)
        dimensions.append(
            {
                "key": dimension.key,
                "title": text_in(dimension.title, language),
                "score": value,
                "meaning": dimension_meaning(
                    questionnaire,
                    dimension.key,
                    value,
                    language,
                    rule_version=response.rule_version or None,
                )
                if full
                else "",
            }
        )
    suggestions = recommendations_text(questionnaire, response.recommendations or [], language)
    hidden = 0
    if not full:
        hidden = max(len(suggestions) - SHORT_SUGGESTIONS, 0)
        suggestions = suggestions[:SHORT_SUGGESTIONS]
    for suggestion in suggestions:
        suggestion["url"] = flow.project_url(suggestion["category"])
    band = response.band or scores.get("band") or ""
    answers = response.answers or {}
    return {
        # Unanswered questions are left out of the score: the page says how many there were.
        "answered": sum(1 for q in questionnaire.questions() if is_answered(q, answers.get(q.key))),
        "questions": len(questionnaire.questions()),
        "overall": response.overall,
        "band": band,
        "band_label": Band(band).label if band in Band.values else "",
        "band_meaning": band_meaning(band, language, questionnaire=questionnaire) if band else "",
        "dimensions": dimensions,
        "suggestions": suggestions,
        "suggestions_hidden": hidden,
        "full": full,
        "chart": {
            "labels": [d["title"] for d in dimensions],
            "scores": [d["score"] if d["score"] is not None else 0 for d in dimensions],
            "label": _("Your score"),
        },
    }


def _comparison(request: HttpRequest, response: CheckResponse) -> dict[str, Any]:
    """The context of part D's comparison partial: the convoy's median (with a convoy) and
    the programme's peers (with a programme), both without the check's own company and the
    viewer's (the convoy's facilitators get the whole convoy)."""
    dimensions = (response.scores or {}).get("dimensions") or {}
    own = {response.company_id} if response.company_id is not None else set()
    return {
        "convoy": convoy_maturity(
            convoy=response.convoy, user=request.user, exclude_company_ids=own
        )
        if response.convoy is not None
        else None,
        "peers": programme_peers(
            programme=response.programme,
            sector=response.sector,
            size=response.size,
            version=response.questionnaire_version,
            exclude_company_ids=own | viewer_company_ids(user=request.user),
        )
        if response.programme is not None
        else None,
        "scores": dimensions,
    }


def _result(
    request: HttpRequest,
    flow: CheckFlow,
    *,
    contact_form: ContactForm | None = None,
    status: int = 200,
    template: str = "frontend/checks/result.html",
) -> HttpResponse:
    response = flow.response
    programme = response.programme
    context: dict[str, Any] = {
        "flow": flow,
        "response": response,
        "programme": programme,
        "report": _report(flow),
        # Anyone holding the token may start a project (signing in on the way); on a
        # company's check its members (its convoys' facilitators only read).
        "can_start_projects": flow.public
        or (
            response.company_id is not None
            and is_company_member(user=cast(User, request.user), company_id=response.company_id)
        ),
    }
    if flow.full:
        context["comparison"] = _comparison(request, response)
    if flow.public and not flow.full:
        context["retention_days"] = settings.CHECK_ANONYMOUS_RETENTION_DAYS
        context["contact_form"] = contact_form or ContactForm(
            programme_name=programme.name if programme else None
        )
    return render(request, template, context, status=status)


@_private
@require_http_methods(["GET"])
def check_public_result_view(request: HttpRequest, token: str) -> HttpResponse:
    flow = _public_flow(token)
    if not flow.response.is_submitted:
        return redirect(flow.resume_url)
    return _result(request, flow)


@login_required
@require_http_methods(["GET"])
def check_result_view(request: HttpRequest, check_id: int) -> HttpResponse:
    flow = _company_flow(request, check_id)
    if not flow.response.is_submitted:
        return redirect(flow.step_url(1))
    return _result(request, flow)


@_private
@require_http_methods(["GET"])
def check_public_print_view(request: HttpRequest, token: str) -> HttpResponse:
    flow = _public_flow(token)
    if not flow.response.is_submitted:
        return redirect(flow.resume_url)
    return _result(request, flow, template="frontend/checks/print.html")


@login_required
@require_http_methods(["GET"])
def check_print_view(request: HttpRequest, check_id: int) -> HttpResponse:
    flow = _company_flow(request, check_id)
    if not flow.response.is_submitted:
        return redirect(flow.step_url(1))
    return _result(request, flow, template="frontend/checks/print.html")


# --- the anonymous respondent: address, confirmation, deletion ------------------------------


@_private
@require_POST
def check_public_contact_view(request: HttpRequest, token: str) -> HttpResponse:
    """The address for the full report, and optionally the share with the programme."""
    flow = _public_flow(token)
    response = flow.response
    if not response.is_submitted:
        return redirect(flow.resume_url)
    programme = response.programme
    form = ContactForm(request.POST, programme_name=programme.name if programme else None)
    if form.is_valid():
        cleaned = form.cleaned_data
        try:
            public_check_contact(
                response=response,
                email=cleaned["email"],
                consent=cleaned["consent"],
                share_with_programme=bool(cleaned.get("share_with_programme")),
                contact_name=cleaned.get("contact_name", ""),
                company_name=cleaned.get("company_name", ""),
                postcode=cleaned.get("postcode", ""),
                client=client_ip(request),
            )
        except ValidationError as exc:
            form.service_errors(exc)
        except CheckLimited as exc:
            # The address is saved and the report open; only the e-mail was not sent.
            messages.warning(request, exc.message)
            return _result(request, flow, status=429)
        else:
            messages.success(
                request,
                _("Thank you! Your full report is below, and we have e-mailed you its link."),
            )
            if response.share_consent_at is not None and programme is not None:
                messages.info(
                    request,
                    _(
                        "Please confirm in the e-mail that %(programme)s may see your result "
                        "and contact you."
                    )
                    % {"programme": programme.name},
                )
            return redirect(flow.result_url)
    return _result(request, flow, contact_form=form, status=400)


@_private
@require_http_methods(["GET", "POST"])
def check_public_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind the e-mail's confirm link: sharing with the programme is confirmed by
    a button (a POST); opening the link confirms nothing (mail filters open links)."""
    flow = _public_flow(token)
    response = flow.response
    proof = (
        request.POST.get("proof", "") if request.method == "POST" else request.GET.get("proof", "")
    )
    if request.method == "POST":
        accept = request.POST.get("answer") == "yes"
        try:
            public_check_email_confirm(response=response, proof=proof, accept=accept)
        except ValidationError:
            messages.error(
                request,
                _("This confirmation link is not valid. Please use the link from the e-mail."),
            )
        else:
            if accept and response.share_consent_at is not None and response.programme:
                messages.success(
                    request,
                    _("Thank you: %(programme)s may now see your result and contact you.")
                    % {"programme": response.programme.name},
                )
            elif accept:
                messages.success(request, _("Thank you: your e-mail address is confirmed."))
            else:
                messages.success(request, _("Understood: your result is not shared."))
        return redirect(flow.result_url if response.is_submitted else flow.resume_url)
    context = {
        "flow": flow,
        "response": response,
        "programme": response.programme,
        "proof": proof,
        "sharing": response.share_consent_at is not None and response.programme is not None,
        "confirmed": response.email_confirmed_at is not None,
    }
    return render(request, "frontend/checks/confirm.html", context)


@_private
@require_http_methods(["GET", "POST"])
def check_public_delete_view(request: HttpRequest, token: str) -> HttpResponse:
    """Delete one's anonymous check (GET asks, POST deletes)."""
    flow = _public_flow(token)
    programme = flow.response.programme
    if flow.response.company_id is not None:
        # Filed under a company: its people delete it there, not whoever holds the link.
        messages.error(
            request, _("This check belongs to your company now; please delete it there.")
        )
        return redirect(flow.result_url)
    if request.method == "POST":
        try:
            public_check_erase(response=flow.response)
        except CheckClaimed as exc:  # filed meanwhile
            messages.error(request, exc.message)
            return redirect(flow.result_url)
        messages.success(request, _("Your check has been deleted."))
        if programme is not None and programme.slug:
            return redirect("frontend:programme_public", slug=programme.slug)
        return redirect("frontend:check_start_public")
    return render(
        request,
        "frontend/checks/delete.html",
        {"flow": flow, "response": flow.response, "programme": programme},
    )


# --- from a suggestion to a project ----------------------------------------------------------


def check_handoff_token(target: str) -> str:
    """The anonymous check's token when `target` (a form's `next`) is the check's "Start
    project" page, else "": the login, sign-up and company pages on the way there say so, and
    the company form takes over what the check knows (checks.selectors.check_company_initial)."""
    try:
        match = resolve(urlsplit(target or "").path)
    except Resolver404:
        return ""
    if match.view_name == "frontend:check_public_project":
        return str(match.kwargs.get("token", ""))
    return ""


def _category(category: str) -> str:
    if category not in CATEGORIES:
        raise Http404("No such suggestion.")
    return category


@_private
@login_required
@require_http_methods(["GET", "POST"])
def check_public_project_view(request: HttpRequest, token: str, category: str) -> HttpResponse:
    """ "Start this project" from the anonymous result: signed in, the person picks one of
    their companies (or creates one and comes back); the check is filed under it and the
    project started; then the project's page."""
    flow = _public_flow(token)
    response = flow.response
    _category(category)
    if not response.is_submitted:
        return redirect(flow.resume_url)
    user = cast(User, request.user)  # login_required
    companies = list(companies_for_user(user=user).order_by("name", "id"))
    if response.company_id is not None:
        # Filed already: only its own company's members go on from here.
        companies = [c for c in companies if c.pk == response.company_id]
        if not companies:
            raise Http404("No such check.")
    questionnaire = questionnaire_load(response.questionnaire_version)
    suggestion = next(
        (
            s
            for s in recommendations_text(questionnaire, response.recommendations or [])
            if s["category"] == category
        ),
        None,
    )
    form = ProjectCompanyForm(request.POST or None, companies=companies)
    status = 200
    if request.method == "POST" and companies:
        status = 400
        if form.is_valid():
            try:
                public_check_claim(response=response, actor=user, company=form.chosen_company())
                project = check_project_start(actor=user, response=response, category=category)
            except PermissionDenied:
                raise Http404("No such company.") from None
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(
                    request,
                    _("The project “%(title)s” has been started.") % {"title": project.title},
                )
                return redirect("frontend:project", project_id=project.pk)
    context = {
        "flow": flow,
        "response": response,
        "form": form,
        "companies": companies,
        "suggestion": suggestion,
        "category": category,
        "create_url": reverse("frontend:company_create") + "?" + urlencode({"next": request.path}),
    }
    return render(request, "frontend/checks/project.html", context, status=status)


@login_required
@require_POST
def check_project_view(request: HttpRequest, check_id: int, category: str) -> HttpResponse:
    """ "Start this project" from a company's result (its members)."""
    flow = _company_flow(request, check_id)
    _category(category)
    try:
        project = check_project_start(
            actor=cast(User, request.user), response=flow.response, category=category
        )
    except PermissionDenied:
        raise Http404("No such check.") from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(flow.result_url if flow.response.is_submitted else flow.step_url(1))
    messages.success(
        request, _("The project “%(title)s” has been started.") % {"title": project.title}
    )
    return redirect("frontend:project", project_id=project.pk)
