"""Platform helpers for models that every app may use (imports Django only)."""

# The largest id a database row can have (a signed 64-bit key): input above it is refused as
# invalid rather than sent to the database, which would fail on it.
MAX_ID = 2**63 - 1
