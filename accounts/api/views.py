from django.conf import settings
from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.api.serializers import (
    ApiTokenOutput,
    DetailOutput,
    EmailChangeConfirmInput,
    EmailChangeInput,
    MeOutput,
    MeUpdateInput,
    PasswordChangeInput,
    RegisterInput,
    RevokedOutput,
    TokenInput,
    TokenOutput,
    UserOutput,
)
from accounts.mfa import api_token_second_factor_check
from accounts.models import ApiToken
from accounts.oidc import local_login_disabled_message, local_login_enabled
from accounts.ratelimit import (
    limit_hit,
    lockout_response,
    password_check_allowed,
    password_check_limited_message,
    rate_limited_message,
    signup_allowed,
)
from accounts.selectors import api_tokens_for_user
from accounts.services import (
    api_token_create,
    api_token_revoke,
    api_tokens_revoke_all,
    user_email_change_confirm,
    user_email_change_request,
    user_password_change,
    user_register,
    user_update,
)
from audit.models import Action
from audit.services import audit_record
from overview.me import user_profile


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=RegisterInput,
        responses={201: UserOutput, 403: OpenApiResponse(description="SSO only")},
        operation_id="auth_register",
    )
    def post(self, request: Request) -> Response:
        if not local_login_enabled():  # SSO only: accounts come from the provider
            raise PermissionDenied(detail=local_login_disabled_message())
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        # Per address (besides the scoped throttle) and per target e-mail address.
        if not signup_allowed(request=request._request, email=data.validated_data["email"]):
            raise Throttled(detail=rate_limited_message())
        user = user_register(**data.validated_data)
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=TokenInput,
        responses={
            200: TokenOutput,
            403: OpenApiResponse(description="SSO only: tokens are made in the profile"),
            429: OpenApiResponse(description="Locked out"),
        },
        operation_id="auth_token",
    )
    def post(self, request: Request) -> Response:
        if not local_login_enabled():  # SSO only (README "Single sign-on")
            raise PermissionDenied(detail=local_login_disabled_message())
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        # The Django request, so that django-axes counts and locks this login like the web
        # and admin ones (its backend and middleware read and flag the HttpRequest).
        django_request = request._request
        user = authenticate(
            django_request,
            email=data.validated_data["email"].lower(),
            password=data.validated_data["password"],
        )
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                return lockout_response(django_request)
            raise ValidationError(
                {"non_field_errors": [_("E-mail address or password is not correct.")]}
            )
        # The second factor, for those who have one (or must): 400 {"otp": […]} otherwise.
        api_token_second_factor_check(
            user=user, otp=data.validated_data.get("otp", ""), request=django_request
        )
        # authenticate() without login(): no user_logged_in signal, so the login is recorded
        # here (a failed one is recorded by the user_login_failed signal authenticate sends).
        audit_record(action=Action.LOGIN, user=user, request=django_request, data={"via": "api"})
        token, secret = api_token_create(
            user=user, name=data.validated_data.get("name", ""), request=django_request
        )
        return Response(
            {"token": secret, "id": token.pk, "name": token.name, "expiry": token.expiry}
        )


def _current_token_id(request: Request) -> int | None:
    return request.auth.pk if isinstance(request.auth, ApiToken) else None


class LogoutView(APIView):
    """Revokes the token this request was made with."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None}, operation_id="auth_logout")
    def post(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise NotAuthenticated()
        api_token_revoke(token=request.auth, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """Revokes every API token of the caller."""

    @extend_schema(request=None, responses={200: RevokedOutput}, operation_id="auth_logout_all")
    def post(self, request: Request) -> Response:
        revoked = api_tokens_revoke_all(user=request.user, request=request._request)
        return Response({"revoked": revoked})


class TokenListView(APIView):
    @extend_schema(responses={200: ApiTokenOutput(many=True)}, operation_id="auth_tokens_list")
    def get(self, request: Request) -> Response:
        current = _current_token_id(request)
        rows = [
            {
                "id": t.pk,
                "name": t.name,
                "token_key": t.token_key[:8],
                "created": t.created,
                "expiry": t.expiry,
                "current": t.pk == current,
            }
            for t in api_tokens_for_user(user=request.user)
        ]
        return Response(ApiTokenOutput(rows, many=True).data)


class TokenDetailView(APIView):
    @extend_schema(responses={204: None}, operation_id="auth_tokens_destroy")
    def delete(self, request: Request, token_id: int) -> Response:
        token = get_object_or_404(api_tokens_for_user(user=request.user), pk=token_id)
        api_token_revoke(token=token, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeOutput}, operation_id="me_retrieve")
    def get(self, request: Request) -> Response:
        return Response(user_profile(user=request.user))

    @extend_schema(request=MeUpdateInput, responses={200: MeOutput}, operation_id="me_update")
    def patch(self, request: Request) -> Response:
        data = MeUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        user_update(user=request.user, **data.validated_data)
        return Response(user_profile(user=request.user))


def _email_confirm_link(token: str) -> str:
    # The link opens the web page that confirms (a mail client opens links in a browser).
    return settings.SITE_URL + reverse("frontend:profile_email_confirm", kwargs={"token": token})


class MeEmailView(APIView):
    """Ask to change one's e-mail address: a link goes to the new address, and the change
    happens only when it is opened (or its token is posted to `me/email/confirm/`)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=EmailChangeInput,
        responses={202: DetailOutput, 429: OpenApiResponse(description="Too many requests")},
        operation_id="me_email_change",
    )
    def post(self, request: Request) -> Response:
        data = EmailChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not limit_hit(
            scope="email-change", key=str(request.user.pk), limit=settings.PASSWORD_RESET_RATE_LIMIT
        ):
            raise Throttled(detail=rate_limited_message())
        user_email_change_request(
            user=request.user,
            new_email=data.validated_data["email"],
            password=data.validated_data["password"],
            link_for=_email_confirm_link,
        )
        detail = _("We sent a link to %(email)s. Your address changes when you open it.") % {
            "email": data.validated_data["email"]
        }
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class MeEmailConfirmView(APIView):
    """Confirm an e-mail change with the token of the link (the token is the proof)."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=EmailChangeConfirmInput,
        responses={200: UserOutput, 429: OpenApiResponse(description="Too many requests")},
        operation_id="me_email_confirm",
    )
    def post(self, request: Request) -> Response:
        data = EmailChangeConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_email_change_confirm(
            token=data.validated_data["token"], request=request._request
        )
        return Response(UserOutput(user).data)


class MePasswordView(APIView):
    """Change one's password (the current one required). Every API token of the person,
    the one of this request included, and every other session end."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PasswordChangeInput,
        responses={204: None, 429: OpenApiResponse(description="Too many requests")},
        operation_id="me_password_change",
    )
    def post(self, request: Request) -> Response:
        data = PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not password_check_allowed(user_id=request.user.pk):
            raise Throttled(detail=password_check_limited_message())
        user_password_change(user=request.user, request=request._request, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
