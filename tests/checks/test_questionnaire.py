"""The questionnaire file is validated (the loader is strict), and answers are checked
against it: any JSON gives a ValidationError naming the question, never a 500."""

import copy
import json
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import translation

from checks.models import DIMENSIONS, Dimension
from checks.questionnaire import (
    CURRENT_VERSION,
    QUESTION_TYPES,
    ROW_TYPES,
    answers_clean,
    dimension_title,
    questionnaire_load,
    questionnaire_parse,
    questionnaire_wire,
    text_in,
)
from checks.recommendations import CATEGORIES

FILE = Path(__file__).resolve().parents[2] / "checks" / "questionnaires" / "2026-1.json"


@pytest.fixture
def q():
    return questionnaire_load()


@pytest.fixture
def raw():
    return json.loads(FILE.read_text(encoding="utf-8"))


# The file ---------------------------------------------------------------------------------


def test_the_current_file_loads_once_and_is_complete(q):
    assert q.version == CURRENT_VERSION
    assert questionnaire_load(CURRENT_VERSION) is q  # cached
    assert tuple(d.key for d in q.dimensions) == DIMENSIONS
    # The DMA's eleven questions, 2/2/2/2/1/2, plus the agree statements.
    dma = [[x for x in d.questions if x.type != "agree_1_5"] for d in q.dimensions]
    assert [len(questions) for questions in dma] == [2, 2, 2, 2, 1, 2]
    assert 1 <= sum(x.type == "agree_1_5" for x in q.questions()) <= 3
    keys = [x.key for x in q.questions()]
    assert len(keys) == len(set(keys))


def test_every_text_in_both_languages_every_type_known_every_item_weighted(q):
    for d in q.dimensions:
        for texts in (d.title, d.intro, *d.meanings.values()):
            assert texts["de"].strip() and texts["en"].strip()
        for question in d.questions:
            assert question.type in QUESTION_TYPES
            assert question.text["de"] and question.text["en"]
            assert question.help["de"] and question.help["en"]
            items = question.options or question.rows
            if question.type == "agree_1_5":
                assert not items
            else:
                assert 5 <= len(items) <= 10, question.key  # short enough for 15 minutes
            for item in items:
                assert item.weight > 0
                assert item.text["de"] and item.text["en"]
            assert bool(question.options) == (question.type == "multi")
            assert bool(question.rows) == (question.type in ROW_TYPES)
    negatives = [o.key for x in q.questions() for o in x.options if o.negative]
    assert negatives == ["not_digital"]
    assert [s["category"] for s in q.suggestions] == list(CATEGORIES)


def test_unknown_versions_are_a_lookup_error():
    for version in ("1999-1", "../settings", "", "2026-1.json", "a" * 100):
        with pytest.raises(LookupError):
            questionnaire_load(version)


def _broken(raw, change):
    data = copy.deepcopy(raw)
    change(data)
    return data


def _question(data, key):
    return next(x for d in data["dimensions"] for x in d["questions"] if x["key"] == key)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _question(d, "strategy_plan").update(type="yes_no"), "unknown type"),
        (lambda d: _question(d, "strategy_plan")["text"].pop("en"), "missing the 'en' text"),
        (lambda d: _question(d, "strategy_plan").pop("help"), "help: must be an object"),
        (
            lambda d: _question(d, "readiness_basics")["options"][0].pop("weight"),
            "missing weight",
        ),
        (
            lambda d: _question(d, "readiness_basics")["options"][0].update(weight=True),
            "missing weight",
        ),
        (
            lambda d: _question(d, "green_impact")["rows"][1].update(key="in_planning"),
            "duplicate key 'in_planning'",
        ),
        (
            lambda d: _question(d, "green_impact").update(options=[]),
            "options only on multi",
        ),
        (
            lambda d: _question(d, "readiness_basics").update(rows=[]),
            "rows only on row types",
        ),
        (lambda d: _question(d, "strategy_plan").update(rows=[]), "options only on multi"),
        (
            lambda d: _question(d, "human_confidence").update(key="strategy_plan"),
            "duplicate key 'strategy_plan'",
        ),
        (lambda d: d["dimensions"].reverse(), "must be exactly"),
        (lambda d: d["dimensions"].pop(), "must be exactly"),
        (lambda d: d.update(version="2026-2"), "is not the file's version"),
        (lambda d: d["bands"].pop("basic"), "needs exactly the bands"),
        (lambda d: d["suggestions"].pop(), "no suggestion for the categories ['strategy']"),
        (
            lambda d: d["suggestions"][0].update(category="blockchain"),
            "unknown category 'blockchain'",
        ),
        (
            lambda d: d["suggestions"][0]["project"].update(category="training"),
            "unknown project category 'training'",
        ),
        (
            lambda d: d["suggestions"][0]["rules"][0]["when"][0].update(not_ticked="homepage"),
            "unknown option 'homepage'",
        ),
        (
            lambda d: d["suggestions"][0]["rules"][0]["when"][0].update(question="web"),
            "unknown question 'web'",
        ),
        (
            lambda d: d["suggestions"][1]["rules"][1]["when"][0].update(row="shop"),
            "unknown row 'shop'",
        ),
        (
            lambda d: d["suggestions"][1]["rules"][1]["when"][0].update(**{"in": ["never"]}),
            "a row condition needs",
        ),
        (
            lambda d: d["suggestions"][1]["rules"][1].update(key="no_website"),
            "duplicate key 'no_website'",
        ),
        (
            lambda d: d["suggestions"][0]["project"]["milestones"].append({"de": "x", "en": "x"}),
            "at most three milestones",
        ),
        (
            lambda d: d["suggestions"][2]["sectors"].update(bakery=0.5),
            "unknown sector 'bakery'",
        ),
        (
            lambda d: d["suggestions"][2]["sectors"].update(craft=0),
            "the factor of 'craft' must be a positive number",
        ),
        (
            lambda d: d["suggestions"][2].update(sectors=[]),
            "sectors: must be an object",
        ),
    ],
)
def test_a_broken_file_is_refused_with_the_place(raw, change, message):
    with pytest.raises(ImproperlyConfigured) as error:
        questionnaire_parse(_broken(raw, change), version="2026-1")
    assert message in str(error.value)
    assert str(error.value).startswith("Questionnaire 2026-1: ")


def test_the_file_as_is_parses(raw):
    assert questionnaire_parse(raw, version="2026-1") == questionnaire_load()


# Texts and the wire ---------------------------------------------------------------------


def test_text_in():
    texts = {"de": "Hallo", "en": "Hello"}
    assert text_in(texts, "en") == "Hello"
    assert text_in(texts, "en-gb") == "Hello"
    assert text_in(texts, "fr") == "Hallo"
    with translation.override("en"):
        assert text_in(texts) == "Hello"
    with translation.override("de"):
        assert text_in(texts) == "Hallo"


def test_the_wire_shape_per_type(q):
    wire = questionnaire_wire(q, "en")
    assert wire["version"] == "2026-1"
    assert [d["key"] for d in wire["dimensions"]] == list(DIMENSIONS)
    assert wire["dimensions"][0]["title"] == "Digital strategy"
    questions = {x["key"]: x for d in wire["dimensions"] for x in d["questions"]}
    assert set(wire["dimensions"][0]) == {"key", "title", "intro", "questions"}
    assert set(questions["strategy_plan"]) == {"key", "type", "text", "help"}
    assert set(questions["strategy_areas"]) == {"key", "type", "text", "help", "rows"}
    assert questions["strategy_areas"]["rows"][0] == {
        "key": "product_development",
        "text": "Developing products or services",
    }
    assert set(questions["data_management"]) == {"key", "type", "text", "help", "options"}
    options = questions["data_management"]["options"]
    assert options[-1] == {
        "key": "not_digital",
        "text": "Our data is mostly not recorded digitally (for example only on paper).",
        "negative": True,
    }
    assert all(set(o) == {"key", "text"} for o in options[:-1])  # no weights on the wire
    german = questionnaire_wire(q, "de")
    assert german["dimensions"][0]["title"] == "Digitale Strategie"
    json.dumps(wire)


# One name per area: the file's titles, also as checks.models.Dimension's labels ----------


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_dimension_labels_are_the_files_titles(q, language):
    # A page that shows both (the result's table, the report's breakdowns) names an area once.
    with translation.override(language):
        for d in q.dimensions:
            assert str(Dimension(d.key).label) == d.title[language]
            assert dimension_title(d.key) == d.title[language]
            assert dimension_title(d.key, language) == d.title[language]


def test_dimension_titles_fit_a_table_column_on_a_phone(q):
    for d in q.dimensions:
        for language in ("de", "en"):
            assert len(d.title[language]) <= 24, d.title[language]


def test_dimension_title_of_an_unknown_key_is_the_key(q):
    assert dimension_title("nonsense", "de") == "nonsense"
    assert dimension_title("green", "en", questionnaire=q) == q.dimension("green").title["en"]


# Answers --------------------------------------------------------------------------------


def test_good_answers_are_kept_in_the_questionnaires_order(q):
    answers = {
        "strategy_areas": {"warehouse": "planned", "delivery": "already", "purchasing": "none"},
        "readiness_basics": ["website", "internet_cloud"],
        "readiness_advanced": {"cad_cam": 0, "sensors": 5},
        "green_impact": {"it_energy": "partly"},
        "strategy_plan": 5,
        "human_confidence": None,
        "data_management": [],
        "green_tech": None,
    }
    assert answers_clean(q, answers) == {
        "strategy_areas": {"warehouse": "planned", "delivery": "already", "purchasing": "none"},
        "readiness_basics": ["internet_cloud", "website"],
        "readiness_advanced": {"cad_cam": 0, "sensors": 5},
        "green_impact": {"it_energy": "partly"},
        "strategy_plan": 5,
        "human_confidence": None,
        "data_management": [],
        "green_tech": None,
    }
    assert answers_clean(q, {}) == {}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("readiness_basics", "website"),
        ("readiness_basics", {"website": True}),
        ("readiness_basics", ["website", "website"]),
        ("readiness_basics", ["homepage"]),
        ("readiness_basics", [["website"]]),
        ("readiness_basics", [1]),
        ("readiness_basics", ["website"] * 100_000),
        ("readiness_basics", True),
        ("strategy_areas", ["already"]),
        ("strategy_areas", {"warehouse": "yes"}),
        ("strategy_areas", {"garden": "already"}),
        ("strategy_areas", {"warehouse": {"already": True}}),
        ("strategy_areas", {str(i): "none" for i in range(10_000)}),
        ("strategy_areas", "already"),
        ("readiness_advanced", {"cad_cam": 6}),
        ("readiness_advanced", {"cad_cam": -1}),
        ("readiness_advanced", {"cad_cam": 2.5}),
        ("readiness_advanced", {"cad_cam": 3.0}),
        ("readiness_advanced", {"cad_cam": True}),
        ("readiness_advanced", {"cad_cam": "3"}),
        ("readiness_advanced", {"cad_cam": None}),
        ("green_impact", {"it_energy": "maybe"}),
        ("green_impact", {"it_energy": 1}),
        ("strategy_plan", 0),
        ("strategy_plan", 6),
        ("strategy_plan", 4.0),
        ("strategy_plan", True),
        ("strategy_plan", "5"),
        ("strategy_plan", [5]),
        ("strategy_plan", 10**100),
    ],
)
def test_bad_answers_name_the_question(q, key, value):
    with pytest.raises(ValidationError) as error:
        answers_clean(q, {key: value})
    assert list(error.value.message_dict) == [key]


@pytest.mark.parametrize("answers", [None, [], "answers", 3, True, [{"strategy_plan": 3}]])
def test_answers_not_an_object(q, answers):
    with pytest.raises(ValidationError) as error:
        answers_clean(q, answers)
    assert list(error.value.message_dict) == ["answers"]


def test_unknown_and_too_many_questions(q):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        answers_clean(q, {"strategy_plan": 3, "shoe_size": 42})
    # Counted under "answers", never echoed: a key may be anything (attacker review F5).
    assert error.value.message_dict == {
        "answers": ["1 answer is to a question this check does not have."]
    }
    with pytest.raises(ValidationError) as error:
        answers_clean(q, {f"q{i}": 1 for i in range(1000)})
    assert list(error.value.message_dict) == ["answers"]
    with pytest.raises(ValidationError) as error:
        answers_clean(q, {"x" * 10_000: 1})
    assert list(error.value.message_dict) == ["answers"]


def test_messages_are_translated(q):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        answers_clean(q, {"strategy_plan": 9, "readiness_advanced": {"cad_cam": 9}})
    assert error.value.message_dict == {
        "strategy_plan": ["Give a whole number from 1 to 5, or null for no answer."],
        "readiness_advanced": ["Give a whole number from 0 to 5 per row."],
    }
    with translation.override("en"), pytest.raises(ValidationError) as error:
        answers_clean(q, {"green_impact": {"it_energy": "maybe"}})
    assert error.value.message_dict == {"green_impact": ["Give one of no, partly, yes per row."]}
