from django.urls import path
from rest_framework.routers import SimpleRouter

from projects.api.views import ConvoyUpdatesView, MilestoneViewSet, ProjectViewSet, UpdateViewSet

router = SimpleRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("updates", UpdateViewSet, basename="update")
urlpatterns = [
    *router.urls,
    path("convoys/<int:convoy_id>/updates/", ConvoyUpdatesView.as_view(), name="convoy-updates"),
]
