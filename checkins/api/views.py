"""Check-ins over the API. A check-in of a convoy the caller does not belong to is a 404;
facilitator-only actions are a 403 for members."""

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from audit.services import audit_export_downloaded
from checkins.api.serializers import (
    CalendarFeedOutput,
    CheckInInput,
    CheckInOutput,
    CheckInUpdateInput,
    NotesInput,
    ReportInput,
    ReportOutput,
    RsvpInput,
    RsvpOutput,
)
from checkins.calendars import CONTENT_TYPE, calendar_build
from checkins.exports import XLSX_CONTENT_TYPE, attendance_csv, attendance_xlsx
from checkins.feeds import feed_url_for
from checkins.markdown import markdown_to_html
from checkins.models import CheckIn, CheckInReport, CheckInStatus
from checkins.selectors import (
    checkin_detail_queryset,
    checkin_reports,
    convoy_checkins,
    rsvp_of,
    seats_count,
    waitlist_position,
)
from checkins.services import (
    Repeat,
    calendar_feed_rotate,
    checkin_cancel,
    checkin_notes_post,
    checkin_reinstate,
    checkin_schedule,
    checkin_update,
    report_file,
    rsvp_set,
)
from companies.models import Company
from convoys.selectors import (
    convoy_list_for_user,
    convoy_member_companies_of_user,
    is_facilitator,
)


def _checkin(request: Request, checkin_id: int) -> CheckIn:
    return get_object_or_404(checkin_detail_queryset(user=request.user), pk=checkin_id)


def _require_facilitator(request: Request, checkin_or_convoy: object) -> None:
    # Both rows come from selectors that annotate is_facilitator: no query here. DRF's
    # PermissionDenied keeps the message in the response.
    convoy_id = getattr(checkin_or_convoy, "convoy_id", None) or checkin_or_convoy.pk  # type: ignore[attr-defined]
    if not is_facilitator(user=request.user, convoy_id=convoy_id, known=checkin_or_convoy):
        raise PermissionDenied(_("Only a facilitator of this convoy may do this."))


def _output(request: Request, checkin_id: int) -> dict:
    return CheckInOutput(_checkin(request, checkin_id)).data


class _CheckInAPIView(GenericAPIView):
    """Views addressed by /checkins/<checkin_id>/: get_object (used by DRF's OPTIONS
    metadata) looks the id up in the scoped selector, so it is a 404 like everywhere."""

    lookup_url_kwarg = "checkin_id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CheckIn.objects.none()
        return checkin_detail_queryset(user=self.request.user)


class ConvoyCheckInsView(GenericAPIView):
    """A convoy's check-ins (newest first); facilitators schedule new ones."""

    serializer_class = CheckInOutput
    queryset = CheckIn.objects.none()  # for the schema; requests use the scoped selectors

    @extend_schema(responses={200: CheckInOutput(many=True)}, operation_id="convoys_checkins_list")
    def get(self, request: Request, convoy_id: int) -> Response:
        convoy = get_object_or_404(convoy_list_for_user(user=request.user), pk=convoy_id)
        page = self.paginate_queryset(convoy_checkins(convoy=convoy).select_related("convoy"))
        return self.get_paginated_response(CheckInOutput(page, many=True).data)

    @extend_schema(
        request=CheckInInput,
        responses={201: CheckInOutput},
        operation_id="convoys_checkins_create",
    )
    def post(self, request: Request, convoy_id: int) -> Response:
        convoy = get_object_or_404(convoy_list_for_user(user=request.user), pk=convoy_id)
        _require_facilitator(request, convoy)
        data = CheckInInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        repeat = values.pop("repeat", None)
        checkin = checkin_schedule(
            actor=request.user,
            convoy=convoy,
            repeat=Repeat(**repeat) if repeat else None,
            **values,
        )
        # A series answers with its first check-in; `series` links the others.
        return Response(_output(request, checkin.pk), status=status.HTTP_201_CREATED)


class CheckInView(_CheckInAPIView):
    """One check-in; facilitators change, reschedule or cancel it (`status: cancelled`),
    reinstate a cancelled one (`status: scheduled`), for a series with `scope: one` or
    `following`."""

    serializer_class = CheckInOutput

    @extend_schema(responses={200: CheckInOutput}, operation_id="checkins_retrieve")
    def get(self, request: Request, checkin_id: int) -> Response:
        return Response(CheckInOutput(_checkin(request, checkin_id)).data)

    @extend_schema(
        request=CheckInUpdateInput,
        responses={200: CheckInOutput},
        operation_id="checkins_partial_update",
    )
    def patch(self, request: Request, checkin_id: int) -> Response:
        checkin = _checkin(request, checkin_id)
        _require_facilitator(request, checkin)
        data = CheckInUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        new_status = values.pop("status", None)
        scope = values.pop("scope", "one")
        reinstate = (
            new_status == CheckInStatus.SCHEDULED and checkin.status == CheckInStatus.CANCELLED
        )
        if "agenda" in values:
            # Before the transaction below: SQLite takes its write lock at BEGIN.
            values["agenda_html"] = markdown_to_html(values["agenda"])
        # Changes, the cancellation and the reinstatement stand or fall together.
        with transaction.atomic():
            if reinstate:
                checkin = checkin_reinstate(actor=request.user, checkin=checkin)
            if values:
                checkin = checkin_update(actor=request.user, checkin=checkin, scope=scope, **values)
            if new_status == CheckInStatus.CANCELLED:
                checkin_cancel(actor=request.user, checkin=checkin, scope=scope)
        return Response(_output(request, checkin_id))


class RsvpView(_CheckInAPIView):
    serializer_class = RsvpOutput

    @extend_schema(request=RsvpInput, responses={200: RsvpOutput}, operation_id="checkins_rsvp")
    def post(self, request: Request, checkin_id: int) -> Response:
        """Answer yes, no or maybe. A yes beyond the seats joins the waitlist (`position`);
        after the RSVP deadline: 400 naming `response`."""
        checkin = _checkin(request, checkin_id)
        data = RsvpInput(data=request.data)
        data.is_valid(raise_exception=True)
        rsvp = rsvp_set(actor=request.user, checkin=checkin, **data.validated_data)
        rsvp = rsvp_of(user=request.user, checkin=checkin)  # as committed, after promotions
        return Response(
            RsvpOutput(
                {
                    "response": rsvp.response,
                    "status": rsvp.status,
                    "position": waitlist_position(rsvp),
                    "seats": seats_count(checkin=checkin),
                }
            ).data
        )


class ReportsView(_CheckInAPIView):
    """Check-in reports: the facilitator sees every company's, a member their own
    company's. PUT files (or replaces) the report of the caller's company."""

    serializer_class = ReportOutput

    @extend_schema(responses={200: ReportOutput(many=True)}, operation_id="checkins_reports_list")
    def get(self, request: Request, checkin_id: int) -> Response:
        checkin = _checkin(request, checkin_id)
        reports = checkin_reports(
            checkin=checkin, user=request.user, is_facilitator=checkin.is_facilitator
        )
        page = self.paginate_queryset(reports)
        return self.get_paginated_response(ReportOutput(page, many=True).data)

    @extend_schema(
        request=ReportInput, responses={200: ReportOutput}, operation_id="checkins_reports_put"
    )
    def put(self, request: Request, checkin_id: int) -> Response:
        checkin = _checkin(request, checkin_id)
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        mine = convoy_member_companies_of_user(user=request.user, convoy_id=checkin.convoy_id)
        if not mine:
            raise PermissionDenied(_("Only people of a member company may file its report."))
        company_id = values.pop("company", None)
        if company_id is None:
            if len(mine) > 1:
                raise ValidationError({"company": [_("Say which of your companies reports.")]})
            company_id = mine[0]
        elif company_id not in mine:
            raise ValidationError({"company": [_("Unknown company.")]})
        company = Company.objects.get(pk=company_id)
        report = report_file(actor=request.user, checkin=checkin, company=company, **values)
        output = CheckInReport.objects.select_related("company", "author").get(pk=report.pk)
        return Response(ReportOutput(output).data)


class NotesView(_CheckInAPIView):
    serializer_class = CheckInOutput

    @extend_schema(
        request=NotesInput, responses={200: CheckInOutput}, operation_id="checkins_notes"
    )
    def post(self, request: Request, checkin_id: int) -> Response:
        """The facilitator posts the meeting's notes to the convoy (Markdown)."""
        checkin = _checkin(request, checkin_id)
        _require_facilitator(request, checkin)
        data = NotesInput(data=request.data)
        data.is_valid(raise_exception=True)
        checkin_notes_post(actor=request.user, checkin=checkin, **data.validated_data)
        return Response(_output(request, checkin_id))


class AttendanceCsvView(_CheckInAPIView):
    serializer_class = None

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR}, operation_id="checkins_attendance_csv"
    )
    def get(self, request: Request, checkin_id: int) -> HttpResponse:
        """Facilitator: one row per person: name, e-mail, company, response, status, report."""
        checkin = _checkin(request, checkin_id)
        _require_facilitator(request, checkin)
        audit_export_downloaded(
            request=request._request,
            target=f"checkin:{checkin.pk}",
            export="attendance",
            format="csv",
        )
        return attendance_csv(checkin)


class AttendanceXlsxView(_CheckInAPIView):
    serializer_class = None

    @extend_schema(
        responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY},
        operation_id="checkins_attendance_xlsx",
    )
    def get(self, request: Request, checkin_id: int) -> HttpResponse:
        """Facilitator: the attendance as an Excel workbook (translated values, real dates)."""
        checkin = _checkin(request, checkin_id)
        _require_facilitator(request, checkin)
        audit_export_downloaded(
            request=request._request,
            target=f"checkin:{checkin.pk}",
            export="attendance",
            format="xlsx",
        )
        return attendance_xlsx(checkin)


class CheckInIcsView(_CheckInAPIView):
    serializer_class = None

    @extend_schema(
        responses={(200, "text/calendar"): OpenApiTypes.STR}, operation_id="checkins_ics"
    )
    def get(self, request: Request, checkin_id: int) -> HttpResponse:
        """The check-in as an iCalendar file (RFC 5545)."""
        checkin = _checkin(request, checkin_id)
        response = HttpResponse(
            calendar_build([checkin], name=checkin.title), content_type=CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="checkin-{checkin.pk}.ics"'
        return response


class MyCalendarView(GenericAPIView):
    serializer_class = CalendarFeedOutput

    @extend_schema(responses={200: CalendarFeedOutput}, operation_id="me_calendar_retrieve")
    def get(self, request: Request) -> Response:
        """Your secret calendar subscription URL (null until you make one with rotate)."""
        return Response({"url": feed_url_for(user=request.user)})


class MyCalendarRotateView(GenericAPIView):
    serializer_class = CalendarFeedOutput

    @extend_schema(
        request=None, responses={200: CalendarFeedOutput}, operation_id="me_calendar_rotate"
    )
    def post(self, request: Request) -> Response:
        """A new subscription URL; the old one stops working (404)."""
        _feed, token = calendar_feed_rotate(user=request.user)
        return Response({"url": feed_url_for(user=request.user, token=token)})
