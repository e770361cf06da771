"""From low answers to suggested projects. Part A fills this in."""

from typing import Any

from checks.questionnaire import Questionnaire
from checks.scoring import Scores

# The suggestion categories: the project categories a check can lead to, plus training and
# strategy (which become projects of category "other").
CATEGORIES = (
    "website",
    "appointments",
    "ecommerce",
    "inventory",
    "route_planning",
    "accounting",
    "cloud",
    "security",
    "data_ai",
    "training",
    "strategy",
)


def recommendations_for(
    questionnaire: Questionnaire, answers: dict[str, Any], scores: Scores
) -> list[dict[str, Any]]:
    """What is stored on a submitted response: [{"category", "reasons": [reason keys]}],
    most important first, each category once."""
    raise NotImplementedError


def recommendations_text(
    questionnaire: Questionnaire, stored: list[dict[str, Any]], language: str | None = None
) -> list[dict[str, str]]:
    """The API's and the pages' shape: [{"category", "title", "reason"}] in `language`."""
    raise NotImplementedError


def project_template(
    questionnaire: Questionnaire, category: str, language: str | None = None
) -> dict[str, Any]:
    """What "start this project" creates: {"title", "category" (a project category),
    "description", "milestones": [{"title"}] (at most three)}; LookupError if unknown."""
    raise NotImplementedError
