"""From low answers to suggested projects.

The questionnaire file holds one suggestion per category: its title, a project template,
how well it fits each trade (`sectors`: a factor on its importance, 1 for a trade left out)
and the rules that trigger it. A rule holds when all its conditions do:

- `{"question": q, "ticked": o}` / `{"question": q, "not_ticked": o}` (multi),
- `{"question": q, "row": r, "in": [values]}` (already_planned, no_partly_yes),
- `{"question": q, "row": r, "at_most": n}` (scale_0_5),
- `{"question": q, "at_most": n}` (agree_1_5),
- `{"dimension": d, "below": n}` / `{"dimension": d, "at_least": n}` (its score).

A question not answered makes its condition false: we suggest nothing from what someone did
not tell us. A row left out of an answered question counts as its lowest value, as in scoring.

What a response stores is the categories and the keys of the rules that held, so that the
reasons are written in the reader's language when shown and a text can be improved later.
"""

from typing import Any

# CATEGORIES, the suggestion categories, live with the file's validation; this module is
# their public home (checks.recommendations.CATEGORIES).
from checks.questionnaire import CATEGORIES, ROW_VALUES, Questionnaire, is_answered, text_in
from checks.scoring import Scores

__all__ = ["CATEGORIES", "project_template", "recommendations_for", "recommendations_text"]


def _holds(q: Questionnaire, condition: dict[str, Any], answers: dict, scores: Scores) -> bool:
    if "dimension" in condition:
        value = scores.dimensions.get(condition["dimension"])
        if value is None:
            return False
        if "below" in condition:
            return bool(value < condition["below"])
        return bool(value >= condition["at_least"])
    question = q.question(condition["question"])
    if question is None:
        return False
    answer: Any = answers.get(question.key)
    if not is_answered(question, answer):
        return False
    if question.type == "multi":
        if "ticked" in condition:
            return condition["ticked"] in answer
        return condition["not_ticked"] not in answer
    if question.type == "agree_1_5":
        return bool(answer <= condition["at_most"])
    lowest = ROW_VALUES[question.type][0]
    value = answer.get(condition["row"], lowest)
    if question.type == "scale_0_5":
        return bool(value <= condition["at_most"])
    return value in condition["in"]


def _rule_dimension(q: Questionnaire, rule: dict[str, Any]) -> str | None:
    """The dimension a rule is about: that of its first condition."""
    first = rule["when"][0]
    return first.get("dimension") or q.dimension_of(first.get("question", ""))


def recommendations_for(
    questionnaire: Questionnaire, answers: dict[str, Any], scores: Scores, *, sector: str = ""
) -> list[dict[str, Any]]:
    """What is stored on a submitted response: [{"category", "reasons": [reason keys]}],
    most important first, each category once.

    Importance is the gap: for every rule that holds, its weight times how far its
    dimension's score is from 100; a category's gap is the sum over its rules, times how
    well the suggestion fits the response's `sector` (the suggestion's "sectors" factor, 1
    when the file says nothing or the sector is unknown). The same missing website weighs
    more for a firm that is behind in that dimension than for one that is ahead, and route
    planning more for a plumber than for a shop. Ties keep the order of CATEGORIES. The
    factor only orders: it never adds or removes a suggestion."""
    found: list[tuple[float, int, dict[str, Any]]] = []
    for suggestion in questionnaire.suggestions:
        gap = 0.0
        reasons = []
        for rule in suggestion["rules"]:
            if all(_holds(questionnaire, c, answers, scores) for c in rule["when"]):
                reasons.append(rule["key"])
                dimension_score = scores.dimensions.get(_rule_dimension(questionnaire, rule) or "")
                gap += rule["weight"] * (100 - (dimension_score or 0))
        if reasons:
            gap *= suggestion.get("sectors", {}).get(sector, 1.0)
            order = CATEGORIES.index(suggestion["category"])
            found.append((gap, order, {"category": suggestion["category"], "reasons": reasons}))
    found.sort(key=lambda item: (-item[0], item[1]))
    return [item for _, _, item in found]


def _suggestion(questionnaire: Questionnaire, category: str) -> dict[str, Any] | None:
    return next((s for s in questionnaire.suggestions if s["category"] == category), None)


def recommendations_text(
    questionnaire: Questionnaire, stored: list[dict[str, Any]], language: str | None = None
) -> list[dict[str, Any]]:
    """The API's and the pages' shape: [{"category", "title", "reason"}] in `language`.

    `reason` is the first (most telling) reason; `reasons` has all of them. A stored reason
    the questionnaire no longer knows is skipped; with none left the suggestion's summary
    stands in. A category it no longer knows is left out."""
    shown: list[dict[str, Any]] = []
    for item in stored if isinstance(stored, list) else []:
        suggestion = _suggestion(questionnaire, item.get("category", ""))
        if suggestion is None:
            continue
        rules = {rule["key"]: rule for rule in suggestion["rules"]}
        reasons = [
            text_in(rules[key]["reason"], language)
            for key in item.get("reasons", [])
            if key in rules
        ] or [text_in(suggestion["summary"], language)]
        shown.append(
            {
                "category": suggestion["category"],
                "title": text_in(suggestion["title"], language),
                "reason": reasons[0],
                "reasons": reasons,
            }
        )
    return shown


def project_template(
    questionnaire: Questionnaire, category: str, language: str | None = None
) -> dict[str, Any]:
    """What "start this project" creates: {"title", "category" (a project category),
    "description", "milestones": [{"title"}] (at most three)}; LookupError if unknown."""
    suggestion = _suggestion(questionnaire, category) if isinstance(category, str) else None
    if suggestion is None:
        raise LookupError(f"No suggestion of category {category!r}.")
    project = suggestion["project"]
    return {
        "title": text_in(project["title"], language),
        "category": project["category"],
        "description": text_in(project["description"], language),
        "milestones": [{"title": text_in(m, language)} for m in project["milestones"]],
    }
