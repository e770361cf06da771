"""Delivering a programme's staff e-mails: the invitation with its one-time link, and the
notice to an existing account that it was added.

Programmes (core) does not call delivery; it announces through the registry in
programmes/delivery.py, which notifications/apps.py fills with `programme_staff_mailer`.
The e-mail is the message: there is no in-app notice.
"""

from celery import shared_task

from accounts.models import User
from modelutils.invitations import InvitationState
from notifications.emails import email_message
from notifications.links import Target, link_url
from programmes.models import Staff, StaffInvitation
from programmes.services import staff_invitation_by_token


class ProgrammeStaffMailer:
    """The StaffDelivery of programmes/delivery.py."""

    def staff_invitation_sent(
        self, *, invitation: StaffInvitation, token: str, actor: User, resent: bool
    ) -> None:
        # After commit: a rolled-back invitation sends nothing, and the worker finds the row.
        staff_invitation_email_send.delay_on_commit(invitation_id=invitation.pk, token=token)

    def staff_added(self, *, staff: Staff, actor: User) -> None:
        staff_added_email_send.delay_on_commit(staff_id=staff.pk, actor_id=actor.pk)


programme_staff_mailer = ProgrammeStaffMailer()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def staff_invitation_email_send(*, invitation_id: int, token: str) -> None:
    invitation = staff_invitation_by_token(token=token)
    if invitation is None or invitation.pk != invitation_id:
        return  # sent again since: this token no longer opens it
    if invitation.state() in (InvitationState.ACCEPTED, InvitationState.REVOKED):
        return
    inviter = invitation.invited_by
    # Nobody has an account at this address (else they were added at once): written in the
    # language of the manager who invites.
    message = email_message(
        to=invitation.email,
        template="programmes/email/staff_invitation",
        context={
            "invitation": invitation,
            "programme": invitation.programme,
            "inviter": inviter,
            "name": "",
            "manager": invitation.role == "manager",
            "accept_url": link_url(Target(type="programme_invitation", token=token)),
        },
        language=inviter.language if inviter else "de",
        time_zone=inviter.timezone if inviter else None,
        reply_to=inviter if inviter is not None and inviter.is_active else None,
    )
    message.send()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def staff_added_email_send(*, staff_id: int, actor_id: int) -> None:
    staff = Staff.objects.select_related("programme", "user").filter(pk=staff_id).first()
    if staff is None or not staff.user.is_active:
        return  # removed again before the e-mail left
    actor = User.objects.filter(pk=actor_id).first()
    message = email_message(
        to=staff.user.email,
        template="programmes/email/staff_added",
        context={
            "programme": staff.programme,
            "inviter": actor,
            "name": staff.user.name,
            "manager": staff.role == "manager",
            "programme_url": link_url(Target(type="programme", id=staff.programme_id)),
        },
        language=staff.user.language,
        time_zone=staff.user.timezone,
        reply_to=actor if actor is not None and actor.is_active else None,
    )
    message.send()
