from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import audit_export_downloaded
from checkins.exports import XLSX_CONTENT_TYPE, xlsx_response
from convoys.api.serializers import (
    ConvoyInput,
    ConvoyOutput,
    ConvoyUpdateInput,
    DashboardOutput,
    EventOutput,
    InvitationAcceptInput,
    InvitationCreatedOutput,
    InvitationInput,
    InvitationOutput,
    InvitationPreviewOutput,
    MembershipOutput,
)
from convoys.events import event_message
from convoys.models import Convoy
from convoys.selectors import (
    companies_visible_to,
    convoy_invitations,
    convoy_list_for_user,
    convoy_memberships,
    convoy_visible,
    events_after,
    is_facilitator,
)
from convoys.services import (
    convoy_create,
    convoy_update,
    invitation_accept,
    invitation_by_token,
    invitation_create,
    invitation_problem,
    invitation_resend,
    invitation_revoke,
    membership_end,
)
from overview.dashboard import convoy_dashboard_json
from overview.exports import convoy_export_filename, convoy_export_workbook


class ConvoyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Convoys you facilitate or your company belongs to. Anyone else's are 404."""

    lookup_value_regex = r"[0-9]+"
    serializer_class = ConvoyOutput

    def get_queryset(self):
        return convoy_list_for_user(user=self.request.user)

    def _require_facilitator(self, convoy: Convoy) -> None:
        # DRF's PermissionDenied keeps the message in the response.
        if not is_facilitator(user=self.request.user, convoy_id=convoy.pk, known=convoy):
            raise PermissionDenied(_("Only a facilitator of this convoy may do this."))

    @extend_schema(request=ConvoyInput, responses={201: ConvoyOutput})
    def create(self, request: Request) -> Response:
        data = ConvoyInput(data=request.data)
        data.is_valid(raise_exception=True)
        convoy = convoy_create(actor=request.user, **data.validated_data)
        return Response(
            ConvoyOutput(self.get_queryset().get(pk=convoy.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ConvoyUpdateInput, responses={200: ConvoyOutput})
    def partial_update(self, request: Request, pk: str) -> Response:
        convoy = self.get_object()
        data = ConvoyUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        convoy_update(actor=request.user, convoy=convoy, **data.validated_data)
        return Response(ConvoyOutput(self.get_queryset().get(pk=convoy.pk)).data)

    @extend_schema(responses={200: InvitationOutput(many=True)}, methods=["GET"])
    @extend_schema(
        request=InvitationInput, responses={201: InvitationCreatedOutput}, methods=["POST"]
    )
    @action(detail=True, methods=["get", "post"])
    def invitations(self, request: Request, pk: str) -> Response:
        convoy = self.get_object()
        self._require_facilitator(convoy)
        if request.method == "GET":
            page = self.paginate_queryset(convoy_invitations(convoy=convoy))
            return self.get_paginated_response(InvitationOutput(page, many=True).data)
        data = InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, token = invitation_create(
            actor=request.user, convoy=convoy, email=data.validated_data["email"]
        )
        output = InvitationOutput(invitation).data | {"token": token}
        return Response(output, status=status.HTTP_201_CREATED)

    def _invitation(self, pk: str, invitation_id: str):
        convoy = self.get_object()
        self._require_facilitator(convoy)
        return get_object_or_404(convoy_invitations(convoy=convoy), pk=invitation_id)

    @extend_schema(request=None, responses={200: InvitationOutput})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"invitations/(?P<invitation_id>\d+)/revoke",
    )
    def invitation_revoke(self, request: Request, pk: str, invitation_id: str) -> Response:
        """Withdraw an open invitation: its link stops working."""
        invitation = invitation_revoke(
            actor=request.user, invitation=self._invitation(pk, invitation_id)
        )
        return Response(InvitationOutput(invitation).data)

    @extend_schema(request=None, responses={200: InvitationCreatedOutput})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"invitations/(?P<invitation_id>\d+)/resend",
    )
    def invitation_resend(self, request: Request, pk: str, invitation_id: str) -> Response:
        """Mail the invitation again with a new link (the old one stops working), valid for the
        full period again."""
        invitation, token = invitation_resend(
            actor=request.user, invitation=self._invitation(pk, invitation_id)
        )
        return Response(InvitationOutput(invitation).data | {"token": token})

    @extend_schema(responses={200: MembershipOutput(many=True)})
    @action(detail=True, methods=["get"])
    def memberships(self, request: Request, pk: str) -> Response:
        convoy = self.get_object()
        page = self.paginate_queryset(convoy_memberships(convoy=convoy))
        return self.get_paginated_response(MembershipOutput(page, many=True).data)

    @extend_schema(responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"memberships/(?P<membership_id>\d+)")
    def membership_end(self, request: Request, pk: str, membership_id: str) -> Response:
        convoy = self.get_object()
        membership = get_object_or_404(convoy_memberships(convoy=convoy), pk=membership_id)
        membership_end(actor=request.user, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: DashboardOutput})
    @action(detail=True, methods=["get"], pagination_class=None)
    def dashboard(self, request: Request, pk: str) -> HttpResponse:
        # The hottest read (every open dashboard after every event): a precompiled access
        # check and bytes encoded once per event seq.
        convoy = convoy_visible(user=request.user, convoy_id=int(pk))
        if convoy is None:
            raise NotFound()
        body = convoy_dashboard_json(convoy=convoy, now=timezone.now())
        return HttpResponse(body, content_type="application/json")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "after",
                OpenApiTypes.INT,
                description="Only events with a seq greater than this (default 0).",
            )
        ],
        responses={200: EventOutput(many=True)},
    )
    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: str) -> Response:
        convoy = self.get_object()
        raw = request.query_params.get("after", "0")
        try:
            after = int(raw)
            if after < 0:
                raise ValueError
        except ValueError:
            raise ValidationError({"after": [_("Must be a whole number of 0 or more.")]}) from None
        page = self.paginate_queryset(events_after(convoy=convoy, after=after))
        return self.get_paginated_response([event_message(e) for e in page])


class InvitationView(APIView):
    """Look at an invitation by its token (the token is the secret)."""

    @extend_schema(responses={200: InvitationPreviewOutput}, operation_id="invitation_retrieve")
    def get(self, request: Request, token: str) -> Response:
        invitation = invitation_by_token(token=token)
        if invitation is None:
            return Response({"detail": _("This invitation link is not valid.")}, status=404)
        return Response(
            {
                "convoy": {"id": invitation.convoy_id, "name": invitation.convoy.name},
                "invited_by": invitation.invited_by.display_name if invitation.invited_by else None,
                "expires_at": invitation.expires_at,
                "problem": invitation_problem(invitation),
            }
        )


class InvitationAcceptView(APIView):
    @extend_schema(
        request=InvitationAcceptInput,
        responses={200: MembershipOutput},
        operation_id="invitation_accept",
    )
    def post(self, request: Request, token: str) -> Response:
        data = InvitationAcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        company = (
            companies_visible_to(user=request.user)
            .filter(pk=data.validated_data["company"])
            .first()
        )
        if company is None:
            raise ValidationError({"company": [_("Unknown company.")]})
        membership = invitation_accept(actor=request.user, token=token, company=company)
        return Response(MembershipOutput(membership).data)


class ConvoyExportView(APIView):
    """The convoy export for its facilitators: an Excel workbook with a sheet each for
    companies, projects, milestones, updates, check-ins and attendance."""

    @extend_schema(
        responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY},
        operation_id="convoys_export_xlsx",
    )
    def get(self, request: Request, convoy_id: int) -> HttpResponse:
        convoy = convoy_visible(user=request.user, convoy_id=convoy_id)
        if convoy is None:
            raise NotFound()
        if not is_facilitator(user=request.user, convoy_id=convoy.pk, known=convoy):
            raise PermissionDenied(_("Only a facilitator of this convoy may do this."))
        audit_export_downloaded(
            request=request._request, target=f"convoy:{convoy.pk}", export="convoy", format="xlsx"
        )
        return xlsx_response(
            convoy_export_workbook(convoy=convoy), filename=convoy_export_filename(convoy)
        )
