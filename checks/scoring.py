"""The scoring rule, versioned separately from the questionnaire. Part A fills this in."""

from dataclasses import dataclass
from typing import Any

from checks.questionnaire import Questionnaire

CURRENT_RULE = "2026-1"


@dataclass(frozen=True)
class Scores:
    overall: float | None  # 0–100, one decimal; None when no dimension is scored
    band: str | None  # checks.models.Band value
    dimensions: dict[str, float | None]  # every dimension key; None: nothing answered

    def as_json(self) -> dict[str, Any]:
        return {"overall": self.overall, "band": self.band, "dimensions": self.dimensions}


def score(
    questionnaire: Questionnaire, answers: dict[str, Any], *, rule_version: str | None = None
) -> Scores:
    raise NotImplementedError


def band_of(overall: float, *, rule_version: str | None = None) -> str:
    raise NotImplementedError


def dimensions_answered(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, bool]:
    """Per dimension: whether at least one of its questions is answered (submit needs all)."""
    raise NotImplementedError
