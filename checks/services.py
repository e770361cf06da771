"""Every write of the check: the API, the pages, the demo and the tasks call these.

The rules: who may take a company's check (its members, or a coach of a programme that has
the company in its register, who is then recorded as the advisor); a draft is answered in
parts and closes once submitted (the row is locked while answers are merged and while it is
scored, so that two submits never both score); the programme's register learns of a check
only where the company is in one of the programme's convoys, the coach took it with them, or
an anonymous respondent shared it and confirmed that from an e-mail to their address (then as
a new register entry, self-reported: anyone may type any company's name, so it never merges
into an entry that was there; staff see the duplicate suggestion and merge if they believe it).
E-mails leave after commit (`checks.mails`, `delay_on_commit`), within limits per check, per
address and per client.
"""

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import User
from accounts.ratelimit import client_network_key, limit_hit
from accounts.text import name_clean
from checks import mails
from checks.keys import check_email_proof_valid, check_token_new
from checks.models import DIMENSIONS, CheckResponse, CheckStage, CheckStatus, Dimension
from checks.questionnaire import CURRENT_VERSION, answers_clean, is_answered, questionnaire_load
from checks.recommendations import project_template, recommendations_for
from checks.scoring import CURRENT_RULE, dimensions_answered, score
from companies.models import Company, CompanyMember, Sector, SizeBand
from convoys.models import Convoy, Membership, MembershipStatus
from programmes.models import CompanyRecord, Programme, Staff, StaffRole, Touch, TouchKind
from programmes.services import company_record_recompute, company_touch
from projects.models import Project
from projects.services import project_create


class CheckClosed(Exception):
    """A submitted response is read-only (the API answers 409)."""


class CheckLimited(Exception):
    """Too many anonymous starts from one network, or too many e-mails (per response, per
    address, per client): the API answers 429 with `message`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CheckClaimed(Exception):
    """An anonymous check filed under a company is the company's now: its token still shows
    the result but no longer deletes it (the API answers 409 with `message`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_STAFF_ROLES = (StaffRole.MANAGER, StaffRole.COACH)
LIMIT_WINDOW_SECONDS = 3600
# E-mails with the report link per anonymous response and hour: enough to fix a typo in the
# address, too few to bomb someone else's inbox through our form.
CONTACT_MAILS_PER_HOUR = 3
# Across checks: one address gets at most this many report e-mails a day (setting
# CHECK_REPORT_MAILS_PER_ADDRESS_PER_DAY), and one client (IPv4 address, IPv6 /64) leaves at
# most CHECK_CONTACTS_PER_CLIENT_PER_HOUR addresses an hour, however many checks it starts.
REPORT_MAILS_PER_ADDRESS_PER_DAY = 3
CONTACTS_PER_CLIENT_PER_HOUR = 10
DAY_SECONDS = 86400
_POSTCODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]*")


# --- helpers ---------------------------------------------------------------------------------


def _is_member(user: User | None, company_id: int | None) -> bool:
    if user is None or not user.is_authenticated or company_id is None:
        return False
    return CompanyMember.objects.filter(user_id=user.pk, company_id=company_id).exists()


def _lock(response: CheckResponse) -> CheckResponse:
    """The response row, locked: merging answers and scoring run one after the other."""
    return CheckResponse.objects.select_for_update().get(pk=response.pk)


def _copy(source: CheckResponse, target: CheckResponse) -> None:
    if source is not target:
        for field in source._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))


def _choice(value: Any, *, field: str, choices: list[str]) -> str:
    if value in (None, ""):
        return ""
    if value not in choices:
        raise ValidationError({field: [_("Choose one of the options.")]})
    return str(value)


def _language(language: Any) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    if isinstance(language, str):
        language = language.split("-")[0].lower()
        if language in codes:
            return language
    return settings.LANGUAGE_CODE.split("-")[0]


def _text(value: Any, *, field: str, max_length: int) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: [_("Enter text.")]})
    if len(value) > max_length:
        raise ValidationError(
            {field: [_("At most %(max)d characters, please.") % {"max": max_length}]}
        )
    return name_clean(value, field=field) if value.strip() else ""


def _convoy_programme(company: Company) -> tuple[Programme | None, Convoy | None]:
    """The company's one active convoy that belongs to a programme (none when there are
    several: then the caller says which)."""
    memberships = list(
        Membership.objects.filter(
            company=company,
            status=MembershipStatus.ACTIVE,
            convoy__programme__isnull=False,
        ).select_related("convoy__programme")[:2]
    )
    if len(memberships) != 1:
        return None, None
    convoy = memberships[0].convoy
    return convoy.programme, convoy


def _advisor_programme(
    *, actor: User, company: Company, programme: Programme | None
) -> Programme | None:
    """A programme of which `actor` is a coach or manager and whose register has `company`."""
    staff = Staff.objects.filter(
        user_id=actor.pk,
        role__in=_STAFF_ROLES,
        programme__company_records__company=company,
    )
    if programme is not None:
        staff = staff.filter(programme=programme)
    link = staff.select_related("programme").order_by("programme_id").first()
    return link.programme if link is not None else None


# --- starting ----------------------------------------------------------------------------------


def check_start(
    *,
    actor: User,
    company: Company,
    stage: str = CheckStage.ADHOC,
    programme: Programme | None = None,
    convoy: Convoy | None = None,
    advisor_assisted: bool = False,
) -> CheckResponse:
    """A draft check for `company`, started by one of its members, or by a coach of a
    programme that has the company in its register (advisor-assisted: the coach is recorded
    as the advisor). Programme and convoy default from the company's convoy. T0, T1 and T2
    happen once per programme (check_start_or_resume): an open draft of the stage is given
    back to the same kind of person, a submitted one refuses the stage."""
    response, _created = check_start_or_resume(
        actor=actor,
        company=company,
        stage=stage,
        programme=programme,
        convoy=convoy,
        advisor_assisted=advisor_assisted,
    )
    return response


# T0, T1 and T2 are the programme's measurements before, during and after its support: one
# each per company and programme, so that the report pairs the right two. Ad hoc is unlimited.
ONCE_PER_PROGRAMME = (CheckStage.T0, CheckStage.T1, CheckStage.T2)


def _stage_done_error(*, stage: str, submitted: CheckResponse) -> ValidationError:
    """The refusal of a stage already submitted, naming when and suggesting ad hoc."""
    assert submitted.submitted_at is not None
    return ValidationError(
        {
            "stage": [
                _(
                    "There is already a %(stage)s check of %(date)s for this company;"
                    " choose “Ad hoc” for a further check in between."
                )
                % {
                    "stage": stage,
                    "date": date_format(
                        timezone.localtime(submitted.submitted_at), "SHORT_DATE_FORMAT"
                    ),
                }
            ]
        }
    )


def _stage_submitted(
    *, company_id: int, stage: str, programme_id: int | None, exclude: int | None = None
) -> CheckResponse | None:
    """The submitted check of a once-per-programme stage, if there is one."""
    same = CheckResponse.objects.filter(
        company_id=company_id,
        stage=stage,
        status=CheckStatus.SUBMITTED,
        submitted_at__isnull=False,
    )
    # None: the company's checks outside any programme (programme_id=None would match none).
    same = (
        same.filter(programme__isnull=True)
        if programme_id is None
        else same.filter(programme_id=programme_id)
    )
    if exclude is not None:
        same = same.exclude(pk=exclude)
    return same.order_by("-submitted_at").first()


def _stage_taken(
    *, actor: User, assisted: bool, company: Company, stage: str, programme: Programme | None
) -> CheckResponse | None:
    """The open draft of `stage` to continue instead of a new one (None: start one), or a
    ValidationError on "stage" when the stage is done (submitted).

    Only a draft the same kind of person started is given back: members get the company's
    own (not advisor-assisted) draft, a coach only their own advisor-assisted one. Handing a
    member the coach's draft would let the coach read what the member answers alone, and a
    coach the company's draft what the company answered without them. Drafts of the same
    stage may so be open side by side; the stage's uniqueness is kept at submit
    (check_submit), where the second one is refused."""
    if stage not in ONCE_PER_PROGRAMME:
        return None
    # One start at a time per company: two parallel requests never both create a draft.
    Company.objects.select_for_update().filter(pk=company.pk).first()
    programme_id = programme.pk if programme is not None else None
    submitted = _stage_submitted(company_id=company.pk, stage=stage, programme_id=programme_id)
    if submitted is not None:
        raise _stage_done_error(stage=stage, submitted=submitted)
    drafts = CheckResponse.objects.filter(
        company=company, stage=stage, programme=programme, status=CheckStatus.DRAFT
    )
    if assisted:
        drafts = drafts.filter(advisor_assisted=True, advisor_id=actor.pk)
    else:
        drafts = drafts.filter(advisor_assisted=False)
    return drafts.order_by("-created_at", "-id").first()


@transaction.atomic
def check_start_or_resume(
    *,
    actor: User,
    company: Company,
    stage: str = CheckStage.ADHOC,
    programme: Programme | None = None,
    convoy: Convoy | None = None,
    advisor_assisted: bool = False,
) -> tuple[CheckResponse, bool]:
    """check_start's work: (the draft, whether it is new). For T0, T1 and T2 (once per
    company and programme) an open draft of the stage started by the same kind of person
    (a member's for members, the coach's own advisor-assisted one for a coach) is given back
    unchanged (created False); a submitted check of the stage is a ValidationError on
    "stage" that says to choose ad hoc."""
    if stage not in CheckStage.values:
        raise ValidationError({"stage": [_("Choose one of the stages.")]})
    if company.deleted_at is not None:
        raise PermissionDenied(_("Only the company's members may do this."))
    member = _is_member(actor, company.pk)
    advisor_programme = None
    if advisor_assisted or not member:
        advisor_programme = _advisor_programme(actor=actor, company=company, programme=programme)
        if advisor_programme is None:
            if not member:
                raise PermissionDenied(_("Only the company's members may do this."))
            raise ValidationError(
                {
                    "advisor_assisted": [
                        _(
                            "Only a coach of a programme that works with this company can"
                            " take the check with it."
                        )
                    ]
                }
            )
    if convoy is not None:
        if not Membership.objects.filter(
            convoy=convoy, company=company, status=MembershipStatus.ACTIVE
        ).exists():
            raise ValidationError({"convoy": [_("The company is not in this convoy.")]})
        if programme is None:
            programme = convoy.programme
        elif convoy.programme_id != programme.pk:
            raise ValidationError({"convoy": [_("This convoy does not belong to the programme.")]})
    elif programme is None and advisor_programme is None:
        programme, convoy = _convoy_programme(company)
    if advisor_programme is not None:
        programme = advisor_programme
    existing = _stage_taken(
        actor=actor,
        assisted=advisor_programme is not None,
        company=company,
        stage=stage,
        programme=programme,
    )
    if existing is not None:
        return existing, False
    response = CheckResponse.objects.create(
        questionnaire_version=CURRENT_VERSION,
        stage=stage,
        company=company,
        respondent=actor if member else None,
        programme=programme,
        convoy=convoy,
        advisor_assisted=advisor_programme is not None,
        advisor=actor if advisor_programme is not None else None,
        sector=company.sector,
        size=company.size,
        language=_language(getattr(actor, "language", "")),
    )
    return response, True


def public_check_start(
    *, programme: Programme | None, language: str, sector: str = "", size: str = ""
) -> tuple[CheckResponse, str]:
    """An anonymous draft from a programme's public page (or none): (response, token)."""
    sector = _choice(sector, field="sector", choices=Sector.values)
    size = _choice(size, field="size", choices=SizeBand.values)
    nonce, token, hashed = check_token_new()
    response = CheckResponse.objects.create(
        questionnaire_version=CURRENT_VERSION,
        programme=programme,
        token_nonce=nonce,
        token_hash=hashed,
        language=_language(language),
        sector=sector,
        size=size,
    )
    return response, token


def public_check_allowed(*, client: str) -> bool:
    """The rate limit of anonymous checks started per client (IPv4 address or IPv6 /64):
    counts one start; False beyond CHECKS_STARTED_PER_HOUR (views answer 429)."""
    return limit_hit(
        scope="check-start",
        key=client_network_key(client),
        limit=getattr(settings, "CHECKS_STARTED_PER_HOUR", 20),
        window=LIMIT_WINDOW_SECONDS,
    )


def public_check_limited_message() -> str:
    return _(
        "Many checks have been started from your network in the last hour. Please try again later."
    )


# --- answering -------------------------------------------------------------------------------


@transaction.atomic
def check_answers_save(
    *,
    response: CheckResponse,
    answers: dict[str, Any],
    sector: str | None = None,
    size: str | None = None,
) -> CheckResponse:
    """Merge `answers` (partial) into the draft; CheckClosed once submitted. A question sent
    as null takes its answer back (except agree_1_5, where null is the answer "no answer")."""
    locked = _lock(response)
    if locked.is_submitted:
        raise CheckClosed(_("This check has already been submitted."))
    questionnaire = questionnaire_load(locked.questionnaire_version)
    if answers is None:
        answers = {}
    cleaned = answers_clean(questionnaire, answers)
    merged = dict(locked.answers or {})
    for key in answers:
        question = questionnaire.question(key)
        if question is None:
            continue
        if answers[key] is None and question.type != "agree_1_5":
            merged.pop(key, None)
        elif key in cleaned:
            merged[key] = cleaned[key]
    locked.answers = merged
    fields = ["answers", "updated_at"]
    if sector is not None:
        locked.sector = _choice(sector, field="sector", choices=Sector.values)
        fields.append("sector")
    if size is not None:
        locked.size = _choice(size, field="size", choices=SizeBand.values)
        fields.append("size")
    locked.save(update_fields=fields)
    _copy(locked, response)
    return response


def check_progress(response: CheckResponse) -> dict[str, Any]:
    """{"areas_answered", "areas", "questions_answered", "questions", "dimensions": {key:
    bool}}: which dimensions have an answer (submit needs all) and how many questions."""
    questionnaire = questionnaire_load(response.questionnaire_version)
    answers = response.answers or {}
    answered = dimensions_answered(questionnaire, answers)
    questions = questionnaire.questions()
    return {
        "areas_answered": sum(1 for key in DIMENSIONS if answered.get(key)),
        "areas": len(DIMENSIONS),
        "questions_answered": sum(
            1 for q in questions if q.key in answers and is_answered(q, answers[q.key])
        ),
        "questions": len(questions),
        "dimensions": {key: bool(answered.get(key)) for key in DIMENSIONS},
    }


def _register_touch(
    *, response: CheckResponse, company: Company, self_reported: bool = False
) -> None:
    assert response.programme is not None
    company_touch(
        programme=response.programme,
        company=company,
        kind=TouchKind.CHECK_SUBMITTED,
        source=f"check:{response.pk}",
        at=response.submitted_at or timezone.now(),
        label=check_touch_label(stage=response.stage, self_reported=self_reported),
    )


# The register touch's label of a check: words from the wire, never a sentence (the register
# is read in other languages than the respondent's); check_touch_text words it for the reader.
SELF_REPORTED = "self_reported"


def check_touch_label(*, stage: str, self_reported: bool = False) -> str:
    """ "T1", "" (ad hoc), "self_reported", "T1 self_reported": the stage key unless ad hoc,
    and whether nobody with an account vouches for it (an anonymous check shared)."""
    words = [stage] if stage in ONCE_PER_PROGRAMME else []
    if self_reported:
        words.append(SELF_REPORTED)
    return " ".join(words)


def check_touch_text(label: str) -> str:
    """A check touch's label in the reader's language: the stage's name and, for a shared
    anonymous check, that it is self-reported. Labels stored as text by earlier versions
    (anything else) are shown as they are."""
    words = label.split()
    stages = [w for w in words if w in CheckStage.values]
    if any(w not in CheckStage.values and w != SELF_REPORTED for w in words) or len(stages) > 1:
        return label
    stage = str(CheckStage(stages[0]).label) if stages else ""
    if SELF_REPORTED in words:
        # The register's timeline says whose word it is: nobody with an account vouches.
        return pgettext("register touch", "%(stage)s, self-reported without an account") % {
            "stage": stage or str(CheckStage.ADHOC.label)
        }
    return stage


def _touches_register(response: CheckResponse) -> bool:
    """A company check reaches the programme's register when the company is (or was) in one
    of the programme's convoys, or a coach of the programme took it with them."""
    if response.company_id is None or response.programme_id is None:
        return False
    if response.advisor_assisted:
        return True
    return Membership.objects.filter(
        company_id=response.company_id, convoy__programme_id=response.programme_id
    ).exists()


def _snapshot(response: CheckResponse, *, rule_version: str) -> None:
    questionnaire = questionnaire_load(response.questionnaire_version)
    scores = score(questionnaire, response.answers or {}, rule_version=rule_version)
    response.rule_version = rule_version
    response.scores = scores.as_json()
    response.overall = scores.overall
    response.band = scores.band or ""
    response.recommendations = recommendations_for(
        questionnaire, response.answers or {}, scores, sector=response.sector
    )


@transaction.atomic
def check_submit(*, response: CheckResponse) -> CheckResponse:
    """Score, suggest, and close the draft; touches the programme's register where allowed.
    T0, T1 and T2 are submitted once per company and programme: drafts of a stage may be open
    side by side (the company's own and a coach's), the first submitted is the stage's, a
    second is a ValidationError on "stage" (under the company's lock, as starts are)."""
    if response.stage in ONCE_PER_PROGRAMME and response.company_id is not None:
        # Company first, then the row: the order check_start_or_resume takes them in.
        Company.objects.select_for_update().filter(pk=response.company_id).first()
    locked = _lock(response)
    if locked.is_submitted:
        raise CheckClosed(_("This check has already been submitted."))
    if locked.stage in ONCE_PER_PROGRAMME and locked.company_id is not None:
        submitted = _stage_submitted(
            company_id=locked.company_id,
            stage=locked.stage,
            programme_id=locked.programme_id,
            exclude=locked.pk,
        )
        if submitted is not None:
            raise _stage_done_error(stage=locked.stage, submitted=submitted)
    questionnaire = questionnaire_load(locked.questionnaire_version)
    answered = dimensions_answered(questionnaire, locked.answers or {})
    missing = [key for key in DIMENSIONS if not answered.get(key)]
    if missing:
        names = ", ".join(str(Dimension(key).label) for key in missing)
        raise ValidationError(
            {
                "answers": [
                    _("Answer at least one question in each area. Still open: %(names)s.")
                    % {"names": names}
                ]
            }
        )
    _snapshot(locked, rule_version=CURRENT_RULE)
    locked.status = CheckStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save()
    if _touches_register(locked):
        assert locked.company is not None
        _register_touch(response=locked, company=locked.company)
    _copy(locked, response)
    return response


@transaction.atomic
def check_draft_discard(*, actor: User, response: CheckResponse) -> None:
    """Throw an open draft away: the company's members any draft of their company (also one
    a coach started with it: the company decides what is taken in its name), the advisor
    their own. CheckClosed once submitted (the history keeps it); PermissionDenied for
    anyone else (a facilitator reads, never discards)."""
    locked = _lock(response)
    if locked.is_submitted:
        raise CheckClosed(_("This check has already been submitted."))
    if locked.company_id is None:
        raise PermissionDenied(_("Only the company's members may do this."))
    is_advisor = locked.advisor_id is not None and locked.advisor_id == actor.pk
    if not is_advisor and not _is_member(actor, locked.company_id):
        raise PermissionDenied(_("Only the company's members may do this."))
    # A draft never touched the register (only a submit does): nothing else to undo.
    locked.delete()


@transaction.atomic
def check_rescore(*, response: CheckResponse, rule_version: str) -> CheckResponse:
    """A new snapshot of a submitted response with another scoring rule (only when asked)."""
    locked = _lock(response)
    if not locked.is_submitted:
        raise ValidationError({"status": [_("Only a submitted check can be scored again.")]})
    _snapshot(locked, rule_version=rule_version)
    locked.save(
        update_fields=["rule_version", "scores", "overall", "band", "recommendations", "updated_at"]
    )
    _copy(locked, response)
    return response


# --- the anonymous respondent -----------------------------------------------------------------


def _require_submitted(response: CheckResponse) -> None:
    if not response.is_submitted:
        raise ValidationError({"status": [_("Please finish the check first.")]})


def _contact_mail_allowed(*, response: CheckResponse, email: str, client: str | None) -> bool:
    """Counts one report e-mail against the limits: per check and hour (a typo fixed is fine,
    a loop is not), per client and hour (one sender with many checks), per address and day
    (one inbox, whoever fills in the form). Short-circuits, so that an address counts only
    the e-mails it is sent."""
    if not limit_hit(
        scope="check-contact",
        key=str(response.pk),
        limit=CONTACT_MAILS_PER_HOUR,
        window=LIMIT_WINDOW_SECONDS,
    ):
        return False
    if client is not None and not limit_hit(
        scope="check-contact-client",
        key=client_network_key(client),
        limit=getattr(settings, "CHECK_CONTACTS_PER_CLIENT_PER_HOUR", CONTACTS_PER_CLIENT_PER_HOUR),
        window=LIMIT_WINDOW_SECONDS,
    ):
        return False
    # limit_hit hashes the key: no address in the cache.
    return limit_hit(
        scope="check-report-address",
        key=email.strip().lower(),
        limit=getattr(
            settings, "CHECK_REPORT_MAILS_PER_ADDRESS_PER_DAY", REPORT_MAILS_PER_ADDRESS_PER_DAY
        ),
        window=DAY_SECONDS,
    )


def public_check_contact_limited_message() -> str:
    return _(
        "Your address is saved and your full report is open below. We have sent several"
        " e-mails already, so we send no further one for now. Please try again later."
    )


def public_check_contact(
    *,
    response: CheckResponse,
    email: str,
    consent: bool,
    share_with_programme: bool = False,
    contact_name: str = "",
    company_name: str = "",
    postcode: str = "",
    client: str | None = None,
) -> CheckResponse:
    """An anonymous respondent leaves an address (consent required): the full report is
    theirs, and an e-mail with its link goes out; sharing with the programme takes effect
    once confirmed from that e-mail (public_check_email_confirm). The programme's register
    counts companies, so sharing needs the company's name and postcode. `client` (the
    request's address; None from the shell and the demo) is counted for its limit.

    Beyond a limit (_contact_mail_allowed) the address and choices are still saved and the
    report opens, since the person lost nothing by asking twice; only the e-mail is not sent.
    Then CheckLimited is raised after the change is saved: callers keep it and answer 429."""
    if not _contact_save(
        response=response,
        email=email,
        consent=consent,
        share_with_programme=share_with_programme,
        contact_name=contact_name,
        company_name=company_name,
        postcode=postcode,
        client=client,
    ):
        raise CheckLimited(public_check_contact_limited_message())
    return response


@transaction.atomic
def _contact_save(
    *,
    response: CheckResponse,
    email: str,
    consent: bool,
    share_with_programme: bool,
    contact_name: str,
    company_name: str,
    postcode: str,
    client: str | None,
) -> bool:
    """public_check_contact's change; whether the e-mail was queued."""
    locked = _lock(response)
    _require_submitted(locked)
    errors: dict[str, list[str]] = {}
    if consent is not True:
        errors["consent"] = [_("Please agree, so that we may keep your result and e-mail you.")]
    if not isinstance(share_with_programme, bool):
        errors["share_with_programme"] = [_("Answer yes or no.")]
        share_with_programme = False
    cleaned_email = ""
    if not isinstance(email, str) or not email.strip() or len(email) > 254:
        errors["email"] = [_("Enter a valid e-mail address.")]
    else:
        cleaned_email = email.strip()
        try:
            validate_email(cleaned_email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    texts: dict[str, str] = {}
    for field, value, max_length in (
        ("contact_name", contact_name, 200),
        ("company_name", company_name, 200),
        ("postcode", postcode, 10),
    ):
        try:
            texts[field] = _text(value, field=field, max_length=max_length)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if texts.get("postcode") and not _POSTCODE_RE.fullmatch(texts["postcode"]):
        errors["postcode"] = [_("Enter a postcode (letters and digits).")]
    if share_with_programme:
        if locked.programme_id is None:
            errors["share_with_programme"] = [
                _("This check was not taken for a programme; there is no one to share it with.")
            ]
        else:
            for field in ("company_name", "postcode"):
                if not texts.get(field) and field not in errors:
                    errors[field] = [_("Needed to share your result with the programme.")]
    if errors:
        raise ValidationError(errors)
    send = _contact_mail_allowed(response=locked, email=cleaned_email, client=client)
    now = timezone.now()
    # What a confirmed share may have written to the register, before it is replaced.
    written = _ShareWritten(locked)
    if cleaned_email.lower() != locked.email.lower():
        locked.email_confirmed_at = None  # the proof is bound to the address
    locked.email = cleaned_email
    locked.consent_at = now
    locked.share_consent_at = now if share_with_programme else None
    locked.contact_name = texts["contact_name"]
    locked.company_name = texts["company_name"]
    locked.postcode = texts["postcode"]
    locked.save()
    if locked.share_consent_at is None:
        # Not by the flags: they may have changed above (a new address is unconfirmed); the
        # register's touch says whether it was shared.
        _share_forget(locked, written=written)
    if send:
        mails.check_report_send.delay_on_commit(response_id=locked.pk)
    _copy(locked, response)
    return send


def _shared_company(response: CheckResponse) -> tuple[Company, bool]:
    """The register's company for a confirmed share, and whether it is new: the one this
    check already touched (confirmed before, maybe merged by staff since), else a new company
    without accounts. Never the entry of the same name and postcode: anyone can type those,
    and the check and its address would then land on another company's record. Staff see
    such an entry as a duplicate suggestion (programmes.selectors.duplicate_suggestions) and
    merge when they believe it (programmes.services.company_records_merge)."""
    assert response.programme is not None
    touch = (
        Touch.objects.filter(
            programme=response.programme,
            kind=TouchKind.CHECK_SUBMITTED,
            source=f"check:{response.pk}",
        )
        .select_related("company")
        .first()
    )
    if touch is not None:
        return touch.company, False
    company = Company(
        name=response.company_name,
        sector=response.sector or Sector.OTHER,
        size=response.size or SizeBand.MICRO,
        city="",
        postcode=response.postcode,
    )
    company.save()
    return company, True


class _ShareWritten:
    """The person's contact as a confirmed share wrote it to the register's new entry (the
    response's address and name; the earlier ones too, when they change in the same step)."""

    def __init__(self, *responses: CheckResponse) -> None:
        self.emails = {r.email.strip().lower() for r in responses if r.email.strip()}
        self.names = {r.contact_name for r in responses if r.contact_name}

    def add(self, response: CheckResponse) -> None:
        if response.email.strip():
            self.emails.add(response.email.strip().lower())
        if response.contact_name:
            self.names.add(response.contact_name)


def _share_forget(response: CheckResponse, *, written: _ShareWritten | None = None) -> None:
    """The share was withdrawn or the check deleted: the register forgets this check's touch
    (the company stays counted as reached, company_record_recompute), and the entry made for
    the share forgets the person's contact, unless staff have changed it since (then it is
    theirs). Goes by the touch, so a call without a share changes nothing. A claimed check's
    own company keeps its touch."""
    if written is None:
        written = _ShareWritten(response)
    else:
        written.add(response)
    touches = Touch.objects.filter(kind=TouchKind.CHECK_SUBMITTED, source=f"check:{response.pk}")
    if response.company_id is not None:
        touches = touches.exclude(company_id=response.company_id)
    rows = list(touches.values_list("programme_id", "company_id", "label"))
    touches.delete()
    for programme_id, company_id, label in rows:
        record = CompanyRecord.objects.filter(
            programme_id=programme_id, company_id=company_id
        ).first()
        if record is None:
            continue
        if SELF_REPORTED in label.split():
            # The entry the share created: its contact is the person's, given for the share.
            fields = []
            if record.contact_email and record.contact_email.strip().lower() in written.emails:
                record.contact_email = ""
                fields.append("contact_email")
            if record.contact_name and record.contact_name in written.names:
                record.contact_name = ""
                fields.append("contact_name")
            if fields:
                record.save(update_fields=fields)
        company_record_recompute(record=record)


@transaction.atomic
def public_check_email_confirm(
    *, response: CheckResponse, proof: object, accept: bool
) -> CheckResponse:
    """The respondent answered, by a button behind the link of the e-mail to their address
    (its `proof`): accept confirms the address and, if they chose to share, puts the company
    in the programme's register (engaged); not accept withdraws the share. Opening the link
    is no confirmation (mail filters open links): call this on a POST only. A wrong proof is
    a ValidationError on "proof" and changes nothing."""
    locked = _lock(response)
    if not check_email_proof_valid(locked, proof):
        raise ValidationError({"proof": [_("This link is not valid (any more).")]})
    if not isinstance(accept, bool):
        raise ValidationError({"accept": [_("Answer yes or no.")]})
    if not accept:
        if locked.share_consent_at is not None:
            locked.share_consent_at = None
            locked.save(update_fields=["share_consent_at", "updated_at"])
        _share_forget(locked)  # by the register's touch, whatever the flags say
        _copy(locked, response)
        return response
    if locked.email_confirmed_at is None:
        locked.email_confirmed_at = timezone.now()
        locked.save(update_fields=["email_confirmed_at", "updated_at"])
    if (
        locked.share_consent_at is not None
        and locked.programme is not None
        and locked.is_submitted
        and locked.company_name
    ):
        company, created = _shared_company(locked)
        _register_touch(response=locked, company=company, self_reported=locked.company_id is None)
        if created:
            # The person behind the shared check is who the programme may contact (their
            # consent, confirmed), on the entry made for it only: an entry that was there
            # keeps the contact staff recorded.
            CompanyRecord.objects.filter(programme=locked.programme, company=company).update(
                contact_email=locked.email, contact_name=locked.contact_name
            )
    _copy(locked, response)
    return response


@transaction.atomic
def public_check_claim(*, response: CheckResponse, actor: User, company: Company) -> CheckResponse:
    """A signed-in respondent files their anonymous check under their company (history,
    comparison, projects)."""
    locked = _lock(response)
    if not _is_member(actor, company.pk) or company.deleted_at is not None:
        raise PermissionDenied(_("Only the company's members may do this."))
    if locked.company_id is not None and locked.company_id != company.pk:
        raise ValidationError({"company": [_("This check already belongs to a company.")]})
    locked.company = company
    locked.respondent = locked.respondent or actor
    locked.sector = locked.sector or company.sector
    locked.size = locked.size or company.size
    locked.save(update_fields=["company", "respondent", "sector", "size", "updated_at"])
    if locked.is_submitted and _touches_register(locked):
        _register_touch(response=locked, company=company)
    _copy(locked, response)
    return response


@transaction.atomic
def public_check_erase(*, response: CheckResponse) -> None:
    """The anonymous respondent deletes their check and what they left with it. The register
    keeps the company it was shared for (reached is reached) but not this check's touch.
    CheckClaimed once it is filed under a company: it is the company's history now, deleted
    by its people there, not by whoever holds the link."""
    locked = _lock(response)
    if locked.company_id is not None:
        raise CheckClaimed(_("This check belongs to your company now; please delete it there."))
    _share_forget(locked)  # by the register's touch, whatever the flags say
    locked.delete()


# --- from a suggestion to a project ----------------------------------------------------------


@transaction.atomic
def check_project_start(*, actor: User, response: CheckResponse, category: str) -> Project:
    """ "Start this project": a project of the suggestion's category with its template
    milestones, for the response's company (member only), shared with its convoys."""
    if response.company is None or not _is_member(actor, response.company_id):
        raise PermissionDenied(_("Only the company's members may do this."))
    _require_submitted(response)
    questionnaire = questionnaire_load(response.questionnaire_version)
    try:
        template = project_template(questionnaire, category)
    except LookupError:
        raise ValidationError({"category": [_("There is no suggestion of this kind.")]}) from None
    return project_create(
        actor=actor,
        company=response.company,
        title=template["title"],
        category=template["category"],
        description=template.get("description", ""),
        milestones=[{"title": m["title"]} for m in template.get("milestones", [])][:3],
    )
