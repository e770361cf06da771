"""The register API: a programme's company records and services, for its staff (managers and
coaches). Every view starts at programme_for_staff (non-staff: 404); a record or service of
another programme is a 404 too."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import Pagination
from programmes.api.register_serializers import (
    CompanyRecordDetailOutput,
    CompanyRecordInput,
    CompanyRecordOutput,
    CompanyRecordUpdateInput,
    DuplicatePairOutput,
    MergeInput,
    RegisterFilter,
    ServiceFilter,
    ServiceInput,
    ServiceOutput,
    ServiceUpdateInput,
)
from programmes.models import CompanyRecord, Programme, ServiceCategory, ServiceKind
from programmes.selectors import (
    company_record_for_staff,
    company_record_has_accounts,
    company_record_services,
    company_record_touches,
    company_register,
    duplicate_suggestions,
    programme_coaches,
    programme_for_staff,
    programme_services,
    service_for_staff,
)
from programmes.services import (
    company_record_create,
    company_record_update,
    company_records_merge,
    service_delete,
    service_record,
    service_update,
)

REGISTER_TAGS = ["programme register"]
SERVICE_TAGS = ["programme services"]


def _programme(request: Request, id: int) -> Programme:
    programme, _role = programme_for_staff(programme_id=id, user=request.user)
    return programme


def _record_detail(record: CompanyRecord) -> dict[str, Any]:
    record.has_accounts = company_record_has_accounts(record=record)  # type: ignore[attr-defined]
    record.touches = list(company_record_touches(record=record))  # type: ignore[attr-defined]
    record.services = list(company_record_services(record=record))  # type: ignore[attr-defined]
    return CompanyRecordDetailOutput(record).data


def _paginated(request: Request, view: APIView, queryset, serializer_class) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


class _PaginatedRecords(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CompanyRecordOutput(many=True)


class _PaginatedServices(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ServiceOutput(many=True)


class RegisterView(APIView):
    """The programme's company register."""

    @extend_schema(
        operation_id="programmes_companies_list",
        tags=REGISTER_TAGS,
        summary="List the programme's company register",
        parameters=[RegisterFilter, OpenApiParameter("page", int)],
        responses={200: _PaginatedRecords},
        description=(
            "Every company the programme reached, counted once, most recently touched first, "
            "paginated. `q` searches name, city and postcode (case and umlauts folded: "
            "`baeckerei` finds `Bäckerei`); `size_class` is micro, small, medium or large; "
            "`region` is the company's region, or its city where it has none. Staff only "
            "(404 for anyone else)."
        ),
    )
    def get(self, request: Request, id: int) -> Response:
        programme = _programme(request, id)
        filters = RegisterFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        records = company_register(programme=programme, **filters.validated_data)
        return _paginated(request, self, records, CompanyRecordOutput)

    @extend_schema(
        operation_id="programmes_companies_create",
        tags=REGISTER_TAGS,
        summary="Record a company in the register",
        request=CompanyRecordInput,
        responses={201: CompanyRecordDetailOutput},
        description=(
            "Record a company the programme reached that has no Konvoi account (stage lead, "
            "first contact `recorded`). 400 on `name` when the register already has one of the "
            "same normalised name and postcode (the message names it)."
        ),
    )
    def post(self, request: Request, id: int) -> Response:
        programme = _programme(request, id)
        data = CompanyRecordInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = company_record_create(programme=programme, by=request.user, **data.validated_data)
        record = company_record_for_staff(programme=programme, record_id=record.pk)
        return Response(_record_detail(record), status=status.HTTP_201_CREATED)


class RecordView(APIView):
    """One company record with its touches and services."""

    @extend_schema(
        operation_id="programmes_companies_retrieve",
        tags=REGISTER_TAGS,
        summary="One record of the register",
        responses={200: CompanyRecordDetailOutput},
        description=(
            "A record with its company, stage, contact person, contacts (touches, newest "
            "first) and services. A record of another programme is a 404."
        ),
    )
    def get(self, request: Request, id: int, record_id: int) -> Response:
        programme = _programme(request, id)
        record = company_record_for_staff(programme=programme, record_id=record_id)
        return Response(_record_detail(record))

    @extend_schema(
        operation_id="programmes_companies_partial_update",
        tags=REGISTER_TAGS,
        summary="Change a record of the register",
        request=CompanyRecordUpdateInput,
        responses={200: CompanyRecordDetailOutput},
        description=(
            "Change the contact person; and the company's own facts while it has no Konvoi "
            "accounts (otherwise 400 on those fields)."
        ),
    )
    def patch(self, request: Request, id: int, record_id: int) -> Response:
        programme = _programme(request, id)
        record = company_record_for_staff(programme=programme, record_id=record_id)
        data = CompanyRecordUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        company_record_update(record=record, by=request.user, **data.validated_data)
        record = company_record_for_staff(programme=programme, record_id=record_id)
        return Response(_record_detail(record))


class DuplicatesView(APIView):
    """Pairs of records that may be one company."""

    pagination_class = None

    @extend_schema(
        operation_id="programmes_companies_duplicates",
        tags=REGISTER_TAGS,
        summary="Records that may be one company",
        responses={200: DuplicatePairOutput(many=True)},
        description=(
            "Pairs with the same normalised name and postcode, or the same e-mail domain "
            "(free mail providers ignored; `domain` only when it is both records' own contact "
            "e-mail's, never one of company owners' account addresses). Not paginated. Merge a "
            "pair with `…/companies/{record_id}/merge/`."
        ),
    )
    def get(self, request: Request, id: int) -> Response:
        programme = _programme(request, id)
        pairs = duplicate_suggestions(programme=programme)
        return Response(DuplicatePairOutput(pairs, many=True).data)


class MergeView(APIView):
    """Merge a duplicate record into this one."""

    @extend_schema(
        operation_id="programmes_companies_merge",
        tags=REGISTER_TAGS,
        summary="Merge a duplicate record into this one",
        request=MergeInput,
        responses={200: CompanyRecordDetailOutput},
        description=(
            "The duplicate's touches and services move to this record and the duplicate "
            "record is deleted (its company too when it was only a register entry). 400 when "
            "both companies have Konvoi accounts, or for a record into itself."
        ),
    )
    def post(self, request: Request, id: int, record_id: int) -> Response:
        programme = _programme(request, id)
        keep = company_record_for_staff(programme=programme, record_id=record_id)
        data = MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        duplicate = company_record_for_staff(
            programme=programme, record_id=data.validated_data["duplicate"]
        )
        company_records_merge(programme=programme, keep=keep, duplicate=duplicate, by=request.user)
        keep = company_record_for_staff(programme=programme, record_id=keep.pk)
        return Response(_record_detail(keep))


class ServicesView(APIView):
    """The programme's services."""

    @extend_schema(
        operation_id="programmes_services_list",
        tags=SERVICE_TAGS,
        summary="List the programme's services",
        description=(
            "Services the programme delivered, newest first, paginated, with company and "
            "coach; filtered by company, kind, category and date. Notes are for staff only."
        ),
        parameters=[
            OpenApiParameter("company", int, description="A company id"),
            OpenApiParameter("kind", str, enum=ServiceKind.values),
            OpenApiParameter("category", str, enum=ServiceCategory.values),
            OpenApiParameter("from", OpenApiTypes.DATE, description="On or after (YYYY-MM-DD)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="On or before (YYYY-MM-DD)"),
            OpenApiParameter("page", int),
        ],
        responses={200: _PaginatedServices},
    )
    def get(self, request: Request, id: int) -> Response:
        programme = _programme(request, id)
        filters = ServiceFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        services = programme_services(
            programme=programme,
            company=values.get("company"),
            kind=values.get("kind"),
            category=values.get("category"),
            date_from=values.get("from"),
            date_to=values.get("to"),
        )
        return _paginated(request, self, services, ServiceOutput)

    @extend_schema(
        operation_id="programmes_services_create",
        tags=SERVICE_TAGS,
        summary="Record a service",
        request=ServiceInput,
        responses={201: ServiceOutput},
        description=(
            "Record a service for a company of the register; its record moves on. 400 on "
            "`company` when it is not in this programme's register, on `date` for a future "
            "date or one before 2000-01-01, on `coach` for someone not on the staff."
        ),
    )
    def post(self, request: Request, id: int) -> Response:
        programme = _programme(request, id)
        data = ServiceInput(data=request.data, coaches=programme_coaches(programme=programme))
        data.is_valid(raise_exception=True)
        service = service_record(programme=programme, by=request.user, **data.validated_data)
        service = service_for_staff(programme=programme, service_id=service.pk)
        return Response(ServiceOutput(service).data, status=status.HTTP_201_CREATED)


class ServiceView(APIView):
    """One service."""

    @extend_schema(
        operation_id="programmes_services_retrieve",
        tags=SERVICE_TAGS,
        summary="One service",
        responses={200: ServiceOutput},
        description="A service of the programme; another programme's is a 404.",
    )
    def get(self, request: Request, id: int, service_id: int) -> Response:
        programme = _programme(request, id)
        service = service_for_staff(programme=programme, service_id=service_id)
        return Response(ServiceOutput(service).data)

    @extend_schema(
        operation_id="programmes_services_partial_update",
        tags=SERVICE_TAGS,
        summary="Change a service",
        request=ServiceUpdateInput,
        responses={200: ServiceOutput},
        description=(
            "Change any of kind, category, date, minutes, coach, notes (same checks as "
            "recording one). A new kind or date moves the service's contact and the record's "
            "stage is worked out again (it may move back)."
        ),
    )
    def patch(self, request: Request, id: int, service_id: int) -> Response:
        programme = _programme(request, id)
        service = service_for_staff(programme=programme, service_id=service_id)
        data = ServiceUpdateInput(data=request.data, coaches=programme_coaches(programme=programme))
        data.is_valid(raise_exception=True)
        service_update(service=service, by=request.user, **data.validated_data)
        service = service_for_staff(programme=programme, service_id=service_id)
        return Response(ServiceOutput(service).data)

    @extend_schema(
        operation_id="programmes_services_destroy",
        tags=SERVICE_TAGS,
        summary="Delete a service",
        responses={204: None},
        description=(
            "Delete a service and its contact; the record's stage and first and last contact "
            "are worked out again from the contacts left."
        ),
    )
    def delete(self, request: Request, id: int, service_id: int) -> Response:
        programme = _programme(request, id)
        service = service_for_staff(programme=programme, service_id=service_id)
        service_delete(service=service, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
