"""E-mails to anonymous respondents (who have no account): the link to their full report and,
when they chose to share their result with the programme, the button to confirm that.

Celery tasks taking ids, queued by checks.services after commit (`delay_on_commit`), written
in the response's language. Nothing the respondent typed (name, company) is echoed: the
address may be anyone's, so the e-mail greets neutrally and carries only our own words and
links. Reply-To is the programme's contact address, if it has one.
"""

from email.utils import formataddr

from celery import shared_task
from django.conf import settings
from django.utils import translation

from checks.keys import check_email_proof, check_token_of
from checks.models import CheckResponse
from notifications.emails import email_message
from notifications.links import Target, link_url

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _language(response: CheckResponse) -> str:
    return response.language if response.language in LANGUAGES else "de"


def report_url(response: CheckResponse) -> str:
    return link_url(Target(type="check_public", token=check_token_of(response)))


def confirm_url(response: CheckResponse) -> str:
    """The page with the button that confirms the share (opening it confirms nothing)."""
    url = link_url(Target(type="check_public_confirm", token=check_token_of(response)))
    return f"{url}?proof={check_email_proof(response)}"


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def check_report_send(*, response_id: int) -> None:
    """The link to the full report, and the share's confirm button while it waits."""
    response = (
        CheckResponse.objects.filter(pk=response_id, token_hash__isnull=False)
        .select_related("programme")
        .first()
    )
    if response is None or not response.email or response.consent_at is None:
        return  # erased meanwhile
    language = _language(response)
    programme = response.programme
    with translation.override(language):
        context = {
            "programme": programme,
            "report_url": report_url(response),
            "confirm_url": (
                confirm_url(response)
                if response.share_consent_at is not None
                and response.email_confirmed_at is None
                and programme is not None
                else ""
            ),
            "band": response.get_band_display() if response.band else "",
            "overall": response.overall,
        }
    message = email_message(
        to=response.email,
        template="checks/email/report",
        context=context,
        language=language,
    )
    if programme is not None and programme.contact_email:
        message.reply_to = [formataddr((" ".join(programme.name.split()), programme.contact_email))]
    message.send()
