"""The demo's Digitalisierungs-Checks: every demo company's T0 (submitted through
checks.services by its owner, dated when it joined), two T1 that improved where their
projects work, the demo convoy's median (for its facilitator and for every member: at least
four other companies with a check of their own at a stage), an advisor-assisted ad hoc check,
and the anonymous check from the programme's public page whose share the register shows; the
report counts them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from checks.models import CheckResponse
from checks.selectors import CONVOY_MEDIAN_MIN, convoy_maturity
from companies.models import CompanyMember
from convoys.models import Convoy, Facilitator
from demo.data import (
    CHECKS,
    COACH,
    COMPANIES,
    DEMO_CONVOY_NAME,
    ISERLOHN_COMPANIES,
    PROGRAMME,
    PUBLIC_CHECK,
    TZ,
)
from programmes.models import CompanyRecord, Programme, Touch
from reports.programme_report import Period, programme_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def programme() -> Programme:
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=PROGRAMME["slug"])


def _days_ago(moment) -> int:
    return (timezone.localdate(timezone=TZ) - timezone.localdate(moment, TZ)).days


def test_every_demo_company_has_a_submitted_t0_and_two_a_t1(programme):
    company_checks = CheckResponse.objects.filter(company__isnull=False).select_related("company")

    t0 = {c.company.name: c for c in company_checks if c.stage == "T0"}
    assert set(t0) == {c.name for c in COMPANIES + ISERLOHN_COMPANIES}
    assert all(c.is_submitted and c.programme_id == programme.pk for c in company_checks)
    # Dated by the story: the day each company joined its convoy.
    joined = {c.name: c.joined for c in COMPANIES + ISERLOHN_COMPANIES}
    assert {name: _days_ago(c.submitted_at) for name, c in t0.items()} == joined
    # Varied: not everyone in the same band.
    assert len({c.band for c in t0.values()}) >= 2
    t1 = {c.company.name: c for c in company_checks if c.stage == "T1"}
    assert set(t1) == {d.company for d in CHECKS if d.stage == "T1"} and len(t1) == 2
    for name, later in t1.items():
        before = t0[name]
        assert later.overall > before.overall, name
        assert later.scores["dimensions"]["readiness"] > before.scores["dimensions"]["readiness"]
        assert later.scores["dimensions"]["data"] > before.scores["dimensions"]["data"]
    # Every T0 the company's own; the machine shop took it once more with the programme's coach.
    assert not any(c.advisor_assisted for c in t0.values())
    (assisted,) = [c for c in company_checks if c.advisor_assisted]
    assert assisted.company.name == "Dreherei Lindner GmbH" and assisted.stage == "adhoc"
    assert assisted.advisor.email == COACH[1]


def test_the_demo_convoy_shows_its_median_to_its_facilitator_and_every_member(programme):
    convoy = Convoy.objects.get(name=DEMO_CONVOY_NAME)
    facilitator = Facilitator.objects.filter(convoy=convoy).select_related("user").first()
    assert facilitator is not None

    maturity = convoy_maturity(convoy=convoy, user=facilitator.user)
    assert maturity["companies_submitted"] >= CONVOY_MEDIAN_MIN
    assert maturity["median"] is not None
    # A member's own company is left out: still four others for each of them.
    members = CompanyMember.objects.filter(
        company__memberships__convoy=convoy, company__memberships__status="active"
    ).select_related("user")
    assert members
    for member in members:
        seen = convoy_maturity(convoy=convoy, user=member.user)
        assert seen["companies_submitted"] >= CONVOY_MEDIAN_MIN, member.user.email
        assert seen["median"] is not None


def test_the_anonymous_check_was_shared_and_is_in_the_register(programme):
    public = CheckResponse.objects.get(company__isnull=True)

    assert public.is_submitted and public.programme_id == programme.pk
    assert public.email == PUBLIC_CHECK.email
    assert public.share_consent_at is not None and public.email_confirmed_at is not None
    assert _days_ago(public.submitted_at) == PUBLIC_CHECK.days_ago
    record = CompanyRecord.objects.get(programme=programme, company__name=PUBLIC_CHECK.company_name)
    assert record.stage == "engaged"
    assert record.company.city == PUBLIC_CHECK.city
    touch = Touch.objects.get(programme=programme, source=f"check:{public.pk}")
    assert touch.kind == "check_submitted"
    assert _days_ago(touch.at) == PUBLIC_CHECK.days_ago
    # Nothing of the story is dated at load time.
    assert all(
        timezone.now() - c.submitted_at > timedelta(days=1) for c in CheckResponse.objects.all()
    )


def test_the_report_counts_the_checks(programme):
    today = timezone.localdate()
    report = programme_report(programme=programme, period=Period(today - timedelta(364), today))

    assert report.indicator("checks_t0").value == len(COMPANIES) + len(ISERLOHN_COMPANIES)
    assert report.indicator("checks_t1").value == 2
    change = report.indicator("maturity_change")
    assert change.value == 2
    # Below 5 pairs no median is shown (one company's change could be read from it).
    assert change.breakdown["median_change"]["overall"] is None
