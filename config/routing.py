"""WebSocket routes. The convoy and notification consumers join here (live-dashboards issue)."""

websocket_urlpatterns: list = []
