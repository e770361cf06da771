"""The Digitalisierungs-Check on a phone (390 x 844 px, German), as the issue asks: from the
programme's public page through every step to the result, then "Projekt starten" (signing
up and creating the company on the way), ending on the project page with the template's
milestones. axe-core checks the step and result screens; nothing scrolls sideways."""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from checks.models import CheckResponse
from checks.questionnaire import questionnaire_load
from checks.recommendations import project_template
from projects.models import Project
from tests.factories import ProgrammeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = Path(os.environ.get("KONVOI_SCREENSHOT_DIR", "/tmp")) / "konvoi-check"
AXE = Axe()
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


def shot(page: Page, name: str, *, axe: bool = True) -> None:
    """A screenshot to look at, axe-core's check (nothing critical or serious) and no
    sideways scrolling on the phone."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"de-{name}.png"), full_page=True)
    if axe:
        violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
        blocking = [
            f"{v['impact']} {v['id']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in violations
            if v["impact"] in {"critical", "serious"}
        ]
        assert not blocking, f"{name}: {blocking}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name


def answer_screen(page: Page) -> None:
    """A small firm's answers: little done yet (so that suggestions come), a few basics."""
    for question in page.get_by_test_id("check-question").all():
        kind = question.get_attribute("data-type")
        key = question.get_attribute("data-question") or ""
        choices = question.locator("label.check-choice")
        if kind == "multi":
            # The first thing ticked in two lists, "none of these" in the others.
            if key.endswith(("readiness", "basics")):
                choices.first.click()
            else:
                question.locator("label.check-choice-nothing").click()
        elif kind == "agree_1_5":
            choices.nth(2).click()
        else:
            for row in question.get_by_test_id("check-row").all():
                # 0 "not used" on the scales, "not planned" / "no" on the others.
                options = row.locator("label.check-choice")
                (options.first if kind == "scale_0_5" else options.last).click()


def test_the_anonymous_check_from_the_programme_page_to_a_project(
    browser: Browser, live_server
) -> None:
    programme = ProgrammeFactory(name="Kompetenzzentrum Hagen", slug="kompetenzzentrum-hagen")
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="de-DE", reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    site = live_server.url

    # 1. The programme's public page invites to the check.
    page.goto(f"{site}/p/{programme.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    teaser = page.get_by_test_id("programme-check")
    expect(teaser).to_contain_text("Digitalisierungs-Check: Wo steht Ihr Betrieb?")
    shot(page, "1-programme")
    teaser.get_by_test_id("programme-check-link").click()

    # 2. The intro; starting opens step 0 of a new anonymous check.
    expect(page.get_by_test_id("check-start")).to_be_visible()
    shot(page, "2-intro")
    page.get_by_test_id("check-begin").click()
    expect(page.get_by_test_id("check-progress")).to_contain_text("Schritt 1 von 7")
    response = CheckResponse.objects.get()
    assert response.programme == programme
    page.locator("select[name=sector]").select_option("craft")
    page.locator("select[name=size]").select_option("2-9")
    shot(page, "3-step-0")
    page.get_by_test_id("check-next").click()

    # 3. One dimension per screen, each saved; Back works and keeps the answers.
    questionnaire = questionnaire_load()
    for step, dimension in enumerate(questionnaire.dimensions, start=1):
        expect(page.get_by_test_id("check-progress")).to_contain_text(f"Schritt {step + 1} von 7")
        expect(page.locator("h1")).to_have_text(dimension.title["de"])
        answer_screen(page)
        if step == 1:
            # "Keines davon" and the other ticks exclude each other (check.js).
            ticklist = page.locator("[data-type=multi]").first
            ticklist.locator("label.check-choice").first.click()
            ticklist.locator("label.check-choice-nothing").click()
            expect(ticklist.locator("input:checked")).to_have_count(1)
            ticklist.locator("label.check-choice").first.click()
            expect(ticklist.locator("input[value=__nothing__]")).not_to_be_checked()
            answer_screen(page)
            help_box = page.locator("details.check-help").first
            help_box.locator("summary").click()
            expect(help_box.locator("p")).to_be_visible()
            shot(page, "4-step-1")
        if step == 2:
            shot(page, "4b-step-2")  # the 0–5 scales
            page.get_by_test_id("check-back").click()
            expect(page.get_by_test_id("check-progress")).to_contain_text("Schritt 2 von 7")
            expect(page.locator("input:checked").first).to_be_attached()
            page.get_by_test_id("check-next").click()
            answer_screen(page)
        if step < len(questionnaire.dimensions):
            page.get_by_test_id("check-next").click()
    expect(page.get_by_test_id("check-submit")).to_have_text("Auswerten")
    shot(page, "5-step-6")
    page.get_by_test_id("check-submit").click()

    # 4. The short result: score, band, the chart, three suggestions, the address form.
    expect(page.get_by_test_id("check-result")).to_be_visible()
    response.refresh_from_db()
    assert response.is_submitted
    assert (response.sector, response.size) == ("craft", "2-9")
    expect(page.get_by_test_id("check-overall")).to_have_text(f"{response.overall:.0f}")
    expect(page.locator("[data-check-chart]")).to_be_visible()
    expect(page.get_by_test_id("check-dimension-table").locator("tbody tr")).to_have_count(6)
    suggestions = page.get_by_test_id("check-suggestion")
    expect(suggestions).to_have_count(min(3, len(response.recommendations)))
    expect(page.get_by_test_id("check-contact")).to_contain_text("Vollständigen Bericht erhalten")
    chart = page.locator("#check-chart").bounding_box()
    assert chart and chart["width"] >= 300, chart  # the card's width on a phone
    shot(page, "6-result")
    # Sent without an address: the page opens at the error summary, which has the focus.
    page.get_by_test_id("check-contact-submit").click()
    summary = page.get_by_test_id("check-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary.locator("a[href='#id_email']")).to_be_visible()
    shot(page, "6b-contact-error", axe=False)

    # 5. "Projekt starten": log in → sign up → create the company → start.
    first = suggestions.first
    category = first.get_attribute("data-category")
    assert category
    first.get_by_test_id("check-project-start").click()
    page.wait_for_url(re.compile(r"/login/\?next="))
    expect(page.get_by_test_id("check-handoff-signup")).to_be_visible()
    shot(page, "6c-login-handoff")
    page.get_by_test_id("check-handoff-signup").click()
    expect(page.get_by_test_id("check-handoff")).to_be_visible()
    form = page.get_by_test_id("signup-form")
    form.locator("input[name=name]").fill("Petra Neu")
    form.locator("input[name=email]").fill("petra@baeckerei-neu.example")
    form.locator("input[name=password]").fill("Sauerteig-2026!")
    page.get_by_test_id("signup-submit").click()
    expect(page.get_by_test_id("check-project-no-company")).to_be_visible()
    shot(page, "7-no-company")
    page.get_by_test_id("check-project-create-company").click()
    company_form = page.get_by_test_id("company-form")
    # Sector and size come from the check's step 0.
    expect(page.get_by_test_id("company-from-check")).to_be_visible()
    expect(company_form.locator("select[name=sector]")).to_have_value("craft")
    expect(company_form.locator("select[name=size]")).to_have_value("2-9")
    company_form.locator("input[name=name]").fill("Bäckerei Neu")
    company_form.locator("input[name=city]").fill("Hagen")
    page.get_by_test_id("company-submit").click()
    expect(page.get_by_test_id("check-project-form")).to_be_visible()
    expect(page.get_by_label("Bäckerei Neu")).to_be_checked()
    shot(page, "8-choose-company")
    page.get_by_test_id("check-project-submit").click()

    # 6. The project page, with the template's milestones.
    page.wait_for_url(re.compile(r"/projects/\d+/"))
    project = Project.objects.get()
    template = project_template(questionnaire, category, "de")
    assert project.title == template["title"]
    assert project.company.name == "Bäckerei Neu"
    for milestone in template["milestones"]:
        expect(page.get_by_text(milestone["title"]).first).to_be_visible()
    shot(page, "9-project", axe=False)
    response.refresh_from_db()
    assert response.company == project.company
    context.close()


def test_the_full_report_and_its_print_version(browser: Browser, live_server) -> None:
    """After leaving an address: every suggestion and what each area's score means; the
    print version with its button."""
    from checks.services import check_answers_save, check_submit, public_check_start
    from tests.checks.test_pages import worst_answers

    programme = ProgrammeFactory(name="Kompetenzzentrum Hagen")
    response, token = public_check_start(programme=programme, language="de")
    check_answers_save(response=response, answers=worst_answers())
    check_submit(response=response)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="de-DE", reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/check/{token}/result/")
    form = page.get_by_test_id("check-contact-form")
    form.locator("input[name=email]").fill("petra@baeckerei-neu.example")
    form.locator("input[name=consent]").check()
    page.get_by_test_id("check-contact-submit").click()
    expect(page.get_by_test_id("check-result")).to_have_attribute("data-full", "true")
    expect(page.get_by_test_id("check-suggestion")).to_have_count(len(response.recommendations))
    expect(page.locator(".check-meaning").first).to_be_visible()
    shot(page, "10-full-report")
    page.get_by_test_id("check-print-link").click()
    expect(page.get_by_test_id("check-print-button")).to_be_visible()
    expect(page.locator(".main-nav")).to_have_count(0)
    shot(page, "11-print")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_test_id("check-print-button")).to_be_hidden()
    context.close()
