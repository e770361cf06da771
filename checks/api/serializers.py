"""Input and output shapes of the check's API (kept apart: answers go in, snapshots come out)."""

from rest_framework import serializers

from checks.models import DIMENSIONS, Band, CheckStage, CheckStatus
from checks.questionnaire import CATEGORIES, QUESTION_TYPES
from companies.models import Sector, SizeBand

# Every value set below has its own enum name in the schema (CheckStageEnum, CheckStatusEnum,
# CheckBandEnum, CheckDimensionEnum, CheckSuggestionCategoryEnum, CheckQuestionTypeEnum:
# SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]), since "stage", "status", "category", "type"
# and "key" name other value sets elsewhere in the API.


def _stage() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=CheckStage.choices,
        help_text="T0 before the support, T1 and T2 the re-assessments (each once per company "
        "and programme), adhoc any time.",
    )


def _per_dimension(name: str, help_text: str) -> type[serializers.Serializer]:
    """An object with one number (0–100, null when no question of it was answered) per
    dimension key, in the questionnaire's order."""
    fields = {
        key: serializers.FloatField(allow_null=True, required=False, help_text=help_text)
        for key in DIMENSIONS
    }
    return type(name, (serializers.Serializer,), fields)


DimensionScores = _per_dimension("DimensionScores", "0–100; null when not answered.")
DimensionChange = _per_dimension(
    "DimensionChange", "Points since the previous check; null where either has none."
)

DimensionsAnswered = type(
    "DimensionsAnswered",
    (serializers.Serializer,),
    {key: serializers.BooleanField() for key in DIMENSIONS},
)


class CheckStartInput(serializers.Serializer):
    company = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    stage = serializers.ChoiceField(
        choices=CheckStage.choices,
        required=False,
        default=CheckStage.ADHOC,
        help_text="T0, T1 and T2 once per company and programme: with an open draft of the "
        "stage that draft is answered (200); with a submitted one, 400 on `stage` (choose "
        "adhoc). adhoc (the default) any time.",
    )
    advisor_assisted = serializers.BooleanField(required=False, default=False)


# --- the questionnaire -------------------------------------------------------------------------


class OptionOutput(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()
    negative = serializers.BooleanField(
        required=False,
        help_text="Present (true) for an option such as “none of these”: ticking it means the "
        "lowest score.",
    )


class RowOutput(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()


class QuestionOutput(serializers.Serializer):
    key = serializers.CharField()
    type = serializers.ChoiceField(
        choices=[(t, t) for t in QUESTION_TYPES],
        help_text="The answer's shape: multi → list of option keys; already_planned → "
        "{row: already|planned|none}; scale_0_5 → {row: 0..5}; no_partly_yes → "
        "{row: no|partly|yes}; agree_1_5 → 1..5 or null (no answer).",
    )
    text = serializers.CharField()
    help = serializers.CharField()
    options = OptionOutput(many=True, required=False, help_text="Only for multi.")
    rows = RowOutput(many=True, required=False, help_text="Only for the row types.")


class DimensionOutput(serializers.Serializer):
    key = serializers.ChoiceField(choices=[(d, d) for d in DIMENSIONS])
    title = serializers.CharField()
    intro = serializers.CharField()
    questions = QuestionOutput(many=True)


class QuestionnaireOutput(serializers.Serializer):
    version = serializers.CharField()
    dimensions = DimensionOutput(many=True)


class AnswersInput(serializers.Serializer):
    # Values unchecked here: checks.questionnaire.answers_clean checks each against its
    # question and answers under the question's key (one error shape for every wrong value).
    answers = serializers.DictField(
        help_text="{question_key: value} in the questionnaire's wire format; partial (merged). "
        "null takes an answer back (for agree_1_5 it is the answer “no answer”).",
    )
    sector = serializers.ChoiceField(choices=Sector.choices, required=False, allow_blank=True)
    size = serializers.ChoiceField(choices=SizeBand.choices, required=False, allow_blank=True)


class ProgressOutput(serializers.Serializer):
    areas_answered = serializers.IntegerField(
        help_text="Dimensions with at least one answered question (submitting needs all)."
    )
    areas = serializers.IntegerField(help_text="Dimensions in the questionnaire (6).")
    questions_answered = serializers.IntegerField()
    questions = serializers.IntegerField()
    dimensions = DimensionsAnswered(help_text="Per dimension key: whether it has an answer.")


class AnswersOutput(serializers.Serializer):
    answers = serializers.DictField(child=serializers.JSONField())
    progress = ProgressOutput()


class ScoresOutput(serializers.Serializer):
    overall = serializers.FloatField(allow_null=True, help_text="0–100, one decimal.")
    band = serializers.ChoiceField(
        choices=Band.choices,
        allow_null=True,
        help_text="basic 0–25, average 26–50, moderate 51–75, advanced 76–100.",
    )
    dimensions = DimensionScores()


class RecommendationOutput(serializers.Serializer):
    category = serializers.ChoiceField(
        choices=[(c, c) for c in CATEGORIES],
        help_text="What kind of project it suggests (POST …/projects/ takes it).",
    )
    title = serializers.CharField()
    reason = serializers.CharField(help_text="The most telling reason (the first of `reasons`).")
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why it is suggested, from the answers, most telling first.",
    )


class CheckOutput(serializers.Serializer):
    id = serializers.IntegerField()
    company = serializers.IntegerField(source="company_id")
    stage = _stage()
    status = serializers.ChoiceField(choices=CheckStatus.choices)
    questionnaire_version = serializers.CharField()
    answers = serializers.DictField(child=serializers.JSONField())
    advisor_assisted = serializers.BooleanField()
    advisor = serializers.IntegerField(source="advisor_id", allow_null=True)
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    scores = ScoresOutput(allow_null=True)
    recommendations = RecommendationOutput(many=True)


class ResultOutput(serializers.Serializer):
    scores = ScoresOutput()
    recommendations = RecommendationOutput(many=True)


class CheckProjectInput(serializers.Serializer):
    category = serializers.CharField(max_length=40)


class CheckProjectOutput(serializers.Serializer):
    project = serializers.IntegerField()


class HistoryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    stage = _stage()
    questionnaire_version = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    overall = serializers.FloatField(allow_null=True)
    band = serializers.ChoiceField(choices=Band.choices, allow_blank=True)
    dimensions = DimensionScores()
    change = DimensionChange(
        allow_null=True, help_text="null for the first check or another questionnaire version."
    )
    overall_change = serializers.FloatField(allow_null=True)


class PaginatedHistory(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HistoryOutput(many=True)


class MaturityOutput(serializers.Serializer):
    companies_submitted = serializers.IntegerField(
        help_text="Companies in the median, each with its latest check it answered itself (not "
        "advisor-assisted) at T0, T1 or T2 for the convoy's programme; ad hoc checks never count."
    )
    median = serializers.DictField(child=serializers.IntegerField(allow_null=True), allow_null=True)
    excludes_own_company = serializers.BooleanField()


# --- public ------------------------------------------------------------------------------------


class PublicStartInput(serializers.Serializer):
    programme = serializers.SlugField(required=False, allow_blank=True, max_length=60)
    sector = serializers.ChoiceField(choices=Sector.choices, required=False, allow_blank=True)
    size = serializers.ChoiceField(choices=SizeBand.choices, required=False, allow_blank=True)


class PublicProgrammeOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class PublicCheckOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=CheckStatus.choices)
    questionnaire_version = serializers.CharField()
    programme = PublicProgrammeOutput(allow_null=True)
    sector = serializers.ChoiceField(choices=Sector.choices, allow_blank=True)
    size = serializers.ChoiceField(choices=SizeBand.choices, allow_blank=True)
    scores = ScoresOutput(allow_null=True)
    recommendations = RecommendationOutput(many=True)
    full = serializers.BooleanField(help_text="Whether `recommendations` is the full list.")
    email_left = serializers.BooleanField()
    shared = serializers.BooleanField(help_text="Shared with the programme and confirmed.")


class PublicStartedOutput(PublicCheckOutput):
    token = serializers.CharField(help_text="The respondent's secret: keep it to resume.")


class PublicContactInput(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    consent = serializers.BooleanField()
    share_with_programme = serializers.BooleanField(required=False, default=False)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    company_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=10)


class PublicConfirmInput(serializers.Serializer):
    proof = serializers.CharField(max_length=64, help_text="From the e-mail's confirm link.")
    accept = serializers.BooleanField(help_text="true: confirm sharing; false: withdraw it.")
