from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from comments.api.serializers import (
    CommentInput,
    CommentListQuery,
    CommentOutput,
    CommentUpdateInput,
    ReactionInput,
    ReactionsOutput,
    RevisionOutput,
)
from comments.models import Comment, TargetType
from comments.selectors import (
    comment_queryset,
    comment_revisions,
    comments_for_user,
    facilitated_convoy_ids,
    target_convoys_for_user,
    with_reactions,
)
from comments.services import (
    comment_create,
    comment_delete,
    comment_hide,
    comment_update,
    reaction_toggle,
)
from comments.targets import target_resolve
from convoys.selectors import is_facilitator

LIST_PARAMETERS = [
    OpenApiParameter("target_type", enum=TargetType.values, required=True),
    OpenApiParameter("target_id", int, required=True),
    OpenApiParameter(
        "convoy", int, description="Only the comments made in this convoy (of those you see)."
    ),
]


class CommentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Comments on updates, milestones, projects and check-ins, in the convoys you belong to.

    Anything of a convoy you do not belong to is 404.
    """

    lookup_value_regex = r"[0-9]+"
    serializer_class = CommentOutput
    filter_backends: list = []

    def get_queryset(self):
        return comment_queryset(comments_for_user(user=self.request.user))

    def get_serializer_context(self) -> dict:
        return {
            **super().get_serializer_context(),
            "facilitated": facilitated_convoy_ids(user=self.request.user),
        }

    def _output(self, comment: Comment) -> dict:
        comment = self.get_queryset().get(pk=comment.pk)
        with_reactions([comment], user=self.request.user)
        return CommentOutput(comment, context=self.get_serializer_context()).data

    @extend_schema(
        parameters=LIST_PARAMETERS,
        responses={200: CommentOutput(many=True)},
        description="The thread of one target: every comment and reply in the order written "
        "(oldest first), each naming its `parent`; paginated. A target you cannot see is 404.",
    )
    def list(self, request: Request) -> Response:
        query = CommentListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        target = target_resolve(target_type=values["target_type"], target_id=values["target_id"])
        convoy_ids = target_convoys_for_user(user=request.user, target=target) if target else []
        if "convoy" in values:
            convoy_ids = [c for c in convoy_ids if c == values["convoy"]]
        if not convoy_ids:
            raise NotFound
        comments = self.get_queryset().filter(
            target_type=target.type, target_id=target.id, convoy_id__in=convoy_ids
        )
        page = self.paginate_queryset(comments)
        with_reactions(page, user=request.user)
        return self.get_paginated_response(
            CommentOutput(page, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(request=CommentInput, responses={201: CommentOutput})
    def create(self, request: Request) -> Response:
        data = CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        parent = None
        if values.get("parent") is not None:
            parent = self.get_queryset().filter(pk=values["parent"]).first()
            if parent is None:
                raise ValidationError({"parent": [_("Unknown comment.")]})
        comment = comment_create(
            actor=request.user,
            body=values["body"],
            target_type=values.get("target_type"),
            target_id=values.get("target_id"),
            parent=parent,
            convoy_id=values.get("convoy"),
        )
        return Response(self._output(comment), status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        comment = self.get_object()
        with_reactions([comment], user=request.user)
        return Response(CommentOutput(comment, context=self.get_serializer_context()).data)

    @extend_schema(request=CommentUpdateInput, responses={200: CommentOutput})
    def partial_update(self, request: Request, pk: str) -> Response:
        comment = self.get_object()
        data = CommentUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = comment_update(actor=request.user, comment=comment, **data.validated_data)
        return Response(self._output(comment))

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        comment_delete(actor=request.user, comment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=ReactionInput,
        responses={200: ReactionsOutput},
        description="Toggle your emoji on the comment: added if you had not given it, "
        "taken back if you had.",
    )
    @action(detail=True, methods=["post"])
    def reactions(self, request: Request, pk: str) -> Response:
        comment = self.get_object()
        data = ReactionInput(data=request.data)
        data.is_valid(raise_exception=True)
        summary = reaction_toggle(actor=request.user, comment=comment, **data.validated_data)
        return Response(ReactionsOutput(summary.as_dict()).data)

    @extend_schema(
        responses={200: RevisionOutput(many=True)},
        description="Earlier versions of an edited comment, oldest first (facilitators).",
    )
    @action(detail=True, methods=["get"])
    def revisions(self, request: Request, pk: str) -> Response:
        comment = self.get_object()
        if not is_facilitator(user=request.user, convoy_id=comment.convoy_id):
            raise PermissionDenied(_("Only a facilitator of the convoy sees earlier versions."))
        page = self.paginate_queryset(comment_revisions(comment=comment))
        return self.get_paginated_response(RevisionOutput(page, many=True).data)

    @extend_schema(request=None, responses={200: CommentOutput})
    @action(detail=True, methods=["post"])
    def hide(self, request: Request, pk: str) -> Response:
        comment = comment_hide(actor=request.user, comment=self.get_object())
        return Response(self._output(comment))
