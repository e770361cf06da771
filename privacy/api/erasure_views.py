"""API of "delete my account" and "delete a company" (privacy.erasure does the work; the web
pages and the operators' commands call the same functions).

`POST /api/v1/me/delete/` {password} (or {email} for an account without a password, single
sign-on only; plus {code} when two-factor authentication is on; `delete_companies` to delete
the companies the caller is the only person of): 204, every token and session of the caller
ends; 429 after too many confirmation attempts. `POST /api/v1/companies/{id}/delete/` {name}:
an owner deletes the company; 404 for an outsider, 403 for a member."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from companies.selectors import is_company_owner
from convoys.selectors import company_page_companies
from modelutils import MAX_ID
from privacy.erasure import (
    ConfirmRateLimited,
    account_delete,
    account_delete_refusal,
    company_delete,
    company_delete_name_error,
    company_delete_name_matches,
)


class AccountDeleteInput(serializers.Serializer):
    password = serializers.CharField(
        required=False, allow_blank=True, max_length=128, trim_whitespace=False
    )
    email = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=254,
        help_text="Instead of the password, for an account without one (single sign-on).",
    )
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="With two-factor authentication on: a current code from the app, or a "
        "recovery code (required then, with the password or e-mail address).",
    )
    delete_companies = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Delete the companies the caller is the only person of, with the account.",
    )


class CompanyDeleteInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, help_text="The company's name, as confirmation.")


class ErasureRefused(serializers.Serializer):
    """Why the account cannot be deleted yet (or the confirmation did not match)."""

    account = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Blockers to resolve elsewhere first (then nothing else is checked).",
    )
    password = serializers.ListField(child=serializers.CharField(), required=False)
    email = serializers.ListField(child=serializers.CharField(), required=False)
    code = serializers.ListField(child=serializers.CharField(), required=False)
    delete_companies = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="The caller is the only person of a company: set delete_companies to true.",
    )


class AccountDeleteView(APIView):
    permission_classes = [IsAuthenticated]
    serializer_class = AccountDeleteInput

    @extend_schema(
        request=AccountDeleteInput,
        responses={
            204: OpenApiResponse(description="Deleted; every token and session has ended."),
            400: OpenApiResponse(
                response=ErasureRefused,
                description="Wrong confirmation, or a precondition (last owner of a company, "
                "only facilitator of a convoy, only person of a company).",
            ),
            429: OpenApiResponse(description="Too many confirmation attempts; try later."),
        },
        operation_id="me_delete",
    )
    def post(self, request: Request) -> Response:
        """Delete the caller's account: their personal data goes, what they wrote stays in
        the convoys as "Former member"."""
        data = AccountDeleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        try:
            refusal = account_delete_refusal(
                user=user,  # type: ignore[arg-type]
                password=data.validated_data.get("password", ""),
                email=data.validated_data.get("email", ""),
                code=data.validated_data.get("code", ""),
                delete_companies=data.validated_data["delete_companies"],
                request=request._request,
            )
        except ConfirmRateLimited as exc:
            raise Throttled(detail=exc.message) from exc
        if refusal:
            raise ValidationError(refusal)
        account_delete(
            user,  # type: ignore[arg-type]
            actor=user,  # type: ignore[arg-type]
            request=request._request,
            delete_companies=data.validated_data["delete_companies"],
        )
        return Response(status=204)


class CompanyDeleteView(APIView):
    permission_classes = [IsAuthenticated]
    serializer_class = CompanyDeleteInput

    @extend_schema(
        request=CompanyDeleteInput,
        responses={
            204: OpenApiResponse(description="Deleted."),
            400: OpenApiResponse(description="The name does not match."),
            403: OpenApiResponse(description="Sees the company but is not an owner."),
            404: OpenApiResponse(description="Does not see the company."),
        },
        operation_id="companies_delete",
    )
    def post(self, request: Request, company_id: int) -> Response:
        """An owner deletes the company: it leaves its convoys, its name and contact data go,
        its people keep their accounts; its content stays as "Former company"."""
        if company_id > MAX_ID:
            raise Http404
        company = get_object_or_404(
            company_page_companies(user=request.user),  # type: ignore[arg-type]
            pk=company_id,
        )
        if not is_company_owner(user=request.user, company_id=company.pk):  # type: ignore[arg-type]
            raise PermissionDenied(_("Only an owner of the company may do this."))
        data = CompanyDeleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not company_delete_name_matches(company=company, typed=data.validated_data["name"]):
            raise ValidationError({"name": [company_delete_name_error()]})
        company_delete(company, actor=request.user, request=request._request)  # type: ignore[arg-type]
        return Response(status=204)
