"""The programme API: programmes, their staff and staff invitations. Every view of a
programme's inside goes through programmes.selectors.programme_for_staff (outsiders 404,
coaches 403 where a manager is needed); the services check the role again."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from programmes.api.serializers import (
    ProgrammeInput,
    ProgrammeOutput,
    ProgrammeUpdateInput,
    StaffAddedOutput,
    StaffInput,
    StaffInvitationOutput,
    StaffJoinedOutput,
    StaffOutput,
    StaffRoleInput,
)
from programmes.models import Programme, StaffRole
from programmes.selectors import (
    programme_for_staff,
    programme_staff,
    programmes_with_role,
    staff_invitations_pending,
)
from programmes.services import (
    programme_create,
    programme_update,
    staff_add,
    staff_invitation_accept,
    staff_invitation_revoke,
    staff_remove,
    staff_role_set,
)


class ProgrammeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Programmes the caller is staff of; anyone else's are 404."""

    lookup_value_regex = r"[0-9]+"
    serializer_class = ProgrammeOutput

    def get_queryset(self):
        return programmes_with_role(user=self.request.user)

    def _programme(self, pk: str, *, manager: bool = False) -> tuple[Programme, StaffRole]:
        return programme_for_staff(programme_id=int(pk), user=self.request.user, manager=manager)

    def _output(self, programme: Programme, role: StaffRole) -> dict:
        context = {**self.get_serializer_context(), "role": role}
        return ProgrammeOutput(programme, context=context).data

    @extend_schema(request=ProgrammeInput, responses={201: ProgrammeOutput})
    def create(self, request: Request) -> Response:
        """Create a programme; the caller becomes its first manager. Without `slug`, the public
        address is made from the name."""
        data = ProgrammeInput(data=request.data)
        data.is_valid(raise_exception=True)
        programme = programme_create(user=request.user, **data.validated_data)
        return Response(self._output(programme, StaffRole.MANAGER), status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ProgrammeOutput})
    def retrieve(self, request: Request, pk: str) -> Response:
        programme, role = self._programme(pk)
        return Response(self._output(programme, role))

    @extend_schema(request=ProgrammeUpdateInput, responses={200: ProgrammeOutput})
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change the programme's details (managers)."""
        programme, role = self._programme(pk, manager=True)
        data = ProgrammeUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        programme = programme_update(programme=programme, by=request.user, **data.validated_data)
        return Response(self._output(programme, role))

    @extend_schema(responses={200: StaffOutput(many=True)}, methods=["GET"])
    @extend_schema(
        request=StaffInput,
        responses={201: StaffAddedOutput},
        methods=["POST"],
        description=(
            "Add a manager or coach (managers only). An address with an account is on the "
            "staff at once (`result: added`, told by e-mail); any other address gets an "
            "e-mailed invitation (`result: invited`). Inviting an address again sends a new "
            "link. Someone already on the staff: 400."
        ),
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def staff(self, request: Request, pk: str) -> Response:
        if request.method == "GET":
            programme, _role = self._programme(pk)
            return Response(StaffOutput(programme_staff(programme=programme), many=True).data)
        programme, _role = self._programme(pk, manager=True)
        data = StaffInput(data=request.data)
        data.is_valid(raise_exception=True)
        added = staff_add(programme=programme, by=request.user, **data.validated_data)
        body = StaffAddedOutput(
            {
                "result": "added" if added.staff is not None else "invited",
                "staff": added.staff,
                "invitation": added.invitation,
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=StaffRoleInput, responses={200: StaffOutput}, methods=["PATCH"])
    @extend_schema(responses={204: None}, methods=["DELETE"])
    @action(detail=True, methods=["patch", "delete"], url_path=r"staff/(?P<staff_id>\d+)")
    def staff_member(self, request: Request, pk: str, staff_id: str) -> Response:
        """PATCH `{role}` (managers). DELETE: managers take someone off the staff; anyone may
        leave. The last manager can do neither."""
        programme, role = self._programme(pk)
        staff = get_object_or_404(programme_staff(programme=programme), pk=staff_id)
        if request.method == "DELETE":
            if staff.user_id != request.user.pk and role != StaffRole.MANAGER:
                raise PermissionDenied(_("Only the programme's managers may do this."))
            staff_remove(staff=staff, by=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        if role != StaffRole.MANAGER:
            raise PermissionDenied(_("Only the programme's managers may do this."))
        data = StaffRoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        staff = staff_role_set(staff=staff, role=data.validated_data["role"], by=request.user)
        return Response(StaffOutput(staff).data)

    @extend_schema(responses={200: StaffInvitationOutput(many=True)})
    @action(detail=True, methods=["get"], url_path="staff-invitations", pagination_class=None)
    def staff_invitations(self, request: Request, pk: str) -> Response:
        """Open (and expired, not withdrawn) invitations to the staff (managers)."""
        programme, _role = self._programme(pk, manager=True)
        invitations = staff_invitations_pending(programme=programme)
        return Response(StaffInvitationOutput(invitations, many=True).data)

    @extend_schema(responses={204: None})
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"staff-invitations/(?P<invitation_id>\d+)",
    )
    def staff_invitation_revoke(self, request: Request, pk: str, invitation_id: str) -> Response:
        """Withdraw an invitation (managers): its link stops working."""
        programme, _role = self._programme(pk, manager=True)
        invitation = get_object_or_404(programme.staff_invitations.all(), pk=invitation_id)
        staff_invitation_revoke(invitation=invitation, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StaffInvitationAcceptView(APIView):
    """The invited person, logged in with the invited address, joins the programme's staff."""

    @extend_schema(
        request=None,
        responses={200: StaffJoinedOutput},
        operation_id="programme_invitation_accept",
    )
    def post(self, request: Request, token: str) -> Response:
        staff = staff_invitation_accept(token=token, user=request.user)
        return Response(StaffJoinedOutput(staff).data)
