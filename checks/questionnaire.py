"""The questionnaire as versioned data: `checks/questionnaires/<version>.json`, read and
validated here (the validation is also what the questionnaire test runs).

Part A fills this in; the signatures below are the contract the other parts use.
"""

from dataclasses import dataclass, field
from typing import Any

# The version new responses get.
CURRENT_VERSION = "2026-1"
QUESTION_TYPES = ("multi", "already_planned", "scale_0_5", "no_partly_yes", "agree_1_5")

Texts = dict[str, str]  # {"de": "...", "en": "..."}


@dataclass(frozen=True)
class Option:
    key: str
    text: Texts
    weight: float
    negative: bool = False


@dataclass(frozen=True)
class Row:
    key: str
    text: Texts
    weight: float


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    text: Texts
    help: Texts
    options: tuple[Option, ...] = ()
    rows: tuple[Row, ...] = ()


@dataclass(frozen=True)
class DimensionDef:
    key: str
    title: Texts
    intro: Texts
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    version: str
    dimensions: tuple[DimensionDef, ...]
    # The suggestion rules and project templates (checks.recommendations reads them).
    suggestions: tuple[dict[str, Any], ...] = field(default=())

    def question(self, key: str) -> Question | None:
        raise NotImplementedError


def text_in(texts: Texts, language: str | None = None) -> str:
    """The text in `language` (default: the active one), German when it has none."""
    raise NotImplementedError


def questionnaire_load(version: str | None = None) -> Questionnaire:
    """The questionnaire of `version` (default CURRENT_VERSION), loaded once and validated;
    an unknown version raises LookupError."""
    raise NotImplementedError


def questionnaire_wire(questionnaire: Questionnaire, language: str | None = None) -> dict:
    """The API's shape in `language`: {version, dimensions: [{key, title, intro, questions:
    [{key, type, text, help, options?: [{key, text, negative?}], rows?: [{key, text}]}]}]}."""
    raise NotImplementedError


def answers_clean(questionnaire: Questionnaire, answers: Any) -> dict[str, Any]:
    """`answers` ({question_key: value}) checked against the questions' types; raises
    django ValidationError {question_key: [message]} (translated) for an unknown key or a
    value of the wrong shape. `None` for a question means "take my answer back" (removed),
    except agree_1_5, where null is the answer "no answer"."""
    raise NotImplementedError
