"""The scoring rule, versioned separately from the questionnaire (a response keeps its raw
answers and can be re-scored with a later rule: `checks.services.check_rescore`).

Every question scores 0–10 (clamped); a dimension is the mean of its answered questions × 10
(0–100, one decimal; None when none is answered); the overall score is the mean of the
scored dimensions as shown (one decimal), and its band follows from RULES' edges. Unanswered
questions are left out, not scored 0 (as in the DMA). `score` is a pure function of the
questionnaire, the answers and the rule: nothing here reads or writes the database.

The arithmetic is exact (fractions) and rounds half up, so that a score computed by hand in
a test or by a programme's analyst is the score shown.
"""

from dataclasses import dataclass
from fractions import Fraction
from math import floor
from typing import Any

from checks.questionnaire import (
    Question,
    Questionnaire,
    Texts,
    is_answered,
    questionnaire_load,
    text_in,
)

CURRENT_RULE = "2026-1"


@dataclass(frozen=True)
class Rule:
    """One version of the scoring rule.

    A row's value counts as the share given (already_planned, no_partly_yes), or value/5
    (scale_0_5); agree_1_5 counts (v - 1) / 4. A multi question counts the ticked positive
    weight minus the ticked negative weight over all positive weight: ticking "data is not
    collected digitally" lowers the score, and the negative items stay out of the
    denominator so that a firm with every positive item ticked can still reach 10.
    `bands`: (highest overall score of the band, band), ascending; a score above an edge
    belongs to the next band (25 is basic, 25.1 average: the DMA's "Basic 0–25 %")."""

    already_planned: dict[str, Fraction]
    no_partly_yes: dict[str, Fraction]
    bands: tuple[tuple[Fraction, str], ...]


RULES: dict[str, Rule] = {
    "2026-1": Rule(
        already_planned={"already": Fraction(1), "planned": Fraction(1, 2), "none": Fraction(0)},
        no_partly_yes={"yes": Fraction(1), "partly": Fraction(1, 2), "no": Fraction(0)},
        bands=(
            (Fraction(25), "basic"),
            (Fraction(50), "average"),
            (Fraction(75), "moderate"),
            (Fraction(100), "advanced"),
        ),
    ),
}


@dataclass(frozen=True)
class Scores:
    overall: float | None  # 0–100, one decimal; None when no dimension is scored
    band: str | None  # checks.models.Band value
    dimensions: dict[str, float | None]  # every dimension key; None: nothing answered

    def as_json(self) -> dict[str, Any]:
        return {"overall": self.overall, "band": self.band, "dimensions": self.dimensions}


def rule_get(rule_version: str | None = None) -> Rule:
    """The rule of `rule_version` (default CURRENT_RULE); LookupError if unknown."""
    version = rule_version or CURRENT_RULE
    if version not in RULES:
        raise LookupError(f"No scoring rule of version {version!r}.")
    return RULES[version]


def _one_decimal(value: Fraction) -> float:
    # Half up (not Python's half-to-even): 62.25 shows as 62.3 as a person would round it.
    return floor(value * 10 + Fraction(1, 2)) / 10


def _weight(value: float) -> Fraction:
    return Fraction(str(value))  # 0.1 as written in the file, not its binary neighbour


def question_score(question: Question, value: Any, rule: Rule) -> Fraction | None:
    """0–10, or None when `value` is no answer."""
    if not is_answered(question, value):
        return None
    share: Fraction
    if question.type == "multi":
        ticked = set(value)
        positive = sum((_weight(o.weight) for o in question.options if not o.negative), Fraction())
        gained = sum(
            (_weight(o.weight) for o in question.options if o.key in ticked and not o.negative),
            Fraction(),
        )
        lost = sum(
            (_weight(o.weight) for o in question.options if o.key in ticked and o.negative),
            Fraction(),
        )
        share = (gained - lost) / positive
    elif question.type == "agree_1_5":
        share = Fraction(value - 1, 4)
    else:
        total = sum((_weight(r.weight) for r in question.rows), Fraction())
        # A row left out of an answered question counts as its lowest value.
        share = (
            sum(
                (
                    _weight(r.weight) * _row_value(question, rule, value.get(r.key))
                    for r in question.rows
                ),
                Fraction(),
            )
            / total
        )
    return min(max(share * 10, Fraction(0)), Fraction(10))


def _row_value(question: Question, rule: Rule, value: Any) -> Fraction:
    if question.type == "scale_0_5":
        return Fraction(value, 5) if isinstance(value, int) and 0 <= value <= 5 else Fraction(0)
    table = rule.already_planned if question.type == "already_planned" else rule.no_partly_yes
    return table.get(value, Fraction(0)) if isinstance(value, str) else Fraction(0)


def score(
    questionnaire: Questionnaire, answers: dict[str, Any], *, rule_version: str | None = None
) -> Scores:
    rule = rule_get(rule_version)
    dimensions: dict[str, float | None] = {}
    for dimension in questionnaire.dimensions:
        scored = [
            s
            for q in dimension.questions
            if (s := question_score(q, answers.get(q.key), rule)) is not None
        ]
        dimensions[dimension.key] = (
            _one_decimal(sum(scored, Fraction()) / len(scored) * 10) if scored else None
        )
    shown = [Fraction(str(v)) for v in dimensions.values() if v is not None]
    if not shown:
        return Scores(overall=None, band=None, dimensions=dimensions)
    overall = _one_decimal(sum(shown, Fraction()) / len(shown))
    return Scores(
        overall=overall, band=band_of(overall, rule_version=rule_version), dimensions=dimensions
    )


def band_of(overall: float, *, rule_version: str | None = None) -> str:
    value = Fraction(str(overall))
    bands = rule_get(rule_version).bands
    return next((band for edge, band in bands if value <= edge), bands[-1][1])


def dimensions_answered(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, bool]:
    """Per dimension: whether at least one of its questions is answered (submit needs all)."""
    return {
        d.key: any(is_answered(q, answers.get(q.key)) for q in d.questions)
        for d in questionnaire.dimensions
    }


def band_meaning(
    band: str, language: str | None = None, *, questionnaire: Questionnaire | None = None
) -> str:
    """What the overall band means, in `language` ("" for an unknown band)."""
    texts: Texts | None = (questionnaire or questionnaire_load()).band_meanings.get(band)
    return text_in(texts, language) if texts else ""


def dimension_meaning(
    questionnaire: Questionnaire,
    dimension: str,
    score: float | None,
    language: str | None = None,
    *,
    rule_version: str | None = None,
) -> str:
    """What a dimension's score means (by the band the score falls in), in `language`; ""
    when the dimension is unknown or not scored."""
    found = questionnaire.dimension(dimension)
    if found is None or score is None:
        return ""
    texts = found.meanings.get(band_of(score, rule_version=rule_version))
    return text_in(texts, language) if texts else ""
