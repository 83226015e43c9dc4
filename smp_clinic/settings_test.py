"""Test settings: the real settings, pointed at the local PostgreSQL and Redis.

DATABASE_URL and REDIS_URL default to the servers on this machine; CI and developers may
override them. pytest-xdist workers each get their own Redis databases so that clearing a
cache in one worker never touches another's keys or queues.
"""

import os
import secrets
import tempfile

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smp_clinic")
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_index = int(_worker[2:]) if _worker[2:].isdigit() else 0
_redis_host = os.environ.get("TEST_REDIS", "redis://127.0.0.1:6379")
# Redis has 16 databases; a second checkout testing at the same time sets another base.
_redis_base = int(os.environ.get("TEST_REDIS_DB_BASE", "1"))
# Assigned, not setdefault: the xdist controller imports these settings too, and workers
# inherit its environment; each worker must still get its own databases and folder.
os.environ["REDIS_URL"] = f"{_redis_host}/{_redis_base + 2 * _index}"
os.environ["REDIS_CACHE_URL"] = f"{_redis_host}/{_redis_base + 1 + 2 * _index}"
# A throwaway key for this test process: no secret lives in the code.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("ENV_FILE", "/nonexistent")  # a developer's .env never leaks into tests
os.environ["DEBUG"] = "false"
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix=f"smp-test-{_worker}-")
os.environ.setdefault("STATIC_MANIFEST", "false")

from smp_clinic.settings import *  # noqa: E402,F403
from smp_clinic.settings import VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks in-process at commit; reliability tests start a real worker instead.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

# Serve static files straight from the finders (no collectstatic) for the live server.
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
