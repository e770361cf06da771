"""The error pages as a German small-business owner sees them (DEBUG off): in the site's
frame and language, the 403 with the reason it was refused, and a 500 page that needs neither
the request nor the database."""

import pytest
from django.template import loader
from django.test import Client

from programmes.models import Programme
from tests.factories import UserFactory


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    return settings


def _client(user, language="de") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    if user is not None:
        user.language = language
        user.save(update_fields=["language"])
        client.force_login(user)
    return client


def test_a_coach_on_the_report_gets_a_german_403_with_the_reason(programme_world, production):
    pw = programme_world
    response = _client(pw.coach).get(f"/programmes/{pw.programme.pk}/report/")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert 'data-testid="error-403"' in html
    assert "Das darf nur die Leitung des Programms." in html  # the PermissionDenied message
    assert 'href="/"' in html  # a way back
    assert "Konvoi" in html and "konvoi.css" in html  # the site's frame


def test_the_403_in_english(programme_world, production):
    pw = programme_world
    response = _client(pw.coach, "en").get(f"/programmes/{pw.programme.pk}/report/")
    html = response.content.decode()
    assert response.status_code == 403 and '<html lang="en">' in html
    assert "Only the programme&#x27;s managers may do this." in html


def test_a_404_page_in_german_that_names_nothing(db, production):
    response = _client(UserFactory()).get("/programmes/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="error-404"' in html and '<html lang="de">' in html
    assert "Programme matches" not in html  # the exception's text is not shown
    assert 'href="/"' in html


def test_the_404_for_anonymous_visitors(db, production):
    response = _client(None).get("/no-such-page/")
    assert response.status_code == 404
    assert 'data-testid="error-404"' in response.content.decode()


def test_the_api_still_answers_json(db, production):
    response = _client(UserFactory()).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_the_500_page_needs_no_request_and_no_database():
    """Django renders it with an empty context; it must not touch the database (which may be
    what failed): rendered here without the db fixture, any query would raise."""
    html = loader.get_template("500.html").render()
    assert "Ein Fehler ist aufgetreten" in html and "Something went wrong" in html
    assert "{%" not in html and "{{" not in html


def test_a_server_error_shows_the_500_page(db, production, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(Programme.objects, "filter", broken)
    client = _client(UserFactory())
    response = client.get("/programmes/")
    assert response.status_code == 500
    assert 'data-testid="error-500"' in response.content.decode()
