"""GET /api/v1/programmes/{id}/convoys/: the programme's convoys with their figures, for its
staff (managers and coaches alike); anyone else gets 404."""

from typing import Any, cast

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from config.api import Pagination
from programmes.selectors import programme_for_staff
from reports.api.overview_serializers import (
    OverviewQuery,
    OverviewTotalsOutput,
    ProgrammeConvoyOutput,
    ProgrammeConvoysPageOutput,
)
from reports.programme_overview import programme_convoys_overview


class ProgrammeConvoysView(APIView):
    """Every convoy of the programme: status, facilitators, companies, what needs attention,
    check-ins and attendance, projects. Aggregates only, never a convoy's content."""

    @extend_schema(
        parameters=[
            OverviewQuery,
            OpenApiParameter("page", int, description="A page number within the results."),
            OpenApiParameter("page_size", int, description="Results per page (at most 200)."),
        ],
        responses={200: ProgrammeConvoysPageOutput},
        operation_id="programmes_convoys_list",
    )
    def get(self, request: Request, programme_id: int) -> Response:
        programme, _role = programme_for_staff(programme_id=programme_id, user=request.user)
        query = OverviewQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        overview = programme_convoys_overview(
            programme=programme,
            user=cast(User, request.user),  # IsAuthenticated, and staff (programme_for_staff)
            now=timezone.now(),
            status=query.validated_data.get("status", ""),
            needs_attention=query.validated_data["needs_attention"],
        )
        paginator = Pagination()
        page: list[Any] | None = paginator.paginate_queryset(
            overview.rows,  # type: ignore[arg-type]  # a list pages like a queryset
            request,
            view=self,
        )
        return Response(
            {
                "count": len(overview.rows),
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "totals": OverviewTotalsOutput(overview).data,
                "results": ProgrammeConvoyOutput(page, many=True).data,
            }
        )
