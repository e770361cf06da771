import django_filters
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import (  # DRF's variant: 404, not 500, for /projects/abc/…
    GenericAPIView,
    get_object_or_404,
)
from rest_framework.request import Request
from rest_framework.response import Response

from convoys.selectors import companies_visible_to, convoys_for_user
from modelutils import MAX_ID
from projects.api.serializers import (
    MilestoneInput,
    MilestoneOutput,
    MilestoneUpdateInput,
    ProjectInput,
    ProjectOutput,
    ProjectUpdateInput,
    UpdateEditInput,
    UpdateInput,
    UpdateOutput,
)
from projects.models import Milestone, Project, Update
from projects.selectors import (
    milestones_for_user,
    project_detail_queryset,
    projects_for_user,
    projects_in_convoy,
    unarchived,
    updates_for_convoy,
    updates_for_user,
)
from projects.services import (
    milestone_create,
    milestone_delete,
    milestone_update,
    project_archive,
    project_create,
    project_delete,
    project_restore,
    project_update,
    update_delete,
    update_edit,
    update_post,
)


class ProjectFilter(django_filters.FilterSet):
    company = django_filters.NumberFilter(field_name="company_id", min_value=1, max_value=MAX_ID)
    convoy = django_filters.NumberFilter(method="filter_convoy", min_value=1, max_value=MAX_ID)
    status = django_filters.CharFilter()
    category = django_filters.CharFilter()
    archived = django_filters.BooleanFilter(
        method="filter_archived", label="archived (default false: archived projects are left out)"
    )

    class Meta:
        model = Project
        fields = ["company", "convoy", "status", "category", "archived"]

    def filter_archived(self, queryset, name: str, value: bool):
        return queryset.filter(archived_at__isnull=not value)

    def filter_convoy(self, queryset, name: str, value: int):
        return projects_in_convoy(queryset, user=self.request.user, convoy_id=value)


def _company_for(request: Request, company_id: int):
    company = companies_visible_to(user=request.user).filter(pk=company_id).first()
    if company is None:
        raise ValidationError({"company": [_("Unknown company.")]})
    return company


def _follow_up_for(request: Request, project_id: int | None) -> Project | None:
    if project_id is None:
        return None
    project = projects_for_user(user=request.user).filter(pk=project_id).first()
    if project is None:
        raise ValidationError({"follow_up_of": [_("Unknown project.")]})
    return project


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Projects of your companies and of your convoy peers; anyone else's are 404. The list
    leaves archived projects out unless `?archived=true`; retrieving one by id still works."""

    lookup_value_regex = r"[0-9]+"
    serializer_class = ProjectOutput
    filterset_class = ProjectFilter

    def get_queryset(self):
        queryset = project_detail_queryset(user=self.request.user).order_by("company_id", "id")
        if self.action == "list" and "archived" not in self.request.query_params:
            queryset = unarchived(queryset)
        return queryset

    def _output(self, project: Project) -> dict:
        return ProjectOutput(self.get_queryset().get(pk=project.pk)).data

    @extend_schema(request=ProjectInput, responses={201: ProjectOutput})
    def create(self, request: Request) -> Response:
        data = ProjectInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        company = _company_for(request, values.pop("company"))
        values["follow_up_of"] = _follow_up_for(request, values.pop("follow_up_of", None))
        values["convoy_ids"] = values.pop("convoys", None)  # omitted: all the company's convoys
        project = project_create(actor=request.user, company=company, **values)
        return Response(self._output(project), status=status.HTTP_201_CREATED)

    @extend_schema(request=ProjectUpdateInput, responses={200: ProjectOutput})
    def partial_update(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        data = ProjectUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "follow_up_of" in values:
            values["follow_up_of"] = _follow_up_for(request, values["follow_up_of"])
        convoy_ids = values.pop("convoys", None)
        archived = values.pop("archived", None)
        with transaction.atomic():  # all of the PATCH or nothing
            project_update(actor=request.user, project=project, convoy_ids=convoy_ids, **values)
            if archived is True:
                project_archive(actor=request.user, project=project)
            elif archived is False:
                project_restore(actor=request.user, project=project)
        return Response(self._output(project))

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        project_delete(actor=request.user, project=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: MilestoneOutput(many=True)}, methods=["GET"])
    @extend_schema(request=MilestoneInput, responses={201: MilestoneOutput}, methods=["POST"])
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def milestones(self, request: Request, pk: str) -> Response:
        project = get_object_or_404(projects_for_user(user=request.user), pk=pk)
        if request.method == "GET":
            page = self.paginate_queryset(project.milestones.order_by("due_date", "id"))
            return self.get_paginated_response(MilestoneOutput(page, many=True).data)
        data = MilestoneInput(data=request.data)
        data.is_valid(raise_exception=True)
        milestone = milestone_create(actor=request.user, project=project, **data.validated_data)
        return Response(MilestoneOutput(milestone).data, status=status.HTTP_201_CREATED)


class MilestoneViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"[0-9]+"
    serializer_class = MilestoneOutput

    def get_queryset(self):
        return milestones_for_user(user=self.request.user)

    @extend_schema(request=MilestoneUpdateInput, responses={200: MilestoneOutput})
    def partial_update(self, request: Request, pk: str) -> Response:
        milestone: Milestone = self.get_object()
        data = MilestoneUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        milestone = milestone_update(actor=request.user, milestone=milestone, **data.validated_data)
        return Response(MilestoneOutput(milestone).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        milestone_delete(actor=request.user, milestone=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class UpdateViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A progress update of a convoy you are in; its author or a company owner edits or
    deletes it."""

    lookup_value_regex = r"[0-9]+"
    serializer_class = UpdateOutput

    def get_queryset(self):
        return updates_for_user(user=self.request.user)

    @extend_schema(request=UpdateEditInput, responses={200: UpdateOutput})
    def partial_update(self, request: Request, pk: str) -> Response:
        update: Update = self.get_object()
        data = UpdateEditInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        update_edit(
            actor=request.user,
            update=update,
            milestone_ids=values.pop("milestones", None),
            **values,
        )
        return Response(UpdateOutput(self.get_queryset().get(pk=update.pk)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        update_delete(actor=request.user, update=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConvoyUpdatesView(GenericAPIView):
    """Progress updates posted to a convoy, newest first."""

    serializer_class = UpdateOutput
    queryset = Update.objects.none()  # for the schema; requests use updates_for_convoy

    def _convoy(self, request: Request, convoy_id: int):
        return get_object_or_404(convoys_for_user(user=request.user), pk=convoy_id)

    @extend_schema(responses={200: UpdateOutput(many=True)}, operation_id="convoys_updates_list")
    def get(self, request: Request, convoy_id: int) -> Response:
        convoy = self._convoy(request, convoy_id)
        page = self.paginate_queryset(updates_for_convoy(convoy=convoy))
        return self.get_paginated_response(UpdateOutput(page, many=True).data)

    @extend_schema(
        request=UpdateInput, responses={201: UpdateOutput}, operation_id="convoys_updates_create"
    )
    def post(self, request: Request, convoy_id: int) -> Response:
        convoy = self._convoy(request, convoy_id)
        data = UpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        company = _company_for(request, values.pop("company"))
        update = update_post(
            actor=request.user,
            convoy=convoy,
            company=company,
            milestone_ids=values.pop("milestones", []),
            **values,
        )
        output = updates_for_convoy(convoy=convoy).get(pk=update.pk)
        return Response(UpdateOutput(output).data, status=status.HTTP_201_CREATED)
