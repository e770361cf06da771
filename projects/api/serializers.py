from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.serializers import PersonRef
from companies.api.serializers import CompanyRef
from modelutils import MAX_ID
from projects.models import (
    Milestone,
    MilestoneStatus,
    Project,
    ProjectCategory,
    ProjectStatus,
    Update,
)
from projects.selectors import progress_percent


class ProjectInput(serializers.Serializer):
    company = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=ProjectCategory.choices)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    target_date = serializers.DateField(required=False, allow_null=True)
    follow_up_of = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
    convoys = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=50,
        help_text=_(
            "Convoys to share the project with. Omitted: every convoy the company is an active "
            "member of; an empty list: not shared."
        ),
    )

    def validate(self, attrs):
        start, target = attrs.get("start_date"), attrs.get("target_date")
        if start and target and target < start:
            raise serializers.ValidationError(
                {"target_date": [_("The target date cannot be before the start date.")]}
            )
        return attrs


class ProjectUpdateInput(ProjectInput):
    company = None
    title = serializers.CharField(max_length=200, required=False)
    category = serializers.ChoiceField(choices=ProjectCategory.choices, required=False)
    convoys = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=50,
        help_text=_("The convoys the project is shared with from now on (an empty list: none)."),
    )
    archived = serializers.BooleanField(
        required=False,
        help_text=_("true archives the project (kept, left out of lists); false restores it."),
    )


class MilestoneInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField(required=False, allow_null=True)
    weight = serializers.IntegerField(min_value=1, max_value=100, required=False)
    status = serializers.ChoiceField(choices=MilestoneStatus.choices, required=False)


class MilestoneUpdateInput(MilestoneInput):
    title = serializers.CharField(max_length=200, required=False)


class MilestoneOutput(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "title",
            "due_date",
            "status",
            "weight",
            "completed_at",
            "created_at",
        ]


class ProjectOutput(serializers.ModelSerializer):
    company = CompanyRef()
    convoys = serializers.SerializerMethodField()
    milestones = MilestoneOutput(many=True)
    milestones_done = serializers.IntegerField()
    milestones_total = serializers.IntegerField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "company",
            "title",
            "description",
            "category",
            "status",
            "start_date",
            "target_date",
            "follow_up_of",
            "convoys",
            "archived_at",
            "milestones",
            "milestones_done",
            "milestones_total",
            "progress",
            "created_at",
            "updated_at",
        ]

    def get_convoys(self, project: Project) -> list[int]:
        # Uses the prefetched convoys; no query per project.
        return [c.pk for c in project.convoys.all()]

    def get_progress(self, project: Project) -> int:
        return progress_percent(
            done_weight=project.weight_done,
            total_weight=project.weight_total,
            status=project.status,
        )


class UpdateInput(serializers.Serializer):
    company = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    body = serializers.CharField(max_length=5000)
    next_steps = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    help_wanted = serializers.BooleanField(required=False, default=False)
    stuck_on = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    milestones = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=50
    )


class UpdateEditInput(serializers.Serializer):
    body = serializers.CharField(max_length=5000, required=False)
    next_steps = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    help_wanted = serializers.BooleanField(required=False)
    stuck_on = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    milestones = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=50
    )


class UpdateOutput(serializers.ModelSerializer):
    company = CompanyRef()
    author = PersonRef(allow_null=True)
    milestones = serializers.SerializerMethodField()

    class Meta:
        model = Update
        fields = [
            "id",
            "convoy",
            "company",
            "author",
            "body",
            "next_steps",
            "help_wanted",
            "stuck_on",
            "milestones",
            "created_at",
        ]

    def get_milestones(self, update: Update) -> list[int]:
        return [m.pk for m in update.milestones.all()]
