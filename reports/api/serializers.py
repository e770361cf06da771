"""The programme report's output shape (for the schema; the report builds the data)."""

from rest_framework import serializers


class ReportIndicatorOutput(serializers.Serializer):
    key = serializers.CharField(help_text="Stable key, e.g. companies_reached.")
    label = serializers.CharField(help_text="In the request language.")  # type: ignore[assignment]
    value = serializers.FloatField(allow_null=True, help_text="A count (or a rate).")
    rule = serializers.CharField(help_text="The counting rule, in the request language.")
    breakdown = serializers.DictField(
        child=serializers.DictField(child=serializers.FloatField(allow_null=True)),
        required=False,
        help_text=(
            'Per dimension (e.g. "size_class"), the count per value key (e.g. "micro"); '
            "the maturity change gives medians and a share (numbers with a decimal, null "
            "where there is nothing to take them of)."
        ),
    )


class ProgrammeReportOutput(serializers.Serializer):
    # "from" is a Python keyword: declared through the class namespace.
    locals()["from"] = serializers.DateField(help_text="First day of the period (included).")
    to = serializers.DateField(help_text="Last day of the period (included).")
    indicators = ReportIndicatorOutput(many=True)
