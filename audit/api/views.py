from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api.serializers import AuditEntryOutput
from audit.models import AuditEntry
from audit.selectors import audit_entries_for_user, audit_entry_as_dict


class MyAuditLogView(GenericAPIView):
    """Your own audit log: logins, failed logins, password and address changes, tokens, roles
    and downloads, newest first. Only entries about your account."""

    permission_classes = [IsAuthenticated]
    serializer_class = AuditEntryOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return AuditEntry.objects.none()
        return audit_entries_for_user(self.request.user.pk)

    @extend_schema(responses={200: AuditEntryOutput(many=True)}, operation_id="me_audit_list")
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = [audit_entry_as_dict(entry) for entry in page or []]
        return self.get_paginated_response(AuditEntryOutput(rows, many=True).data)
