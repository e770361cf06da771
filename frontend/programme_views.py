"""Pages of programmes: mine and a new one, a programme's home, its staff, its settings, the
staff invitation, and the public page under /p/<slug>/.

Every page of a programme's inside goes through programmes.selectors.programme_for_staff
(outsiders 404, coaches 403 where a manager is needed); the services check the role again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from frontend.event_public_views import public_event_rows
from frontend.forms import errors_to_form
from frontend.programme_forms import (
    ProgrammeCreateForm,
    ProgrammeSettingsForm,
    StaffAddForm,
    StaffRoleForm,
)
from programmes.models import Programme, Staff, StaffRole
from programmes.selectors import (
    programme_for_staff,
    programme_public,
    programme_staff,
    programmes_with_role,
    staff_invitations_pending,
)
from programmes.services import (
    PROGRAMME_FIELDS,
    programme_create,
    programme_create_allowed,
    programme_create_limited_message,
    programme_update,
    staff_add,
    staff_invitation_accept,
    staff_invitation_allowed,
    staff_invitation_by_token,
    staff_invitation_is_for,
    staff_invitation_limited_message,
    staff_invitation_mismatch_message,
    staff_invitation_problem,
    staff_invitation_revoke,
    staff_remove,
    staff_role_set,
)


def url_if_known(name: str, **kwargs: object) -> str | None:
    """The path of a page another part of the programme layer builds, or None while it does
    not exist yet (its card is then left out)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def programmes_view(request: HttpRequest) -> HttpResponse:
    """My programmes, and a form to create one (the creator becomes its manager)."""
    form = ProgrammeCreateForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        if not programme_create_allowed(user_id=request.user.pk):
            form.add_error(None, programme_create_limited_message())
            status = 429
        else:
            try:
                programme = programme_create(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _("The programme %(name)s was created.") % {"name": programme.name},
                )
                return redirect("frontend:programme", programme_id=programme.pk)
    programmes = list(programmes_with_role(user=request.user))
    context = {"programmes": programmes, "form": form}
    return render(request, "frontend/programmes/list.html", context, status=status)


@login_required
def programme_view(request: HttpRequest, programme_id: int) -> HttpResponse:
    """A programme's home: who it is, your role, and the ways into its work."""
    programme, role = programme_for_staff(programme_id=programme_id, user=request.user)
    cards = [
        (
            _("Convoys"),
            _("The programme’s convoys and how their companies are doing."),
            url_if_known("frontend:programme_convoys", programme_id=programme.pk),
        ),
        (
            _("Company register"),
            _("The companies the programme reached, their stage and services."),
            url_if_known("frontend:programme_register", programme_id=programme.pk),
        ),
        (
            _("Events"),
            _("Open events: registrations, the door check-in, messages afterwards."),
            url_if_known("frontend:programme_events", programme_id=programme.pk),
        ),
    ]
    if role == StaffRole.MANAGER:
        cards.append(
            (
                _("Report"),
                _("The figures for your funders, for any period."),
                url_if_known("frontend:programme_report", programme_id=programme.pk),
            )
        )
    context = {
        "programme": programme,
        "role": role,
        "is_manager": role == StaffRole.MANAGER,
        "cards": [card for card in cards if card[2] is not None],
    }
    return render(request, "frontend/programmes/home.html", context)


def _staff_page(programme: Programme) -> str:
    return reverse("frontend:programme_staff", kwargs={"programme_id": programme.pk})


@login_required
@require_http_methods(["GET", "POST"])
def programme_staff_view(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The staff: everyone sees their colleagues; managers invite people by e-mail (always an
    invitation, accounts or not), change roles and withdraw invitations."""
    manager_only = request.method == "POST"
    programme, role = programme_for_staff(
        programme_id=programme_id, user=request.user, manager=manager_only
    )
    form = StaffAddForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        if not staff_invitation_allowed(user_id=request.user.pk):
            form.add_error(None, staff_invitation_limited_message())
            status = 429
        else:
            try:
                added = staff_add(programme=programme, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                text = _("An invitation was sent to %(email)s. The link is valid for one use.") % {
                    "email": added.invitation.email
                }
                messages.success(request, text)
                return redirect(_staff_page(programme))
    is_manager = role == StaffRole.MANAGER
    context = {
        "programme": programme,
        "role": role,
        "is_manager": is_manager,
        "staff": list(programme_staff(programme=programme)),
        "invitations": list(staff_invitations_pending(programme=programme)) if is_manager else [],
        "form": form,
        "roles": StaffRole.choices,
    }
    return render(request, "frontend/programmes/staff.html", context, status=status)


def _staff_of(request: HttpRequest, programme_id: int, staff_id: int, *, manager: bool) -> Staff:
    programme, _role = programme_for_staff(
        programme_id=programme_id, user=request.user, manager=manager
    )
    return get_object_or_404(programme_staff(programme=programme), pk=staff_id)


@login_required
@require_POST
def programme_staff_role_view(
    request: HttpRequest, programme_id: int, staff_id: int
) -> HttpResponse:
    staff = _staff_of(request, programme_id, staff_id, manager=True)
    form = StaffRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose manager or coach."))
        return redirect(_staff_page(staff.programme))
    try:
        staff = staff_role_set(staff=staff, role=form.cleaned_data["role"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": staff.user.display_name, "role": staff.get_role_display()},
        )
    return redirect(_staff_page(staff.programme))


@login_required
@require_http_methods(["GET", "POST"])
def programme_staff_remove_view(
    request: HttpRequest, programme_id: int, staff_id: int
) -> HttpResponse:
    """Managers take someone off the staff; anyone may leave. GET asks to confirm, POST does
    it."""
    staff = _staff_of(request, programme_id, staff_id, manager=False)
    leaving = staff.user_id == request.user.pk
    if not leaving:
        programme_for_staff(programme_id=programme_id, user=request.user, manager=True)
    if request.method == "GET":
        context = {"programme": staff.programme, "staff": staff, "leaving": leaving}
        return render(request, "frontend/programmes/staff_remove.html", context)
    try:
        staff_remove(staff=staff, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_staff_page(staff.programme))
    if leaving:
        messages.success(
            request, _("You left %(programme)s.") % {"programme": staff.programme.name}
        )
        return redirect("frontend:programmes")
    messages.success(
        request, _("%(name)s is no longer on the staff.") % {"name": staff.user.display_name}
    )
    return redirect(_staff_page(staff.programme))


@login_required
@require_POST
def programme_staff_invitation_revoke_view(
    request: HttpRequest, programme_id: int, invitation_id: int
) -> HttpResponse:
    programme, _role = programme_for_staff(
        programme_id=programme_id, user=request.user, manager=True
    )
    invitation = get_object_or_404(programme.staff_invitations.all(), pk=invitation_id)
    try:
        staff_invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s was withdrawn: its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect(_staff_page(programme))


@login_required
@require_http_methods(["GET", "POST"])
def programme_settings_view(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The programme's name, public address and contacts (managers)."""
    programme, role = programme_for_staff(
        programme_id=programme_id, user=request.user, manager=True
    )
    initial = {name: getattr(programme, name) for name in PROGRAMME_FIELDS}
    form = ProgrammeSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme_update(programme=programme, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The programme’s settings were saved."))
            return redirect("frontend:programme", programme_id=programme.pk)
    context = {"programme": programme, "role": role, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "frontend/programmes/settings.html", context, status=status)


@require_http_methods(["GET", "POST"])
def programme_invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    """The page a staff invitation e-mail links to: sign up (prefilled) or log in, then join
    with one button."""
    invitation = staff_invitation_by_token(token=token)
    context: dict = {"invitation": invitation, "token": token}
    if invitation is None:
        context["problem"] = _("This invitation link is not valid.")
        return render(request, "frontend/programmes/invitation.html", context, status=404)
    problem = staff_invitation_problem(invitation)
    if problem or not request.user.is_authenticated:
        context["problem"] = problem
        status = 410 if problem else 200
        return render(request, "frontend/programmes/invitation.html", context, status=status)
    if not staff_invitation_is_for(invitation=invitation, user=request.user):
        context["mismatch"] = staff_invitation_mismatch_message(
            invitation=invitation, user=request.user
        )
        return render(request, "frontend/programmes/invitation.html", context, status=403)
    if request.method == "POST":
        try:
            staff = staff_invitation_accept(token=token, user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            context["problem"] = (
                " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            )
            return render(request, "frontend/programmes/invitation.html", context, status=400)
        messages.success(
            request, _("Welcome to %(programme)s!") % {"programme": staff.programme.name}
        )
        return redirect("frontend:programme", programme_id=staff.programme_id)
    return render(request, "frontend/programmes/invitation.html", context)


def programme_public_view(request: HttpRequest, slug: str) -> HttpResponse:
    """A programme's public page: anyone, no login."""
    programme = programme_public(slug=slug)
    # Its upcoming open events (issue 15): one query, seats left from the counts.
    events = public_event_rows(programme=programme)
    return render(
        request,
        "frontend/events/public/programme.html",
        {"programme": programme, "events": events},
    )
