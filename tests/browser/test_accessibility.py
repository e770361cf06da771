"""Accessibility in a real browser: axe-core finds nothing critical or serious on the main pages,
in German, on a phone (390 px) and on a desktop (1280 px). Other findings are printed, so that a
run shows what is left to improve."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, Page

from notifications.models import Notification
from tests.factories import (
    CheckInFactory,
    CommentFactory,
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    InvitationFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    UpdateFactory,
    UserFactory,
)
from tests.support.browser import log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"critical", "serious"}
WIDTHS = [390, 1280]
INVITATION_TOKEN = "axe-invitation-token"
AXE = Axe()


# WCAG 2.2's target size (24 px) is off by default in axe-core; the issue measured it (21 px
# date fields), so it is checked too.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


def axe_findings(page: Page) -> list[dict]:
    """axe-core's violations on the page as it is now."""
    return AXE.run(page, options=AXE_OPTIONS).response["violations"]


def describe(path: str, violation: dict) -> str:
    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
    return f"{path}: {violation['impact']} {violation['id']} ({violation['help']}) at {targets}"


@pytest.fixture
def site(live_server) -> str:
    return live_server.url


@pytest.fixture
def convoy_world():
    convoy = ConvoyFactory(name="Digitalisierungs-Konvoi Hagen")
    company = CompanyFactory(name="Sanitär Schulte")
    member = UserFactory(name="Mia Schulte", email="mia@example.com")
    CompanyMemberFactory(company=company, user=member, role="owner")
    facilitator = UserFactory(name="Frieda Moderation", email="frieda@example.com")
    FacilitatorFactory(convoy=convoy, user=facilitator)
    MembershipFactory(convoy=convoy, company=company)
    quiet = CompanyFactory(name="Blumen Berger")
    MembershipFactory(convoy=convoy, company=quiet)
    project = ProjectFactory(company=company, title="Online-Termine", convoys=[convoy])
    MilestoneFactory(project=project, title="Tool auswählen", status="done")
    MilestoneFactory(project=project, title="Live schalten", status="blocked")
    MilestoneFactory(project=project, title="Team schulen")
    update = UpdateFactory(convoy=convoy, company=company, author=member, help_wanted=True)
    CommentFactory(
        convoy=convoy,
        target_id=update.pk,
        author=member,
        body="**Gut** gemacht",
        body_html="<p><strong>Gut</strong> gemacht</p>",
    )
    checkin = CheckInFactory(convoy=convoy, title="Treffen Oktober", capacity=8)
    # An invitation for a company owner who has an account (the page then offers to accept).
    invitee = UserFactory(name="Olaf Berger", email="olaf@example.com")
    CompanyMemberFactory(company=CompanyFactory(name="Bäckerei Berger"), user=invitee)
    InvitationFactory(convoy=convoy, email="olaf@example.com", token=INVITATION_TOKEN)
    # The notification list with an unread and a read entry.
    for kind, data, read_at in [
        ("mention", {"excerpt": "Wie ist es gelaufen?", "target_title": "Update"}, None),
        (
            "reminder.update_due",
            {"company": company.name, "convoy": convoy.name, "cadence": 14},
            timezone.now(),
        ),
    ]:
        Notification.objects.create(
            recipient=member,
            kind=kind,
            actor=facilitator,
            convoy=convoy,
            target_type="convoy",
            target_id=convoy.pk,
            data=data,
            read_at=read_at,
            created_at=timezone.now(),
        )
    return {
        "convoy": convoy,
        "company": company,
        "project": project,
        "checkin": checkin,
        "quiet": quiet,
    }


def _visit(page: Page, site: str, path: str) -> list[dict] | int:
    """axe's findings on the page, or its HTTP status if it did not load."""
    response = page.goto(site + path)
    if response is None or response.status >= 400:
        return response.status if response else 0
    page.wait_for_load_state("load")
    # What is folded away (comment forms, older updates) is checked unfolded.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    return axe_findings(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_main_pages_have_no_critical_or_serious_axe_finding(
    browser: Browser, site: str, convoy_world, width: int
) -> None:
    convoy = convoy_world["convoy"]
    convoy_path, checkin_path = f"/convoys/{convoy.pk}", f"/checkins/{convoy_world['checkin'].pk}"
    company_path = f"/companies/{convoy_world['company'].pk}"
    pages = {
        "member": [
            "/",
            f"{convoy_path}/",
            f"{company_path}/",
            f"/projects/{convoy_world['project'].pk}/",
            f"{checkin_path}/",
            "/notifications/",
            "/notifications/settings/",
            # The forms on the way to a first update, and the everyday ones.
            f"{company_path}/projects/new/",
            f"{convoy_path}/updates/new/",
            f"{company_path}/edit/",
            "/companies/new/",
            "/convoys/new/",
            "/profile/",
            "/calendar/",
        ],
        "facilitator": [
            "/",
            "/convoys/",
            f"{convoy_path}/",
            f"{company_path}/",
            f"{checkin_path}/",
            f"{checkin_path}/attendance/",
            f"{convoy_path}/invitations/",
            f"{convoy_path}/checkins/new/",
            f"{convoy_path}/edit/",
            # Confirmation steps for actions that tell others.
            f"{convoy_path}/companies/{convoy_world['quiet'].pk}/nudge/",
            f"{convoy_path}/companies/{convoy_world['quiet'].pk}/remove/",
        ],
        "invitee": [f"/invitations/{INVITATION_TOKEN}/"],
    }
    emails = {
        "member": "mia@example.com",
        "facilitator": "frieda@example.com",
        "invitee": "olaf@example.com",
    }
    findings: dict[str, list[dict] | int] = {}

    anonymous = new_page(browser, width=width)
    for path in [
        "/login/",
        "/signup/",
        "/password-reset/",
        f"/invitations/{INVITATION_TOKEN}/",
        *("/imprint/", "/privacy/", "/accessibility/"),  # the legal pages (public)
    ]:
        findings[f"anonymous {path}"] = _visit(anonymous, site, path)
    # A form with an error message.
    anonymous.goto(f"{site}/login/")
    anonymous.locator("input[name=username]").fill("mia@example.com")
    anonymous.locator("input[name=password]").fill("not-the-password")
    anonymous.get_by_test_id("login-submit").click()
    anonymous.wait_for_load_state("load")
    findings["anonymous /login/ (wrong password)"] = axe_findings(anonymous)
    assert anonymous.locator("html").get_attribute("lang") == "de"
    anonymous.context.close()

    for role, paths in pages.items():
        page = new_page(browser, width=width)
        log_in(page, site, emails[role])
        for path in paths:
            findings[f"{role} {path}"] = _visit(page, site, path)
        if role == "member":
            # A page with a flash message (the settings were saved).
            page.goto(f"{site}/notifications/settings/")
            page.get_by_test_id("preferences-submit").click()
            page.wait_for_load_state("load")
            assert page.locator(".messages .message").count() == 1
            findings["member /notifications/settings/ (saved)"] = axe_findings(page)
        page.context.close()

    blocking, other = [], []
    # A page that does not load is not accessible either (and would hide its findings).
    broken = {path: status for path, status in findings.items() if isinstance(status, int)}
    for path, violations in findings.items():
        for violation in [] if isinstance(violations, int) else violations:
            (blocking if violation["impact"] in BLOCKING else other).append(
                describe(path, violation)
            )
    print(f"\naxe at {width} px: {len(findings)} pages, {len(other)} minor or moderate finding(s)")
    print("\n".join(other))
    assert (blocking, broken) == ([], {})


def test_the_axe_check_bites(browser: Browser) -> None:
    """A page with a field without a label and grey-on-grey text is reported as serious."""
    page = new_page(browser, width=390)
    page.set_content(
        '<html lang="de"><body><main><h1>Test</h1>'
        '<p style="color:#bbb;background:#ccc">Kaum lesbar</p>'
        '<input type="text"></main></body></html>'
    )
    found = {v["id"]: v["impact"] for v in axe_findings(page)}
    page.context.close()
    assert found.get("color-contrast") == "serious"
    assert found.get("label") == "critical"
