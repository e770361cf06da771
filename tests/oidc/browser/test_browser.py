"""Single sign-on in a real browser (chromium) against the real test provider, on a phone-sized
screen: the button, the provider's login form, back in Konvoi, and out again at both ends."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.oidc.conftest import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.slow]


def test_sso_login_and_logout_in_a_browser(browser, sso, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/login/?next=/profile/")
    page.get_by_test_id("sso-login").click()
    # At the provider (another origin): its own login form.
    page.wait_for_url(f"{sso.url}/login/**")
    page.get_by_label("User").fill("anna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in at the provider").click()

    page.wait_for_url(f"{live_server.url}/profile/")
    expect(page.get_by_text("anna@example.org").first).to_be_visible()
    assert User.objects.get(email="anna@example.org").name == "Anna Neu"

    page.get_by_test_id("logout").first.click()
    page.wait_for_url(f"{live_server.url}/login/")
    # The provider's session ended too: the next SSO login asks for the password again.
    page.get_by_test_id("sso-login").click()
    page.wait_for_url(f"{sso.url}/login/**")
    context.close()
