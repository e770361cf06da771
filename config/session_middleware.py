"""Keeps the list of signed-in browsers current: refreshes the row of the request's session
(accounts.sessions) at most every SESSION_SEEN_INTERVAL_SECONDS.

Runs in the response phase, inside SessionMiddleware (listed after it), so that the session's
final key is known (a password change gives this browser a new key). The check whether a
refresh is due reads a time kept in the session itself: no query unless a write is due, and
nothing at all for a request that never looked at its session (an API call with a token).
"""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts.sessions import (
    RECORDED_ATTRIBUTE,
    request_session_user_id,
    user_session_seen,
    user_session_seen_due,
)


class SessionSeenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        start_key = session.session_key if session is not None else None
        response = self.get_response(request)
        if session is None or not session.accessed or getattr(request, RECORDED_ATTRIBUTE, False):
            return response
        session = request.session  # the same object, possibly flushed or re-keyed
        user_id = request_session_user_id(request)
        key = session.session_key
        if user_id is None or not key or response.status_code >= 500:
            return response
        moved = bool(start_key) and start_key != key
        if moved or user_session_seen_due(session, now=time.time()):
            user_session_seen(
                request=request, user_id=user_id, previous_key=start_key if moved else None
            )
        return response
