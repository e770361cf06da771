"""Routes of the programme API: programmes, staff and staff invitations."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from programmes.api.views import ProgrammeViewSet, StaffInvitationAcceptView

# Path converters, so that `<id:…>` keeps ids beyond a database key out (404).
router = SimpleRouter(use_regex_path=False)
router.register("programmes", ProgrammeViewSet, basename="programme")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path(
        "programme-invitations/<str:token>/accept/",
        StaffInvitationAcceptView.as_view(),
        name="programme-invitation-accept",
    ),
]
