"""From low answers to suggested projects: which, in what order, with which reasons."""

import pytest
from django.utils import translation

from checks.questionnaire import questionnaire_load
from checks.recommendations import (
    CATEGORIES,
    project_template,
    recommendations_for,
    recommendations_text,
)
from checks.scoring import score
from companies.models import Sector
from projects.models import ProjectCategory
from tests.checks.test_scoring import best_answers, worst_answers


@pytest.fixture
def q():
    return questionnaire_load()


def suggest(q, answers):
    return recommendations_for(q, answers, score(q, answers))


def test_the_best_answers_suggest_nothing(q):
    assert suggest(q, best_answers(q)) == []


def test_the_worst_answers_suggest_each_category_once_biggest_gap_first(q):
    stored = suggest(q, worst_answers(q))
    categories = [s["category"] for s in stored]
    assert len(categories) == len(set(categories))
    assert {"website", "security", "strategy", "accounting", "cloud"} <= set(categories)
    # Every dimension is 0, so the gap is 100 x the sum of the rule weights that hold:
    # security 3+2+1+1 = 7; inventory 2+1+1 (data not digital, warehouse, operations) and
    # strategy 2+1+1 (its dimension rule holds too) tie at 4 and keep CATEGORIES' order;
    # then website 3.
    assert categories[:4] == ["security", "inventory", "strategy", "website"]
    assert stored[0]["reasons"] == [
        "no_offsite_backup",
        "no_security_rules",
        "staff_not_trained",
        "no_emergency_plan",
    ]
    # Data is not digital, so analysing it is not suggested.
    assert "data_ai" not in categories


def test_no_website_suggests_a_website_with_the_reason(q):
    answers = best_answers(q)
    answers["readiness_basics"].remove("website")
    assert suggest(q, answers) == [{"category": "website", "reasons": ["no_website"]}]
    with translation.override("de"):
        shown = recommendations_text(q, suggest(q, answers))
    assert shown[0]["title"] == "Eine eigene Website"
    assert shown[0]["reason"] == (
        "Sie haben angegeben, dass Ihr Betrieb noch keine eigene Website hat."
    )
    shown = recommendations_text(q, suggest(q, answers), "en")
    assert (
        shown[0]["reason"] == "You said that your business does not have a website of its own yet."
    )


def test_unanswered_questions_suggest_nothing(q):
    # Nothing said about the basics: no website suggestion from silence.
    answers = best_answers(q)
    del answers["readiness_basics"]
    assert suggest(q, answers) == []
    assert suggest(q, {}) == []


def test_the_larger_gap_comes_first(q):
    # No website (weight 3) and no online shop (weight 1), both in readiness.
    answers = best_answers(q)
    answers["readiness_basics"] = [
        o for o in answers["readiness_basics"] if o not in ("website", "online_shop")
    ]
    assert [s["category"] for s in suggest(q, answers)] == ["website", "ecommerce"]
    # The same gap in a weaker dimension weighs more: readiness at 0 against data at ~83.
    answers = best_answers(q)
    answers["readiness_basics"] = [o for o in answers["readiness_basics"] if o != "online_shop"]
    answers["readiness_advanced"] = {}
    del answers["readiness_advanced"]
    answers["data_security"] = [o for o in answers["data_security"] if o != "emergency_plan"]
    stored = suggest(q, answers)
    assert [s["category"] for s in stored] == ["ecommerce", "security"]


def test_rows_left_out_count_as_lowest_and_dimension_rules(q):
    answers = best_answers(q)
    answers["strategy_areas"] = {"warehouse": "already"}  # the other rows count "none"
    categories = {s["category"]: s["reasons"] for s in suggest(q, answers)}
    assert categories["appointments"] == ["marketing_not_invested"]
    assert categories["inventory"] == ["operations_not_invested"]
    assert categories["route_planning"] == ["delivery_not_invested"]
    # strategy: (1 + 10 + 10) / 3 = 70: not low.
    assert "strategy" not in categories


def test_people_behind_technology_suggests_training(q):
    answers = best_answers(q)
    answers["human_skills"] = ["short_courses"]
    answers["human_engagement"] = []
    answers["human_confidence"] = 2
    stored = {s["category"]: s["reasons"] for s in suggest(q, answers)}
    assert stored["training"] == ["people_behind_technology", "staff_not_confident"]


def test_texts_of_stored_suggestions_follow_the_reader(q):
    stored = [{"category": "security", "reasons": ["no_offsite_backup", "gone_rule"]}]
    with translation.override("en"):
        shown = recommendations_text(q, stored)
    assert shown == [
        {
            "category": "security",
            "title": "IT security",
            "reason": "You said that there are no regular off-site backups yet.",
            "reasons": ["You said that there are no regular off-site backups yet."],
        }
    ]
    # No reason known (an old snapshot, the factory's): the summary stands in.
    shown = recommendations_text(q, [{"category": "website", "reasons": []}], "de")
    assert shown[0]["reason"] == "Eine Website macht Ihren Betrieb im Internet auffindbar."
    assert recommendations_text(q, [{"category": "gone"}], "de") == []
    assert recommendations_text(q, None, "de") == []  # type: ignore[arg-type]


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_has_a_project_template(q, category):
    for language in ("de", "en"):
        template = project_template(q, category, language)
        assert template["title"] and template["description"]
        assert template["category"] in ProjectCategory.values
        assert 1 <= len(template["milestones"]) <= 3
        assert all(m["title"] for m in template["milestones"])
    expected = "other" if category in ("training", "strategy") else category
    assert template["category"] == expected


def test_project_template_in_english(q):
    assert project_template(q, "website", "en") == {
        "title": "A website for our business",
        "category": "website",
        "description": (
            "A simple website with services, opening hours and contact details that reads "
            "well on a phone."
        ),
        "milestones": [
            {"title": "Gather content: services, photos, contact details"},
            {"title": "Choose a provider or website builder"},
            {"title": "Put the website online and link it from your business listing"},
        ],
    }


@pytest.mark.parametrize("category", ["other", "", "WEBSITE", None, 3, ["website"]])
def test_an_unknown_category_is_a_lookup_error(q, category):
    with pytest.raises(LookupError):
        project_template(q, category, "de")


# The trade: a suggestion's fit to the response's sector orders, never adds or removes ------


def _shop_and_delivery_missing(q):
    # No online shop (readiness, also no intranet or e-government: readiness 85) and
    # delivery not digital (strategy 96.7): without a sector the shop's gap (1 x 15) is
    # larger than the delivery's (2 x 3.3).
    answers = best_answers(q)
    for option in ("online_shop", "intranet", "e_government"):
        answers["readiness_basics"].remove(option)
    answers["strategy_areas"]["delivery"] = "none"
    return answers


def _categories(q, answers, sector):
    return [
        s["category"] for s in recommendations_for(q, answers, score(q, answers), sector=sector)
    ]


def test_a_craft_business_gets_route_planning_before_selling_online(q):
    answers = _shop_and_delivery_missing(q)
    assert _categories(q, answers, "craft") == ["route_planning", "ecommerce"]
    assert _categories(q, answers, "construction") == ["route_planning", "ecommerce"]


def test_a_retail_business_gets_selling_online_before_route_planning(q):
    answers = _shop_and_delivery_missing(q)
    assert _categories(q, answers, "retail") == ["ecommerce", "route_planning"]


def test_no_or_an_unknown_sector_counts_1(q):
    answers = _shop_and_delivery_missing(q)
    plain = recommendations_for(q, answers, score(q, answers))
    assert [s["category"] for s in plain] == ["ecommerce", "route_planning"]
    assert recommendations_for(q, answers, score(q, answers), sector="") == plain
    assert recommendations_for(q, answers, score(q, answers), sector="other") == plain
    assert recommendations_for(q, answers, score(q, answers), sector="nonsense") == plain


def test_the_sector_never_adds_or_removes_a_suggestion(q):
    answers = worst_answers(q)
    everything = {s["category"] for s in suggest(q, answers)}
    for sector in ("craft", "retail", "services", "health", "logistics"):
        assert set(_categories(q, answers, sector)) == everything
    assert _categories(q, best_answers(q), "craft") == []


def test_every_sector_factor_is_a_known_sector(q):
    for suggestion in q.suggestions:
        assert set(suggestion["sectors"]) <= set(Sector.values)
        assert all(factor > 0 for factor in suggestion["sectors"].values())
