from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.api.serializers import (
    MeOutput,
    MeUpdateInput,
    RegisterInput,
    TokenInput,
    TokenOutput,
    UserOutput,
)
from accounts.selectors import user_profile
from accounts.services import token_for_user, user_register, user_update


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=RegisterInput, responses={201: UserOutput}, operation_id="auth_register")
    def post(self, request: Request) -> Response:
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_register(**data.validated_data)
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenInput, responses={200: TokenOutput}, operation_id="auth_token")
    def post(self, request: Request) -> Response:
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request,
            email=data.validated_data["email"].lower(),
            password=data.validated_data["password"],
        )
        if user is None:
            raise ValidationError(
                {"non_field_errors": [_("E-mail address or password is not correct.")]}
            )
        return Response({"token": token_for_user(user=user)})


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
