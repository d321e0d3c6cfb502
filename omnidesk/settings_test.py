"""Test settings: the real PostgreSQL and Redis on this machine, never SQLite or fakes."""

from __future__ import annotations

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/omnidesk")
os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:6379/{os.environ.get('TEST_REDIS_DB', '1')}")
os.environ.setdefault("OMNIDESK_EMBEDDED_WORKER", "0")
os.environ.setdefault("OMNIDESK_VAR_DIR", "/tmp/omnidesk-test-var")  # noqa: S108

# Under pytest-xdist (`make test` runs one worker per core) each worker gets a Redis db
# and a var folder of its own (pytest-django already gives it its own test database),
# and so do the servers and workers its tests start, which inherit the environment.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER and os.environ.get("OMNIDESK_TEST_WORKER") != _XDIST_WORKER:
    os.environ["OMNIDESK_TEST_WORKER"] = _XDIST_WORKER
    _index = int(_XDIST_WORKER.removeprefix("gw"))
    os.environ["TEST_REDIS_DB"] = str(int(os.environ.get("TEST_REDIS_DB", "1")) + _index)
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:6379/{os.environ['TEST_REDIS_DB']}"
    os.environ["OMNIDESK_VAR_DIR"] = f"{os.environ['OMNIDESK_VAR_DIR']}-{_XDIST_WORKER}"

from omnidesk.settings import *  # noqa: E402, F403
from omnidesk.settings import DATABASES, INSTALLED_APPS, REDIS_URL  # noqa: E402

# A toy channel app (carrier pigeons): proves a channel plugs in with no core change.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.toy_channel.apps.ToyChannelConfig"]

DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DB_NAME", "test_omnidesk")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
MEDIA_ROOT = os.path.join(os.environ["OMNIDESK_VAR_DIR"], "media")
PUBLIC_URL = "http://testserver"
ALLOWED_HOSTS = ["*"]
# Tasks go to a queue of this test run only, so a worker started by a test never picks
# up work left in Redis by an earlier run.
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = (
    f"omnidesk-test-{os.environ.get('TEST_DB_NAME', 'main')}{_XDIST_WORKER and '-' + _XDIST_WORKER}"
)
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": f"omnidesk-test-{os.getpid()}"},
    }
}
STATIC_ROOT = os.path.join(os.environ["OMNIDESK_VAR_DIR"], "static")
os.makedirs(STATIC_ROOT, exist_ok=True)
