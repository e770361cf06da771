from django.urls import path
from rest_framework.routers import SimpleRouter

from notifications.api.views import NotificationViewSet, NudgeView, PreferencesView

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")
urlpatterns = [
    *router.urls,
    path("me/preferences/", PreferencesView.as_view(), name="preferences"),
    path(
        "convoys/<int:convoy_id>/companies/<int:company_id>/nudge/",
        NudgeView.as_view(),
        name="company-nudge",
    ),
]
