from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from companies.api.serializers import (
    CompanyInput,
    CompanyMemberInput,
    CompanyMemberOutput,
    CompanyOutput,
    CompanyUpdateInput,
)
from companies.models import Company
from companies.selectors import company_members
from companies.services import (
    company_create,
    company_member_add,
    company_member_remove,
    company_update,
)
from convoys.selectors import companies_visible_to


class CompanyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Companies: your own, and your convoy peers. Anyone else's are 404."""

    lookup_value_regex = r"[0-9]+"
    serializer_class = CompanyOutput

    def get_queryset(self):
        return companies_visible_to(user=self.request.user).order_by("name", "id")

    @extend_schema(request=CompanyInput, responses={201: CompanyOutput})
    def create(self, request: Request) -> Response:
        data = CompanyInput(data=request.data)
        data.is_valid(raise_exception=True)
        company = company_create(actor=request.user, **data.validated_data)
        return Response(CompanyOutput(company).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CompanyUpdateInput, responses={200: CompanyOutput})
    def partial_update(self, request: Request, pk: str) -> Response:
        company = self.get_object()
        data = CompanyUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        company = company_update(actor=request.user, company=company, **data.validated_data)
        return Response(CompanyOutput(company).data)

    @extend_schema(responses={200: CompanyMemberOutput(many=True)}, methods=["GET"])
    @extend_schema(
        request=CompanyMemberInput, responses={201: CompanyMemberOutput}, methods=["POST"]
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def members(self, request: Request, pk: str) -> Response:
        company = self.get_object()
        if request.method == "GET":
            return Response(CompanyMemberOutput(company_members(company=company), many=True).data)
        data = CompanyMemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = company_member_add(actor=request.user, company=company, **data.validated_data)
        return Response(CompanyMemberOutput(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<member_id>\d+)")
    def member_remove(self, request: Request, pk: str, member_id: str) -> Response:
        company: Company = self.get_object()
        member = get_object_or_404(company.members.select_related("company"), pk=member_id)
        company_member_remove(actor=request.user, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)
