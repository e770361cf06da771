"""The questionnaire as versioned data: `checks/questionnaires/<version>.json`, read and
validated here (the validation is also what the questionnaire test runs).

A file holds the six dimensions with their questions (the DMA's eleven plus a few agree
statements), the band and dimension meanings the result shows, and the suggestion rules
(`checks.recommendations` reads them). A broken file fails loudly on first load with
ImproperlyConfigured naming the place, never half-way through someone's check.
"""

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from checks.models import DIMENSIONS, Band
from companies.models import Sector
from projects.models import ProjectCategory

# The version new responses get.
CURRENT_VERSION = "2026-1"
QUESTION_TYPES = ("multi", "already_planned", "scale_0_5", "no_partly_yes", "agree_1_5")
ROW_TYPES = ("already_planned", "scale_0_5", "no_partly_yes")
# The values a row of each row type takes on the wire, the lowest first (a missing row of
# an answered question counts as the lowest).
ROW_VALUES: dict[str, tuple[Any, ...]] = {
    "already_planned": ("none", "planned", "already"),
    "scale_0_5": (0, 1, 2, 3, 4, 5),
    "no_partly_yes": ("no", "partly", "yes"),
}
AGREE_VALUES = (1, 2, 3, 4, 5)
# The suggestion categories (checks.recommendations.CATEGORIES; here, because the file's
# validation checks them): the project categories a check can lead to, plus training and
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
LANGUAGES = ("de", "en")

Texts = dict[str, str]  # {"de": "...", "en": "..."}

_DIR = Path(__file__).resolve().parent / "questionnaires"
_VERSION_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,19}")
_KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,49}")


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

    def option(self, key: Any) -> Option | None:
        return next((o for o in self.options if o.key == key), None)

    def row(self, key: Any) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)


@dataclass(frozen=True)
class DimensionDef:
    key: str
    title: Texts
    intro: Texts
    questions: tuple[Question, ...]
    # What a score of this dimension means, per band of the score ({band: texts}).
    meanings: dict[str, Texts] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Questionnaire:
    version: str
    dimensions: tuple[DimensionDef, ...]
    # The suggestion rules and project templates (checks.recommendations reads them).
    suggestions: tuple[dict[str, Any], ...] = field(default=())
    # What the overall band means ({band: texts}).
    band_meanings: dict[str, Texts] = field(default_factory=dict, compare=False)

    @functools.cached_property
    def _questions(self) -> dict[str, tuple[str, Question]]:
        return {q.key: (d.key, q) for d in self.dimensions for q in d.questions}

    def question(self, key: str) -> Question | None:
        found = self._questions.get(key) if isinstance(key, str) else None
        return found[1] if found else None

    def dimension_of(self, question_key: str) -> str | None:
        found = self._questions.get(question_key) if isinstance(question_key, str) else None
        return found[0] if found else None

    def dimension(self, key: str) -> DimensionDef | None:
        return next((d for d in self.dimensions if d.key == key), None)

    def questions(self) -> tuple[Question, ...]:
        return tuple(q for d in self.dimensions for q in d.questions)


def text_in(texts: Texts, language: str | None = None) -> str:
    """The text in `language` (default: the active one), German when it has none."""
    language = (language or get_language() or "de").split("-")[0].lower()
    return texts.get(language) or texts.get("de", "")


def dimension_title(
    key: str, language: str | None = None, *, questionnaire: Questionnaire | None = None
) -> str:
    """An area's name in `language` (default: the active one), from the questionnaire file:
    the one source of the names (checks.models.Dimension's labels are the same words, and a
    test keeps them so). The key itself when the questionnaire has no such dimension."""
    found = (questionnaire or questionnaire_load()).dimension(key)
    return text_in(found.title, language) if found else key


# Loading and validating ---------------------------------------------------------------


class _Invalid(Exception):
    pass


def _fail(where: str, message: str) -> NoReturn:
    raise _Invalid(f"{where}: {message}")


def _obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        _fail(where, "must be an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        _fail(where, "must be a non-empty list")
    return value


def _key(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _KEY_RE.fullmatch(value):
        _fail(where, f"key {value!r} is not snake_case (a-z, 0-9, _)")
    return value


def _texts(value: Any, where: str) -> Texts:
    value = _obj(value, where)
    for language in LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            _fail(where, f"missing the {language!r} text")
    extra = set(value) - set(LANGUAGES)
    if extra:
        _fail(where, f"unknown languages {sorted(extra)}")
    return {language: value[language] for language in LANGUAGES}


def _weight(item: dict[str, Any], where: str) -> float:
    weight = item.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
        _fail(where, "missing weight (a positive number)")
    return float(weight)


def _unique(keys: list[str], where: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            _fail(where, f"duplicate key {key!r}")
        seen.add(key)


def _meanings(value: Any, where: str) -> dict[str, Texts]:
    value = _obj(value, where)
    if set(value) != set(Band.values):
        _fail(where, f"needs exactly the bands {list(Band.values)}")
    return {band: _texts(value[band], f"{where}.{band}") for band in Band.values}


def _question(raw: Any, where: str) -> Question:
    raw = _obj(raw, where)
    key = _key(raw.get("key"), where)
    where = f"{where} ({key})"
    qtype = raw.get("type")
    if qtype not in QUESTION_TYPES:
        _fail(where, f"unknown type {qtype!r}")
    options: list[Option] = []
    rows: list[Row] = []
    if qtype == "multi":
        if "rows" in raw:
            _fail(where, "rows only on row types")
        for i, item in enumerate(_list(raw.get("options"), f"{where}.options")):
            at = f"{where}.options[{i}]"
            item = _obj(item, at)
            negative = item.get("negative", False)
            if not isinstance(negative, bool):
                _fail(at, "negative must be true or false")
            options.append(
                Option(
                    key=_key(item.get("key"), at),
                    text=_texts(item.get("text"), f"{at}.text"),
                    weight=_weight(item, at),
                    negative=negative,
                )
            )
        _unique([o.key for o in options], f"{where}.options")
        if not any(not o.negative for o in options):
            _fail(where, "needs at least one option that is not negative")
    elif qtype in ROW_TYPES:
        if "options" in raw:
            _fail(where, "options only on multi")
        for i, item in enumerate(_list(raw.get("rows"), f"{where}.rows")):
            at = f"{where}.rows[{i}]"
            item = _obj(item, at)
            rows.append(
                Row(
                    key=_key(item.get("key"), at),
                    text=_texts(item.get("text"), f"{at}.text"),
                    weight=_weight(item, at),
                )
            )
        _unique([r.key for r in rows], f"{where}.rows")
    elif "options" in raw or "rows" in raw:
        _fail(where, "options only on multi, rows only on row types")
    return Question(
        key=key,
        type=qtype,
        text=_texts(raw.get("text"), f"{where}.text"),
        help=_texts(raw.get("help"), f"{where}.help"),
        options=tuple(options),
        rows=tuple(rows),
    )


def _condition(q: Questionnaire, raw: Any, where: str) -> None:
    """One condition of a suggestion rule (grammar: checks.recommendations)."""
    raw = _obj(raw, where)
    if "dimension" in raw:
        if raw["dimension"] not in DIMENSIONS:
            _fail(where, f"unknown dimension {raw['dimension']!r}")
        bounds = set(raw) - {"dimension"}
        if len(bounds) != 1 or not bounds <= {"below", "at_least"}:
            _fail(where, "a dimension condition needs one of below/at_least")
        bound = raw[bounds.pop()]
        if isinstance(bound, bool) or not isinstance(bound, int | float):
            _fail(where, "the bound must be a number")
        return
    question = q.question(raw.get("question"))
    if question is None:
        _fail(where, f"unknown question {raw.get('question')!r}")
    rest = set(raw) - {"question"}
    if question.type == "multi":
        if len(rest) != 1 or not rest <= {"ticked", "not_ticked"}:
            _fail(where, "a multi condition needs one of ticked/not_ticked")
        option = raw[rest.pop()]
        if question.option(option) is None:
            _fail(where, f"unknown option {option!r} of {question.key}")
    elif question.type == "agree_1_5":
        if rest != {"at_most"} or raw["at_most"] not in AGREE_VALUES:
            _fail(where, "an agree condition needs at_most 1..5")
    else:
        if question.row(raw.get("row")) is None:
            _fail(where, f"unknown row {raw.get('row')!r} of {question.key}")
        values = ROW_VALUES[question.type]
        if question.type == "scale_0_5":
            if rest != {"row", "at_most"} or raw["at_most"] not in values:
                _fail(where, "a scale condition needs row and at_most 0..5")
        elif (
            rest != {"row", "in"}
            or not isinstance(raw["in"], list)
            or not raw["in"]
            or any(v not in values for v in raw["in"])
        ):
            _fail(where, f"a row condition needs row and in: a list of {list(values)}")


def _sectors(value: Any, where: str) -> dict[str, float]:
    """How well a suggestion fits a trade: {sector: factor}, a sector left out is 1."""
    value = _obj(value, where)
    for sector, factor in value.items():
        if sector not in Sector.values:
            _fail(where, f"unknown sector {sector!r}")
        if isinstance(factor, bool) or not isinstance(factor, int | float) or factor <= 0:
            _fail(where, f"the factor of {sector!r} must be a positive number")
    return {sector: float(factor) for sector, factor in value.items()}


def _suggestions(q: Questionnaire, raw: Any) -> tuple[dict[str, Any], ...]:
    found: list[dict[str, Any]] = []
    rule_keys: list[str] = []
    for i, item in enumerate(_list(raw, "suggestions")):
        where = f"suggestions[{i}]"
        item = _obj(item, where)
        category = item.get("category")
        if category not in CATEGORIES:
            _fail(where, f"unknown category {category!r}")
        where = f"{where} ({category})"
        project = _obj(item.get("project"), f"{where}.project")
        if project.get("category") not in ProjectCategory.values:
            _fail(f"{where}.project", f"unknown project category {project.get('category')!r}")
        milestones = _list(project.get("milestones"), f"{where}.project.milestones")
        if len(milestones) > 3:
            _fail(f"{where}.project", "at most three milestones")
        sectors = _sectors(item.get("sectors", {}), f"{where}.sectors")
        rules = []
        for j, rule in enumerate(_list(item.get("rules"), f"{where}.rules")):
            at = f"{where}.rules[{j}]"
            rule = _obj(rule, at)
            rule_keys.append(_key(rule.get("key"), at))
            for k, condition in enumerate(_list(rule.get("when"), f"{at}.when")):
                _condition(q, condition, f"{at}.when[{k}]")
            rules.append(
                {
                    "key": rule["key"],
                    "weight": _weight(rule, at),
                    "when": rule["when"],
                    "reason": _texts(rule.get("reason"), f"{at}.reason"),
                }
            )
        found.append(
            {
                "category": category,
                "title": _texts(item.get("title"), f"{where}.title"),
                "summary": _texts(item.get("summary"), f"{where}.summary"),
                "project": {
                    "category": project["category"],
                    "title": _texts(project.get("title"), f"{where}.project.title"),
                    "description": _texts(
                        project.get("description"), f"{where}.project.description"
                    ),
                    "milestones": [
                        _texts(m, f"{where}.project.milestones[{k}]")
                        for k, m in enumerate(milestones)
                    ],
                },
                "rules": rules,
                "sectors": sectors,
            }
        )
    _unique([s["category"] for s in found], "suggestions")
    missing = set(CATEGORIES) - {s["category"] for s in found}
    if missing:
        _fail("suggestions", f"no suggestion for the categories {sorted(missing)}")
    # Reasons are stored on responses by key: one key, one reason, across the file.
    _unique(rule_keys, "suggestions (rule keys)")
    return tuple(found)


def questionnaire_parse(data: Any, *, version: str) -> Questionnaire:
    """A questionnaire from the parsed JSON of its file; ImproperlyConfigured with the place
    of the first problem."""
    try:
        data = _obj(data, "file")
        if data.get("version") != version:
            _fail("version", f"{data.get('version')!r} is not the file's version {version!r}")
        dimensions = []
        for i, raw in enumerate(_list(data.get("dimensions"), "dimensions")):
            where = f"dimensions[{i}]"
            raw = _obj(raw, where)
            key = _key(raw.get("key"), where)
            questions = tuple(
                _question(item, f"{where}.questions[{j}]")
                for j, item in enumerate(_list(raw.get("questions"), f"{where}.questions"))
            )
            dimensions.append(
                DimensionDef(
                    key=key,
                    title=_texts(raw.get("title"), f"{where}.title"),
                    intro=_texts(raw.get("intro"), f"{where}.intro"),
                    questions=questions,
                    meanings=_meanings(raw.get("meanings"), f"{where}.meanings"),
                )
            )
        if tuple(d.key for d in dimensions) != DIMENSIONS:
            _fail("dimensions", f"must be exactly {list(DIMENSIONS)} in this order")
        _unique([q.key for d in dimensions for q in d.questions], "questions")
        q = Questionnaire(
            version=version,
            dimensions=tuple(dimensions),
            band_meanings=_meanings(data.get("bands"), "bands"),
        )
        suggestions = _suggestions(q, data.get("suggestions"))
    except _Invalid as e:
        raise ImproperlyConfigured(f"Questionnaire {version}: {e}") from None
    return Questionnaire(
        version=version,
        dimensions=q.dimensions,
        suggestions=suggestions,
        band_meanings=q.band_meanings,
    )


def questionnaire_load(version: str | None = None) -> Questionnaire:
    """The questionnaire of `version` (default CURRENT_VERSION), loaded once and validated;
    an unknown version raises LookupError."""
    return _load(CURRENT_VERSION if version is None else version)


@functools.cache
def _load(version: str) -> Questionnaire:
    path = _DIR / f"{version}.json" if isinstance(version, str) else None
    if path is None or not _VERSION_RE.fullmatch(version) or not path.is_file():
        raise LookupError(f"No questionnaire of version {version!r}.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise ImproperlyConfigured(f"Questionnaire {version}: not valid JSON: {e}") from None
    return questionnaire_parse(data, version=version)


def questionnaire_wire(questionnaire: Questionnaire, language: str | None = None) -> dict:
    """The API's shape in `language`: {version, dimensions: [{key, title, intro, questions:
    [{key, type, text, help, options?: [{key, text, negative?}], rows?: [{key, text}]}]}]}."""

    def question(q: Question) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": q.key,
            "type": q.type,
            "text": text_in(q.text, language),
            "help": text_in(q.help, language),
        }
        if q.type == "multi":
            out["options"] = [
                {"key": o.key, "text": text_in(o.text, language)}
                | ({"negative": True} if o.negative else {})
                for o in q.options
            ]
        elif q.type in ROW_TYPES:
            out["rows"] = [{"key": r.key, "text": text_in(r.text, language)} for r in q.rows]
        return out

    return {
        "version": questionnaire.version,
        "dimensions": [
            {
                "key": d.key,
                "title": text_in(d.title, language),
                "intro": text_in(d.intro, language),
                "questions": [question(q) for q in d.questions],
            }
            for d in questionnaire.dimensions
        ],
    }


# Answers ----------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# A wrong option or row key is named in the message only when it looks like one of ours: what
# a client sends may be any text (long, markup, characters no encoder writes).
_ECHOABLE = re.compile(r"[a-z0-9_]{1,40}")


def _echoable(key: Any) -> bool:
    return isinstance(key, str) and _ECHOABLE.fullmatch(key) is not None


def _clean_value(q: Question, value: Any) -> tuple[Any, str | None]:
    """(the cleaned value, None) or (None, the message)."""
    if q.type == "multi":
        if not isinstance(value, list):
            return None, _("Give a list of the ticked options.")
        if len(value) > len(q.options):
            return None, _("More options ticked than there are.")
        known = {o.key for o in q.options}
        wrong = [v for v in value if not isinstance(v, str) or v not in known]
        if wrong:
            if _echoable(wrong[0]):
                return None, _("Unknown option: %(key)s.") % {"key": wrong[0]}
            return None, _("Unknown option.")
        if len(set(value)) != len(value):
            return None, _("An option is ticked twice.")
        # In the questionnaire's order: the same answer is stored the same way.
        return [o.key for o in q.options if o.key in value], None
    if q.type == "agree_1_5":
        if value is None or (_is_int(value) and value in AGREE_VALUES):
            return value, None
        return None, _("Give a whole number from 1 to 5, or null for no answer.")
    # The row types.
    if not isinstance(value, dict):
        return None, _("Give an answer per row.")
    if len(value) > len(q.rows):
        return None, _("More rows than the question has.")
    allowed = ROW_VALUES[q.type]
    cleaned = {}
    for row in q.rows:
        if row.key not in value:
            continue
        v = value[row.key]
        if q.type == "scale_0_5":
            ok = _is_int(v) and v in allowed
        else:
            ok = isinstance(v, str) and v in allowed
        if not ok:
            if q.type == "scale_0_5":
                return None, _("Give a whole number from 0 to 5 per row.")
            return None, _("Give one of %(values)s per row.") % {
                "values": ", ".join(str(a) for a in allowed)
            }
        cleaned[row.key] = v
    if len(cleaned) != len(value):
        wrong_rows = [k for k in value if k not in cleaned]
        if wrong_rows and _echoable(wrong_rows[0]):
            return None, _("Unknown row: %(key)s.") % {"key": wrong_rows[0]}
        return None, _("Unknown row.")
    return cleaned, None


def answers_clean(questionnaire: Questionnaire, answers: Any) -> dict[str, Any]:
    """`answers` ({question_key: value}) checked against the questions' types; raises
    django ValidationError (translated) {question_key: [message]} for a value of the wrong
    shape and {"answers": [message]} for keys that are no question: those are counted, never
    echoed (a key may be any text, even one no encoder can write). `None` for a question means
    "take my answer back" (removed), except agree_1_5, where null is the answer "no answer"."""
    if not isinstance(answers, dict):
        raise ValidationError({"answers": [_("Give the answers as an object.")]})
    if len(answers) > len(questionnaire.questions()):
        raise ValidationError({"answers": [_("More answers than there are questions.")]})
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    unknown = 0
    for key, value in answers.items():
        question = questionnaire.question(key) if isinstance(key, str) else None
        if question is None:
            unknown += 1
            continue
        if value is None:
            cleaned[key] = None
            continue
        value, message = _clean_value(question, value)
        if message:
            errors[key] = [message]
        else:
            cleaned[key] = value
    if unknown:
        errors["answers"] = [
            ngettext(
                "%(count)d answer is to a question this check does not have.",
                "%(count)d answers are to questions this check does not have.",
                unknown,
            )
            % {"count": unknown}
        ]
    if errors:
        raise ValidationError(errors)
    return cleaned


def is_answered(question: Question, value: Any) -> bool:
    """Whether a stored value counts as an answer (scoring leaves the others out): a list for
    multi (also an empty one), a non-empty row object, a number for agree (null: no answer)."""
    if question.type == "multi":
        return isinstance(value, list)
    if question.type == "agree_1_5":
        return _is_int(value)
    return isinstance(value, dict) and bool(value)
