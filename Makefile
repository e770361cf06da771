# Konvoi. `make run` to try it, `make test` to test it; `make help` lists the rest.
# Needs only Python >= 3.11 and make: everything else goes into .venv from requirements.lock.

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_WORKERS ?= 2
PYTEST_ARGS ?=

PY := $(VENV)/bin/python
# Reinstall only when the lock changed since the last install into this venv.
INSTALLED := $(VENV)/.installed
# Local targets default to DEBUG=true, because settings refuse to start without a SECRET_KEY
# otherwise. An explicit DEBUG in the environment wins. Production never goes through these
# targets' default: the Docker image and docker-compose.yml set DEBUG=false themselves.
DEV := env DEBUG=$${DEBUG:-true}

.DEFAULT_GOAL := help
.PHONY: help install run web worker beat migrate demo locale messages test test-fast lint typecheck format check bench bench-reminders bench-markdown bench-report

help:  ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-9s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Konvoi needs Python 3.11 or newer (PYTHON=$(PYTHON))."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# pip install (not pip-sync): additive, so packages someone added to the venv by hand survive.
$(INSTALLED): requirements.lock | $(PY)
	$(PY) -m pip install --disable-pip-version-check --quiet -r requirements.lock
	@touch $@

install: $(INSTALLED)  ## create .venv and install requirements.lock (only when it changed)

migrate: install  ## apply database migrations
	$(DEV) $(PY) manage.py migrate --noinput

demo: migrate  ## load the demo convoy (idempotent) and print its logins
	$(DEV) $(PY) manage.py load_demo

locale: install  ## compile translations whose .mo is missing or stale (no gettext needed)
	@$(PY) -m config.compile_locale

# Embedded: one process with uvicorn, a Celery worker and beat on the in-memory transport.
# Static files come from the apps through WhiteNoise in DEBUG, so nothing is collected.
run: demo locale  ## embedded mode: web + worker + beat in one process (HOST, PORT: 127.0.0.1:8000)
	exec $(DEV) $(PY) -m config.embedded --host $(HOST) --port $(PORT)

# Scaled topology: run web, worker and beat separately (with DATABASE_URL and REDIS_URL set).
# KONVOI_ROLE picks the database connection handling: a pool for web, persistent for workers.
web: locale  ## uvicorn only (WEB_WORKERS processes)
	exec $(DEV) KONVOI_ROLE=web $(VENV)/bin/uvicorn config.asgi:application --host $(HOST) --port $(PORT) \
		--workers $(WEB_WORKERS) --lifespan off

worker: locale  ## a Celery worker (needs REDIS_URL to share work with web processes)
	exec env KONVOI_ROLE=worker $(VENV)/bin/celery -A config worker --loglevel INFO

beat: install  ## Celery beat: run exactly one
	exec env KONVOI_ROLE=worker $(VENV)/bin/celery -A config beat --loglevel INFO

test: locale  ## the whole pytest suite (PYTEST_ARGS='-m "not browser"' to narrow it)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The developer's loop: no slow, browser or live tests, stop at the first failure. CI runs
# `make test`, which leaves nothing out.
test-fast: locale  ## the quick loop: pytest -m "not slow and not browser and not live" -x
	$(VENV)/bin/pytest -m "not slow and not browser and not live" -x -q $(PYTEST_ARGS)

lint: install  ## ruff, the import contracts, mypy, missing migrations (as pre-commit and CI)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(MAKE) --no-print-directory typecheck
	$(DEV) $(PY) manage.py makemigrations --check --dry-run

typecheck: install  ## mypy with django-stubs over services, selectors ([tool.mypy] in pyproject.toml)
	$(DEV) $(VENV)/bin/mypy

format: install  ## ruff format and autofix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: install  ## Django's system checks
	$(DEV) $(PY) manage.py check

bench: install  ## dashboard benchmark against a bare DRF endpoint (see README, Performance)
	$(PY) -m bench.dashboard

bench-reminders: install  ## reminder sweep over 100k memberships against a bare INSERT … SELECT
	$(PY) -m bench.reminders

bench-markdown: install  ## Markdown rendering of a pathological corpus at the longest allowed text
	$(PY) -m bench.markdown_worst

bench-report: install  ## programme report (5,000 companies) against one hand-written SQL per indicator
	$(PY) -m bench.programme_report

# makemessages needs GNU gettext (xgettext, msgmerge): apt-get install gettext.
messages: install  ## extract strings into locale/*/django.po and compile them
	$(DEV) $(PY) manage.py makemessages --locale de --locale en --no-obsolete \
		--ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'staticfiles/*'
	$(DEV) $(PY) manage.py compilemessages --ignore '.venv/*'
