"""Delivering a programme's staff e-mails: the invitation with its one-time link (to every
address, with an account or not: nobody is added unasked).

Programmes (core) does not call delivery; it announces through the registry in
programmes/delivery.py, which notifications/apps.py fills with `programme_staff_mailer`.
The e-mail is the message: there is no in-app notice.
"""

from celery import shared_task

from accounts.models import User
from modelutils.invitations import InvitationState
from notifications.emails import email_message
from notifications.links import Target, link_url
from programmes.models import StaffInvitation
from programmes.services import staff_invitation_by_token


class ProgrammeStaffMailer:
    """The StaffDelivery of programmes/delivery.py."""

    def staff_invitation_sent(
        self, *, invitation: StaffInvitation, token: str, actor: User, resent: bool
    ) -> None:
        # After commit: a rolled-back invitation sends nothing, and the worker finds the row.
        staff_invitation_email_send.delay_on_commit(invitation_id=invitation.pk, token=token)


programme_staff_mailer = ProgrammeStaffMailer()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def staff_invitation_email_send(*, invitation_id: int, token: str) -> None:
    invitation = staff_invitation_by_token(token=token)
    if invitation is None or invitation.pk != invitation_id:
        return  # sent again since: this token no longer opens it
    if invitation.state() in (InvitationState.ACCEPTED, InvitationState.REVOKED):
        return
    inviter = invitation.invited_by
    # An existing account of the address: greeted by name in its own language and asked to
    # log in to accept. Anyone else is written to in the language of the manager who invites.
    invitee = User.objects.filter(email__iexact=invitation.email, is_active=True).first()
    reader = invitee or inviter
    # No Reply-To: the programme's name and the inviter are chosen by whoever invites, and a
    # reply should not go to someone the reader may not know.
    message = email_message(
        to=invitation.email,
        template="programmes/email/staff_invitation",
        context={
            "invitation": invitation,
            "programme": invitation.programme,
            "inviter": inviter,
            "name": invitee.name if invitee else "",
            "has_account": invitee is not None,
            "manager": invitation.role == "manager",
            "accept_url": link_url(Target(type="programme_invitation", token=token)),
        },
        language=reader.language if reader else "de",
        time_zone=reader.timezone if reader else None,
    )
    message.send()
