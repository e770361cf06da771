"""Two-factor authentication in the API: status, setting up an authenticator app, recovery
codes, turning it off. The same services as the web pages (accounts.mfa)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.mfa import (
    mfa_disable,
    mfa_enabled,
    recovery_codes_left,
    recovery_codes_regenerate,
    second_factor_required,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_secret,
)
from accounts.models import ApiToken


class MfaStatusOutput(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="An authenticator app is set up.")
    required = serializers.BooleanField(
        help_text="The operator requires a second factor of this person (MFA_REQUIRED_FOR)."
    )
    recovery_codes_left = serializers.IntegerField()


class TotpStartOutput(serializers.Serializer):
    secret = serializers.CharField(help_text="Base32, in groups of four (spaces do not matter).")
    otpauth_url = serializers.CharField(help_text="otpauth:// URL, for a QR code.")


class CodeInput(serializers.Serializer):
    code = serializers.CharField(
        max_length=32, help_text="Six digits from the app (or, where accepted, a recovery code)."
    )


class TotpConfirmInput(CodeInput):
    password = serializers.CharField(
        max_length=128,
        trim_whitespace=False,
        required=False,
        allow_blank=True,
        default="",
        help_text="The current password. Not needed by an account without one (single sign-on "
        "only).",
    )


class RecoveryCodesOutput(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(), help_text="Shown only in this response. Each works once."
    )


class MfaDisableInput(serializers.Serializer):
    password = serializers.CharField(
        max_length=128,
        trim_whitespace=False,
        required=False,
        allow_blank=True,
        default="",
        help_text="The current password. Not needed by an account without one (single sign-on "
        "only).",
    )
    code = serializers.CharField(max_length=32)


def _status(request: Request) -> dict:
    user = request.user
    enabled = mfa_enabled(user)
    return {
        "enabled": enabled,
        "required": second_factor_required(user),
        "recovery_codes_left": recovery_codes_left(user) if enabled else 0,
    }


class _CodeThrottled(APIView):
    # Codes are throttled per device by django-otp; this bounds requests per address too.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class MeMfaView(APIView):
    @extend_schema(responses={200: MfaStatusOutput}, operation_id="me_mfa_retrieve")
    def get(self, request: Request) -> Response:
        return Response(MfaStatusOutput(_status(request)).data)


class MeMfaTotpView(_CodeThrottled):
    @extend_schema(request=None, responses={201: TotpStartOutput}, operation_id="me_mfa_totp_start")
    def post(self, request: Request) -> Response:
        device, url = totp_enrolment_start(user=request.user)
        return Response(
            {"secret": totp_secret(device), "otpauth_url": url}, status=status.HTTP_201_CREATED
        )


class MeMfaTotpConfirmView(_CodeThrottled):
    @extend_schema(
        request=TotpConfirmInput,
        responses={200: RecoveryCodesOutput},
        operation_id="me_mfa_totp_confirm",
        description="Turns the second factor on. Ends the person's other sessions and revokes "
        "their other API tokens (the token making this call keeps working).",
    )
    def post(self, request: Request) -> Response:
        data = TotpConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        _device, codes = totp_enrolment_confirm(
            user=request.user,
            code=data.validated_data["code"],
            password=data.validated_data["password"],
            request=request._request,
            keep_token_id=request.auth.pk if isinstance(request.auth, ApiToken) else None,
        )
        return Response({"recovery_codes": codes})


class MeMfaRecoveryCodesView(_CodeThrottled):
    @extend_schema(
        request=CodeInput,
        responses={200: RecoveryCodesOutput},
        operation_id="me_mfa_recovery_codes_create",
    )
    def post(self, request: Request) -> Response:
        data = CodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        codes = recovery_codes_regenerate(
            user=request.user, code=data.validated_data["code"], request=request._request
        )
        return Response({"recovery_codes": codes})


class MeMfaDisableView(_CodeThrottled):
    @extend_schema(
        request=MfaDisableInput,
        responses={200: MfaStatusOutput},
        operation_id="me_mfa_disable",
    )
    def post(self, request: Request) -> Response:
        data = MfaDisableInput(data=request.data)
        data.is_valid(raise_exception=True)
        # Refused while the role requires it: 400 with non_field_errors.
        mfa_disable(user=request.user, request=request._request, **data.validated_data)
        return Response(MfaStatusOutput(_status(request)).data)
