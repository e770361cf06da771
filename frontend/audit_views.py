"""The person's own activity: their audit log in plain words (audit.selectors)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.origin import user_agent_summary
from audit.selectors import audit_actor_name, audit_entries_for_user, audit_role_label

PAGE_SIZE = 25


@login_required
@require_GET
def profile_activity_view(request: HttpRequest) -> HttpResponse:
    """Entries about the person's own account only, newest first."""
    page = Paginator(audit_entries_for_user(request.user.pk or 0), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    items = [
        {
            "entry": entry,
            "label": entry.get_action_display(),
            "device": user_agent_summary(entry.user_agent) if entry.user_agent else "",
            "actor_name": audit_actor_name(entry),
            "role": audit_role_label(entry),
        }
        for entry in page
    ]
    return render(request, "frontend/profile/activity.html", {"page": page, "items": items})
