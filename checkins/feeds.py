"""The per-person calendar subscription feed: GET /calendar/<token>.ics, no login.

The secret token in the URL is the credential (calendar apps cannot log in). An unknown or
revoked token is a 404, like anything else one may not see. The feed speaks its owner's
language, whoever fetches it (a calendar server sends no Accept-Language, or its own).
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import User
from checkins.calendars import CONTENT_TYPE, calendar_build
from checkins.models import CalendarFeed
from checkins.selectors import checkins_for_feed
from checkins.services import calendar_feed_by_token, feed_token


def feed_url_for(*, user: User, token: str | None = None) -> str | None:
    """The absolute subscription URL of the person's active feed, or None if they have none."""
    if token is None:
        feed = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()
        if feed is None:
            return None
        token = feed_token(feed.nonce)
    return settings.SITE_URL + reverse("calendar-feed", kwargs={"token": token})


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = calendar_feed_by_token(token=token)
    if feed is None or not feed.user.is_active:
        raise Http404
    owner = feed.user
    checkins = checkins_for_feed(user=owner, now=timezone.now())
    with translation.override(owner.language):
        body = calendar_build(
            checkins, name=_("Konvoi check-ins"), feed_timezone=owner.timezone or None
        )
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="konvoi.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Language"] = owner.language
    return response
