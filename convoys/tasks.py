"""Background work for convoys. Tasks take ids, load, and hand over to domain code."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from convoys.models import Invitation


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_email_send(*, invitation_id: int, token: str) -> None:
    invitation = (
        Invitation.objects.select_related("convoy", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return
    with translation.override(invitation.convoy.language):
        context = {
            "invitation": invitation,
            "convoy": invitation.convoy,
            "inviter": invitation.invited_by,
            "accept_url": settings.SITE_URL
            + reverse("frontend:invitation", kwargs={"token": token}),
        }
        subject = render_to_string("convoys/email/invitation_subject.txt", context).strip()
        text = render_to_string("convoys/email/invitation.txt", context)
        html = render_to_string("convoys/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
