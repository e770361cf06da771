"""Delivering a company's invitations to colleagues: the e-mail with the one-time link.

Companies (core) does not call delivery; it announces each invitation through the registry in
companies/delivery.py, which notifications/apps.py fills with `company_invitation_mailer`.
Every colleague is invited this way, with an account or not (nobody is added without
accepting). There is no in-app notice: the e-mail is the invitation. Someone who already has
an account is greeted by name, in their language, and asked to log in and accept.
"""

from celery import shared_task

from accounts.models import User
from companies.models import CompanyInvitation, CompanyInvitationState
from companies.services import company_invitation_by_token
from notifications.emails import email_message
from notifications.links import Target, link_url


class CompanyInvitationMailer:
    """The CompanyInvitationDelivery of companies/delivery.py."""

    def company_invitation_sent(
        self, *, invitation: CompanyInvitation, token: str, actor: User, resent: bool
    ) -> None:
        # After commit: a rolled-back invitation sends nothing, and the worker finds the row.
        company_invitation_email_send.delay_on_commit(invitation_id=invitation.pk, token=token)


company_invitation_mailer = CompanyInvitationMailer()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def company_invitation_email_send(*, invitation_id: int, token: str) -> None:
    invitation = company_invitation_by_token(token=token)
    if invitation is None or invitation.pk != invitation_id:
        return  # resent since: this token no longer opens it, so its e-mail would mislead
    if invitation.state() in (CompanyInvitationState.ACCEPTED, CompanyInvitationState.REVOKED):
        return
    inviter = invitation.invited_by
    # An existing account of the address: greeted by name in its own language. Anyone else is
    # written to in the language of the person who invites.
    invitee = User.objects.filter(email__iexact=invitation.email, is_active=True).first()
    reader = invitee or inviter
    message = email_message(
        to=invitation.email,
        template="notifications/email/company_invitation",
        context={
            "invitation": invitation,
            "company": invitation.company,
            "inviter": inviter,
            "name": invitee.name if invitee else "",
            "has_account": invitee is not None,
            "accept_url": link_url(Target(type="company_invitation", token=token)),
        },
        language=reader.language if reader else "de",
        time_zone=reader.timezone if reader else None,
        reply_to=inviter if inviter is not None and inviter.is_active else None,
    )
    message.send()
