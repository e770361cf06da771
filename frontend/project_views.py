"""Pages of projects, milestones and updates: create (with first milestones), the project page,
edit, share, archive, restore, delete (after a confirmation page), mark done; a milestone's
edit and delete; an update's edit and delete.

Each view looks things up through the scoped selectors (what a person may not see is a 404),
validates a form and calls one service; services raise PermissionDenied for a known but
forbidden action (a 403) and ValidationError for bad input (shown on the form).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from companies.selectors import company_role, is_company_owner
from convoys.selectors import companies_visible_to, company_convoys
from frontend.comments_views import project_comments_context
from frontend.forms import MilestoneForm, MilestoneStatusForm, errors_to_form
from frontend.project_forms import MilestoneEditForm, ProjectForm, UpdateEditForm
from overview.first_steps import first_steps_for
from projects.models import MilestoneStatus, Project, ProjectStatus, Update
from projects.selectors import (
    milestones_for_user,
    progress_percent,
    project_convoys_for_user,
    project_detail_queryset,
    updates_for_user,
)
from projects.services import (
    milestone_create,
    milestone_delete,
    milestone_update,
    project_archive,
    project_complete,
    project_create,
    project_delete,
    project_restore,
    project_update,
    update_delete,
    update_edit,
)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _own_project(request: HttpRequest, project_id: int) -> Project:
    """A project the person sees (else 404) and may change (else 403)."""
    project = get_object_or_404(project_detail_queryset(user=request.user), pk=project_id)
    if company_role(user=request.user, company=project.company) is None:
        raise PermissionDenied  # a convoy peer sees it but cannot change it
    return project


# --- create ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def project_create_view(request: HttpRequest, company_id: int) -> HttpResponse:
    """One screen for a project: its fields, its sharing and up to three first milestones."""
    company = get_object_or_404(companies_visible_to(user=request.user), pk=company_id)
    if company_role(user=request.user, company=company) is None:
        raise PermissionDenied  # a convoy peer sees the company but cannot add its projects
    convoys = list(company_convoys(company_id=company.pk))
    form = ProjectForm(request.POST or None, convoys=convoys, first=True)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create(
                actor=request.user,
                company=company,
                convoy_ids=form.convoy_ids(),
                milestones=form.first_milestones(),
                **form.values(),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return redirect("frontend:project", project_id=project.pk)
    return render(
        request, "frontend/project_form.html", {"form": form, "company": company, "new": True}
    )


# --- the project page ------------------------------------------------------------------------


def _project_context(request: HttpRequest, project: Project, **extra: Any) -> dict[str, Any]:
    can_edit = company_role(user=request.user, company=project.company) is not None
    convoys = project_convoys_for_user(user=request.user, project=project)
    milestones = list(project.milestones.all())  # prefetched
    weights = {m.weight for m in milestones}
    return {
        "project": project,
        "can_edit": can_edit,
        "convoys": convoys,
        **project_comments_context(request, project, convoys),
        "progress": progress_percent(
            done_weight=project.weight_done,
            total_weight=project.weight_total,
            status=project.status,
        ),
        # Unequal weights are shown, so that the % can be checked against what is listed.
        "show_weights": len(weights) > 1,
        # The company says when it is done; offered once every milestone is.
        "offer_done": can_edit
        and project.status != ProjectStatus.DONE
        and bool(milestones)
        and all(m.status == MilestoneStatus.DONE for m in milestones),
        "milestone_form": extra.pop("milestone_form", None) or MilestoneForm(),
        "status_choices": MilestoneStatusForm.base_fields["status"].choices,
        **extra,
    }


def _project_block(request: HttpRequest, project_id: int, **extra: Any) -> HttpResponse:
    """The milestones block of a project page: the htmx answer, and the fallback a full page."""
    project = get_object_or_404(project_detail_queryset(user=request.user), pk=project_id)
    context = _project_context(request, project, **extra)
    if _is_htmx(request):
        return render(request, "frontend/partials/project_milestones.html", context)
    return render(request, "frontend/project_detail.html", context)


@login_required
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    if _is_htmx(request):
        return _project_block(request, project_id)
    # A new project's page is where the guide's next step (milestones, the first update)
    # starts from: it is shown here too, not only on the dashboard.
    return _project_block(request, project_id, first_steps=first_steps_for(user=request.user))


# --- edit, done, archive, delete ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def project_edit_view(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _own_project(request, project_id)
    convoys = list(company_convoys(company_id=project.company_id))
    shared = [c.pk for c in project.convoys.all() if c.pk in {x.pk for x in convoys}]
    initial = {
        name: getattr(project, name)
        for name in ("title", "category", "status", "description", "start_date", "target_date")
    }
    form = ProjectForm(request.POST or None, initial=initial, convoys=convoys, shared_ids=shared)
    if request.method == "POST" and form.is_valid():
        try:
            project_update(
                actor=request.user,
                project=project,
                convoy_ids=form.convoy_ids() if convoys else None,
                **form.values(),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The project was saved."))
            return redirect("frontend:project", project_id=project.pk)
    return render(
        request,
        "frontend/project_form.html",
        {"form": form, "company": project.company, "project": project, "new": False},
    )


@login_required
@require_POST
def project_complete_view(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _own_project(request, project_id)
    project_complete(actor=request.user, project=project)
    messages.success(request, _("Congratulations: the project is done."))
    return redirect("frontend:project", project_id=project.pk)


@login_required
@require_POST
def project_archive_view(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _own_project(request, project_id)
    project_archive(actor=request.user, project=project)
    messages.success(
        request,
        _(
            "The project was archived: it no longer shows on the dashboard. "
            "You can restore it here."
        ),
    )
    return redirect("frontend:project", project_id=project.pk)


@login_required
@require_POST
def project_restore_view(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _own_project(request, project_id)
    project_restore(actor=request.user, project=project)
    messages.success(request, _("The project was restored."))
    return redirect("frontend:project", project_id=project.pk)


@login_required
@require_http_methods(["GET", "POST"])
def project_delete_view(request: HttpRequest, project_id: int) -> HttpResponse:
    """A confirmation page that says what goes; the POST deletes."""
    project = _own_project(request, project_id)
    if request.method == "POST":
        company_id = project.company_id
        title = project.title
        project_delete(actor=request.user, project=project)
        messages.success(request, _("The project “%(title)s” was deleted.") % {"title": title})
        return redirect("frontend:company", company_id=company_id)
    return render(
        request,
        "frontend/confirm_delete.html",
        {
            "heading": _("Delete the project “%(title)s”?") % {"title": project.title},
            "goes": [
                _("the project and its description"),
                *(
                    [
                        ngettext(
                            "its milestone and the comments on it",
                            "its %(n)d milestones and the comments on them",
                            n,
                        )
                        % {"n": n}
                    ]
                    if (n := project.milestones_total)
                    else []
                ),
                _("the comments on the project in every convoy it is shared with"),
            ],
            "stays": _(
                "Updates that mention its milestones stay. To keep the project without showing "
                "it, archive it instead."
            ),
            "told": bool(project.convoys.all()),  # prefetched: the convoys it is shared with
            "action": reverse("frontend:project_delete", kwargs={"project_id": project.pk}),
            "cancel": reverse("frontend:project", kwargs={"project_id": project.pk}),
            "archive": None
            if project.archived_at
            else reverse("frontend:project_archive", kwargs={"project_id": project.pk}),
            "breadcrumb": (project.title, reverse("frontend:project", args=[project.pk])),
        },
    )


# --- milestones --------------------------------------------------------------------------------


@login_required
@require_POST
def milestone_create_view(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_object_or_404(project_detail_queryset(user=request.user), pk=project_id)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            milestone_create(actor=request.user, project=project, **data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            if not _is_htmx(request):
                return redirect("frontend:project", project_id=project.pk)
            form = None  # a fresh, empty form for the next milestone
    return _project_block(request, project.pk, milestone_form=form)


@login_required
@require_POST
def milestone_status_view(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = get_object_or_404(milestones_for_user(user=request.user), pk=milestone_id)
    form = MilestoneStatusForm(request.POST)
    error = None
    if form.is_valid():
        try:
            milestone_update(actor=request.user, milestone=milestone, **form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if not _is_htmx(request):
                return redirect("frontend:project", project_id=milestone.project_id)
    else:
        error = " ".join(form.errors.get("status", []))
    return _project_block(request, milestone.project_id, status_error=error)


def _own_milestone(request: HttpRequest, milestone_id: int):
    milestone = get_object_or_404(
        milestones_for_user(user=request.user).select_related("project__company"),
        pk=milestone_id,
    )
    if company_role(user=request.user, company=milestone.project.company) is None:
        raise PermissionDenied
    return milestone


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit_view(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = _own_milestone(request, milestone_id)
    initial = {n: getattr(milestone, n) for n in ("title", "due_date", "status", "weight")}
    form = MilestoneEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            milestone_update(actor=request.user, milestone=milestone, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The milestone was saved."))
            return redirect(
                reverse("frontend:project", args=[milestone.project_id])
                + f"#milestone-{milestone.pk}"
            )
    return render(request, "frontend/milestone_form.html", {"form": form, "milestone": milestone})


@login_required
@require_http_methods(["GET", "POST"])
def milestone_delete_view(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = _own_milestone(request, milestone_id)
    project_url = reverse("frontend:project", args=[milestone.project_id])
    if request.method == "POST":
        milestone_delete(actor=request.user, milestone=milestone)
        messages.success(
            request, _("The milestone “%(title)s” was deleted.") % {"title": milestone.title}
        )
        return redirect(project_url)
    return render(
        request,
        "frontend/confirm_delete.html",
        {
            "heading": _("Delete the milestone “%(title)s”?") % {"title": milestone.title},
            "goes": [_("the milestone"), _("the comments on it")],
            "stays": _("Updates that mention it stay."),
            "told": bool(project_convoys_for_user(user=request.user, project=milestone.project)),
            "action": reverse("frontend:milestone_delete", args=[milestone.pk]),
            "cancel": project_url,
            "breadcrumb": (milestone.project.title, project_url),
        },
    )


# --- updates -----------------------------------------------------------------------------------


def _own_update(request: HttpRequest, update_id: int) -> Update:
    """An update the person sees (else 404) and wrote or whose company they own (else 403)."""
    update = get_object_or_404(
        updates_for_user(user=request.user).select_related("convoy"), pk=update_id
    )
    is_author = update.author_id == request.user.pk
    if not is_author and not is_company_owner(user=request.user, company_id=update.company_id):
        raise PermissionDenied
    return update


@login_required
@require_http_methods(["GET", "POST"])
def update_edit_view(request: HttpRequest, update_id: int) -> HttpResponse:
    update = _own_update(request, update_id)
    milestones = (
        milestones_for_user(user=request.user)
        .filter(project__company_id=update.company_id, project__convoys=update.convoy_id)
        .select_related("project")
        .order_by("project__title", "due_date", "id")
    )
    initial = {
        "body": update.body,
        "next_steps": update.next_steps,
        "help_wanted": update.help_wanted,
        "stuck_on": update.stuck_on,
        "milestones": [m.pk for m in update.milestones.all()],
    }
    form = UpdateEditForm(request.POST or None, initial=initial, milestones=milestones)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            update_edit(
                actor=request.user, update=update, milestone_ids=data.pop("milestones"), **data
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Your update was saved."))
            return redirect(
                reverse("frontend:convoy", args=[update.convoy_id]) + f"#update-{update.pk}"
            )
    return render(
        request,
        "frontend/update_form.html",
        {"form": form, "convoy": update.convoy, "update": update},
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_delete_view(request: HttpRequest, update_id: int) -> HttpResponse:
    update = _own_update(request, update_id)
    convoy_url = reverse("frontend:convoy", args=[update.convoy_id])
    if request.method == "POST":
        update_delete(actor=request.user, update=update)
        messages.success(request, _("The update was deleted."))
        return redirect(convoy_url)
    return render(
        request,
        "frontend/confirm_delete.html",
        {
            "heading": _("Delete this update?"),
            "quote": update.body,
            "goes": [_("the update"), _("the comments on it")],
            "stays": _("The milestones it mentions stay."),
            "told": True,
            "action": reverse("frontend:update_delete", args=[update.pk]),
            "cancel": convoy_url + f"#update-{update.pk}",
            "breadcrumb": (update.convoy.name, convoy_url),
        },
    )
