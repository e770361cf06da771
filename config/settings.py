"""Konvoi settings: one module, driven by environment variables (see .env.example).

Two ways to run from the same code:
- embedded (no variables set): SQLite, in-memory channel layer, Celery on an in-memory transport
  inside the web process, e-mail to the console;
- scaled: DATABASE_URL (PostgreSQL) and REDIS_URL (channel layer, Celery broker, cache).
"""

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

TESTING = "pytest" in sys.modules
DEBUG = env.bool("DEBUG", default=False)
# Production hardening is on unless explicitly developing or testing.
PRODUCTION = not (DEBUG or TESTING)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-dev-key-only-for-debug-and-tests"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Public base URL used in e-mails (invitation links, password reset).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    # Hashed, expiring, revocable API tokens (the model is accounts.ApiToken).
    "knox",
    # Login lockout per account and per address (web, admin and API token logins).
    "axes",
    "django_filters",
    "drf_spectacular",
    # Swagger UI's assets served from here, not a CDN (SPECTACULAR_SETTINGS below).
    "drf_spectacular_sidecar",
    "health_check",
    "csp",
    "channels",
    # Second factor: TOTP apps and recovery codes (accounts.mfa; frontend.middleware enforces).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "audit",
    # Imprint, privacy notice, accessibility statement (defaults from LEGAL_* below, or admin).
    "legal",
    "accounts",
    "companies",
    # Programmes (competence centres, agencies, EDIHs): staff, the company register, services.
    "programmes",
    "convoys",
    "projects",
    "checkins",
    # Open events of a programme: public registration without an account, the door.
    "events",
    # The Digitalisierungs-Check: a digital maturity self-assessment (EU DMA).
    "checks",
    "comments",
    "notifications",
    # Cross-app read models (dashboard, /me/ payload, digest content); no models.
    "overview",
    # Export and erasure of a person's or company's data, retention; top layer, no models.
    "privacy",
    # The programme report and the coach's overview across a programme's convoys; top layer.
    "reports",
    # The demo convoy (`manage.py load_demo`); top layer, no models.
    "demo",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Refreshes the signed-in browser's "last active" (at most every few minutes).
    "config.session_middleware.SessionSeenMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sends a session that still owes its second factor (or must set one up) to that page.
    "frontend.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login refused by the axes backend into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.notifications",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# What this process is: "web" (ASGI) or "worker" (Celery worker, beat, management commands).
# Under ASGI every request runs in a fresh thread, so a persistent connection (CONN_MAX_AGE)
# belongs to a thread that never comes back: connections pile up. The web role borrows from a
# psycopg pool instead; workers keep one long-lived connection per process.
KONVOI_ROLE = env.str("KONVOI_ROLE", default="web")
if KONVOI_ROLE not in {"web", "worker"}:
    raise ImproperlyConfigured("KONVOI_ROLE must be web or worker.")
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "CONN_MAX_AGE", default=60 if KONVOI_ROLE == "worker" else 0
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Not in the pytest process: its threads and test-database switching are simpler without.
    if KONVOI_ROLE == "web" and not TESTING:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses a pool with persistence
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
            "timeout": 10,
        }
    else:
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the in-process worker and the web threads share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    if TESTING:
        # A file, as in production, not Django's in-memory shared-cache test database: that
        # one answers "table is locked" at once instead of waiting out the busy timeout when a
        # test writes beside an open socket that reads.
        DATABASES["default"]["TEST"] = {
            "NAME": str(Path(tempfile.gettempdir()) / f"konvoi-test-{os.getpid()}.sqlite3")
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses every login of a locked-out account or address before the password is
    # checked (so the right password is refused too until the cool-off ends).
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "frontend:login"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "frontend:login"
# Single sign-on with OpenID Connect (accounts.oidc; README "Single sign-on"). Off by default;
# the endpoints come from the issuer's discovery document.
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
OIDC_CLAIM_EMAIL = env.str("OIDC_CLAIM_EMAIL", default="email")
# The display name's claim; without it, given_name + family_name.
OIDC_CLAIM_NAME = env.str("OIDC_CLAIM_NAME", default="name")
# The label of the button: "Log in with <name>".
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="SSO")
# A first SSO login of an unknown (verified) address creates the account.
OIDC_CREATE_USERS = env.bool("OIDC_CREATE_USERS", default=True)
OIDC_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
# Trust the provider's second factor: an ID token whose `amr` says mfa/otp/hwk/swk (or whose
# `acr` is one of OIDC_MFA_ACR_VALUES) counts as Konvoi's second factor (accounts.mfa).
OIDC_TRUST_PROVIDER_MFA = env.bool("OIDC_TRUST_PROVIDER_MFA", default=False)
OIDC_MFA_ACR_VALUES = env.list("OIDC_MFA_ACR_VALUES", default=[])
# Seconds to wait for the provider (discovery, token, keys, userinfo).
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10)
# mozilla-django-oidc builds the redirect URI from this route name.
OIDC_AUTHENTICATION_CALLBACK_URL = "frontend:oidc_callback"
if OIDC_ENABLED:
    if not (OIDC_ISSUER and OIDC_CLIENT_ID):
        raise ImproperlyConfigured("OIDC_ENABLED needs OIDC_ISSUER and OIDC_CLIENT_ID.")
    AUTHENTICATION_BACKENDS.append("accounts.oidc.OIDCBackend")
# Off: no password logins (form, sign-up, reset, API token with a password); SSO only.
LOCAL_LOGIN_ENABLED = env.bool("LOCAL_LOGIN_ENABLED", default=True)
if not (LOCAL_LOGIN_ENABLED or OIDC_ENABLED):
    raise ImproperlyConfigured("LOCAL_LOGIN_ENABLED=false needs OIDC_ENABLED (no way in).")

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
# One date style per language (config/formats/<lang>/formats.py): "29.11.2026, 14:00" and
# "29 Nov 2026, 14:00"; templates use DATE_FORMAT / SHORT_DATE_FORMAT / DATETIME_FORMAT.
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Outside production, WhiteNoise serves from the apps' static folders as they change (nothing
# is collected, so it must not look for STATIC_ROOT).
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Bodies larger than this are refused with 413 before any parsing (config.middleware).
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_BYTES

# --- services: PostgreSQL and Redis when configured, in-process stand-ins otherwise ---
REDIS_URL = env.str("REDIS_URL", default="")
# Which channels_redis layer carries live events: "core" (per-channel lists) or "pubsub"
# (one PUBLISH per group send, fanned out in each process). Chosen by bench/live_latency.py.
CHANNEL_LAYER = env.str("CHANNEL_LAYER", default="pubsub")
if CHANNEL_LAYER not in {"core", "pubsub"}:
    raise ImproperlyConfigured("CHANNEL_LAYER must be core or pubsub.")
# Seconds a convoy presence entry outlives its socket's last heartbeat (browsers ping every
# 20 s): how long a crashed client may stay listed.
PRESENCE_TTL_SECONDS = env.int("PRESENCE_TTL_SECONDS", default=60)
# Seconds between two re-checks of an open socket's credentials (active account, token or
# login session) and access: the longest a lost publish, a logout or an expired token leaves
# a socket open. One or two queries per socket each time.
SOCKET_RECHECK_SECONDS = env.float("SOCKET_RECHECK_SECONDS", default=30)
# redis-py 8 defaults socket_timeout to 5 s, the length of channels_redis' blocking pop: every
# idle consumer would crash with "Timeout reading" (django/channels_redis#422). Read longer.
REDIS_HOST = {"address": REDIS_URL, "socket_timeout": 30, "socket_connect_timeout": 5}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_HOST], "capacity": 1500, "expiry": 30},
        }
        if CHANNEL_LAYER == "core"
        else {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_HOST]},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "konvoi",
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_TASK_EAGER_PROPAGATES = TESTING
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# One reminder sweep every few minutes decides everything due (notifications.sweep); it is
# idempotent, so a second beat or a late run sends nothing twice.
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=300)
CELERY_BEAT_SCHEDULE: dict = {
    "reminder-sweep": {
        "task": "notifications.tasks.reminders_sweep",
        "schedule": REMINDER_SWEEP_SECONDS,
        "options": {"expires": REMINDER_SWEEP_SECONDS},
    },
}
# Retention (privacy.retention; the privacy notice states these periods). Expired sessions go
# at once; the rest after the days set here. One purge runs daily at RETENTION_PURGE_HOUR
# (UTC), on the beat schedule below.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE_DAYS", default=14) * 24 * 60 * 60
# How often a signed-in browser's "last active" time is written (and its session renewed).
SESSION_SEEN_INTERVAL_SECONDS = env.int("SESSION_SEEN_INTERVAL_SECONDS", default=300)
RETENTION_READ_NOTIFICATIONS_DAYS = env.int("RETENTION_READ_NOTIFICATIONS_DAYS", default=90)
RETENTION_COMMENT_REVISIONS_DAYS = env.int("RETENTION_COMMENT_REVISIONS_DAYS", default=180)
RETENTION_REVOKED_FEEDS_DAYS = env.int("RETENTION_REVOKED_FEEDS_DAYS", default=30)
RETENTION_AUDIT_DAYS = env.int("RETENTION_AUDIT_DAYS", default=365)
RETENTION_PURGE_HOUR = env.int("RETENTION_PURGE_HOUR", default=3)
# Used, withdrawn or expired invitations (convoy and colleague) are kept this long for the record.
RETENTION_INVITATIONS_DAYS = env.int("RETENTION_INVITATIONS_DAYS", default=90)
# Registrants of open events: name, e-mail address and answers are erased this many days after
# the event (company name, postcode, size and sector stay for the programme's counts).
EVENT_REGISTRATION_RETENTION_DAYS = env.int("EVENT_REGISTRATION_RETENTION_DAYS", default=365)
# Cancelled registrations: the same, this many days after the cancellation (if sooner).
EVENT_CANCELLED_REGISTRATION_RETENTION_DAYS = env.int(
    "EVENT_CANCELLED_REGISTRATION_RETENTION_DAYS", default=30
)
# Anonymous Digitalisierungs-Checks (taken without an account, not filed under a company):
# unfinished ones are deleted this many days after their last change, finished ones (with any
# address left for the report) this many days after their last change.
CHECK_DRAFT_RETENTION_DAYS = env.int("CHECK_DRAFT_RETENTION_DAYS", default=90)
CHECK_ANONYMOUS_RETENTION_DAYS = env.int("CHECK_ANONYMOUS_RETENTION_DAYS", default=365)
# The daily purge (privacy.tasks): expired sessions and everything past its period above.
CELERY_BEAT_SCHEDULE["retention-purge"] = {
    "task": "privacy.tasks.retention_purge",
    "schedule": crontab(hour=RETENTION_PURGE_HOUR, minute=0),
    "options": {"expires": 6 * 60 * 60},
}

# --- legal pages (legal app): who runs this Konvoi. The default imprint, privacy notice and
# accessibility statement are filled from these; texts stored in the admin replace them. ---
LEGAL_OPERATOR_NAME = env.str("LEGAL_OPERATOR_NAME", default="")  # § 5 DDG: name or company
# Postal address, several lines (write "\n" between them in the environment).
LEGAL_OPERATOR_ADDRESS = env.str("LEGAL_OPERATOR_ADDRESS", default="").replace("\\n", "\n")
LEGAL_OPERATOR_EMAIL = env.str("LEGAL_OPERATOR_EMAIL", default="")
LEGAL_OPERATOR_PHONE = env.str("LEGAL_OPERATOR_PHONE", default="")
LEGAL_REPRESENTATIVE = env.str("LEGAL_REPRESENTATIVE", default="")  # authorised representative
LEGAL_REGISTER = env.str("LEGAL_REGISTER", default="")  # register court and number (optional)
LEGAL_VAT_ID = env.str("LEGAL_VAT_ID", default="")  # optional
LEGAL_CONTENT_RESPONSIBLE = env.str("LEGAL_CONTENT_RESPONSIBLE", default="")  # § 18 (2) MStV
LEGAL_DPO_CONTACT = env.str("LEGAL_DPO_CONTACT", default="")  # data protection officer (optional)
LEGAL_SUPERVISORY_AUTHORITY = env.str("LEGAL_SUPERVISORY_AUTHORITY", default="")
LEGAL_ACCESSIBILITY_CONTACT = env.str("LEGAL_ACCESSIBILITY_CONTACT", default="") or (
    LEGAL_OPERATOR_EMAIL
)
# Enforcement procedure for the accessibility statement (text or URL); empty: the
# Schlichtungsstelle nach § 16 BGG (federal public bodies only; a Land body sets its own).
LEGAL_ACCESSIBILITY_ENFORCEMENT = env.str("LEGAL_ACCESSIBILITY_ENFORCEMENT", default="")
LEGAL_HOSTING = env.str("LEGAL_HOSTING", default="")  # who hosts the service (processor)
LEGAL_EMAIL_PROVIDER = env.str("LEGAL_EMAIL_PROVIDER", default="")  # who sends e-mails (processor)
# Transfers outside the EU/EEA (text for the privacy notice); empty: none.
LEGAL_THIRD_COUNTRY_TRANSFERS = env.str("LEGAL_THIRD_COUNTRY_TRANSFERS", default="")
# Days the web server / reverse proxy keeps access logs, and deleted data stays in backups
# (the privacy notice states both; Konvoi does not enforce them).
LEGAL_SERVER_LOG_DAYS = env.int("LEGAL_SERVER_LOG_DAYS", default=7)
LEGAL_BACKUP_DAYS = env.int("LEGAL_BACKUP_DAYS", default=30)

CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / ".celerybeat-schedule")
)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Konvoi <konvoi@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)

# --- authentication: client address, login lockout, form limits, API tokens ---
# How many reverse proxies in front append to X-Forwarded-For. 0 (default): the address is
# REMOTE_ADDR and the header is ignored. uvicorn's --proxy-headers already puts the client
# into REMOTE_ADDR when the proxy is in FORWARDED_ALLOW_IPS; then keep 0 here.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# django-axes: an account is locked after LOGIN_FAILURE_LIMIT wrong passwords from anywhere
# (stops guessing spread over many addresses), and an address after as many failures on any
# accounts (stops one address spraying many accounts). Either lock lasts LOGIN_COOLOFF_MINUTES;
# the short cool-off bounds what someone who locks another person out can do.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.ratelimit.login_username"
AXES_CLIENT_IP_CALLABLE = "audit.origin.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.ratelimit.lockout_response"
AXES_RESET_ON_SUCCESS = False
# Attempts during a lock do not prolong it: the cool-off (and Retry-After) stays what it says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
# Two-factor authentication (accounts.mfa): who must have a second factor: any of
# "facilitator", "programme_staff", "admin" (is_staff or superuser); empty: optional for all.
MFA_ROLES = ("facilitator", "programme_staff", "admin")
MFA_REQUIRED_FOR = env.list("MFA_REQUIRED_FOR", default=[])
if set(MFA_REQUIRED_FOR) - set(MFA_ROLES):
    raise ImproperlyConfigured(
        f"MFA_REQUIRED_FOR: unknown {sorted(set(MFA_REQUIRED_FOR) - set(MFA_ROLES))}; "
        f"allowed: {', '.join(MFA_ROLES)}."
    )
# The name authenticator apps show beside the account; each wrong code doubles the wait
# before the next try on that device (1 s, 2 s, 4 s, …).
OTP_TOTP_ISSUER = globals().get("SITE_NAME", "Konvoi")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Sign-up and password reset: at most this many per client address and per target e-mail
# address within RATE_LIMIT_WINDOW_SECONDS (reset mails beyond it are silently not sent).
SIGNUP_RATE_LIMIT = env.int("SIGNUP_RATE_LIMIT", default=10)
PASSWORD_RESET_RATE_LIMIT = env.int("PASSWORD_RESET_RATE_LIMIT", default=5)
RATE_LIMIT_WINDOW_SECONDS = env.int("RATE_LIMIT_WINDOW_SECONDS", default=3600)
# Invitations of colleagues to a company: at most this many per inviting owner in that window.
COLLEAGUE_INVITATION_RATE_LIMIT = env.int("COLLEAGUE_INVITATION_RATE_LIMIT", default=20)
# Invitations to a programme's staff per inviting manager per day, and programmes one person
# may create per day (against e-mail bombing and mass-created programmes; beyond: 429).
PROGRAMME_STAFF_INVITES_PER_DAY = env.int("PROGRAMME_STAFF_INVITES_PER_DAY", default=50)
PROGRAMME_CREATES_PER_DAY = env.int("PROGRAMME_CREATES_PER_DAY", default=5)
# Registrations for open events per client address per hour (no account, so the address is
# what a script shares; beyond: 429). A company's colleagues behind one router stay well below.
EVENT_REGISTRATIONS_PER_HOUR = env.int("EVENT_REGISTRATIONS_PER_HOUR", default=20)
# The anonymous Digitalisierungs-Check: checks started per client address per hour, e-mail
# addresses left per client per hour, and report e-mails to one address per day (beyond: 429;
# against scripts and against using the check to mail-bomb someone).
CHECKS_STARTED_PER_HOUR = env.int("CHECKS_STARTED_PER_HOUR", default=20)
CHECK_CONTACTS_PER_CLIENT_PER_HOUR = env.int("CHECK_CONTACTS_PER_CLIENT_PER_HOUR", default=10)
CHECK_REPORT_MAILS_PER_ADDRESS_PER_DAY = env.int(
    "CHECK_REPORT_MAILS_PER_ADDRESS_PER_DAY", default=3
)
# Downloads of one's data (personal or company ZIP) per person per hour (privacy.export).
DATA_EXPORT_RATE_LIMIT = env.int("DATA_EXPORT_RATE_LIMIT", default=10)
# How long the link that confirms a new e-mail address works.
EMAIL_CHANGE_LINK_HOURS = 48
# API tokens (django-rest-knox): stored hashed; valid for API_TOKEN_TTL_DAYS after their last
# use, so an integration in use keeps working and a forgotten token dies by itself.
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's migrations would create its own (swapped-out, unused) token table with a foreign key
# to users that test flushes cannot truncate; our model lives in accounts' migrations.
MIGRATION_MODULES = {"knox": None}
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)
API_TOKEN_LIMIT_PER_USER = env.int("API_TOKEN_LIMIT_PER_USER", default=50)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTO_REFRESH": True,
    # The expiry is written at most once an hour per token, not on every request.
    "MIN_REFRESH_INTERVAL": 3600,
    "AUTH_HEADER_PREFIX": "Token",
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    # DRF's JSONParser, refusing deeply nested bodies with a 400 (not a RecursionError 500).
    "DEFAULT_PARSER_CLASSES": ["config.parsers.DepthLimitedJSONParser"],
    "DEFAULT_THROTTLE_RATES": {"auth": env.str("AUTH_THROTTLE_RATE", default="30/minute")},
    # The throttles' client address: REMOTE_ADDR, or the one TRUSTED_PROXY_COUNT hops back in
    # X-Forwarded-For. DRF's default (None) would take the whole header, which anyone can set.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Konvoi API",
    "DESCRIPTION": "Convoys of small and medium companies going digital together.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # modelutils.converters.DbIdConverter (`<id:…>`): an integer id from 1 to 2**63 - 1.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}},
    # Swagger UI from drf-spectacular-sidecar's pinned copy (static files), not a CDN's @latest.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CompanyRoleEnum": "companies.models.CompanyRole",
        "ConvoyStatusEnum": "convoys.models.ConvoyStatus",
        "MembershipStatusEnum": "convoys.models.MembershipStatus",
        "ProjectStatusEnum": "projects.models.ProjectStatus",
        "MilestoneStatusEnum": "projects.models.MilestoneStatus",
        "ConvoyRoleEnum": ["facilitator", "member"],
        "InvitationStatusEnum": ["open", "accepted", "expired", "revoked"],
        "StaffRoleEnum": "programmes.models.StaffRole",
        # Open events (events.api): each value set under its own name.
        "EventStatusEnum": "events.models.EventStatus",
        "EventFormatEnum": "events.models.EventFormat",
        "RegistrationStatusEnum": "events.models.RegistrationStatus",
        "RegistrationCreatedEnum": ["registered", "waitlisted"],
        "SizeBandEnum": "companies.models.SizeBand",
        "SectorEnum": "companies.models.Sector",
        # The Digitalisierungs-Check (checks.api): "stage", "status", "category", "type" and
        # "key" name other value sets elsewhere; the register's stages and the projects'
        # categories keep the names they had before.
        "StageEnum": "programmes.models.Stage",
        "CategoryEnum": "projects.models.ProjectCategory",
        "CheckStageEnum": "checks.models.CheckStage",
        "CheckStatusEnum": "checks.models.CheckStatus",
        "CheckBandEnum": "checks.models.Band",
        "CheckDimensionEnum": "checks.models.DIMENSIONS",
        "CheckQuestionTypeEnum": "checks.questionnaire.QUESTION_TYPES",
        "CheckSuggestionCategoryEnum": "checks.questionnaire.CATEGORIES",
    },
}

# --- security: safe by default, relaxed only for DEBUG and tests ---
# No SECURE_PROXY_SSL_HEADER: Django would believe X-Forwarded-Proto from any client. uvicorn
# (--proxy-headers) already takes the scheme from it, but only from FORWARDED_ALLOW_IPS.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy on every response (django-csp 4): scripts, styles, images, fonts and
# sockets only from this origin ('self' covers ws:/wss: to the same host). No inline script or
# style runs unless it carries the request's nonce (only the API docs page has any); no inline
# event handlers, no eval. Tested in tests/browser/test_csp.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # data: for the SVG icons Swagger UI and the admin inline in their CSS.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if OIDC_ENABLED:
    # After an SSO login the logout form is answered with a redirect to the provider's
    # end-session endpoint, and browsers hold that redirect to form-action too.
    _issuer = urlsplit(OIDC_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_issuer.scheme}://{_issuer.netloc}"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
