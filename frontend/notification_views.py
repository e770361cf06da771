"""Pages of the notifications area: the list, the preferences, and the unsubscribe link."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from convoys.selectors import convoys_for_user
from frontend.forms import errors_to_form
from frontend.timezones import TimezoneField
from notifications.emails import unsubscribe_parse
from notifications.kinds import ALLOWED_CHANNELS, notification_title
from notifications.links import notification_path
from notifications.models import Channel, NotificationKind
from notifications.selectors import notifications_for_user, preferences_for_user
from notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
    preferences_update,
    unsubscribe,
)

PAGE_SIZE = 30


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for_user(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    items = [{"n": n, "title": notification_title(n, tz=request.user.timezone)} for n in page]
    return render(request, "frontend/notifications/list.html", {"page": page, "items": items})


@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = notifications_for_user(user=request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    notification_mark_read(user=request.user, notification=notification)
    target = notification_path(notification)
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(user=request.user)
    return redirect("frontend:notifications")


MUTE_CHOICES = (
    ("", gettext_lazy("Notify me")),
    ("muted", gettext_lazy("Muted")),
    ("snoozed", gettext_lazy("Snoozed until …")),
)


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    timezone = TimezoneField()
    quiet_from = forms.TimeField(
        label=gettext_lazy("Quiet from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    quiet_until = forms.TimeField(
        label=gettext_lazy("Quiet until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    weekends = forms.BooleanField(
        label=gettext_lazy("Reminders and digests also on Saturdays and Sundays"), required=False
    )

    def __init__(self, *args: Any, convoys: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Channel.choices)
        for kind, label in NotificationKind.choices:
            self.fields[f"channel__{kind}"] = forms.ChoiceField(
                label=label, choices=[(c, labels[c]) for c in ALLOWED_CHANNELS[kind]]
            )
        self.convoys = convoys
        for convoy in convoys:
            self.fields[f"mute__{convoy.pk}"] = forms.ChoiceField(
                label=convoy.name, choices=MUTE_CHOICES, required=False
            )
            self.fields[f"until__{convoy.pk}"] = forms.DateField(
                label=_("Snoozed until"),
                required=False,
                # ISO, or the browser's date field shows the saved date as empty.
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def channel_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("channel__")]

    def convoy_rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"mute__{c.pk}"], self[f"until__{c.pk}"]) for c in self.convoys]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for convoy in self.convoys:
            if data.get(f"mute__{convoy.pk}") == "snoozed" and not data.get(f"until__{convoy.pk}"):
                self.add_error(f"until__{convoy.pk}", _("Until when?"))
        return data


def _initial(prefs: dict[str, Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "language": prefs["language"],
        "timezone": prefs["timezone"],
        "quiet_from": prefs["quiet_hours"]["from"],
        "quiet_until": prefs["quiet_hours"]["until"],
        "weekends": prefs["weekends"],
    }
    initial.update({f"channel__{k}": v for k, v in prefs["channels"].items()})
    for mute in prefs["muted_convoys"]:
        initial[f"mute__{mute['convoy']}"] = "snoozed" if mute["until"] else "muted"
        initial[f"until__{mute['convoy']}"] = mute["until"]
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    convoys = list(convoys_for_user(user=request.user).order_by("name", "id"))
    if request.method == "POST":
        form = PreferencesForm(request.POST, convoys=convoys)
        if form.is_valid():
            data = form.cleaned_data
            mutes = [
                {
                    "convoy": c.pk,
                    "until": data[f"until__{c.pk}"] if data[f"mute__{c.pk}"] == "snoozed" else None,
                }
                for c in convoys
                if data.get(f"mute__{c.pk}")
            ]
            try:
                preferences_update(
                    user=request.user,
                    channels={
                        k.removeprefix("channel__"): v
                        for k, v in data.items()
                        if k.startswith("channel__")
                    },
                    quiet_from=data["quiet_from"],
                    quiet_until=data["quiet_until"],
                    quiet_hours_given=True,
                    weekends=data["weekends"],
                    language=data["language"],
                    timezone_name=data["timezone"],
                    muted_convoys=mutes,
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                response = redirect("frontend:notification_preferences")
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, data["language"])
                messages.success(request, _("Your settings are saved."))
                return response
    else:
        form = PreferencesForm(
            initial=_initial(preferences_for_user(user=request.user)), convoys=convoys
        )
    return render(request, "frontend/notifications/preferences.html", {"form": form})


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs without a session or CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every e-mail. GET asks (link scanners fetch links), POST unsubscribes."""
    parsed = unsubscribe_parse(token)
    if parsed is None:
        raise Http404
    user_id, kind = parsed
    if kind in NotificationKind.values:
        label = NotificationKind(kind).label
    elif kind == "digest.daily":
        label = _("Daily digest")
    else:
        label = _("Weekly digest")
    done = False
    if request.method == "POST":
        unsubscribe(user_id=user_id, kind=kind)
        done = True
    return render(
        request,
        "frontend/notifications/unsubscribe.html",
        {"label": label, "done": done, "token": token},
    )
