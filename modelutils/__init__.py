"""Platform helpers for models that every app may use (imports Django only)."""
