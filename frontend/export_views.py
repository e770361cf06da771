"""Downloads for facilitators: the convoy export (one Excel workbook)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from audit.services import audit_export_downloaded
from checkins.exports import xlsx_response
from convoys.selectors import convoy_visible, require_facilitator
from overview.exports import convoy_export_filename, convoy_export_workbook


@login_required
def convoy_export_view(request: HttpRequest, convoy_id: int) -> HttpResponse:
    """Outsiders get 404, members of the convoy 403 (they may know it exists)."""
    convoy = convoy_visible(user=request.user, convoy_id=convoy_id)
    if convoy is None:
        raise Http404
    require_facilitator(user=request.user, convoy_id=convoy.pk, known=convoy)
    audit_export_downloaded(
        request=request, target=f"convoy:{convoy.pk}", export="convoy", format="xlsx"
    )
    return xlsx_response(
        convoy_export_workbook(convoy=convoy), filename=convoy_export_filename(convoy)
    )
