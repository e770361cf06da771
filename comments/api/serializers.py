from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import PersonRef
from comments.models import BODY_MAX_LENGTH, Comment, CommentRevision, Emoji, TargetType
from companies.api.serializers import CompanyRef


class CommentInput(serializers.Serializer):
    target_type = serializers.ChoiceField(choices=TargetType.choices, required=False)
    target_id = serializers.IntegerField(min_value=1, required=False, max_value=2**63 - 1)
    parent = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        max_value=2**63 - 1,
        help_text="Answer this comment: the reply takes its target and convoy.",
    )
    convoy = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        max_value=2**63 - 1,
        help_text="The convoy to comment in; needed only when the target is shared with "
        "several of your convoys.",
    )
    body = serializers.CharField(
        max_length=BODY_MAX_LENGTH, help_text="Markdown; @handle mentions people of the convoy."
    )

    def validate(self, attrs):
        if attrs.get("parent") is None:
            missing = {
                name: [_("Needed unless you reply to a comment (parent).")]
                for name in ("target_type", "target_id")
                if name not in attrs
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class CommentUpdateInput(serializers.Serializer):
    body = serializers.CharField(max_length=BODY_MAX_LENGTH)


class CommentListQuery(serializers.Serializer):
    target_type = serializers.ChoiceField(choices=TargetType.choices)
    target_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    convoy = serializers.IntegerField(min_value=1, required=False, max_value=2**63 - 1)


class ReactionInput(serializers.Serializer):
    emoji = serializers.ChoiceField(choices=Emoji.choices)


class ReactionsOutput(serializers.Serializer):
    reactions = serializers.DictField(
        child=serializers.IntegerField(), help_text="Count per emoji (only those given)."
    )
    mine = serializers.ListField(child=serializers.CharField(), help_text="Your own emoji.")


class CommentOutput(serializers.ModelSerializer):
    """A comment. Threads are flat lists in the order written; `parent` links a reply to the
    comment it answers. A deleted or hidden comment keeps its place with `body` and
    `body_html` null (a facilitator of the convoy still reads a hidden one)."""

    author = PersonRef(allow_null=True)
    company = CompanyRef(allow_null=True)
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField(
        help_text="The body rendered from Markdown and sanitised."
    )
    deleted = serializers.SerializerMethodField()
    hidden = serializers.SerializerMethodField()
    reactions = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "convoy",
            "target_type",
            "target_id",
            "parent",
            "author",
            "company",
            "body",
            "body_html",
            "created_at",
            "edited_at",
            "deleted",
            "hidden",
            "reactions",
            "mine",
        ]

    def _readable(self, comment: Comment) -> bool:
        if comment.is_deleted:
            return False
        return not comment.is_hidden or comment.convoy_id in self.context.get("facilitated", ())

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body(self, comment: Comment) -> str | None:
        return comment.body if self._readable(comment) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body_html(self, comment: Comment) -> str | None:
        return comment.body_html if self._readable(comment) else None

    def get_deleted(self, comment: Comment) -> bool:
        return comment.is_deleted

    def get_hidden(self, comment: Comment) -> bool:
        return comment.is_hidden

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"}})
    def get_reactions(self, comment: Comment) -> dict[str, int]:
        return comment.reaction_summary.counts  # set by comments.selectors.with_reactions

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_mine(self, comment: Comment) -> list[str]:
        return comment.reaction_summary.mine


class RevisionOutput(serializers.ModelSerializer):
    class Meta:
        model = CommentRevision
        fields = ["id", "body", "written_at", "created_at"]
