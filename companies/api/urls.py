from django.urls import path
from rest_framework.routers import SimpleRouter

from companies.api.views import CompanyInvitationAcceptView, CompanyViewSet

router = SimpleRouter()
router.register("companies", CompanyViewSet, basename="company")
urlpatterns = [
    *router.urls,
    path(
        "company-invitations/<str:token>/accept/",
        CompanyInvitationAcceptView.as_view(),
        name="company-invitation-accept",
    ),
]
