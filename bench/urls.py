"""The product's URLs plus the benchmark's floor endpoint. Used only by bench/; the product's
config/urls.py never mounts it."""

from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class FloorView(APIView):
    """A bare DRF endpoint: the same middleware, authentication, permission and renderer as
    every API view, and no work of its own. Whatever the dashboard costs above this is the
    dashboard's."""

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


urlpatterns = [
    path("api/v1/bench/floor/", FloorView.as_view()),
    path("", include("config.urls")),
]
