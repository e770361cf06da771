"""Comment threads in the web UI: the context pages need to show threads (built in a constant
number of queries), the htmx endpoints that post, edit, delete, hide and react (each answers
the fresh thread), and the @mention suggestions of a convoy.

Every thread is rendered by frontend/comments/thread.html; its list of comments is a
[data-live-region] with a stable id, so live.js refreshes it on the convoy's events.
"""

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from comments.models import Comment, Emoji, TargetType
from comments.selectors import (
    comments_for_user,
    convoy_people_search,
    target_convoys_for_user,
    thread_key,
    threads_for_targets,
)
from comments.services import (
    comment_create,
    comment_delete,
    comment_hide,
    comment_update,
    reaction_toggle,
)
from comments.targets import target_resolve
from convoys.models import Convoy
from convoys.selectors import convoy_visible, is_facilitator
from frontend.redirects import next_url
from projects.models import Project
from projects.selectors import updates_for_convoy

FEED_UPDATES = 10


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


# --- context for pages -----------------------------------------------------------------------


def _moderates(request: HttpRequest, convoy: Convoy) -> bool:
    # convoy_list_for_user annotates is_facilitator; other lookups ask.
    return is_facilitator(user=request.user, convoy_id=convoy.pk, known=convoy)


def _threads_context(request: HttpRequest, convoy: Convoy, targets: list[tuple[str, int]]):
    return {
        "comment_convoy": convoy,
        "comment_threads": threads_for_targets(
            user=request.user, convoy_id=convoy.pk, targets=targets
        ),
        "comment_moderator": _moderates(request, convoy),
        "comment_emoji": Emoji.choices,
    }


def convoy_comments_context(request: HttpRequest, convoy: Convoy) -> dict[str, Any]:
    """The newest updates of the convoy, each with its thread (for the convoy page)."""
    # The feed shows no linked milestones: skip their prefetch.
    updates = list(updates_for_convoy(convoy=convoy).prefetch_related(None)[:FEED_UPDATES])
    return {
        "feed_updates": updates,
        **_threads_context(request, convoy, [(TargetType.UPDATE, u.pk) for u in updates]),
    }


def project_comments_context(
    request: HttpRequest, project: Project, convoys: list[Convoy]
) -> dict[str, Any]:
    """Threads of the project and its milestones in one of the convoys it is shared with (the
    one named by ?convoy=, else the first): a comment belongs to the convoy it was made in."""
    if not convoys:
        return {"comment_convoy": None, "comment_threads": {}}
    wanted = _int(request.GET.get("convoy") or request.POST.get("convoy"))
    if wanted is None and _is_htmx(request):
        # An htmx request from the page (e.g. adding a milestone) carries the page's address.
        query = parse_qs(urlsplit(request.headers.get("HX-Current-URL", "")).query)
        wanted = _int((query.get("convoy") or [None])[0])
    convoy = next((c for c in convoys if c.pk == wanted), convoys[0])
    targets = [(TargetType.PROJECT, project.pk)] + [
        (TargetType.MILESTONE, m.pk) for m in project.milestones.all()
    ]
    return _threads_context(request, convoy, targets)


def checkin_comments_context(request: HttpRequest, checkin: Any) -> dict[str, Any]:
    """The thread of a check-in (for its page); the caller has checked the person sees it."""
    convoy = convoy_visible(user=request.user, convoy_id=checkin.convoy_id)
    if convoy is None:
        return {"comment_convoy": None, "comment_threads": {}}
    return _threads_context(request, convoy, [(TargetType.CHECKIN, checkin.pk)])


# --- one thread (the htmx answers) -----------------------------------------------------------


def _thread_response(
    request: HttpRequest,
    *,
    convoy_id: int,
    target_type: str,
    target_id: int,
    error: str = "",
    draft: str = "",
    status: int = 200,
) -> HttpResponse:
    convoy = convoy_visible(user=request.user, convoy_id=convoy_id)
    if convoy is None:
        raise Http404
    context = _threads_context(request, convoy, [(target_type, target_id)])
    context.update(
        target_type=target_type,
        target_id=target_id,
        thread=context["comment_threads"][thread_key(target_type, target_id)],
        comment_error=error,
        comment_draft=draft,
    )
    return TemplateResponse(request, "frontend/comments/thread.html", context, status=status)


def _back(request: HttpRequest, comment: Comment | None = None) -> HttpResponse:
    """Without htmx: back to the page the form was on."""
    target = next_url(request, "/")
    return redirect(target + (f"#comment-{comment.pk}" if comment else ""))


def _answer(request: HttpRequest, comment: Comment) -> HttpResponse:
    if not _is_htmx(request):
        return _back(request, comment)
    return _thread_response(
        request,
        convoy_id=comment.convoy_id,
        target_type=comment.target_type,
        target_id=comment.target_id,
    )


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
@require_GET
def comment_thread_view(request: HttpRequest) -> HttpResponse:
    """One thread, for a refresh of just that thread: ?target_type=&target_id=&convoy=."""
    target_type = request.GET.get("target_type", "")
    target_id, convoy_id = _int(request.GET.get("target_id")), _int(request.GET.get("convoy"))
    if target_type not in TargetType.values or target_id is None or convoy_id is None:
        raise Http404
    target = target_resolve(target_type=target_type, target_id=target_id)
    if target is None or convoy_id not in target_convoys_for_user(user=request.user, target=target):
        raise Http404
    return _thread_response(
        request, convoy_id=convoy_id, target_type=target_type, target_id=target_id
    )


@login_required
@require_POST
def comment_create_view(request: HttpRequest) -> HttpResponse:
    target_type = request.POST.get("target_type", "")
    target_id, convoy_id = _int(request.POST.get("target_id")), _int(request.POST.get("convoy"))
    parent_id = _int(request.POST.get("parent"))
    body = request.POST.get("body", "")
    parent = None
    if parent_id is not None:
        parent = get_object_or_404(comments_for_user(user=request.user), pk=parent_id)
        target_type, target_id, convoy_id = parent.target_type, parent.target_id, parent.convoy_id
    if target_type not in TargetType.values or target_id is None or convoy_id is None:
        raise Http404
    target = target_resolve(target_type=target_type, target_id=target_id)
    if target is None or convoy_id not in target_convoys_for_user(user=request.user, target=target):
        raise Http404
    try:
        comment = comment_create(
            actor=request.user,
            body=body,
            target_type=target_type,
            target_id=target_id,
            parent=parent,
            convoy_id=convoy_id,
        )
    except ValidationError as exc:
        if not _is_htmx(request):
            return _back(request)
        # 200 so that htmx swaps it in: the form comes back with the text and the message.
        return _thread_response(
            request,
            convoy_id=convoy_id,
            target_type=target_type,
            target_id=target_id,
            error=_error_text(exc),
            draft=body if parent is None else "",
        )
    return _answer(request, comment)


def _visible_comment(request: HttpRequest, comment_id: int) -> Comment:
    return get_object_or_404(comments_for_user(user=request.user), pk=comment_id)


@login_required
@require_POST
def comment_edit_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _visible_comment(request, comment_id)
    try:
        comment = comment_update(
            actor=request.user, comment=comment, body=request.POST.get("body", "")
        )
    except ValidationError as exc:
        return _refused(request, comment, exc)
    return _answer(request, comment)


def _refused(request: HttpRequest, comment: Any, exc: ValidationError) -> HttpResponse:
    """The thread again with the reason shown (htmx), or back to the page."""
    if not _is_htmx(request):
        return _back(request, comment)
    return _thread_response(
        request,
        convoy_id=comment.convoy_id,
        target_type=comment.target_type,
        target_id=comment.target_id,
        error=_error_text(exc),
    )


@login_required
@require_POST
def comment_delete_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = comment_delete(actor=request.user, comment=_visible_comment(request, comment_id))
    return _answer(request, comment)


@login_required
@require_POST
def comment_hide_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = comment_hide(actor=request.user, comment=_visible_comment(request, comment_id))
    return _answer(request, comment)


@login_required
@require_POST
def comment_react_view(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _visible_comment(request, comment_id)
    try:
        reaction_toggle(actor=request.user, comment=comment, emoji=request.POST.get("emoji", ""))
    except ValidationError as exc:
        return _refused(request, comment, exc)
    return _answer(request, comment)


@login_required
@require_GET
def convoy_people_view(request: HttpRequest, convoy_id: int) -> JsonResponse:
    """@mention suggestions: people of the convoy whose handle or name matches ?q=."""
    if convoy_visible(user=request.user, convoy_id=convoy_id) is None:
        raise Http404
    query = request.GET.get("q", "")[:30]
    return JsonResponse({"people": convoy_people_search(convoy_id=convoy_id, query=query)})
