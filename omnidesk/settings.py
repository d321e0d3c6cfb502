"""omnidesk settings: every value comes from the environment (see README "Configuration").

With neither DATABASE_URL nor REDIS_URL set, omnidesk runs on its embedded default:
SQLite in WAL mode, Channels' in-memory layer and a Celery worker thread on an
in-process broker (see omnidesk/embedded.py). With them set, the same code runs on
PostgreSQL and Redis.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from omnidesk.env import env_bool, env_int, env_list, env_str
from omnidesk.install_secrets import install_secret, webhook_basic_auth

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OMNIDESK_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Sessions, reply tokens and our Message-IDs are HMACs with SECRET_KEY, so it is never a
# value printed in the source: unset, it is generated once per install and kept in the
# var folder (<var>/secrets/secret_key), shared by every process that uses that folder.
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("OMNIDESK_REQUIRE_SECRET_KEY", False):
        raise RuntimeError("SECRET_KEY must be set (OMNIDESK_REQUIRE_SECRET_KEY is on)")
    SECRET_KEY = install_secret(VAR_DIR, "secret_key")

PUBLIC_URL = env_str("PUBLIC_URL", "http://localhost:8000").rstrip("/")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", urlparse(PUBLIC_URL).hostname or "localhost"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [PUBLIC_URL])
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
HTTPS = PUBLIC_URL.startswith("https://")
SESSION_COOKIE_SECURE = HTTPS
# Django's database sessions, the session's row read by a statement compiled once.
SESSION_ENGINE = "omnidesk.signed_in"
CSRF_COOKIE_SECURE = HTTPS

# --- Security headers ------------------------------------------------------------------
# With an https PUBLIC_URL: plain-http requests are redirected (the proxy must say
# which were https: uvicorn's FORWARDED_ALLOW_IPS, or SECURE_PROXY_SSL_HEADER) and
# browsers are told to use https only (HSTS). /healthz stays reachable over http for
# load balancers.
SECURE_SSL_REDIRECT = env_bool("OMNIDESK_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("OMNIDESK_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("OMNIDESK_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("OMNIDESK_HSTS_PRELOAD", False)
# Asking browsers to preload the domain is its owner's decision (hstspreload.org), not a
# default; without it `check --deploy` would warn (W021) on every install.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# A Content-Security-Policy on every response (django-csp): scripts and styles only from
# our origin or carrying the response's nonce; no framing, no plugins. The agent socket
# (same origin) and Twilio's Voice SDK (softphone) are the only other connections.
_WS_ORIGIN = ("wss://" if HTTPS else "ws://") + (urlparse(PUBLIC_URL).netloc or "localhost")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF, _WS_ORIGIN, "https://*.twilio.com", "wss://*.twilio.com"],
        "media-src": [SELF, "blob:", "https://*.twilio.com"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "channels",
    "anymail",
    "omnidesk",
    "ui",
    "agents",
    "customers",
    "conversations",
    "realtime",
    "jobs",
    "spool",
    "routing",
    "api",
    # Channel apps, in the order their channels are listed (pickers, filters, icons).
    "channels_email",
    "channels_chat",
    "channels_sms",
    "channels_voice",
    "channels_api",
    "macros",
    "workspace",
    "helpcenter",
    "consoles",
    "reports",
    "csat",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body: email webhooks may be larger than other requests.
    "channels_email.limits.body_size_limit",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "omnidesk.middleware.DatabaseUnavailableMiddleware",
    # After WhiteNoise: static files need no policy; every page gets one.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in refused for too many failures into the "paused" answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "omnidesk.urls"
ASGI_APPLICATION = "omnidesk.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ui.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
DATABASE_POOL = False
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_health_checks=True)}
    _db = DATABASES["default"]
    if _db["ENGINE"].endswith(("postgresql", "postgis")):
        _options = _db.setdefault("OPTIONS", {})
        # libpq gives up on an unreachable server after this long, instead of the OS's
        # minutes: a request during an outage fails quickly (a 503, see middleware.py).
        _options.setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5))
        DATABASE_POOL = env_bool("DATABASE_POOL", True)
        if _db["ENGINE"] == "django.db.backends.postgresql":
            # Django's, with a pool check that makes no round trip (db_backend/base.py).
            _db["ENGINE"] = "omnidesk.db_backend"
    if DATABASE_POOL:
        # Under ASGI every request runs on a thread of its own (up to 32 idle ones kept per
        # process: omnidesk/asgi_http.py), so Django's persistent connections (one per
        # thread) would pile up as idle sessions: a pool bounds them.
        # A request takes a connection and gives it back when it ends (the pool requires
        # CONN_MAX_AGE = 0); with CONN_HEALTH_CHECKS the pool checks a connection before
        # handing it out (polling its socket: omnidesk/db_backend), so those broken by a
        # PostgreSQL restart are replaced.
        _pool_timeout = env_int("DATABASE_POOL_TIMEOUT", 5)
        _options["pool"] = {
            "name": "omnidesk",
            "min_size": env_int("DATABASE_POOL_MIN_SIZE", 2),
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10),
            # Longest wait for a free connection (or for the database to come back)
            # before a request answers 503.
            "timeout": _pool_timeout,
            # The pool retries a failed connect with a doubling back-off (for 5 minutes
            # by default), so it came back up to a minute after PostgreSQL did. Giving
            # up as soon as a request would lets the next request start afresh: back
            # within a second.
            "reconnect_timeout": _pool_timeout,
        }
        _db["CONN_MAX_AGE"] = 0
    else:
        # Without the pool (Celery's prefork workers, which would close it after every
        # task; or SQLite): Django's persistent connections.
        _db["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "omnidesk.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the
                # busy timeout instead of failing with "database is locked" mid-way.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, Celery, Channels ----------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
EMBEDDED = not REDIS_URL
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://localhost/")
if CELERY_BROKER_URL.startswith("redis://"):
    # kombu's Redis transport with one publishing client per channel (omnidesk/broker.py).
    CELERY_BROKER_TRANSPORT = "omnidesk.broker:Transport"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    # A broker that is down must fail a publish at once, not after retries: the job
    # outbox (jobs/) keeps the work and publishes it when the broker is back. Workers
    # reconnect on their own schedule (CELERY_BROKER_CONNECTION_MAX_RETRIES).
    "max_retries": 0,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Queue split (deploy/README.md): with OMNIDESK_BULK_QUEUE set, tasks that may take long
# (provider media downloads, pruning; reports and exports when they come) go to that
# queue, served by workers of their own, so routing, sending, the job relay and IMAP
# polls on the default queue never wait behind them. Empty (default): one queue, which
# the embedded worker and a plain `celery worker` consume.
OMNIDESK_BULK_QUEUE = env_str("OMNIDESK_BULK_QUEUE", "")
BULK_TASKS = (
    "channels_sms.tasks.fetch_media_task",
    "channels_voice.tasks.fetch_recording_task",
    "channels_voice.tasks.prune_pending_call_events_task",
    "realtime.tasks.prune_events_task",
)
CELERY_TASK_ROUTES = (
    {task: {"queue": OMNIDESK_BULK_QUEUE} for task in BULK_TASKS} if OMNIDESK_BULK_QUEUE else {}
)
# The job outbox (jobs/): work a committed change needs is a row first, then a task.
# A job no worker finished this many seconds after it was published (or was due) is
# published again; a broker restart that lost its queue costs at most this delay.
OMNIDESK_JOB_REDELIVER_SECONDS = env_int("OMNIDESK_JOB_REDELIVER_SECONDS", 300)
# How soon another process's change to SLA policies or email inboxes reaches a process
# that keeps a copy of them (omnidesk.config_cache); 0: read them on every event.
OMNIDESK_CONFIG_CACHE_SECONDS = env_int("OMNIDESK_CONFIG_CACHE_SECONDS", 5)
# After the broker refused a publish, a process leaves publishing to the relay for this
# long, so requests during a broker outage spend no time on it.
OMNIDESK_JOB_BROKER_PAUSE_SECONDS = env_int("OMNIDESK_JOB_BROKER_PAUSE_SECONDS", 5)
OMNIDESK_JOB_RELAY_SECONDS = env_int("OMNIDESK_JOB_RELAY_SECONDS", 5)
OMNIDESK_JOB_RELAY_BATCH = env_int("OMNIDESK_JOB_RELAY_BATCH", 500)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "relay-jobs": {
        "task": "jobs.tasks.relay_jobs_task",
        "schedule": float(OMNIDESK_JOB_RELAY_SECONDS),
    },
    "prune-realtime-events": {"task": "realtime.tasks.prune_events_task", "schedule": 3600.0},
    "fail-stuck-sends": {
        "task": "conversations.tasks.fail_stuck_sends_task",
        "schedule": float(min(300, max(5, env_int("OMNIDESK_SEND_STUCK_SECONDS", 900) // 3))),
    },
    "wake-snoozed": {"task": "conversations.tasks.wake_snoozed_task", "schedule": 60.0},
    "prune-pending-call-events": {
        "task": "channels_voice.tasks.prune_pending_call_events_task",
        "schedule": 3600.0,
    },
    # Reports: yesterday's and today's rollup rows (and any day missed since the last run).
    "roll-up-reports": {"task": "reports.tasks.roll_up_task", "schedule": 300.0},
}
# The inbound spool (spool/): provider webhooks (Twilio messaging, email) are accepted in
# one INSERT and answered at once; a drain thread of the accepting process records them
# through the pipeline, up to OMNIDESK_SPOOL_BATCH events per transaction, one sender's
# in the order they came (OMNIDESK_SPOOL_LANES lanes, one drain at a time each). Off:
# each webhook records its event before answering.
OMNIDESK_SPOOL = env_bool("OMNIDESK_SPOOL", True)
OMNIDESK_SPOOL_LANES = env_int("OMNIDESK_SPOOL_LANES", 16)
OMNIDESK_SPOOL_BATCH = env_int("OMNIDESK_SPOOL_BATCH", 50)
# Who drains: "thread" (each process drains what it accepted, in a thread of its own) or
# "process" (PostgreSQL only: `manage.py drain_spool` processes, woken by NOTIFY, record
# while the web processes only accept).
OMNIDESK_SPOOL_DRAIN = env_str("OMNIDESK_SPOOL_DRAIN", "thread")
if OMNIDESK_SPOOL_DRAIN not in ("thread", "process"):
    raise ImproperlyConfigured("OMNIDESK_SPOOL_DRAIN must be 'thread' or 'process'")
# Beat drains what a process left behind (it died after accepting) this often.
OMNIDESK_SPOOL_SWEEP_SECONDS = env_int("OMNIDESK_SPOOL_SWEEP_SECONDS", 5)
CELERY_BEAT_SCHEDULE["drain-spool"] = {
    "task": "spool.tasks.drain_spool_task",
    "schedule": float(OMNIDESK_SPOOL_SWEEP_SECONDS),
}
# Presence (agents.actions.presence): an agent whose workspace sockets all stopped
# pinging (every 25 s) for this long shows offline; beat looks every _SWEEP_ seconds.
OMNIDESK_PRESENCE_GRACE_SECONDS = env_int("OMNIDESK_PRESENCE_GRACE_SECONDS", 60)
OMNIDESK_PRESENCE_SWEEP_SECONDS = env_int("OMNIDESK_PRESENCE_SWEEP_SECONDS", 15)
CELERY_BEAT_SCHEDULE["expire-presence"] = {
    "task": "agents.tasks.expire_presence_task",
    "schedule": float(OMNIDESK_PRESENCE_SWEEP_SECONDS),
}
# SLA timers (routing.actions.timers): beat looks for clocks whose warning or due moment
# passed this often, so a breach is noticed within about this many seconds.
OMNIDESK_SLA_SWEEP_SECONDS = float(env_str("OMNIDESK_SLA_SWEEP_SECONDS", "2"))
CELERY_BEAT_SCHEDULE["sweep-sla"] = {
    "task": "routing.tasks.sweep_sla_task",
    "schedule": OMNIDESK_SLA_SWEEP_SECONDS,
}
# Assignment (routing.actions.assign) runs on events; beat sweeps every team's waiting
# conversations this often as a safety net.
OMNIDESK_ASSIGN_SWEEP_SECONDS = env_int("OMNIDESK_ASSIGN_SWEEP_SECONDS", 30)
CELERY_BEAT_SCHEDULE["assign-waiting"] = {
    "task": "routing.tasks.assign_all_waiting_task",
    "schedule": float(OMNIDESK_ASSIGN_SWEEP_SECONDS),
}
# IMAP mailboxes are polled by beat every this many seconds (0: only `manage.py poll_imap`
# watchers, which use IDLE, poll them).
IMAP_BEAT_SECONDS = env_int("OMNIDESK_IMAP_BEAT_SECONDS", 60)
if IMAP_BEAT_SECONDS:
    CELERY_BEAT_SCHEDULE["poll-imap"] = {
        "task": "channels_email.imap.tasks.poll_imap_task",
        "schedule": float(IMAP_BEAT_SECONDS),
    }
# Start a Celery worker (and beat) in a thread of the web process. On by default for the
# embedded set-up; set OMNIDESK_EMBEDDED_WORKER=0 when separate worker processes run.
EMBEDDED_WORKER = env_bool("OMNIDESK_EMBEDDED_WORKER", EMBEDDED)

# The embedded set-up's layer. The sockets of a process share one channel (realtime.hub),
# which a burst of events to many sockets fills at once: a full in-memory channel drops
# sends (100 messages by default; its `channel_capacity` patterns are not compiled in
# Channels 4.3, so the capacity is every channel's).
IN_MEMORY_CHANNEL_LAYER: dict[str, Any] = {
    "BACKEND": "channels.layers.InMemoryChannelLayer",
    "CONFIG": {"capacity": 10_000},
}

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub layer: group sends ~6x faster than the core layer on this hardware.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env_str("CHANNELS_PREFIX", "omnidesk"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "omnidesk.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_PREFIX", "omnidesk"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    CHANNEL_LAYERS = {"default": IN_MEMORY_CHANNEL_LAYER}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth, i18n, files ----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Sign-in throttling (django-axes; see omnidesk/login_throttle.py): the guard backend
# comes first, refusing a locked-out client before ModelBackend checks the password.
AUTHENTICATION_BACKENDS = [
    "omnidesk.login_throttle.SignInGuardBackend",
    "omnidesk.signed_in.ModelBackend",  # Django's, its user read compiled once
]
AXES_HANDLER = "omnidesk.login_throttle.SignInAttemptHandler"
AXES_FAILURE_LIMIT = env_int("OMNIDESK_LOGIN_FAILURE_LIMIT", 5)  # per account
OMNIDESK_LOGIN_IP_FAILURE_LIMIT = env_int("OMNIDESK_LOGIN_IP_FAILURE_LIMIT", 20)  # per address
AXES_COOLOFF_TIME = timedelta(minutes=env_int("OMNIDESK_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = "omnidesk.login_throttle.lockout_parameters"
AXES_LOCKOUT_CALLABLE = "omnidesk.login_throttle.lockout_response"
# Attempts refused during a lock-out are not counted again: the pause ends a cool-off
# after the failure that caused it, so an attacker cannot keep an agent locked out by
# trying on, and the time to retry that we tell the client is true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# No start-up banner: management commands' output stays theirs.
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Reports (reports/): the days of the daily rollup are days in this time zone; a customer
# who writes again within REPORTS_REPEAT_DAYS of a resolution is a repeat contact; a page
# rolls today up again when its rows are older than REPORTS_LIVE_SECONDS.
REPORTS_TIME_ZONE = env_str("OMNIDESK_REPORTS_TIME_ZONE", TIME_ZONE)
REPORTS_REPEAT_DAYS = env_int("OMNIDESK_REPORTS_REPEAT_DAYS", 7)
REPORTS_LIVE_SECONDS = env_int("OMNIDESK_REPORTS_LIVE_SECONDS", 60)
# Medians and percentiles are exact up to this many durations in a report, then read
# from the rollup's log-bucket histograms (within ±10%).
REPORTS_EXACT_LIMIT = env_int("OMNIDESK_REPORTS_EXACT_LIMIT", 100_000)
# A satisfaction survey's signed link works this many days (csat/).
CSAT_LINK_DAYS = env_int("OMNIDESK_CSAT_LINK_DAYS", 30)
# A survey goes out on the customer's channel when a conversation is resolved (off: no
# survey is created or sent).
CSAT_ENABLED = env_bool("OMNIDESK_CSAT_ENABLED", True)
# An SMS or WhatsApp reply of a single digit 1-5 within this many hours of a survey
# being sent is its rating.
CSAT_REPLY_HOURS = env_int("OMNIDESK_CSAT_REPLY_HOURS", 72)

STATIC_URL = "/static/"
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_str("MEDIA_ROOT", str(VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WHITENOISE_USE_FINDERS = True

# --- REST API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.NumberedPagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [],
}
SPECTACULAR_SETTINGS = {
    # No request from the docs page to swagger.io's validator (CSP, privacy).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "TITLE": "omnidesk API",
    "DESCRIPTION": (
        "Unified-inbox helpdesk: customers, conversations and interactions on every channel."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files: self-hosted installs need no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Product settings ----------------------------------------------------------------
# A message on a channel without threads of its own joins the customer's most recent
# open/pending/snoozed conversation if it was active within this many days.
OMNIDESK_CONTINUITY_DAYS = env_int("OMNIDESK_CONTINUITY_DAYS", 7)
OMNIDESK_DEMO_PASSWORD = env_str("OMNIDESK_DEMO_PASSWORD", "omnidesk-demo")
OMNIDESK_REALTIME_RETENTION_HOURS = env_int("OMNIDESK_REALTIME_RETENTION_HOURS", 48)
OMNIDESK_SEND_MAX_RETRIES = env_int("OMNIDESK_SEND_MAX_RETRIES", 8)
# A reply still "sending" this long after its worker took it was interrupted (the worker
# died mid-send); it is marked failed, never resent, since the provider may have it.
OMNIDESK_SEND_STUCK_SECONDS = env_int("OMNIDESK_SEND_STUCK_SECONDS", 900)
OMNIDESK_ATTACHMENT_MAX_BYTES = env_int("OMNIDESK_ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024)
# Who reads the customer directory: "shared" (every agent reads every customer, so
# callers are recognised whichever team they reach) or "team" (an agent reads the
# customers with a conversation they may see, and those no team holds yet). Changing a
# customer always needs one of their conversations in view, or a lead/admin role.
OMNIDESK_CUSTOMER_DIRECTORY = env_str("OMNIDESK_CUSTOMER_DIRECTORY", "shared")
if OMNIDESK_CUSTOMER_DIRECTORY not in ("shared", "team"):
    raise ImproperlyConfigured("OMNIDESK_CUSTOMER_DIRECTORY must be 'shared' or 'team'")
# /api/schema/ and /api/docs/ are for signed-in agents unless this publishes them.
OMNIDESK_PUBLIC_API_SCHEMA = env_bool("OMNIDESK_PUBLIC_API_SCHEMA", False)

# --- Request bodies --------------------------------------------------------------------
# Every request but the email webhooks: DATA_UPLOAD_MAX_MEMORY_SIZE, as in Django.
OMNIDESK_REQUEST_MAX_BYTES = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 30 * 1024 * 1024)
# Email webhooks carry whole messages: attachments up to the limit above in base64 (4/3,
# in 76-character lines), inside the ESP's JSON or form encoding, hence 3/2 plus 1 MiB.
OMNIDESK_EMAIL_WEBHOOK_MAX_BYTES = env_int(
    "OMNIDESK_EMAIL_WEBHOOK_MAX_BYTES", OMNIDESK_ATTACHMENT_MAX_BYTES * 3 // 2 + 1024 * 1024
)
# Django checks one limit for every request; channels_email.limits applies each of the
# two above where it belongs (413 above it).
DATA_UPLOAD_MAX_MEMORY_SIZE = max(OMNIDESK_REQUEST_MAX_BYTES, OMNIDESK_EMAIL_WEBHOOK_MAX_BYTES)

# --- Email (django-anymail) ----------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "support@localhost")
# Every inbound and tracking webhook needs this `user:password` as basic auth (and the
# ESP's signature where it has one; see channels_email/webhook_guard.py). Unset, one is
# generated on the first start, kept in <var>/secrets/anymail_webhook_secret and printed
# by `manage.py serve` with the webhook URLs.
ANYMAIL_WEBHOOK_SECRET_GENERATED = not env_str("ANYMAIL_WEBHOOK_SECRET", "")
ANYMAIL: dict[str, object] = {
    "WEBHOOK_SECRET": env_str("ANYMAIL_WEBHOOK_SECRET", "")
    or install_secret(VAR_DIR, "anymail_webhook_secret", webhook_basic_auth),
}
# Providers that sign their webhooks need their key too; each is read from the environment
# under its anymail name (e.g. MAILGUN_WEBHOOK_SIGNING_KEY) and, like any anymail setting,
# ANYMAIL_<NAME> works as well. ESP API keys for sending are read the same way.
for _name in (
    "MAILGUN_API_KEY", "MAILGUN_WEBHOOK_SIGNING_KEY", "MAILGUN_SENDER_DOMAIN",
    "MANDRILL_API_KEY", "MANDRILL_WEBHOOK_KEY", "MANDRILL_WEBHOOK_URL",
    "POSTMARK_SERVER_TOKEN", "SENDGRID_API_KEY", "SPARKPOST_API_KEY", "BREVO_API_KEY",
    "MAILJET_API_KEY", "MAILJET_SECRET_KEY", "AMAZON_SES_CLIENT_PARAMS",
    "POSTAL_API_KEY", "POSTAL_API_URL", "POSTAL_WEBHOOK_KEY", "RESEND_API_KEY",
    "RESEND_SIGNING_SECRET", "RESEND_INBOUND_SECRET", "MAILERSEND_API_TOKEN",
    "MAILERSEND_SIGNING_SECRET", "MAILERSEND_INBOUND_SECRET", "MAILTRAP_API_TOKEN",
    "MAILTRAP_TRACKING_SECRET", "MAILTRAP_INBOUND_SECRET",
    "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY", "UNISENDER_GO_API_KEY", "SCALEWAY_API_KEY",
):
    _value = env_str(f"ANYMAIL_{_name}", "") or env_str(_name, "")
    if _value:
        ANYMAIL[_name] = _value
OMNIDESK_INBOUND_EMAIL_DOMAIN = env_str("OMNIDESK_INBOUND_EMAIL_DOMAIN", "") or (
    urlparse(PUBLIC_URL).hostname or "localhost"
)

OMNIDESK_EMAIL_RATE_LIMIT = env_int("OMNIDESK_EMAIL_RATE_LIMIT", 20)  # per sender and window
OMNIDESK_EMAIL_RATE_WINDOW = env_int("OMNIDESK_EMAIL_RATE_WINDOW", 600)  # seconds
OMNIDESK_EMAIL_SUBJECT_TAG = env_str("OMNIDESK_EMAIL_SUBJECT_TAG", "[#{id}]")
OMNIDESK_EMAIL_ACK_INTERVAL = env_int("OMNIDESK_EMAIL_ACK_INTERVAL", 3600)  # seconds
OMNIDESK_IMAP_TIMEOUT = env_int("OMNIDESK_IMAP_TIMEOUT", 30)
OMNIDESK_IMAP_CA_FILE = env_str("OMNIDESK_IMAP_CA_FILE", "")
OMNIDESK_IMAP_BATCH_SIZE = env_int("OMNIDESK_IMAP_BATCH_SIZE", 20)
OMNIDESK_IMAP_IDLE_SECONDS = env_int("OMNIDESK_IMAP_IDLE_SECONDS", 1500)
OMNIDESK_IMAP_MAX_BACKOFF = env_int("OMNIDESK_IMAP_MAX_BACKOFF", 300)

# --- API inbox -------------------------------------------------------------------------
OMNIDESK_API_INBOUND_MAX_CHARS = env_int("OMNIDESK_API_INBOUND_MAX_CHARS", 100_000)
OMNIDESK_API_OUTBOUND_TIMEOUT = env_int("OMNIDESK_API_OUTBOUND_TIMEOUT", 10)  # seconds

# --- Twilio -----------------------------------------------------------------------------
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
TWILIO_API_KEY_SID = env_str("TWILIO_API_KEY_SID", "")
TWILIO_API_KEY_SECRET = env_str("TWILIO_API_KEY_SECRET", "")
TWILIO_TWIML_APP_SID = env_str("TWILIO_TWIML_APP_SID", "")
TWILIO_VOICE_TOKEN_TTL = env_int("TWILIO_VOICE_TOKEN_TTL", 3600)  # seconds
OMNIDESK_VOICE_RING_TIMEOUT = env_int("OMNIDESK_VOICE_RING_TIMEOUT", 25)  # seconds
# What callers waiting in a queue hear, unless their inbox names its own (Twilio fetches it).
OMNIDESK_VOICE_HOLD_MUSIC_URL = env_str(
    "OMNIDESK_VOICE_HOLD_MUSIC_URL",
    "http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3",
)
OMNIDESK_TWILIO_TIMEOUT_SECONDS = env_int("OMNIDESK_TWILIO_TIMEOUT_SECONDS", 20)
OMNIDESK_TWILIO_MEDIA_RETRIES = env_int("OMNIDESK_TWILIO_MEDIA_RETRIES", 5)
OMNIDESK_TWILIO_MEDIA_RETRY_SECONDS = env_int("OMNIDESK_TWILIO_MEDIA_RETRY_SECONDS", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Failures and lock-outs are warnings; axes' per-attempt bookkeeping is not news.
        "axes": {"level": "WARNING"},
        # Not CELERY_LOG_LEVEL: Celery sets that one itself (numerically) for its children.
        "celery": {"level": env_str("OMNIDESK_CELERY_LOG_LEVEL", "WARNING")},
    },
}

# --- Live chat (channels_chat) ----------------------------------------------------------
# The longest visitor message, in characters.
OMNIDESK_CHAT_MAX_CHARS = env_int("OMNIDESK_CHAT_MAX_CHARS", 5000)
# The flood guard: messages one visitor socket may send in a minute.
OMNIDESK_CHAT_MESSAGES_PER_MINUTE = env_int("OMNIDESK_CHAT_MESSAGES_PER_MINUTE", 30)
# The largest file a visitor may upload (bytes), and the types accepted.
OMNIDESK_CHAT_ATTACHMENT_MAX_BYTES = env_int("OMNIDESK_CHAT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
OMNIDESK_CHAT_ATTACHMENT_TYPES = env_list(
    "OMNIDESK_CHAT_ATTACHMENT_TYPES",
    ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"],
)
