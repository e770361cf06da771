"""Input and output shapes of the check's API (kept apart: answers go in, snapshots come out)."""

from rest_framework import serializers

from checks.models import CheckStage
from companies.models import Sector, SizeBand


class CheckStartInput(serializers.Serializer):
    company = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    # Checked by checks.services (400 on "stage"); a plain string here keeps the schema's
    # enum names apart from the register's funnel stages.
    stage = serializers.CharField(
        required=False,
        max_length=10,
        help_text="One of " + ", ".join(CheckStage.values) + " (default adhoc).",
    )
    advisor_assisted = serializers.BooleanField(required=False, default=False)


class AnswersInput(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text="{question_key: value} in the questionnaire's wire format; partial (merged). "
        "null takes an answer back (for agree_1_5 it is the answer “no answer”).",
    )
    sector = serializers.ChoiceField(choices=Sector.choices, required=False, allow_blank=True)
    size = serializers.ChoiceField(choices=SizeBand.choices, required=False, allow_blank=True)


class ProgressOutput(serializers.Serializer):
    answered = serializers.IntegerField()
    total = serializers.IntegerField()
    dimensions = serializers.DictField(child=serializers.BooleanField())


class AnswersOutput(serializers.Serializer):
    answers = serializers.DictField(child=serializers.JSONField())
    progress = ProgressOutput()


class ScoresOutput(serializers.Serializer):
    overall = serializers.FloatField(allow_null=True)
    band = serializers.CharField(allow_null=True)
    dimensions = serializers.DictField(child=serializers.FloatField(allow_null=True))


class RecommendationOutput(serializers.Serializer):
    category = serializers.CharField()
    title = serializers.CharField()
    reason = serializers.CharField()


class CheckOutput(serializers.Serializer):
    id = serializers.IntegerField()
    company = serializers.IntegerField(source="company_id")
    stage = serializers.CharField()
    status = serializers.CharField()
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
    stage = serializers.CharField()
    questionnaire_version = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    overall = serializers.FloatField(allow_null=True)
    band = serializers.CharField()
    dimensions = serializers.DictField(child=serializers.FloatField(allow_null=True))
    change = serializers.DictField(child=serializers.FloatField(allow_null=True), allow_null=True)
    overall_change = serializers.FloatField(allow_null=True)


class PaginatedHistory(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HistoryOutput(many=True)


class MaturityOutput(serializers.Serializer):
    companies_submitted = serializers.IntegerField()
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
    status = serializers.CharField()
    questionnaire_version = serializers.CharField()
    programme = PublicProgrammeOutput(allow_null=True)
    sector = serializers.CharField()
    size = serializers.CharField()
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
