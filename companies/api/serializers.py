from rest_framework import serializers

from accounts.api.serializers import PersonRef
from companies.models import (
    Company,
    CompanyInvitation,
    CompanyMember,
    CompanyRole,
    Sector,
    SizeBand,
)


class CompanyInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    sector = serializers.ChoiceField(choices=Sector.choices)
    size = serializers.ChoiceField(choices=SizeBand.choices)
    city = serializers.CharField(max_length=120)
    region = serializers.CharField(max_length=120, required=False, allow_blank=True)
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)


class CompanyUpdateInput(CompanyInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class CompanyOutput(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "name", "sector", "size", "city", "region", "website", "created_at"]


class CompanyRef(serializers.Serializer):
    """A company as other resources name it: one schema component for clients."""

    id = serializers.IntegerField()
    name = serializers.CharField()

    def to_representation(self, instance):  # type: ignore[no-untyped-def]
        data = super().to_representation(instance)
        if isinstance(instance, Company):
            data["name"] = instance.display_name  # "Former company" once deleted
        return data


class CompanyMemberRoleInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=CompanyRole.choices)


class CompanyMemberInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=CompanyRole.choices, default=CompanyRole.MEMBER)


class CompanyMemberOutput(serializers.ModelSerializer):
    user = PersonRef()

    class Meta:
        model = CompanyMember
        fields = ["id", "user", "role", "joined_at"]


class CompanyInvitationOutput(serializers.ModelSerializer):
    """A colleague's pending invitation (the token is in the e-mail only)."""

    state = serializers.SerializerMethodField()

    class Meta:
        model = CompanyInvitation
        fields = ["id", "email", "role", "created_at", "expires_at", "state"]

    def get_state(self, invitation: CompanyInvitation) -> str:
        return invitation.state()


class CompanyInvitationCreated(serializers.Serializer):
    """The answer to adding a colleague: the address was invited by e-mail (the same whether or
    not it has an account)."""

    invitation = CompanyInvitationOutput()
