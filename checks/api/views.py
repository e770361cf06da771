"""The check's API for signed-in people and the anonymous respondent's public API. Views
validate, call one service or selector and shape the answer; who may see what is decided in
checks.selectors (outsiders: 404). Writes go through checks.services."""

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, Throttled, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from audit.origin import client_ip
from checks import selectors, services
from checks.api import serializers as s
from checks.keys import check_by_token
from checks.models import CheckResponse
from checks.questionnaire import questionnaire_load, questionnaire_wire
from checks.recommendations import recommendations_text
from companies.models import Company
from config.api import Pagination
from convoys.selectors import convoy_visible
from programmes.models import Programme

TAGS = ["checks"]
PUBLIC_TAGS = ["public checks"]
PUBLIC_TOP = 3  # suggestions shown before an address was left
TOKEN_PARAMETER = OpenApiParameter(
    "token",
    str,
    OpenApiParameter.PATH,
    description="The respondent's secret (`token` of the start's answer, and the e-mail's link).",
)
CLOSED = OpenApiResponse(description="The check has already been submitted (nothing changed).")
ERRORS_400 = (
    '400: a wrong answer under its question\'s key (`{"q_key": ["Unknown option: xx."]}`); '
    "rules of the whole set (not an object, unknown question keys: counted, never echoed) "
    "under `answers`; `sector`/`size` under theirs."
)


class Closed(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This check has already been submitted.")
    default_code = "already_submitted"


class Claimed(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "claimed"


def _user(request: Request) -> User:
    # Behind IsAuthenticated: a signed-in person.
    return cast(User, request.user)


def _language() -> str:
    language = (translation.get_language() or "de")[:2]
    return language if language in {"de", "en"} else "de"


def _suggestions(response: CheckResponse, limit: int | None = None) -> list[dict[str, str]]:
    if not response.is_submitted:
        return []
    stored = response.recommendations or []
    if limit is not None:
        stored = stored[:limit]
    questionnaire = questionnaire_load(response.questionnaire_version)
    return recommendations_text(questionnaire, stored, _language())


def _check_output(response: CheckResponse) -> dict[str, Any]:
    response.recommendations_shown = _suggestions(response)  # type: ignore[attr-defined]
    data = {
        field: getattr(response, field)
        for field in (
            "id",
            "company_id",
            "stage",
            "status",
            "questionnaire_version",
            "answers",
            "advisor_assisted",
            "advisor_id",
            "created_at",
            "submitted_at",
            "scores",
        )
    }
    data["recommendations"] = response.recommendations_shown  # type: ignore[attr-defined]
    return s.CheckOutput(data).data


def _answers_output(response: CheckResponse) -> dict[str, Any]:
    return {"answers": response.answers, "progress": services.check_progress(response)}


def _save(request: Request, response: CheckResponse) -> CheckResponse:
    data = s.AnswersInput(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        return services.check_answers_save(
            response=response,
            answers=data.validated_data["answers"],
            sector=data.validated_data.get("sector"),
            size=data.validated_data.get("size"),
        )
    except services.CheckClosed:
        raise Closed() from None


def _submit(response: CheckResponse) -> CheckResponse:
    try:
        return services.check_submit(response=response)
    except services.CheckClosed:
        raise Closed() from None


class QuestionnaireView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="check_questionnaire",
        tags=TAGS,
        summary="The current questionnaire",
        description="Dimensions, questions, options and rows in the language of "
        "`Accept-Language` (German by default). Anyone.",
        responses={200: s.QuestionnaireOutput},
    )
    def get(self, request: Request) -> Response:
        wire = questionnaire_wire(questionnaire_load(), _language())
        return Response(s.QuestionnaireOutput(wire).data)


class ChecksView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="checks_create",
        tags=TAGS,
        summary="Start a check for a company",
        description="A member of the company, or a coach of a programme with the company in "
        "its register (then advisor-assisted). Programme and convoy come from the company's "
        "convoy. Anyone else: 404. T0, T1 and T2 are submitted once per company and "
        "programme: while a draft of the stage started by the same kind of person is open "
        "(the company's own for members, a coach's own advisor-assisted one for the coach), "
        "it is answered (200 with that draft, nothing new); once one is submitted, 400 on "
        "`stage` (start an adhoc check instead), here and at submit for a second draft.",
        request=s.CheckStartInput,
        responses={
            201: s.CheckOutput,
            200: OpenApiResponse(s.CheckOutput, description="The open draft of the stage."),
        },
    )
    def post(self, request: Request) -> Response:
        data = s.CheckStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        company = Company.objects.filter(
            pk=data.validated_data["company"], deleted_at__isnull=True
        ).first()
        if company is None:
            raise NotFound()
        try:
            response, created = services.check_start_or_resume(
                actor=_user(request),
                company=company,
                stage=data.validated_data["stage"],
                advisor_assisted=data.validated_data["advisor_assisted"],
            )
        except PermissionDenied:
            raise NotFound() from None
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(_check_output(response), status=code)


class CheckView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="checks_retrieve",
        tags=TAGS,
        summary="A company's check",
        description="Members of the company, facilitators of its convoys, its advisor; "
        "anyone else: 404.",
        responses={200: s.CheckOutput},
    )
    def get(self, request: Request, id: int) -> Response:
        return Response(_check_output(selectors.check_for_user(check_id=id, user=request.user)))

    @extend_schema(
        operation_id="checks_destroy",
        tags=TAGS,
        summary="Discard a draft",
        description="Throws an open draft away: members of the company any draft of it (also "
        "one a coach started with them), the advisor their own. 409 once submitted (the "
        "history keeps it); facilitators 403; anyone else 404.",
        responses={204: None, 409: CLOSED},
    )
    def delete(self, request: Request, id: int) -> Response:
        response = selectors.check_for_user(check_id=id, user=request.user)
        try:
            services.check_draft_discard(actor=_user(request), response=response)
        except services.CheckClosed:
            raise Closed() from None
        return Response(status=status.HTTP_204_NO_CONTENT)


def _answerable(request: Request, id: int) -> CheckResponse:
    response = selectors.check_for_user(check_id=id, user=request.user)
    if response.is_submitted:
        raise Closed()
    if not selectors.check_can_answer(response=response, user=request.user):
        # A facilitator reads the check but does not answer it.
        raise PermissionDenied()
    return response


class CheckAnswersView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="checks_answers_update",
        tags=TAGS,
        summary="Save answers",
        description="Merges the given answers into the draft (members and the advisor); "
        "null takes an answer back. " + ERRORS_400 + " 409 once submitted.",
        request=s.AnswersInput,
        responses={200: s.AnswersOutput, 409: CLOSED},
    )
    def put(self, request: Request, id: int) -> Response:
        response = _save(request, _answerable(request, id))
        return Response(_answers_output(response))


class CheckSubmitView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="checks_submit",
        tags=TAGS,
        summary="Submit the check",
        description="Scores it and makes the suggestions. Needs an answer in every "
        "dimension (400 on `answers` naming the missing ones); 409 once submitted.",
        request=None,
        responses={200: s.ResultOutput, 409: CLOSED},
    )
    def post(self, request: Request, id: int) -> Response:
        response = _submit(_answerable(request, id))
        result = {"scores": response.scores, "recommendations": _suggestions(response)}
        return Response(s.ResultOutput(result).data)


class CheckProjectView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="checks_projects_create",
        tags=TAGS,
        summary="Start the project a suggestion proposes",
        description="A project of the suggestion's category with its first milestones, "
        "shared with the company's convoys. Company members only.",
        request=s.CheckProjectInput,
        responses={201: s.CheckProjectOutput},
    )
    def post(self, request: Request, id: int) -> Response:
        response = selectors.check_for_user(check_id=id, user=request.user)
        if not selectors.check_is_member(response=response, user=request.user):
            raise PermissionDenied()
        data = s.CheckProjectInput(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.check_project_start(
            actor=_user(request), response=response, category=data.validated_data["category"]
        )
        return Response({"project": project.pk}, status=status.HTTP_201_CREATED)


class CompanyChecksView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="companies_checks_list",
        tags=TAGS,
        summary="A company's submitted checks",
        description="Oldest first, with the change per dimension since the previous check of "
        "the same questionnaire. Members of the company and facilitators of its convoys; "
        "anyone else: 404. Paginated.",
        parameters=[OpenApiParameter("page", int)],
        responses={200: s.PaginatedHistory},
    )
    def get(self, request: Request, id: int) -> Response:
        company = selectors.company_for_checks(company_id=id, user=request.user)
        paginator = Pagination()
        page: list[dict[str, Any]] = paginator.paginate_queryset(  # type: ignore[assignment]
            selectors.company_check_history(company=company),  # type: ignore[arg-type]
            request,
            view=self,
        )
        return paginator.get_paginated_response(s.HistoryOutput(page, many=True).data)


class ConvoyMaturityView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="convoys_maturity",
        tags=TAGS,
        summary="The convoy's median maturity",
        description="How many member companies have submitted a check of the current "
        "questionnaire, and the median per dimension (whole numbers) from 4 companies on (null "
        "below; never a single company's score). For a member, the other companies only (their "
        "own left out: excludes_own_company); facilitators get all companies. Members and "
        "facilitators; anyone else: 404.",
        responses={200: s.MaturityOutput},
    )
    def get(self, request: Request, id: int) -> Response:
        convoy = convoy_visible(user=_user(request), convoy_id=id)
        if convoy is None:
            raise NotFound()
        maturity = selectors.convoy_maturity(convoy=convoy, user=_user(request))
        return Response(s.MaturityOutput(maturity).data)


# --- public ------------------------------------------------------------------------------------


def _public_check(token: str) -> CheckResponse:
    response = check_by_token(token=token)
    if response is None:
        raise NotFound()
    return response


def _public_output(response: CheckResponse, **extra: Any) -> dict[str, Any]:
    # The full list once an address was left or the check was filed under a company.
    full = response.consent_at is not None or response.company_id is not None
    programme: Programme | None = response.programme
    data = {
        "status": response.status,
        "questionnaire_version": response.questionnaire_version,
        "programme": {"slug": programme.slug, "name": programme.name} if programme else None,
        "sector": response.sector,
        "size": response.size,
        "scores": response.scores,
        "recommendations": _suggestions(response, None if full else PUBLIC_TOP),
        "full": full,
        "email_left": response.consent_at is not None,
        "shared": response.share_consent_at is not None and response.email_confirmed_at is not None,
        **extra,
    }
    return data


class _Public(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class PublicChecksView(_Public):
    @extend_schema(
        operation_id="public_checks_create",
        tags=PUBLIC_TAGS,
        summary="Start an anonymous check",
        description="No account needed. `programme` is a programme's public address (slug; "
        "unknown: 400). Answers `token`, the only way back to the check. Limited per client "
        "address per hour (429).",
        request=s.PublicStartInput,
        responses={201: s.PublicStartedOutput, 429: OpenApiResponse(description="Too many.")},
    )
    def post(self, request: Request) -> Response:
        data = s.PublicStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        programme = None
        slug = data.validated_data.get("programme")
        if slug:
            programme = Programme.objects.filter(slug=slug).first()
            if programme is None:
                raise ValidationError({"programme": [_("No programme has this address.")]})
        if not services.public_check_allowed(client=client_ip(request)):
            raise Throttled(
                wait=services.LIMIT_WINDOW_SECONDS, detail=services.public_check_limited_message()
            )
        response, token = services.public_check_start(
            programme=programme,
            language=_language(),
            sector=data.validated_data.get("sector", ""),
            size=data.validated_data.get("size", ""),
        )
        return Response(
            s.PublicStartedOutput(_public_output(response, token=token)).data,
            status=status.HTTP_201_CREATED,
        )


class PublicCheckView(_Public):
    @extend_schema(
        operation_id="public_checks_retrieve",
        tags=PUBLIC_TAGS,
        summary="My anonymous check",
        description="Status, scores and suggestions (the top 3, all once an address was "
        "left). A wrong token: 404.",
        parameters=[TOKEN_PARAMETER],
        responses={200: s.PublicCheckOutput},
    )
    def get(self, request: Request, token: str) -> Response:
        return Response(s.PublicCheckOutput(_public_output(_public_check(token))).data)

    @extend_schema(
        operation_id="public_checks_destroy",
        tags=PUBLIC_TAGS,
        summary="Delete my anonymous check",
        description="Deletes the check and what was left with it. A wrong token: 404. Once "
        "filed under a company the check is the company's (409: delete it there).",
        parameters=[TOKEN_PARAMETER],
        responses={
            204: None,
            409: OpenApiResponse(description="Filed under a company (nothing changed)."),
        },
    )
    def delete(self, request: Request, token: str) -> Response:
        try:
            services.public_check_erase(response=_public_check(token))
        except services.CheckClaimed as exc:
            raise Claimed(detail=exc.message) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class PublicAnswersView(_Public):
    @extend_schema(
        operation_id="public_checks_answers_retrieve",
        tags=PUBLIC_TAGS,
        summary="My answers so far",
        parameters=[TOKEN_PARAMETER],
        responses={200: s.AnswersOutput},
    )
    def get(self, request: Request, token: str) -> Response:
        return Response(_answers_output(_public_check(token)))

    @extend_schema(
        operation_id="public_checks_answers_update",
        tags=PUBLIC_TAGS,
        summary="Save answers",
        description="Merges the given answers (and sector/size) into the draft. "
        + ERRORS_400
        + " 409 once submitted.",
        parameters=[TOKEN_PARAMETER],
        request=s.AnswersInput,
        responses={200: s.AnswersOutput, 409: CLOSED},
    )
    def put(self, request: Request, token: str) -> Response:
        response = _public_check(token)
        if response.is_submitted:
            raise Closed()
        return Response(_answers_output(_save(request, response)))


class PublicSubmitView(_Public):
    @extend_schema(
        operation_id="public_checks_submit",
        tags=PUBLIC_TAGS,
        summary="Submit my check",
        description="The short result: scores and the top 3 suggestions. 409 once submitted.",
        parameters=[TOKEN_PARAMETER],
        request=None,
        responses={200: s.PublicCheckOutput, 409: CLOSED},
    )
    def post(self, request: Request, token: str) -> Response:
        response = _submit(_public_check(token))
        return Response(s.PublicCheckOutput(_public_output(response)).data)


class PublicContactView(_Public):
    @extend_schema(
        operation_id="public_checks_contact",
        tags=PUBLIC_TAGS,
        summary="Leave an address for the full report",
        description="`consent` must be true. An e-mail with the link to the full report goes "
        "to the address; with `share_with_programme` (needs `company_name` and `postcode`) "
        "the e-mail carries a button to confirm the sharing, which takes effect only then. "
        "A few e-mails per check and hour, per client address and hour and per e-mail "
        "address and day: beyond them 429, but the address and choices are saved and the "
        "report is full (only the e-mail is not sent). Posting again replaces the address "
        "and the choices (a new address must be confirmed anew; without "
        "`share_with_programme` a sharing is withdrawn).",
        parameters=[TOKEN_PARAMETER],
        request=s.PublicContactInput,
        responses={200: s.PublicCheckOutput},
    )
    def post(self, request: Request, token: str) -> Response:
        response = _public_check(token)
        data = s.PublicContactInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            response = services.public_check_contact(
                response=response,
                email=v["email"],
                consent=v["consent"],
                share_with_programme=v["share_with_programme"],
                contact_name=v.get("name", ""),
                company_name=v.get("company_name", ""),
                postcode=v.get("postcode", ""),
                client=client_ip(request),
            )
        except services.CheckLimited as exc:
            raise Throttled(wait=services.LIMIT_WINDOW_SECONDS, detail=exc.message) from None
        return Response(s.PublicCheckOutput(_public_output(response)).data)


class PublicConfirmView(_Public):
    @extend_schema(
        operation_id="public_checks_confirm",
        tags=PUBLIC_TAGS,
        summary="Confirm or withdraw sharing with the programme",
        description="Double opt-in: `proof` is what only the e-mail's link carries (a wrong "
        "one: 400). `accept: false` withdraws the sharing.",
        parameters=[TOKEN_PARAMETER],
        request=s.PublicConfirmInput,
        responses={200: s.PublicCheckOutput},
    )
    def post(self, request: Request, token: str) -> Response:
        response = _public_check(token)
        data = s.PublicConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        response = services.public_check_email_confirm(
            response=response,
            proof=data.validated_data["proof"],
            accept=data.validated_data["accept"],
        )
        return Response(s.PublicCheckOutput(_public_output(response)).data)
