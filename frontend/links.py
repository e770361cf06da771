"""Where the web UI shows a notification's target, and the pages e-mails link to: the link
builder registered with notifications.links in FrontendConfig.ready()."""

from django.urls import reverse

from notifications.links import Target


def frontend_link(target: Target) -> str | None:
    """The path of a target in the web UI, or None for one it does not show."""
    anchor = f"#{target.anchor}" if target.anchor else ""
    if target.type == "convoy" and target.id:
        return reverse("frontend:convoy", kwargs={"convoy_id": target.id}) + anchor
    if target.type == "project" and target.id:
        path = reverse("frontend:project", kwargs={"project_id": target.id})
        # The project as seen in the convoy it was commented in.
        query = f"?convoy={target.convoy_id}" if target.convoy_id else ""
        return path + query + anchor
    if target.type == "checkin" and target.id:
        return reverse("frontend:checkin", kwargs={"checkin_id": target.id}) + anchor
    if target.type == "invitation":
        # The one-time link needs the token, which only the invitation e-mail has; in the
        # app the invitation is only announced (its link is "/", as before).
        return (
            reverse("frontend:invitation", kwargs={"token": target.token}) if target.token else None
        )
    if target.type == "company_invitation" and target.token:
        return reverse("frontend:company_invitation", kwargs={"token": target.token})
    if target.type == "programme_invitation" and target.token:
        return reverse("frontend:programme_invitation", kwargs={"token": target.token})
    if target.type == "programme" and target.id:
        return reverse("frontend:programme", kwargs={"programme_id": target.id})
    if target.type == "event_public" and target.id and target.slug:
        return reverse("frontend:event_public", kwargs={"slug": target.slug, "event_id": target.id})
    if target.type == "registration" and target.token:
        return reverse("frontend:registration", kwargs={"token": target.token})
    if target.type == "check_public" and target.token:
        return reverse("frontend:check_public", kwargs={"token": target.token})
    if target.type == "check_public_confirm" and target.token:
        return reverse("frontend:check_public_confirm", kwargs={"token": target.token})
    if target.type == "company" and target.id:
        # What a company is reminded of (the check due again) lives on its checks page.
        return reverse("frontend:company_checks", kwargs={"company_id": target.id})
    if target.type == "preferences":
        return reverse("frontend:notification_preferences")
    if target.type == "unsubscribe" and target.token:
        return reverse("frontend:unsubscribe", kwargs={"token": target.token})
    return None
