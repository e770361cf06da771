"""WebSocket routes of every app."""

from convoys.routing import websocket_urlpatterns as convoy_routes
from notifications.routing import websocket_urlpatterns as notification_routes

websocket_urlpatterns = [*convoy_routes, *notification_routes]
