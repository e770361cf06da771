"""The programme report page: who sees it, the period form, the figures, charts and tables."""

import json
import re
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from programmes.models import Staff
from tests.factories import UserFactory
from tests.reports.test_programme_report import build_dataset
from tests.support.domain import domain_state

QUERY = "?from=2026-01-01&to=2026-06-30"


@pytest.fixture
def data(db):
    return build_dataset()


def _client(user=None, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        user.language = language
        user.save(update_fields=["language"])
        client.force_login(user)
    return client


def _staff(data, role):
    user = UserFactory()
    Staff.objects.create(programme=data.programme, user=user, role=role)
    return user


def _url(data):
    return f"/programmes/{data.programme.pk}/report/"


def test_statuses_by_role(data):
    url = _url(data) + QUERY
    anonymous, outsider = _client(), _client(UserFactory())
    coach, manager = _client(_staff(data, "coach")), _client(_staff(data, "manager"))
    before = domain_state()

    response = anonymous.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert outsider.get(url).status_code == 404
    assert coach.get(url).status_code == 403
    assert manager.get(url).status_code == 200
    assert domain_state() == before


def test_the_manager_sees_every_indicator_with_its_rule(data):
    response = _client(_staff(data, "manager")).get(_url(data) + QUERY)

    html = response.content.decode()
    keys = re.findall(r'data-testid="report-indicator" data-key="(\w+)"', html)
    assert keys[:3] == ["companies_reached", "funnel", "services"]
    assert len(keys) == 20  # with the four open-event and the three check indicators
    assert "Companies reached" in html
    assert "counts once" in html
    reached = response.context["report"].indicator("companies_reached")
    assert reached.value == 3


def test_downloads_carry_the_period(data):
    response = _client(_staff(data, "manager")).get(_url(data) + QUERY)

    downloads = response.context["downloads"]
    pk = data.programme.pk
    assert downloads["xlsx"] == f"/api/v1/programmes/{pk}/report.xlsx" + QUERY
    assert downloads["csv"] == f"/api/v1/programmes/{pk}/report.csv" + QUERY
    # The JSON is for developers: the API documentation has it, the page does not.
    assert "json" not in downloads
    html = response.content.decode()
    assert f'href="/api/v1/programmes/{pk}/report/?' not in html
    assert f'href="/api/v1/programmes/{pk}/report.xlsx?from=2026-01-01&amp;to=2026-06-30"' in html


def test_the_charts_get_their_data_as_json_and_have_tables(data):
    response = _client(_staff(data, "manager")).get(_url(data) + QUERY)

    html = response.content.decode()
    payload = re.search(
        r'<script id="report-chart-data" type="application/json">(.*?)</script>', html, re.S
    )
    chart = json.loads(payload.group(1))
    assert [r["month"] for r in chart["reach"]] == [f"2026-0{m}" for m in range(1, 7)]
    assert chart["reach"][0] == {
        "month": "2026-01",
        "label": "January 2026",
        "new": 0,
        "returning": 1,
    }
    assert {r["stage"]: r["companies"] for r in chart["funnel"]}["project_started"] == 1
    assert 'data-testid="reach-table"' in html
    assert 'data-testid="funnel-table"' in html
    assert "frontend/report.js" in html
    assert "frontend/vendor/chart.umd.min.js" in html
    # CSP: no inline script but the JSON data island.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attrs for attrs in inline)


def test_the_default_period_is_this_year_to_today(data):
    response = _client(_staff(data, "manager")).get(_url(data))

    today = timezone.localdate()
    assert response.status_code == 200
    assert response.context["period"].start == date(today.year, 1, 1)
    assert response.context["period"].end == today
    assert len(response.context["quick_links"]) == 3


def test_a_bad_period_shows_the_error_at_its_field(data):
    response = _client(_staff(data, "manager")).get(_url(data) + "?from=2026-06-30&to=2026-01-01")

    assert response.status_code == 200
    assert response.context["report"] is None
    assert response.context["form"].errors["to"] == [
        "The end of the period cannot be before its start."
    ]
    assert "report-indicator" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?from=9999-12-30&to=9999-12-31", "from"),
        ("?from=0001-01-01&to=2026-01-01", "from"),
        ("?from=2026-01-01&to=9999-12-31", "to"),
    ],
)
def test_a_year_far_off_is_a_form_error_not_a_crash(data, query, field):
    response = _client(_staff(data, "manager")).get(_url(data) + query)

    assert response.status_code == 200
    assert response.context["report"] is None
    next_year = timezone.localdate().year + 1
    assert response.context["form"].errors[field] == [
        f"Enter a date in the years 2000 to {next_year}."
    ]


def test_breakdowns_are_headed_by_their_dimension(data):
    response = _client(_staff(data, "manager")).get(_url(data) + QUERY)

    html = response.content.decode()
    assert "<summary>By size class</summary>" in html
    assert "<summary>New or returning</summary>" in html
    assert "By New or returning" not in html


def test_a_missing_date_is_required(data):
    response = _client(_staff(data, "manager")).get(_url(data) + "?from=2026-01-01")

    assert "to" in response.context["form"].errors
    assert response.context["report"] is None


def test_the_page_is_german_for_german_users(data):
    response = _client(_staff(data, "manager"), language="de").get(_url(data) + QUERY)

    assert response.status_code == 200
    assert response.context["report"].indicator("companies_reached").value == 3
