"""API for where one is signed in: the signed-in browsers (list, end one) and making another
API token while authenticated (to rotate a token without sending a password)."""

from dataclasses import asdict

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import TokenOutput
from accounts.api.views import TokenListView
from accounts.mfa import request_second_factor_verified, token_issue_allowed
from accounts.models import ApiToken, UserSession
from accounts.services import api_token_create
from accounts.sessions import user_session_revoke, user_sessions_for


class SessionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    device = serializers.CharField(help_text="Browser and system, e.g. “Firefox on Windows”.")
    ip_address = serializers.CharField(allow_null=True)
    created = serializers.DateTimeField(help_text="When this browser logged in.")
    last_seen = serializers.DateTimeField(help_text="Last activity (to within a few minutes).")
    current = serializers.BooleanField(help_text="Whether this request was made with it.")


class TokenCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What the token is for.")


def _session_key(request: Request) -> str | None:
    """The session this request was authenticated with (none for a token)."""
    if isinstance(request.auth, ApiToken):
        return None
    session = getattr(request._request, "session", None)
    return getattr(session, "session_key", None)


class MeSessionsView(GenericAPIView):
    """The caller's signed-in browsers, most recently active first. Programs using an API
    token are listed under auth/tokens/."""

    serializer_class = SessionOutput
    # For the schema generator only (it reads the model from it); the rows come from
    # user_sessions_for, which also summarises each browser.
    queryset = UserSession.objects.none()

    @extend_schema(responses={200: SessionOutput(many=True)}, operation_id="me_sessions_list")
    def get(self, request: Request) -> Response:
        rows = user_sessions_for(request.user, current_key=_session_key(request))
        page = self.paginate_queryset([asdict(row) for row in rows])
        return self.get_paginated_response(SessionOutput(page, many=True).data)


class MeSessionDetailView(APIView):
    @extend_schema(
        responses={
            204: None,
            400: OpenApiResponse(description="The session of this request (log out instead)"),
        },
        operation_id="me_sessions_destroy",
    )
    def delete(self, request: Request, session_id: int) -> Response:
        """End one of the caller's browser sessions: that browser is logged out and its live
        connections close. The session of this request itself is refused (400)."""
        try:
            user_session_revoke(request.user, session_id, request=request._request)
        except UserSession.DoesNotExist as exc:
            raise Http404 from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListCreateView(TokenListView):
    """auth/tokens/: the list (TokenListView) and, here, making another named token."""

    @extend_schema(
        request=TokenCreateInput,
        responses={
            201: TokenOutput,
            403: OpenApiResponse(description="The second factor is not confirmed"),
        },
        operation_id="auth_tokens_create",
    )
    def post(self, request: Request) -> Response:
        """Make another API token while authenticated, e.g. to replace one without sending
        the password. The secret is in the answer only. With a session, the session must have
        passed the second factor when the caller has one (tokens exist only after it)."""
        data = TokenCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        if isinstance(request.auth, ApiToken):
            verified = True
        else:
            verified = request_second_factor_verified(request._request)
        if not token_issue_allowed(request.user, verified):
            raise PermissionDenied(
                _("Confirm your second factor in this session before you make an API token.")
            )
        token, secret = api_token_create(
            user=request.user, name=data.validated_data["name"], request=request._request
        )
        return Response(
            {"token": secret, "id": token.pk, "name": token.name, "expiry": token.expiry},
            status=status.HTTP_201_CREATED,
        )
