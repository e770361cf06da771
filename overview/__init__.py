"""Read models that span apps (the "top" layer of DESIGN.md "Layers").

What belongs here: reads that combine several apps' data and are shaped for
one page or one API payload -- the convoy dashboard (``overview.dashboard``),
the ``/me/`` payload (``overview.me``), the facilitator digest's content.
They sit above the feature apps, so they may import any domain app's models
and selectors; the domain apps never import them, only the interface
(frontend, */api, consumers) and the benchmarks do.

What does not: writes (those are services in the app that owns the data),
and reads about one app only (those stay in that app's ``selectors``).
This app has no models and no migrations.
"""
