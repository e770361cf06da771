"""Profile pages for where one is signed in: the signed-in browsers (sign one out, or all
others) and the API tokens (make one, revoke one or all). Writes go through accounts.sessions
and accounts.services, which the API uses too."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.mfa import request_second_factor_verified, token_issue_allowed
from accounts.models import UserSession
from accounts.selectors import api_tokens_for_user
from accounts.services import api_token_create, api_token_revoke, api_tokens_revoke_all
from accounts.sessions import (
    request_session_user_id,
    user_session_revoke,
    user_session_seen,
    user_sessions_for,
    user_sessions_revoke_others,
)

TOKEN_PREFIX_LENGTH = 8
# A new token's secret waits here between the POST that made it and the one page that shows it
# (Post/Redirect/Get: a reload does not make another token); popped when shown.
NEW_TOKEN_SESSION_KEY = "_konvoi_new_api_token"


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the token"),
        max_length=100,
        help_text=gettext_lazy("What it is for, e.g. “Accounting export” or “Phone app”."),
    )


@login_required
@require_GET
def profile_sessions_view(request: HttpRequest) -> HttpResponse:
    key = request.session.session_key
    sessions = user_sessions_for(request.user, current_key=key)
    user_id = request_session_user_id(request)
    if key and user_id is not None and not any(s.current for s in sessions):
        # This browser signed in before the list existed: it is listed from now on.
        user_session_seen(request=request, user_id=user_id)
        sessions = user_sessions_for(request.user, current_key=key)
    return render(
        request,
        "frontend/profile/sessions.html",
        {"sessions": sessions, "others": sum(1 for s in sessions if not s.current)},
    )


@login_required
@require_POST
def profile_session_revoke_view(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        user_session_revoke(request.user, session_id, request=request)
    except UserSession.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("frontend:profile_sessions")
    messages.success(request, _("The session is ended; that device is logged out."))
    return redirect("frontend:profile_sessions")


@login_required
@require_POST
def profile_sessions_revoke_others_view(request: HttpRequest) -> HttpResponse:
    ended = user_sessions_revoke_others(request.user, request.session.session_key, request=request)
    if ended:
        messages.success(request, _("You are now logged out on every other device."))
    else:
        messages.info(request, _("You were not logged in on any other device."))
    return redirect("frontend:profile_sessions")


def _token_issue_allowed(request: HttpRequest) -> bool:
    # A token works without the second factor: only a session that passed it may make one.
    return token_issue_allowed(request.user, request_second_factor_verified(request))


def _tokens_page(
    request: HttpRequest, *, form: TokenCreateForm, secret: str = "", status: int = 200
) -> HttpResponse:
    response = render(
        request,
        "frontend/profile/tokens.html",
        {
            "tokens": api_tokens_for_user(user=request.user).order_by("-created", "-pk"),
            "form": form,
            "secret": secret,
            "issue_allowed": _token_issue_allowed(request),
            "prefix_length": TOKEN_PREFIX_LENGTH,
        },
        status=status,
    )
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_tokens_view(request: HttpRequest) -> HttpResponse:
    """GET: the list and the form, and a just-made token's secret, once (popped from the
    session). POST: make a token, keep its secret in the session for that one display and
    redirect here (a reload then makes no second token). Never cached."""
    if request.method != "POST":
        secret = request.session.pop(NEW_TOKEN_SESSION_KEY, "")
        return _tokens_page(request, form=TokenCreateForm(), secret=secret)
    form = TokenCreateForm(request.POST)
    if not _token_issue_allowed(request):
        form.add_error(
            None,
            _("Confirm your second factor in this session before you make an API token."),
        )
        return _tokens_page(request, form=form, status=403)
    if not form.is_valid():
        return _tokens_page(request, form=form, status=400)
    _token, secret = api_token_create(
        user=request.user, name=form.cleaned_data["name"], request=request
    )
    request.session[NEW_TOKEN_SESSION_KEY] = secret
    return redirect("frontend:profile_tokens")


@login_required
@require_POST
def profile_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(api_tokens_for_user(user=request.user), pk=token_id)
    api_token_revoke(token=token, request=request)
    messages.success(request, _("The token is revoked; programs using it no longer get in."))
    return redirect("frontend:profile_tokens")


@login_required
@require_POST
def profile_tokens_revoke_all_view(request: HttpRequest) -> HttpResponse:
    revoked = api_tokens_revoke_all(user=request.user, request=request)
    if revoked:
        messages.success(request, _("Every API token of yours is revoked."))
    else:
        messages.info(request, _("You have no API tokens."))
    return redirect("frontend:profile_tokens")
