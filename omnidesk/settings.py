"""omnidesk settings: every value comes from the environment (see README "Configuration").

With neither DATABASE_URL nor REDIS_URL set, omnidesk runs on its embedded default:
SQLite in WAL mode, Channels' in-memory layer and a Celery worker thread on an
in-process broker (see omnidesk/embedded.py). With them set, the same code runs on
PostgreSQL and Redis.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import dj_database_url

from omnidesk.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OMNIDESK_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("OMNIDESK_REQUIRE_SECRET_KEY", False):
        raise RuntimeError("SECRET_KEY must be set in production")
    SECRET_KEY = "omnidesk-insecure-development-key-change-me"  # noqa: S105

PUBLIC_URL = env_str("PUBLIC_URL", "http://localhost:8000").rstrip("/")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", urlparse(PUBLIC_URL).hostname or "localhost"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [PUBLIC_URL])
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = PUBLIC_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

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
    "channels",
    "anymail",
    "omnidesk",
    "ui",
    "agents",
    "customers",
    "conversations",
    "realtime",
    "routing",
    "api",
    "channels_api",
    "channels_email",
    "channels_chat",
    "channels_voice",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
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
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "prune-realtime-events": {"task": "realtime.tasks.prune_events_task", "schedule": 3600.0},
    "fail-stuck-sends": {"task": "conversations.tasks.fail_stuck_sends_task", "schedule": 300.0},
    "wake-snoozed": {"task": "conversations.tasks.wake_snoozed_task", "schedule": 60.0},
    "prune-pending-call-events": {
        "task": "channels_voice.voice.tasks.prune_pending_call_events_task",
        "schedule": 3600.0,
    },
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
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_PREFIX", "omnidesk"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth, i18n, files ----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_str("MEDIA_ROOT", str(VAR_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 30 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WHITENOISE_USE_FINDERS = True

# --- REST API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.CursorOrPagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [],
}
SPECTACULAR_SETTINGS = {
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
OMNIDESK_ATTACHMENT_MAX_BYTES = env_int("OMNIDESK_ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024)

# --- Email (django-anymail) ----------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "support@localhost")
ANYMAIL: dict[str, object] = {
    "WEBHOOK_SECRET": env_str("ANYMAIL_WEBHOOK_SECRET", "") or None,
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
    "RESEND_SIGNING_SECRET", "MAILERSEND_API_TOKEN", "MAILERSEND_SIGNING_SECRET",
    "MAILERSEND_INBOUND_SECRET", "UNISENDER_GO_API_KEY", "SCALEWAY_API_KEY",
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
        # Not CELERY_LOG_LEVEL: Celery sets that one itself (numerically) for its children.
        "celery": {"level": env_str("OMNIDESK_CELERY_LOG_LEVEL", "WARNING")},
    },
}
