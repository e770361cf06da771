# One image for every role of the scaled topology (web, worker, beat, migrate); the command
# picks the role. See docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The lock first, so that code changes do not reinstall the dependencies. The production lock
# has no dev extras (no pytest, Playwright, schemathesis, ruff: ~280 MB less) and pins exactly
# the versions of requirements.lock, which CI tests (tests/test_compose.py checks both);
# psycopg[binary] brings its own libpq, so no system packages are needed.
COPY requirements.prod.lock requirements.lock ./
RUN pip install -r requirements.prod.lock

# .dockerignore keeps tests/, bench/, .git, .venv and local state out of the image.
COPY . .

# Static files and translations are built into the image. Settings need a SECRET_KEY to
# load with DEBUG off; this throwaway one exists only during this build step. compile_locale
# needs polib, a dev tool: installed at requirements.lock's pin for this step and removed in the
# same layer, so the image does not carry it.
RUN DEBUG=false SECRET_KEY=build-only-not-used-at-runtime \
        python manage.py collectstatic --noinput \
    && pip install "$(grep -E '^polib==' requirements.lock)" \
    && python -m config.compile_locale \
    && pip uninstall -y polib

RUN useradd --system --uid 10001 --home-dir /app --no-create-home konvoi \
    && chown -R konvoi /app/staticfiles
USER konvoi

EXPOSE 8000
# Web by default (a psycopg connection pool); compose sets worker for worker, beat, migrate.
ENV KONVOI_ROLE=web
# The web role. Workers: one per core is a good start; override with WEB_CONCURRENCY.
# X-Forwarded-For/-Proto are believed only from FORWARDED_ALLOW_IPS (your reverse proxy's
# address); from anyone else a client could choose its own address and dodge the rate limits.
CMD ["sh", "-c", "exec uvicorn config.asgi:application --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY:-2} --lifespan off --proxy-headers --forwarded-allow-ips \"${FORWARDED_ALLOW_IPS:-127.0.0.1}\""]
