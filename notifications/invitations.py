"""Delivering convoy invitations: the e-mail with the one-time link, and an in-app notification
for someone who already has an account.

Convoys (core) does not call delivery; it announces each invitation through the registry in
convoys/delivery.py, which notifications/apps.py fills with `invitation_mailer` in ready().
"""

from celery import shared_task

from accounts.models import User
from convoys.models import Invitation, InvitationState
from modelutils.invitations import token_hash
from notifications.emails import email_message
from notifications.links import Target, link_url
from notifications.models import NotificationKind, TargetType
from notifications.services import notify


class InvitationMailer:
    """The InvitationDelivery of convoys/delivery.py."""

    def invitation_sent(
        self, *, invitation: Invitation, token: str, actor: User, resent: bool
    ) -> None:
        # After commit: a rolled-back invitation sends nothing, and the worker finds the row.
        invitation_email_send.delay_on_commit(invitation_id=invitation.pk, token=token)
        if not resent:
            # Told once in the app (a resend only renews the link, which is in the e-mail).
            _invitation_notify(invitation=invitation, actor=actor)


invitation_mailer = InvitationMailer()


def _invitation_notify(*, invitation: Invitation, actor: User) -> None:
    """Someone who already has an account sees the invitation in the app too. The link stays
    in the e-mail: the token is never stored, so the notification cannot carry it."""
    invitee = User.objects.filter(email__iexact=invitation.email, is_active=True).first()
    if invitee is None:
        return
    notify(
        recipient_ids=[invitee.pk],
        kind=NotificationKind.INVITATION,
        actor=actor,
        convoy_id=None,  # not theirs to see (yet): it must not appear as a convoy link
        target_type=TargetType.INVITATION,  # its link is in the e-mail only (no token here)
        target_id=invitation.pk,
        data={"convoy": invitation.convoy.name},
        key=f"invitation:{invitation.pk}",
    )


# The name it had in convoys/tasks.py: messages queued before a deploy still find it.
@shared_task(
    name="convoys.tasks.invitation_email_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def invitation_email_send(*, invitation_id: int, token: str) -> None:
    invitation = (
        Invitation.objects.select_related("convoy", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.state() in (
        InvitationState.ACCEPTED,
        InvitationState.REVOKED,
    ):
        return
    if invitation.token_hash != token_hash(token):
        return  # resent since: this token no longer opens it, so its e-mail would mislead
    # Someone who already has an account reads it in their own language and by name.
    invitee = User.objects.filter(email__iexact=invitation.email, is_active=True).first()
    inviter = invitation.invited_by
    message = email_message(
        to=invitation.email,
        template="notifications/email/invitation",
        context={
            "invitation": invitation,
            "convoy": invitation.convoy,
            "inviter": inviter,
            "invitee": invitee,
            "accept_url": link_url(Target(type="invitation", token=token)),
        },
        language=invitee.language if invitee else invitation.convoy.language,
        time_zone=invitee.timezone if invitee else invitation.convoy.timezone,
        # The facilitator invites in person: the invited company may write back to them.
        reply_to=inviter if inviter is not None and inviter.is_active else None,
    )
    message.send()
