from django.urls import path
from rest_framework.routers import SimpleRouter

from convoys.api.views import (
    ConvoyExportView,
    ConvoyViewSet,
    InvitationAcceptView,
    InvitationView,
)

router = SimpleRouter()
router.register("convoys", ConvoyViewSet, basename="convoy")
urlpatterns = [
    *router.urls,
    path("convoys/<int:convoy_id>/export.xlsx", ConvoyExportView.as_view(), name="convoy-export"),
    path("invitations/<str:token>/", InvitationView.as_view(), name="invitation-detail"),
    path(
        "invitations/<str:token>/accept/",
        InvitationAcceptView.as_view(),
        name="invitation-accept",
    ),
]
