from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.ratelimit import colleague_invitation_allowed, colleague_invitation_limited_message
from companies.api.serializers import (
    CompanyInput,
    CompanyInvitationCreated,
    CompanyInvitationOutput,
    CompanyMemberInput,
    CompanyMemberOutput,
    CompanyMemberRoleInput,
    CompanyOutput,
    CompanyUpdateInput,
)
from companies.models import Company
from companies.selectors import company_invitations_pending, company_members, is_company_owner
from companies.services import (
    company_colleague_add,
    company_create,
    company_invitation_accept,
    company_invitation_resend,
    company_invitation_revoke,
    company_member_remove,
    company_member_role_set,
    company_update,
)
from convoys.selectors import companies_visible_to


class CompanyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Companies: your own, and your convoy peers. Anyone else's are 404."""

    lookup_value_regex = r"[0-9]+"
    serializer_class = CompanyOutput

    def get_queryset(self):
        return companies_visible_to(user=self.request.user).order_by("name", "id")

    @extend_schema(request=CompanyInput, responses={201: CompanyOutput})
    def create(self, request: Request) -> Response:
        data = CompanyInput(data=request.data)
        data.is_valid(raise_exception=True)
        company = company_create(actor=request.user, **data.validated_data)
        return Response(CompanyOutput(company).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CompanyUpdateInput, responses={200: CompanyOutput})
    def partial_update(self, request: Request, pk: str) -> Response:
        company = self.get_object()
        data = CompanyUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        company = company_update(actor=request.user, company=company, **data.validated_data)
        return Response(CompanyOutput(company).data)

    @extend_schema(responses={200: CompanyMemberOutput(many=True)}, methods=["GET"])
    @extend_schema(
        request=CompanyMemberInput,
        responses={
            201: CompanyInvitationCreated,
            429: OpenApiResponse(description="Too many invitations by this owner for now"),
        },
        methods=["POST"],
        description=(
            "Invite a colleague by e-mail (owners only). Every address gets an invitation "
            "(single use, expiring), whether or not it has a Konvoi account, and the answer is "
            "the same either way: 201 with `{invitation: {id, email, role, expires_at, …}}`, "
            "nothing about the person. Nobody is added without accepting: they join with "
            "`POST /api/v1/company-invitations/{token}/accept/`, logged in with the invited "
            "address. Limited per owner (429 beyond it)."
        ),
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def members(self, request: Request, pk: str) -> Response:
        company = self.get_object()
        if request.method == "GET":
            return Response(CompanyMemberOutput(company_members(company=company), many=True).data)
        data = CompanyMemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not is_company_owner(user=request.user, company_id=company.pk):
            raise PermissionDenied(_("Only an owner of the company may do this."))
        if not colleague_invitation_allowed(user_id=request.user.pk):
            raise Throttled(detail=colleague_invitation_limited_message())
        invitation = company_colleague_add(
            actor=request.user, company=company, **data.validated_data
        )
        body = CompanyInvitationCreated({"invitation": invitation}).data
        return Response(body, status=status.HTTP_201_CREATED)

    def _owned_company(self) -> Company:
        """The company for its invitations: those who cannot see it get 404, those who can
        (its members, its convoys' facilitators) but are not an owner 403."""
        company = self.get_object()
        if not is_company_owner(user=self.request.user, company_id=company.pk):
            raise PermissionDenied(_("Only an owner of the company may do this."))
        return company

    @extend_schema(responses={200: CompanyInvitationOutput(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def invitations(self, request: Request, pk: str) -> Response:
        """The company's open (and expired, not yet withdrawn) invitations to colleagues."""
        company = self._owned_company()
        invitations = company_invitations_pending(company=company)
        return Response(CompanyInvitationOutput(invitations, many=True).data)

    @extend_schema(request=None, responses={200: CompanyInvitationOutput})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"invitations/(?P<invitation_id>\d+)/revoke",
    )
    def invitation_revoke(self, request: Request, pk: str, invitation_id: str) -> Response:
        """Withdraw an invitation: its link stops working."""
        company = self._owned_company()
        invitation = get_object_or_404(company.invitations.all(), pk=invitation_id)
        invitation = company_invitation_revoke(actor=request.user, invitation=invitation)
        return Response(CompanyInvitationOutput(invitation).data)

    @extend_schema(request=None, responses={200: CompanyInvitationOutput})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"invitations/(?P<invitation_id>\d+)/resend",
    )
    def invitation_resend(self, request: Request, pk: str, invitation_id: str) -> Response:
        """Send a new link (valid for the full period again); the previous one stops working."""
        company = self._owned_company()
        invitation = get_object_or_404(company.invitations.all(), pk=invitation_id)
        invitation, _token = company_invitation_resend(actor=request.user, invitation=invitation)
        return Response(CompanyInvitationOutput(invitation).data)

    @extend_schema(responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<member_id>\d+)")
    def member_remove(self, request: Request, pk: str, member_id: str) -> Response:
        company: Company = self.get_object()
        member = get_object_or_404(company.members.select_related("company"), pk=member_id)
        company_member_remove(actor=request.user, member=member, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CompanyMemberRoleInput, responses={200: CompanyMemberOutput})
    @action(detail=True, methods=["post"], url_path=r"members/(?P<member_id>\d+)/role")
    def member_role(self, request: Request, pk: str, member_id: str) -> Response:
        """An owner makes a colleague owner (e.g. to hand over before deleting their account)
        or an owner a member again; the last owner stays one."""
        company = self._owned_company()
        member = get_object_or_404(company.members.select_related("company", "user"), pk=member_id)
        data = CompanyMemberRoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = company_member_role_set(
            actor=request.user,
            member=member,
            role=data.validated_data["role"],
            request=request._request,
        )
        return Response(CompanyMemberOutput(member).data)


class CompanyInvitationAcceptView(APIView):
    """The invited colleague, logged in with the invited address, joins the company."""

    @extend_schema(
        request=None,
        responses={200: CompanyMemberOutput},
        operation_id="company_invitation_accept",
    )
    def post(self, request: Request, token: str) -> Response:
        member = company_invitation_accept(actor=request.user, token=token)
        return Response(CompanyMemberOutput(member).data)
