"""The register match of a registration, for the staff of the event's programme: the entries
that may be its company, and confirming one (or a new entry made from the registration). Every
view starts at events.selectors.event_for_staff (anyone else: 404); events.matching checks the
role again."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from companies.models import Sector, SizeBand
from events import selectors
from events.matching import (
    register_record_of,
    registration_company_confirm,
    registration_company_suggestions,
)
from events.models import Registration
from modelutils import MAX_ID
from programmes.api.register_serializers import RegisterCompanyOutput, ValueField
from programmes.models import CompanyRecord, Stage

TAGS = ["events"]
STAFF_ONLY = "Staff of the event's programme only (manager or coach; anyone else: 404)."


class RegisterEntryOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="The register entry's id (`record`).")
    company = RegisterCompanyOutput()
    stage = serializers.ChoiceField(choices=Stage.choices)


class CompanyMatchInput(serializers.Serializer):
    record = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="The id of an entry of the programme's register (a suggestion or another).",
    )
    city = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=120,
        help_text="With `create`: the company's city (a registration does not ask for it).",
    )
    size = ValueField(SizeBand.choices, required=False, allow_blank=True)
    sector = ValueField(Sector.choices, required=False, allow_blank=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "create" is a Serializer method: the field is declared here.
        self.fields["create"] = serializers.BooleanField(
            required=False,
            default=False,
            help_text="Create a new register entry from the registration instead.",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_record = attrs.get("record") is not None
        if has_record == bool(attrs.get("create")):
            raise ValidationError(
                {"record": [_("Choose an entry of the register, or create a new one.")]}
            )
        return attrs


class CompanyMatchOutput(serializers.Serializer):
    registration = serializers.IntegerField()
    record = RegisterEntryOutput()


def _registration(request: Request, id: int, registration_id: int) -> Registration:
    event = selectors.event_for_staff(event_id=id, user=request.user)
    return selectors.registration_for_staff(event=event, registration_id=registration_id)


class CompanySuggestionsView(APIView):
    """The register entries that may be a registration's company."""

    pagination_class = None

    @extend_schema(
        operation_id="events_registrations_company_suggestions",
        tags=TAGS,
        summary="Register entries that may be this registration's company",
        description=(
            "The entries of the programme's register with the same normalised company name "
            "(legal form, case and umlauts do not count) and postcode as the registration, "
            "oldest first; often none. Not paginated. " + STAFF_ONLY
        ),
        responses={200: RegisterEntryOutput(many=True)},
    )
    def get(self, request: Request, id: int, registration_id: int) -> Response:
        registration = _registration(request, id, registration_id)
        records = registration_company_suggestions(registration=registration)
        return Response(RegisterEntryOutput(records, many=True).data)


class CompanyMatchView(APIView):
    """Confirm a registration's company in the register."""

    @extend_schema(
        operation_id="events_registrations_company",
        tags=TAGS,
        summary="Confirm the registration's company in the register",
        description=(
            "`{record}`: the registration's company is this entry of the programme's register; "
            "`{create: true, city, size?, sector?}`: a new entry from the registration (company "
            "name, postcode, size and sector as registered unless given; the person as contact "
            "only with their consent to be contacted); 400 on `name` when the register already "
            "has that company. The company's entry then counts the registration (stage lead; "
            "engaged once checked in). Again with another entry moves the registration there. "
            "A cancelled registration is refused (400). " + STAFF_ONLY
        ),
        request=CompanyMatchInput,
        responses={200: CompanyMatchOutput},
    )
    def post(self, request: Request, id: int, registration_id: int) -> Response:
        registration = _registration(request, id, registration_id)
        data = CompanyMatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        record: CompanyRecord | None = None
        if fields.get("record") is not None:
            record = register_record_of(registration=registration, record_id=fields["record"])
        matched = registration_company_confirm(
            registration=registration,
            by=request.user,
            record=record,
            city=fields.get("city", ""),
            size=fields.get("size", ""),
            sector=fields.get("sector", ""),
        )
        return Response(
            CompanyMatchOutput({"registration": registration.pk, "record": matched}).data
        )
