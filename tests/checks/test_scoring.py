"""The scoring rule by hand: every expected number below is worked out from the rule in
checks.scoring, not read back from the code."""

from fractions import Fraction

import pytest

from checks.models import DIMENSIONS
from checks.questionnaire import questionnaire_load
from checks.scoring import (
    RULES,
    Rule,
    band_meaning,
    band_of,
    dimension_meaning,
    dimensions_answered,
    score,
)

BEST_ROW = {"already_planned": "already", "scale_0_5": 5, "no_partly_yes": "yes"}
WORST_ROW = {"already_planned": "none", "scale_0_5": 0, "no_partly_yes": "no"}


@pytest.fixture
def q():
    return questionnaire_load("2026-1")


def best_answers(q):
    answers = {}
    for question in q.questions():
        if question.type == "multi":
            answers[question.key] = [o.key for o in question.options if not o.negative]
        elif question.type == "agree_1_5":
            answers[question.key] = 5
        else:
            answers[question.key] = {r.key: BEST_ROW[question.type] for r in question.rows}
    return answers


def worst_answers(q):
    answers = {}
    for question in q.questions():
        if question.type == "multi":
            answers[question.key] = [o.key for o in question.options if o.negative]
        elif question.type == "agree_1_5":
            answers[question.key] = 1
        else:
            answers[question.key] = {r.key: WORST_ROW[question.type] for r in question.rows}
    return answers


def test_all_best_answers_score_100_everywhere_and_advanced(q):
    scores = score(q, best_answers(q))
    assert scores.dimensions == dict.fromkeys(DIMENSIONS, 100.0)
    assert scores.overall == 100.0
    assert scores.band == "advanced"


def test_all_worst_answers_score_0_everywhere_and_basic(q):
    scores = score(q, worst_answers(q))
    assert scores.dimensions == dict.fromkeys(DIMENSIONS, 0.0)
    assert scores.overall == 0.0
    assert scores.band == "basic"


def test_nothing_ticked_and_rows_left_out_also_score_0(q):
    # [] is an answer ("none of these"); a row question with one row given counts the rows
    # left out as their lowest value.
    answers = {}
    for question in q.questions():
        if question.type == "multi":
            answers[question.key] = []
        elif question.type == "agree_1_5":
            answers[question.key] = 1
        else:
            answers[question.key] = {question.rows[0].key: WORST_ROW[question.type]}
    assert score(q, answers).dimensions == dict.fromkeys(DIMENSIONS, 0.0)


def test_a_mixed_set_by_hand(q):
    answers = {
        # strategy_areas, 10 rows of weight 1: already 1 + planned 0.5 + planned 0.5 +
        # already 1 = 3 of 10, the other six rows count "none" -> 3.0
        "strategy_areas": {
            "product_development": "already",
            "job_planning": "planned",
            "operations": "planned",
            "delivery": "already",
        },
        # 2 of 8 options -> 2.5
        "strategy_readiness": ["needs_known", "budget"],
        # (4 - 1) / 4 = 0.75 -> 7.5
        "strategy_plan": 4,
        # 4 of 10 -> 4.0
        "readiness_basics": ["website", "internet_cloud", "business_software", "e_government"],
        # (5/5 + 2/5) / 7 rows = 0.2 -> 2.0
        "readiness_advanced": {"cad_cam": 5, "additive_manufacturing": 2},
        # 1 of 7 -> 10/7
        "human_skills": ["short_courses"],
        # null: "no answer", left out like human_engagement, which is not answered
        "human_confidence": None,
        # 2 positive ticked minus 1 negative, over the 7 positive weights -> 10/7
        "data_management": ["stored_digitally", "analysed", "not_digital"],
        # 3 of 6 -> 5.0
        "data_security": ["offsite_backup", "security_rules", "customer_data_protected"],
        # 3/5 on one row of 6 -> 0.1 -> 1.0
        "automation_ai": {"text_assistants": 3},
        # green: nothing answered
    }
    scores = score(q, answers)
    assert scores.dimensions == {
        "strategy": 43.3,  # (3.0 + 2.5 + 7.5) / 3 * 10 = 43.33…
        "readiness": 30.0,  # (4.0 + 2.0) / 2 * 10
        "human": 14.3,  # 10/7 * 10 = 14.285…, half up
        "data": 32.1,  # (10/7 + 5) / 2 * 10 = 32.142…
        "automation": 10.0,
        "green": None,
    }
    # The mean of the five scored dimensions as shown: 129.7 / 5 = 25.94 -> 25.9, above 25.
    assert scores.overall == 25.9
    assert scores.band == "average"
    assert scores.as_json() == {
        "overall": 25.9,
        "band": "average",
        "dimensions": scores.dimensions,
    }


def test_ticking_the_negative_item_lowers_the_score(q):
    def data(ticked):
        return score(q, {"data_management": ticked}).dimensions["data"]

    assert data(["stored_digitally"]) == 14.3  # 1/7
    assert data(["stored_digitally", "not_digital"]) == 0.0  # (1 - 1)/7
    assert data(["not_digital"]) == 0.0  # -1/7, clamped to 0
    positives = [
        "data_rules",
        "stored_digitally",
        "connected",
        "realtime_access",
        "analysed",
        "external_data",
        "dashboards",
    ]
    assert data(positives) == 100.0  # the negative is not in the denominator
    assert data([*positives, "not_digital"]) == 85.7  # 6/7


def test_unanswered_questions_are_left_out_not_scored_0(q):
    # Only the agree statement of strategy answered, fully: the dimension is 100, not a mean
    # with the two unanswered questions as 0.
    assert score(q, {"strategy_plan": 5}).dimensions["strategy"] == 100.0
    # An empty row object and an agree null are no answers.
    scores = score(q, {"strategy_areas": {}, "strategy_plan": None})
    assert scores.dimensions["strategy"] is None
    assert scores.overall is None and scores.band is None
    assert dimensions_answered(q, {"strategy_areas": {}, "strategy_plan": None}) == dict.fromkeys(
        DIMENSIONS, False
    )


def test_dimensions_answered(q):
    answered = dimensions_answered(q, {"readiness_basics": [], "green_impact": {"it_energy": "no"}})
    assert answered == {
        "strategy": False,
        "readiness": True,
        "human": False,
        "data": False,
        "automation": False,
        "green": True,
    }


def test_weights_count(q):
    # A heavier option counts more: the rule's arithmetic, on a questionnaire whose first
    # option of readiness_basics weighs 3 (of 12 in all).
    import dataclasses

    question = q.question("readiness_basics")
    heavier = dataclasses.replace(
        question,
        options=(dataclasses.replace(question.options[0], weight=3.0), *question.options[1:]),
    )
    readiness = dataclasses.replace(
        q.dimensions[1], questions=(heavier, *q.dimensions[1].questions[1:])
    )
    changed = dataclasses.replace(q, dimensions=(q.dimensions[0], readiness, *q.dimensions[2:]))
    assert score(changed, {"readiness_basics": ["internet_cloud"]}).dimensions["readiness"] == 25.0


@pytest.mark.parametrize(
    ("overall", "band"),
    [
        (0, "basic"),
        (25, "basic"),
        (25.1, "average"),
        (26, "average"),
        (50, "average"),
        (50.1, "moderate"),
        (51, "moderate"),
        (75, "moderate"),
        (75.1, "advanced"),
        (76, "advanced"),
        (100, "advanced"),
    ],
)
def test_band_edges(overall, band):
    assert band_of(overall) == band


def test_a_changed_rule_gives_another_score(q, monkeypatch):
    current = RULES["2026-1"]
    monkeypatch.setitem(
        RULES,
        "test-planned-0",
        Rule(
            already_planned={**current.already_planned, "planned": Fraction(0)},
            no_partly_yes=current.no_partly_yes,
            bands=current.bands,
        ),
    )
    answers = {"strategy_areas": {"product_development": "planned", "job_planning": "already"}}
    assert score(q, answers).dimensions["strategy"] == 15.0  # (0.5 + 1) / 10
    assert score(q, answers, rule_version="test-planned-0").dimensions["strategy"] == 10.0


def test_an_unknown_rule_is_a_lookup_error(q):
    with pytest.raises(LookupError):
        score(q, {}, rule_version="1999-1")


def test_score_is_pure(q):
    answers = {"strategy_areas": {"delivery": "already"}, "human_confidence": None}
    before = repr(answers)
    assert score(q, answers) == score(q, answers)
    assert repr(answers) == before


def test_meanings(q):
    assert band_meaning("basic", "de").startswith("Ihr Betrieb steht")
    assert band_meaning("advanced", "en").startswith("Your business is digitally advanced")
    assert band_meaning("nonsense", "en") == ""
    for dimension in DIMENSIONS:
        for value in (0, 25, 26, 50, 51, 75, 76, 100):
            assert dimension_meaning(q, dimension, value, "de")
            assert dimension_meaning(q, dimension, value, "en")
        assert dimension_meaning(q, dimension, None, "de") == ""
    assert dimension_meaning(q, "data", 30, "en") == dimension_meaning(q, "data", 50, "en")
    assert dimension_meaning(q, "data", 30, "en") != dimension_meaning(q, "data", 51, "en")
    assert dimension_meaning(q, "nonsense", 30, "en") == ""


def test_dimension_meanings_are_a_tendency_of_the_answers_not_facts(q):
    # A score sums many answers: its text must not state a fact the person may not have
    # ticked ("Much data is still on paper"), only what the answers tend to show.
    starts = {
        "de": ("In diesem Bereich stehen Sie noch am Anfang.", "Ihre Antworten zeigen"),
        "en": ("You are still at the start in this area.", "Your answers show"),
    }
    for d in q.dimensions:
        assert d.meanings["basic"]["de"].startswith(starts["de"][0])
        assert d.meanings["basic"]["en"].startswith(starts["en"][0])
        for band in ("average", "moderate", "advanced"):
            assert d.meanings[band]["de"].startswith(starts["de"][1]), (d.key, band)
            assert d.meanings[band]["en"].startswith(starts["en"][1]), (d.key, band)


# Re-scoring a stored snapshot (checks.services.check_rescore, the rescore_checks command) --


@pytest.fixture
def planned_0(monkeypatch):
    current = RULES["2026-1"]
    monkeypatch.setitem(
        RULES,
        "test-planned-0",
        Rule(
            already_planned={**current.already_planned, "planned": Fraction(0)},
            no_partly_yes=current.no_partly_yes,
            bands=current.bands,
        ),
    )
    return "test-planned-0"


@pytest.fixture
def submitted(db):
    from checks.services import check_submit
    from tests.factories import CheckResponseFactory

    q = questionnaire_load()
    answers = best_answers(q)
    answers["strategy_areas"] = {r.key: "planned" for r in q.question("strategy_areas").rows}
    response = CheckResponseFactory(answers=answers)
    return check_submit(response=response)


def _run(*args):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("rescore_checks", *args, stdout=out)
    return out.getvalue()


def test_the_snapshot_changes_only_when_rescored(submitted, planned_0):
    from checks.models import CheckResponse

    # strategy: (5 + 10 + 10) / 3 = 83.3 with planned = 0.5; overall (83.3 + 500) / 6 = 97.2
    assert submitted.rule_version == "2026-1"
    assert submitted.scores["dimensions"]["strategy"] == 83.3
    assert submitted.overall == 97.2
    # A new rule exists: the stored snapshot stays as it was.
    stored = CheckResponse.objects.get(pk=submitted.pk)
    assert (stored.rule_version, stored.overall, stored.scores) == (
        "2026-1",
        97.2,
        submitted.scores,
    )
    output = _run("--rule", planned_0, "--dry-run")
    assert f"check {submitted.pk}: 97.2 advanced -> 94.5 advanced" in output
    assert CheckResponse.objects.get(pk=submitted.pk).overall == 97.2
    # Asked: strategy (0 + 10 + 10) / 3 = 66.7; overall (66.7 + 500) / 6 = 94.45 -> 94.5.
    output = _run("--rule", planned_0)
    stored = CheckResponse.objects.get(pk=submitted.pk)
    assert stored.rule_version == planned_0
    assert stored.scores["dimensions"]["strategy"] == 66.7
    assert stored.overall == 94.5
    assert "1 checks re-scored" in output
    # Already scored with the rule: left alone unless named.
    assert "0 checks re-scored" in _run("--rule", planned_0)
    assert "1 checks re-scored" in _run("--rule", planned_0, "--check", str(submitted.pk))


def test_rescore_refuses_unknown_rules_and_checks(submitted):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No scoring rule"):
        _run("--rule", "1999-1")
    with pytest.raises(CommandError, match="No submitted check with the ids 999999"):
        _run("--rule", "2026-1", "--check", str(submitted.pk), "999999")
