"""The programme's convoy overview page (/programmes/<id>/convoys/): every convoy of the
programme with its figures, for the programme's staff; anyone else gets 404."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from convoys.models import ConvoyStatus
from programmes.selectors import programme_for_staff
from reports.programme_overview import programme_convoys_overview


@login_required
@require_GET
def programme_convoys_view(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme, role = programme_for_staff(programme_id=programme_id, user=request.user)
    # The filter is a pair of links: an unknown status is no filter rather than an error page.
    status = request.GET.get("status", "")
    status = status if status in ConvoyStatus.values else ""
    needs_attention = request.GET.get("attention") == "1"
    overview = programme_convoys_overview(
        programme=programme,
        user=request.user,
        now=timezone.now(),
        status=status,
        needs_attention=needs_attention,
    )
    return render(
        request,
        "frontend/programmes/convoys.html",
        {
            "programme": programme,
            "role": role,
            "overview": overview,
            "status": status,
            "needs_attention": needs_attention,
            "statuses": [
                (value, label, overview.status_counts[value])
                for value, label in ConvoyStatus.choices
            ],
        },
    )
