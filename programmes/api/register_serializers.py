"""Shapes of the register API: company records, their touches and the programme's services
(input and output kept apart)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from companies.models import Sector, SizeBand, SizeClass
from modelutils import MAX_ID
from programmes.models import ServiceCategory, ServiceKind, Stage, TouchKind


@extend_schema_field(OpenApiTypes.STR)
class ValueField(serializers.ChoiceField):
    """A choice whose values the help text lists. Documented as a plain string: "kind" and
    "category" name other value sets elsewhere in the API, and one enum name per field name
    would clash in the schema."""

    def __init__(self, choices, **kwargs):
        kwargs.setdefault("help_text", "One of: " + ", ".join(value for value, _ in choices))
        super().__init__(choices=choices, **kwargs)


class RegisterCompanyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    sector = serializers.CharField()
    size = serializers.CharField()
    city = serializers.CharField()
    postcode = serializers.CharField()
    region = serializers.CharField()


class RegisterCompanyDetailOutput(RegisterCompanyOutput):
    website = serializers.CharField()


TOUCH_LABEL_HELP = (
    "For a service: its kind (one of the services' kinds); for a convoy: the convoy's name; "
    "for a Digitalisierungs-Check: its stage (T0, T1, T2; empty for ad hoc), followed by "
    "` self_reported` for an anonymous check shared with the programme; otherwise empty. "
    "Never a project's title or a person's name."
)


class FirstTouchOutput(serializers.Serializer):
    at = serializers.DateTimeField(source="first_touch_at")
    kind = ValueField(TouchKind.choices, source="first_touch_kind")
    label = serializers.CharField(source="first_touch_label", help_text=TOUCH_LABEL_HELP)


class LastTouchOutput(serializers.Serializer):
    at = serializers.DateTimeField(source="last_touch_at")
    kind = ValueField(TouchKind.choices, source="last_touch_kind")
    label = serializers.CharField(source="last_touch_label", help_text=TOUCH_LABEL_HELP)


class CompanyRecordOutput(serializers.Serializer):
    id = serializers.IntegerField()
    company = RegisterCompanyOutput()
    stage = serializers.ChoiceField(choices=Stage.choices)
    first_touch = FirstTouchOutput(source="*")
    last_touch = LastTouchOutput(source="*")
    services_count = serializers.IntegerField()


class TouchOutput(serializers.Serializer):
    kind = ValueField(TouchKind.choices)
    stage = serializers.ChoiceField(choices=Stage.choices)
    source = serializers.CharField()
    label = serializers.CharField(help_text=TOUCH_LABEL_HELP)
    at = serializers.DateTimeField()


class PersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ServiceCompanyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class ServiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    company = ServiceCompanyOutput()
    kind = ValueField(ServiceKind.choices)
    category = ValueField(ServiceCategory.choices)
    date = serializers.DateField()
    minutes = serializers.IntegerField(allow_null=True)
    coach = PersonOutput(allow_null=True)
    notes = serializers.CharField()
    created_at = serializers.DateTimeField()


class CompanyRecordDetailOutput(CompanyRecordOutput):
    company = RegisterCompanyDetailOutput()
    has_accounts = serializers.BooleanField(
        help_text="The company has Konvoi members: it keeps its own details."
    )
    contact_name = serializers.CharField()
    contact_email = serializers.CharField()
    created_at = serializers.DateTimeField()
    touches = TouchOutput(many=True)
    services = ServiceOutput(many=True)


class DuplicateRecordOutput(serializers.Serializer):
    id = serializers.IntegerField()
    company = RegisterCompanyOutput()
    stage = serializers.ChoiceField(choices=Stage.choices)
    contact_name = serializers.CharField()
    contact_email = serializers.CharField()


class DuplicatePairOutput(serializers.Serializer):
    first = DuplicateRecordOutput()
    second = DuplicateRecordOutput()
    reason = serializers.ChoiceField(
        choices=["name_postcode", "email_domain"],
        help_text="Same normalised name and postcode, or same e-mail domain.",
    )
    domain = serializers.CharField(
        help_text=(
            "The shared e-mail domain, only when it is both records' own contact e-mail's; "
            "empty when it came from company owners' account addresses (personal data)."
        )
    )


class RegisterFilter(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    sector = serializers.ChoiceField(choices=Sector.choices, required=False)
    size_class = serializers.ChoiceField(choices=SizeClass.choices, required=False)
    region = serializers.CharField(required=False, allow_blank=True, max_length=120)


class CompanyRecordInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    sector = serializers.ChoiceField(choices=Sector.choices)
    size = serializers.ChoiceField(choices=SizeBand.choices)
    city = serializers.CharField(max_length=120)
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    region = serializers.CharField(max_length=120, required=False, allow_blank=True)
    website = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_email = serializers.CharField(max_length=254, required=False, allow_blank=True)


class CompanyRecordUpdateInput(CompanyRecordInput):
    """Every field optional; the company's own facts only for companies without accounts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class MergeInput(serializers.Serializer):
    duplicate = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="The id of the record merged into this one (it is deleted).",
    )


class ServiceFilter(serializers.Serializer):
    company = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    kind = ValueField(ServiceKind.choices, required=False)
    category = ValueField(ServiceCategory.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: declared here rather than as a class attribute.
        self.fields["from"] = serializers.DateField(required=False)
        self.fields["to"] = serializers.DateField(required=False)


class _CoachField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("The coach must be on this programme's staff."),
    }

    def to_internal_value(self, data):
        # An id no row can have is no staff member (and must not reach the database).
        if isinstance(data, int) and not 0 < data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class ServiceInput(serializers.Serializer):
    company = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The id of a company in the register."
    )
    kind = ValueField(ServiceKind.choices)
    category = ValueField(ServiceCategory.choices)
    date = serializers.DateField()
    minutes = serializers.IntegerField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    coach = _CoachField(
        queryset=User.objects.none(),
        required=False,
        allow_null=True,
        help_text="A staff member's user id; defaults to the caller.",
    )

    def __init__(self, *args, coaches=None, **kwargs):
        super().__init__(*args, **kwargs)
        if coaches is not None:
            self.fields["coach"].queryset = coaches


class ServiceUpdateInput(ServiceInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["company"]
        for field in self.fields.values():
            field.required = False
