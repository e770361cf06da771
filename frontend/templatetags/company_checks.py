"""Template helpers of the check pages over time and among peers: the six dimensions as table
rows (the company's scores next to the convoy's and the peers' medians), a change as "+12",
and the thresholds below which a comparison is not shown."""

from typing import Any

from django import template
from django.utils.translation import gettext as _

from checks.models import Dimension
from checks.selectors import CONVOY_MEDIAN_MIN, PEER_MIN

register = template.Library()


def _dimension_scores(scores: Any) -> dict[str, Any]:
    """{dimension: score} from a dimension mapping or a whole snapshot ({"dimensions": …})."""
    if not isinstance(scores, dict):
        return {}
    if isinstance(scores.get("dimensions"), dict):
        return scores["dimensions"]
    return scores


def _median(part: Any) -> dict[str, Any]:
    if isinstance(part, dict) and isinstance(part.get("median"), dict):
        return part["median"]
    return {}


@register.simple_tag
def comparison_rows(comparison: Any) -> list[dict[str, Any]]:
    """One row per dimension in the questionnaire's order: the company's score, the convoy's
    median and the peers' median (None where there is none to show)."""
    comparison = comparison if isinstance(comparison, dict) else {}
    scores = _dimension_scores(comparison.get("scores"))
    convoy = _median(comparison.get("convoy"))
    peers = _median(comparison.get("peers"))
    return [
        {
            "key": dimension.value,
            "label": dimension.label,
            "score": scores.get(dimension.value),
            "convoy": convoy.get(dimension.value),
            "peers": peers.get(dimension.value),
        }
        for dimension in Dimension
    ]


@register.simple_tag
def dimension_rows(scores: Any, change: Any = None) -> list[dict[str, Any]]:
    """One row per dimension of a check: its score and the change since the previous check
    (None where there is no comparable one)."""
    dims = _dimension_scores(scores)
    changes = change if isinstance(change, dict) else {}
    return [
        {
            "key": dimension.value,
            "label": dimension.label,
            "score": dims.get(dimension.value),
            "change": changes.get(dimension.value),
        }
        for dimension in Dimension
    ]


@register.filter
def points(value: Any) -> str:
    """A score of 0–100 as a whole number ("42"); "–" where there is none."""
    if value is None or value == "":
        return "–"
    return str(round(float(value)))


@register.filter
def signed_change(value: Any) -> str:
    """A change of a score as "+12", "−3" or "±0" (whole points)."""
    rounded = round(float(value))
    if rounded > 0:
        return f"+{rounded}"
    if rounded < 0:
        return f"−{-rounded}"
    return "±0"


@register.filter
def change_direction(value: Any) -> str:
    """ "up", "down" or "same", by the change in whole points."""
    rounded = round(float(value))
    return "up" if rounded > 0 else "down" if rounded < 0 else "same"


@register.simple_tag
def convoy_median_min() -> int:
    return CONVOY_MEDIAN_MIN


@register.simple_tag
def peer_min() -> int:
    return PEER_MIN


@register.simple_tag
def peer_group_text(peers: Any) -> str:
    """Which group the peers' median is of, and how many checks it counts."""
    group = peers.get("group") if isinstance(peers, dict) else None
    n = peers.get("n", 0) if isinstance(peers, dict) else 0
    if group == "sector_size":
        return _("companies of the same sector and size (%(n)s checks)") % {"n": n}
    if group == "sector":
        return _("companies of the same sector (%(n)s checks)") % {"n": n}
    return _("all companies of the programme (%(n)s checks)") % {"n": n}
