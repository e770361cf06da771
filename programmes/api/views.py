"""The programme API: programmes, their staff and staff invitations. Every view of a
programme's inside goes through programmes.selectors.programme_for_staff (outsiders 404,
coaches 403 where a manager is needed); the services check the role again."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, Throttled
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
    LIMIT_WINDOW_SECONDS,
    programme_create,
    programme_create_allowed,
    programme_create_limited_message,
    programme_update,
    staff_add,
    staff_invitation_accept,
    staff_invitation_allowed,
    staff_invitation_limited_message,
    staff_invitation_revoke,
    staff_remove,
    staff_role_set,
)

TAGS = ["programmes"]
LIMITED = OpenApiResponse(
    description="Too many today (the limit counts per person per day); `Retry-After` says "
    "when to try again at the latest."
)


class ProgrammeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Programmes the caller is staff of; anyone else's are 404."""

    lookup_url_kwarg = "id"
    lookup_value_converter = "id"  # modelutils.converters.DbIdConverter
    serializer_class = ProgrammeOutput

    def get_queryset(self):
        return programmes_with_role(user=self.request.user)

    def _programme(self, id: str, *, manager: bool = False) -> tuple[Programme, StaffRole]:
        return programme_for_staff(programme_id=int(id), user=self.request.user, manager=manager)

    def _output(self, programme: Programme, role: StaffRole) -> dict:
        context = {**self.get_serializer_context(), "role": role}
        return ProgrammeOutput(programme, context=context).data

    @extend_schema(
        operation_id="programmes_list",
        tags=TAGS,
        summary="My programmes",
        description=(
            "The programmes the caller is staff of (manager or coach), with the caller's "
            "`role` in each, by name. Paginated."
        ),
    )
    def list(self, request: Request) -> Response:
        return super().list(request)

    @extend_schema(
        operation_id="programmes_create",
        tags=TAGS,
        summary="Create a programme",
        description=(
            "Create a programme; the caller becomes its first manager. Without `slug`, the "
            "public address is made from the name. Limited per person per day "
            "(`PROGRAMME_CREATES_PER_DAY`, 429 beyond it)."
        ),
        request=ProgrammeInput,
        responses={201: ProgrammeOutput, 429: LIMITED},
    )
    def create(self, request: Request) -> Response:
        data = ProgrammeInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not programme_create_allowed(user_id=request.user.pk):
            raise Throttled(wait=LIMIT_WINDOW_SECONDS, detail=programme_create_limited_message())
        programme = programme_create(user=request.user, **data.validated_data)
        return Response(self._output(programme, StaffRole.MANAGER), status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="programmes_retrieve",
        tags=TAGS,
        summary="A programme",
        description="A programme the caller is staff of, with the caller's `role`; else 404.",
        responses={200: ProgrammeOutput},
    )
    def retrieve(self, request: Request, id: str) -> Response:
        programme, role = self._programme(id)
        return Response(self._output(programme, role))

    @extend_schema(
        operation_id="programmes_partial_update",
        tags=TAGS,
        summary="Change a programme",
        description=(
            "Change the programme's name, public address (`slug`: changing it breaks links to "
            "the old address), region, description or contacts. Managers only (a coach: 403)."
        ),
        request=ProgrammeUpdateInput,
        responses={200: ProgrammeOutput},
    )
    def partial_update(self, request: Request, id: str) -> Response:
        programme, role = self._programme(id, manager=True)
        data = ProgrammeUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        programme = programme_update(programme=programme, by=request.user, **data.validated_data)
        return Response(self._output(programme, role))

    @extend_schema(
        operation_id="programmes_staff_list",
        tags=TAGS,
        summary="The programme's staff",
        description="Everyone on the programme's staff with name, e-mail and role (any staff).",
        responses={200: StaffOutput(many=True)},
        methods=["GET"],
    )
    @extend_schema(
        operation_id="programmes_staff_create",
        tags=TAGS,
        summary="Invite a manager or coach",
        description=(
            "Invite someone to the staff by e-mail (managers only). Every address gets an "
            "e-mailed invitation (single use, expiring), whether or not it has a Konvoi "
            "account, and the answer is the same either way: 201 with `result: invited` and "
            "the `invitation`, nothing about the person. Nobody joins without accepting, "
            "logged in with the invited address: `POST /api/v1/programme-invitations/{token}/"
            "accept/`. Inviting an address with an open invitation sends a new link, at most "
            "once every ten minutes (400 before). Someone already on the staff: 400. Limited "
            "per manager per day (`PROGRAMME_STAFF_INVITES_PER_DAY`, 429 beyond it)."
        ),
        request=StaffInput,
        responses={201: StaffAddedOutput, 429: LIMITED},
        methods=["POST"],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def staff(self, request: Request, id: str) -> Response:
        if request.method == "GET":
            programme, _role = self._programme(id)
            return Response(StaffOutput(programme_staff(programme=programme), many=True).data)
        programme, _role = self._programme(id, manager=True)
        data = StaffInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not staff_invitation_allowed(user_id=request.user.pk):
            raise Throttled(wait=LIMIT_WINDOW_SECONDS, detail=staff_invitation_limited_message())
        added = staff_add(programme=programme, by=request.user, **data.validated_data)
        body = StaffAddedOutput({"result": "invited", "invitation": added.invitation}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="programmes_staff_partial_update",
        tags=TAGS,
        summary="Change someone's role",
        description=(
            "Make a coach a manager or a manager a coach (managers only). The last manager "
            "stays one (400). A manager made a coach loses the open invitations they sent."
        ),
        request=StaffRoleInput,
        responses={200: StaffOutput},
        methods=["PATCH"],
    )
    @extend_schema(
        operation_id="programmes_staff_destroy",
        tags=TAGS,
        summary="Remove someone from the staff, or leave",
        description=(
            "Managers take someone off the staff; anyone may remove themselves (leave). The "
            "last manager can do neither (400). The open invitations the person sent are "
            "withdrawn."
        ),
        responses={204: None},
        methods=["DELETE"],
    )
    @action(detail=True, methods=["patch", "delete"], url_path="staff/<id:staff_id>")
    def staff_member(self, request: Request, id: str, staff_id: str) -> Response:
        programme, role = self._programme(id)
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

    @extend_schema(
        operation_id="programmes_staff_invitations_list",
        tags=TAGS,
        summary="Open invitations to the staff",
        description=(
            "Invitations not yet accepted or withdrawn (expired ones included, with their "
            "`state`), newest first. Managers only. The token is in the e-mail only."
        ),
        responses={200: StaffInvitationOutput(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="staff-invitations", pagination_class=None)
    def staff_invitations(self, request: Request, id: str) -> Response:
        programme, _role = self._programme(id, manager=True)
        invitations = staff_invitations_pending(programme=programme)
        return Response(StaffInvitationOutput(invitations, many=True).data)

    @extend_schema(
        operation_id="programmes_staff_invitations_destroy",
        tags=TAGS,
        summary="Withdraw an invitation",
        description=(
            "Withdraw an invitation to the staff (managers only): its link stops working. "
            "Twice changes nothing; an accepted one: 400."
        ),
        responses={204: None},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path="staff-invitations/<id:invitation_id>",
    )
    def staff_invitation_revoke(self, request: Request, id: str, invitation_id: str) -> Response:
        programme, _role = self._programme(id, manager=True)
        invitation = get_object_or_404(programme.staff_invitations.all(), pk=invitation_id)
        staff_invitation_revoke(invitation=invitation, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StaffInvitationAcceptView(APIView):
    """The invited person, logged in with the invited address, joins the programme's staff."""

    @extend_schema(
        operation_id="programme_invitations_accept",
        tags=TAGS,
        summary="Accept an invitation to a programme's staff",
        description=(
            "Join the programme's staff with the role the invitation names, logged in with "
            "the invited address (another account: 403). A used, withdrawn or expired link, "
            "or one whose sender may no longer invite (removed, or no longer a manager for "
            "an invitation as manager): 400."
        ),
        request=None,
        responses={200: StaffJoinedOutput},
    )
    def post(self, request: Request, token: str) -> Response:
        staff = staff_invitation_accept(token=token, user=request.user)
        return Response(StaffJoinedOutput(staff).data)
