"""GET /api/v1/programmes/{id}/report/ (and .xlsx, .csv): the contract."""

from datetime import date

import pytest

from audit.models import AuditEntry
from programmes.models import Staff
from reports.programme_report import programme_report
from tests.factories import UserFactory
from tests.reports.test_programme_report import PERIOD, build_dataset
from tests.support.domain import domain_state

QUERY = "?from=2026-01-01&to=2026-06-30"


@pytest.fixture
def data(db):
    return build_dataset()


@pytest.fixture
def manager(data):
    user = UserFactory(language="en")
    Staff.objects.create(programme=data.programme, user=user, role="manager")
    return user


@pytest.fixture
def coach(data):
    user = UserFactory()
    Staff.objects.create(programme=data.programme, user=user, role="coach")
    return user


def _url(data, suffix="report/"):
    return f"/api/v1/programmes/{data.programme.pk}/{suffix}"


def test_manager_gets_the_report_as_the_function_computes_it(data, manager, client_for):
    response = client_for(manager).get(_url(data) + QUERY, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    assert body["from"] == "2026-01-01"
    assert body["to"] == "2026-06-30"
    expected = programme_report(programme=data.programme, period=PERIOD).as_json()
    assert [(i["key"], i["value"]) for i in body["indicators"]] == [
        (i["key"], i["value"]) for i in expected["indicators"]
    ]
    reached = body["indicators"][0]
    assert reached["key"] == "companies_reached"
    assert reached["value"] == 3
    assert reached["breakdown"]["size_class"] == {"micro": 1, "small": 1, "medium": 1, "large": 0}


def test_labels_and_rules_follow_the_request_language(data, manager, client_for):
    client = client_for(manager)
    german = client.get(_url(data) + QUERY, HTTP_ACCEPT_LANGUAGE="de").json()
    english = client.get(_url(data) + QUERY, HTTP_ACCEPT_LANGUAGE="en").json()

    assert english["indicators"][0]["label"] == "Companies reached"
    assert [i["key"] for i in german["indicators"]] == [i["key"] for i in english["indicators"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "from"),
        ("?to=2026-06-30", "from"),
        ("?from=2026-01-01", "to"),
        ("?from=2026-1-1&to=2026-06-30", "from"),
        ("?from=yesterday&to=2026-06-30", "from"),
        ("?from=2026-01-01&to=2026-02-31", "to"),
        ("?from=2026-06-30&to=2026-01-01", "to"),
        ("?from=2019-01-01&to=2026-01-01", "to"),
        # Years far off would overflow the period's instants: 2000 … next year only.
        ("?from=9999-12-30&to=9999-12-31", "from"),
        ("?from=2026-01-01&to=9999-12-31", "to"),
        ("?from=0001-01-01&to=2026-01-01", "from"),
        ("?from=1999-12-31&to=2000-01-01", "from"),
        (f"?from=2026-01-01&to={date.today().year + 2}-01-01", "to"),
    ],
)
@pytest.mark.parametrize("suffix", ["report/", "report.xlsx", "report.csv"])
def test_bad_periods_are_400_naming_the_field(data, manager, client_for, query, field, suffix):
    response = client_for(manager).get(_url(data, suffix) + query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == [field]


@pytest.mark.parametrize("suffix", ["report/", "report.xlsx", "report.csv"])
def test_who_gets_the_report(data, manager, coach, client_for, suffix):
    outsider = UserFactory()
    other_manager = UserFactory()
    Staff.objects.create(programme=data.other_programme, user=other_manager, role="manager")
    url = _url(data, suffix) + QUERY
    before = domain_state()

    assert client_for(None).get(url).status_code == 401
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(other_manager).get(url).status_code == 404
    assert client_for(coach).get(url).status_code == 403
    assert client_for(manager).get(url).status_code == 200
    assert domain_state() == before


def test_an_outsider_gets_404_even_for_a_bad_period(data, client_for):
    response = client_for(UserFactory()).get(_url(data) + "?from=nonsense")

    assert response.status_code == 404


def test_unknown_programme_is_404(data, manager, client_for):
    response = client_for(manager).get("/api/v1/programmes/987654/report/" + QUERY)

    assert response.status_code == 404


def test_files_are_attachments_named_after_programme_and_period(data, manager, client_for):
    client = client_for(manager)
    xlsx = client.get(_url(data, "report.xlsx") + QUERY, HTTP_ACCEPT_LANGUAGE="en")
    csv = client.get(_url(data, "report.csv") + QUERY, HTTP_ACCEPT_LANGUAGE="en")

    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx["Content-Disposition"] == (
        'attachment; filename="programme-report-kompetenzzentrum-hagen-2026-01-01-2026-06-30.xlsx"'
    )
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"] == (
        'attachment; filename="programme-report-kompetenzzentrum-hagen-2026-01-01-2026-06-30.csv"'
    )


def test_the_file_name_is_in_the_request_language(data, client_for):
    german = UserFactory(language="de")
    Staff.objects.create(programme=data.programme, user=german, role="manager")

    response = client_for(german).get(_url(data, "report.csv") + QUERY, HTTP_ACCEPT_LANGUAGE="de")

    assert response["Content-Disposition"] == (
        'attachment; filename="programmbericht-kompetenzzentrum-hagen-2026-01-01-2026-06-30.csv"'
    )


@pytest.mark.parametrize(("suffix", "format"), [("report.xlsx", "xlsx"), ("report.csv", "csv")])
def test_the_downloads_are_audited(data, manager, client_for, suffix, format):
    client_for(manager).get(_url(data, suffix) + QUERY)

    entry = AuditEntry.objects.get(target=f"programme:{data.programme.pk}")
    assert entry.user == manager
    assert entry.data == {"export": "programme_report", "format": format}


def test_the_json_report_is_not_audited_and_a_refused_download_is_not_either(
    data, manager, coach, client_for
):
    client_for(manager).get(_url(data) + QUERY)
    client_for(coach).get(_url(data, "report.csv") + QUERY)
    client_for(manager).get(_url(data, "report.csv") + "?from=9999-12-30&to=9999-12-31")

    assert not AuditEntry.objects.filter(target=f"programme:{data.programme.pk}").exists()


def test_a_bad_date_on_the_api_is_answered_formally_in_german(data, client_for):
    """DRF's own German says "Nutze stattdessen …"; Konvoi pins the formal wording
    (frontend/translation_overrides.py)."""
    german = UserFactory(language="de")
    Staff.objects.create(programme=data.programme, user=german, role="manager")

    response = client_for(german).get(
        f"/api/v1/programmes/{data.programme.pk}/services/?from=gestern",
        HTTP_ACCEPT_LANGUAGE="de",
    )

    assert response.status_code == 400
    message = response.json()["from"][0]
    assert "Verwenden Sie" in message
    assert "Nutze" not in message


def test_the_schema_documents_the_three_operations(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]

    operations = {
        suffix: paths[f"/api/v1/programmes/{{id}}/{suffix}"]["get"]
        for suffix in ("report/", "report.xlsx", "report.csv")
    }
    assert [o["operationId"] for o in operations.values()] == [
        "programmes_report_retrieve",
        "programmes_report_xlsx",
        "programmes_report_csv",
    ]
    for operation in operations.values():
        assert operation["tags"] == ["programme report"]
        assert operation["summary"]
        assert "403" in operation["description"]
        assert {p["name"] for p in operation["parameters"] if p["in"] == "path"} == {"id"}
        assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} == {
            "from",
            "to",
        }
    assert "key;dimension;value_key;value;label;rule" in operations["report.csv"]["description"]
