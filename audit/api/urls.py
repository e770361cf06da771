from django.urls import path

from audit.api.views import MyAuditLogView

urlpatterns = [path("me/audit/", MyAuditLogView.as_view(), name="me-audit")]
