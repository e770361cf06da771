from django.urls import path

from convoys.consumers import ConvoyConsumer

websocket_urlpatterns = [
    path("ws/convoys/<int:convoy_id>/", ConvoyConsumer.as_asgi()),
]
