from django.conf import settings
from rest_framework import serializers

from accounts.models import User


class PersonRef(serializers.Serializer):
    """Another person as every API shows them (author, actor, company member): one schema
    component for clients."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    handle = serializers.CharField()

    def to_representation(self, instance):  # type: ignore[no-untyped-def]
        data = super().to_representation(instance)
        if isinstance(instance, User):
            data["name"] = instance.display_name  # "Former member" once deleted
        return data


class RegisterInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    name = serializers.CharField(max_length=150)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    timezone = serializers.CharField(max_length=64, required=False)


class TokenInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    # Optional, so existing clients keep sending {email, password}.
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    # Required of people with two-factor authentication: six digits from the app, or a
    # recovery code (used up).
    otp = serializers.CharField(max_length=32, required=False, allow_blank=True)


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)


class ApiTokenOutput(serializers.Serializer):
    """A token as listed: never its secret, only the first characters to recognise it."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    token_key = serializers.CharField(help_text="The first characters of the token.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    current = serializers.BooleanField(help_text="Whether this request was made with it.")


class RevokedOutput(serializers.Serializer):
    revoked = serializers.IntegerField()


class UserOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name", "handle", "language", "timezone"]


class MeCompany(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()


class MeConvoy(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=["facilitator", "member"])


class MeOutput(UserOutput):
    companies = MeCompany(many=True)
    convoys = MeConvoy(many=True)

    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "companies", "convoys"]


class MeUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    timezone = serializers.CharField(max_length=64, required=False)


class EmailChangeInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="The new address.")
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class EmailChangeConfirmInput(serializers.Serializer):
    token = serializers.CharField(max_length=1000, help_text="The token of the e-mailed link.")


class DetailOutput(serializers.Serializer):
    detail = serializers.CharField()


class PasswordChangeInput(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
