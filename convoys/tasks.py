"""Background work for convoys. Tasks take ids, load, and hand over to domain code."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from convoys.models import Invitation
from convoys.services import token_hash
from notifications.emails import email_message


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_email_send(*, invitation_id: int, token: str) -> None:
    invitation = (
        Invitation.objects.select_related("convoy", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return
    if invitation.token_hash != token_hash(token):
        return  # resent since: this token no longer opens it, so its e-mail would mislead
    # Someone who already has an account reads it in their own language and by name.
    invitee = User.objects.filter(email__iexact=invitation.email, is_active=True).first()
    inviter = invitation.invited_by
    message = email_message(
        to=invitation.email,
        template="convoys/email/invitation",
        context={
            "invitation": invitation,
            "convoy": invitation.convoy,
            "inviter": inviter,
            "invitee": invitee,
            "accept_url": settings.SITE_URL
            + reverse("frontend:invitation", kwargs={"token": token}),
        },
        language=invitee.language if invitee else invitation.convoy.language,
        time_zone=invitee.timezone if invitee else invitation.convoy.timezone,
        # The facilitator invites in person: the invited company may write back to them.
        reply_to=inviter if inviter is not None and inviter.is_active else None,
    )
    message.send()
