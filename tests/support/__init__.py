"""Helpers the tests import: plain functions and classes, no fixtures.

conftest.py files hold fixtures only (pytest finds those by name); anything a test module
imports by name lives here, so no test imports a conftest module:

- `tests.support.services`: which database runs, and the skip-or-fail rule for PostgreSQL;
- `tests.support.domain`: snapshots of every domain table, for "a refused write changes nothing";
- `tests.support.live`: real uvicorn processes, Redis databases and ports for the live tests;
- `tests.support.browser`: pages and logins for the Playwright tests;
- `tests.support.notifications`: what a user was notified of.
"""
