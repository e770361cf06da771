from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from convoys.events import actor_data
from convoys.selectors import convoy_list_for_user, convoy_memberships, is_facilitator
from notifications.api.serializers import (
    NotificationOutput,
    NudgeInput,
    NudgeOutput,
    PreferencesSerializer,
)
from notifications.events import notification_target_data
from notifications.kinds import notification_title
from notifications.links import notification_path
from notifications.models import Notification
from notifications.selectors import notifications_for_user, preferences_for_user
from notifications.services import (
    company_nudge,
    notification_mark_read,
    notifications_mark_all_read,
    preferences_update,
)


def _shape(notification: Notification, tz: str) -> dict:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification_title(notification, tz=tz),
        "target": notification_target_data(notification),
        "url": notification_path(notification),
        "convoy_id": notification.convoy_id,
        "actor": actor_data(notification.actor),
        "data": notification.data,
        "channel": notification.channel,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your own notifications, newest first. Anyone else's are 404."""

    lookup_value_regex = r"[0-9]+"
    serializer_class = NotificationOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Notification.objects.none()
        queryset = notifications_for_user(user=self.request.user)
        if self.request.query_params.get("unread") in {"1", "true"}:
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread.")]
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        tz = request.user.timezone
        data = NotificationOutput([_shape(n, tz) for n in page], many=True).data
        return self.get_paginated_response(data)

    @extend_schema(request=None, responses=NotificationOutput)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = notifications_for_user(user=request.user).filter(pk=pk).first()
        if notification is None:
            raise Http404
        notification_mark_read(user=request.user, notification=notification)
        return Response(NotificationOutput(_shape(notification, request.user.timezone)).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("ReadAllOutput", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": notifications_mark_all_read(user=request.user)})


class PreferencesView(APIView):
    """How and when you are notified: per kind a channel, quiet hours, weekends, language,
    time zone, muted or snoozed convoys. PUT replaces what it names."""

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request: Request) -> Response:
        return Response(PreferencesSerializer(preferences_for_user(user=request.user)).data)

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def put(self, request: Request) -> Response:
        incoming = PreferencesSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        quiet = data.get("quiet_hours")
        preferences_update(
            user=request.user,
            channels=data.get("channels"),
            quiet_from=quiet["from"] if quiet else None,
            quiet_until=quiet["until"] if quiet else None,
            quiet_hours_given=quiet is not None,
            weekends=data.get("weekends"),
            language=data.get("language"),
            timezone_name=data.get("timezone"),
            muted_convoys=data.get("muted_convoys"),
        )
        request.user.refresh_from_db()
        return Response(PreferencesSerializer(preferences_for_user(user=request.user)).data)


class NudgeView(APIView):
    """Ask a member company of a convoy you facilitate for an update: its people receive a
    `nudge` notification (in the app, and by e-mail as each of them chose). At most once per
    company, convoy and day (the convoy's local date); a second nudge is a 400 saying so.
    Members of the convoy get 403, everyone else and companies not in it 404."""

    @extend_schema(request=NudgeInput, responses={201: NudgeOutput})
    def post(self, request: Request, convoy_id: int, company_id: int) -> Response:
        convoy = get_object_or_404(convoy_list_for_user(user=request.user), pk=convoy_id)
        if not is_facilitator(user=request.user, convoy_id=convoy.pk, known=convoy):
            raise PermissionDenied(_("Only a facilitator of this convoy may do this."))
        # company__pk: range-checked, so an id too large for the database is a 404.
        membership = get_object_or_404(convoy_memberships(convoy=convoy), company__pk=company_id)
        data = NudgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        nudge = company_nudge(
            actor=request.user,
            convoy=convoy,
            company=membership.company,
            message=data.validated_data.get("message", ""),
        )
        return Response(NudgeOutput(nudge).data, status=201)
