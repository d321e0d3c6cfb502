"""Django settings for django-helpdesk 2.6.1 as the side-by-side run uses it: its own
database (PEERS_DATABASE_URL's name, default peers_helpdesk) on the same PostgreSQL as
omnidesk's bench, default helpdesk settings, teams mode off (no pinax-teams). Runs in
its own venv (bench/peers/run.py makes it), never omnidesk's."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

_url = urlparse(os.environ.get("PEERS_DATABASE_URL",
                               "postgres://postgres@127.0.0.1:5432/peers_helpdesk"))

SECRET_KEY = "bench-only-not-secret"  # noqa: S105 - a throwaway benchmark site
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]
SITE_ID = 1
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "helpdesk_urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": _url.path.lstrip("/"),
    "USER": _url.username or "postgres",
    "PASSWORD": _url.password or "",
    "HOST": _url.hostname or "127.0.0.1",
    "PORT": str(_url.port or 5432),
}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
STATIC_URL = "/static/"
MEDIA_ROOT = os.environ.get(
    "PEERS_MEDIA_ROOT", str(Path(__file__).resolve().parents[2] / "var" / "peers-media")
)
LOGIN_URL = "/helpdesk/login/"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HELPDESK_TEAMS_MODE_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "root": {"level": "WARNING", "handlers": []}}
