"""Shapes of the programme API: programmes, their staff and staff invitations."""

from django.urls import reverse
from rest_framework import serializers

from accounts.models import User
from programmes.models import Programme, Staff, StaffInvitation, StaffRole


class ProgrammeInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    region = serializers.CharField(max_length=120, allow_blank=True)
    slug = serializers.CharField(max_length=60, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    imprint_url = serializers.URLField(max_length=200, required=False, allow_blank=True)
    privacy_contact = serializers.EmailField(required=False, allow_blank=True)


class ProgrammeUpdateInput(ProgrammeInput):
    check_t1_months = serializers.IntegerField(
        min_value=1,
        max_value=36,
        help_text=(
            "Months from a company's T0 check to the reminder to take it again (T1); the "
            "reminder also goes when the T0's convoy closes, if that is earlier."
        ),
    )
    check_t2_months = serializers.IntegerField(
        min_value=2,
        max_value=60,
        help_text="Months from the T0 to the second re-assessment (T2); more than for T1.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ProgrammeOutput(serializers.ModelSerializer):
    """A programme as its staff see it, with the caller's `role` and its public page."""

    public_url = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "slug",
            "region",
            "description",
            "contact_email",
            "contact_phone",
            "website",
            "imprint_url",
            "privacy_contact",
            "check_t1_months",
            "check_t2_months",
            "public_url",
            "role",
            "created_at",
        ]

    def get_public_url(self, programme: Programme) -> str:
        path = reverse("frontend:programme_public", kwargs={"slug": programme.slug})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_role(self, programme: Programme) -> str:
        """`manager` or `coach`: the caller's role in the programme."""
        return getattr(programme, "my_role", None) or self.context["role"]


class ProgrammeRef(serializers.Serializer):
    """A programme as other resources name it."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class StaffPerson(serializers.ModelSerializer):
    """A colleague: name and e-mail, shown to the programme's staff only."""

    class Meta:
        model = User
        fields = ["id", "name", "email"]


class StaffOutput(serializers.ModelSerializer):
    user = StaffPerson()
    role = serializers.ChoiceField(choices=StaffRole.choices)

    class Meta:
        model = Staff
        fields = ["id", "user", "role", "added_at"]


class StaffInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=StaffRole.choices)


class StaffRoleInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=StaffRole.choices)


class StaffInvitationOutput(serializers.ModelSerializer):
    """An invitation to the staff (the token is in the e-mail only)."""

    state = serializers.SerializerMethodField()

    class Meta:
        model = StaffInvitation
        fields = ["id", "email", "role", "created_at", "expires_at", "state"]

    def get_state(self, invitation: StaffInvitation) -> str:
        """`open`, `accepted`, `expired` or `revoked`."""
        return invitation.state()


class StaffAddedOutput(serializers.Serializer):
    """The answer to inviting someone: always `invited` and the e-mailed `invitation` (the same
    whether or not the address has an account), to be accepted with
    `POST /api/v1/programme-invitations/{token}/accept/`."""

    result = serializers.ChoiceField(choices=["invited"])
    invitation = StaffInvitationOutput()


class StaffJoinedOutput(StaffOutput):
    """The caller's place on the staff after accepting, with the programme."""

    programme = ProgrammeRef()

    class Meta(StaffOutput.Meta):
        fields = [*StaffOutput.Meta.fields, "programme"]
