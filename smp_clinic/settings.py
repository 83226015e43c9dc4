"""SMP Clinic settings: one module, everything that varies comes from the environment.

Every variable is documented in .env.example. A local ``.env`` (written by ``make run``)
is read when present; real environment variables win over it.
"""

import os
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from django.core.exceptions import ImproperlyConfigured

from smp_clinic.lib.currency import ISO_4217
from smp_clinic.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var").resolve()

env = environ.Env()
ENV_FILE = Path(os.environ.get("ENV_FILE", BASE_DIR / ".env"))
if ENV_FILE.is_file():
    environ.Env.read_env(ENV_FILE, overwrite=False)

# --- Core -------------------------------------------------------------------------------
# No default: a process without a SECRET_KEY refuses to start.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Put a long random value in the environment "
        "(`make run` writes one into .env for local use)."
    )
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# `make run` serves on WEB_PORT (8000 unless set), so links point at the port it serves.
SITE_URL = env_str(
    "SITE_URL", default=f"http://127.0.0.1:{env_str('WEB_PORT', default='8000')}"
).rstrip("/")
CLINIC_NAME = env_str("CLINIC_NAME", default="SMP Clinic")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "phonenumber_field",
    "django_celery_beat",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Domain apps, lowest first: an app may depend on those above it in this list only.
    "accounts",
    "locations",
    "clients",
    "scheduling",
    "consultations",
    "sessions_app",
    "aftercare",
    "audit",
    "privacy",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    # A sign-in with an authenticator waits on the code page (accounts.two_factor).
    "accounts.two_factor.TwoFactorMiddleware",
    # While a client holds the tablet, only their form (accounts.handover).
    "accounts.handover.HandoverLockMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smp_clinic.urls"
WSGI_APPLICATION = "smp_clinic.wsgi.application"
ASGI_APPLICATION = "smp_clinic.asgi.application"

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
                "dashboard.context_processors.navigation",
                "accounts.handover.context",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# Embedded default: SQLite under var/. Production and tests: PostgreSQL through psycopg 3
# with Django's connection pool (DATABASE_POOL_* tune it; persistent connections are off
# because the pool owns connection reuse).
DATABASE_URL = env_str("DATABASE_URL", default="")
if DATABASE_URL:
    _db = env.db_url_config(DATABASE_URL)
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "db.sqlite3")}
    # SQLite creates the file but not its folder; a fresh checkout has no var/ yet.
    VAR_DIR.mkdir(parents=True, exist_ok=True)

if _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})
    if env_bool("DATABASE_POOL", default=True):
        _db["OPTIONS"]["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN_SIZE", default=1, minimum=0),
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", default=10, minimum=1),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", default=10, minimum=1),
        }
        _db["CONN_MAX_AGE"] = 0
    else:
        _db["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", default=60, minimum=0)
        _db["CONN_HEALTH_CHECKS"] = True
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL lets readers run beside the writer, and
    # IMMEDIATE transactions take the write lock up front instead of failing mid-way.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery --------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("REDIS_CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "smp",
            # A Redis that stops answering costs a request two seconds, not a hang. Every
            # use during a request fails safe: the rate limits open, and the audit trail
            # logs each image on its own instead of remembering which ones a page showed.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_BROKER_URL = REDIS_URL or "filesystem://"
BROKER_IS_FILESYSTEM = CELERY_BROKER_URL.startswith("filesystem://")
if BROKER_IS_FILESYSTEM:
    # kombu's filesystem transport: producer and consumer share one folder on this machine.
    _queue_dir = str(VAR_DIR / "broker" / "queue")
    # The transport neither creates its folders nor fails clearly when they are missing.
    for _folder in ("queue", "processed", "control"):
        (VAR_DIR / "broker" / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _queue_dir,
        "data_folder_out": _queue_dir,
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "store_processed": False,
        # The exchange tables; kombu's default is "control" relative to the working
        # directory, which put a control/ folder into the checkout.
        "control_folder": str(VAR_DIR / "broker" / "control"),
    }
    # Remote control (celery inspect) stays off here: nothing uses it, and it would add a
    # broadcast queue for every worker to poll.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A message not acknowledged within this time is delivered again (acks are late).
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", default=3600, minimum=60),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", default=120, minimum=5)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", default=90, minimum=5)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic work is declared here and synced into django-celery-beat's tables by beat.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Claims due outbox rows and enqueues one send task per row (aftercare/services/sending.py).
    "outbox-dispatch": {"task": "aftercare.outbox_dispatch", "schedule": 60.0},
    # Next-session nudges and touch-up recalls, computed from the courses.
    "outbox-scan-courses": {"task": "aftercare.outbox_scan_courses", "schedule": 3600.0},
}

# --- Client messages (the aftercare outbox) ------------------------------------------------
# Operational knobs; the clinic's timings (reminders, quiet hours, recalls) are edited by
# managers in the app (aftercare.MessageSettings).
OUTBOX_BATCH_SIZE = env_int("OUTBOX_BATCH_SIZE", default=500, minimum=1)
OUTBOX_DISPATCH_LIMIT = env_int("OUTBOX_DISPATCH_LIMIT", default=10000, minimum=1)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", default=6, minimum=1)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", default=60, minimum=1)
OUTBOX_STUCK_AFTER_SECONDS = env_int("OUTBOX_STUCK_AFTER_SECONDS", default=600, minimum=10)
if OUTBOX_STUCK_AFTER_SECONDS <= CELERY_TASK_TIME_LIMIT:
    # A send still running must never be taken for a dead one and sent a second time.
    raise ImproperlyConfigured(
        f"OUTBOX_STUCK_AFTER_SECONDS ({OUTBOX_STUCK_AFTER_SECONDS}) must be longer than "
        f"CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT})."
    )

# --- Auth -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out email/address pair before any password check.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:today"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600, minimum=600)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout (django-axes): N failures for one email from one address within the window lock
# that pair for the window; a manager can unlock from the Staff page.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", default=15, minimum=1))
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_request"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
PROXY_COUNT = env_int("PROXY_COUNT", default=1, minimum=1)
if env_bool("BEHIND_PROXY", default=False):
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Shared tablets: a session ends after this many minutes without a request.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", default=30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# Two-factor sign-in (django-otp, TOTP): optional for everyone; with this on, a manager
# must link an authenticator app before using the app.
REQUIRE_2FA_FOR_MANAGERS = env_bool("REQUIRE_2FA_FOR_MANAGERS", default=False)
OTP_TOTP_ISSUER = CLINIC_NAME

# --- Security ---------------------------------------------------------------------------
HTTPS = env_bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", default=True)
if env_bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_COOKIE_HTTPONLY = True
# A form sent from a page left open too long gets "this page has expired", not Django's page.
CSRF_FAILURE_VIEW = "dashboard.views.csrf_failure"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script, no inline style attribute, nothing from another origin. Bootstrap's CSS
# draws some icons from data: URIs; signature pads and the design editor draw on canvases.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", default="Europe/London")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not an IANA time zone.") from None
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = env_str("PHONE_REGION", default="GB")

# --- Static files and private media ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Photos, signatures and documents are private: this folder has no URL; files are served
# only by views that check access.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))).resolve()
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- Email ------------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL", default=f"filemail://{VAR_DIR / 'mail'}")
globals().update(env.email_url_config(EMAIL_URL))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="SMP Clinic <clinic@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=20, minimum=1)

# --- UI ---------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs every successful sign-in's reset at INFO; keep lockouts (WARNING).
        "axes": {"level": "WARNING"},
    },
}

# --- Clinic rules -------------------------------------------------------------------------
# Youngest age at which a client record may be created (date of birth check).
CLIENT_MIN_AGE = env_int("CLIENT_MIN_AGE", default=18, minimum=0)
# A medical intake older than this many days must be renewed before a pigmentation session.
SESSION_INTAKE_MAX_AGE_DAYS = env_int("SESSION_INTAKE_MAX_AGE_DAYS", default=90, minimum=1)
# The currency of treatment-plan prices; a plan keeps the one it was quoted in.
CLINIC_CURRENCY = env_str("CLINIC_CURRENCY", default="GBP")
if CLINIC_CURRENCY not in ISO_4217:
    raise ImproperlyConfigured(
        f"CLINIC_CURRENCY={CLINIC_CURRENCY!r} is not an ISO 4217 currency code "
        "(three capital letters such as GBP, EUR or USD)."
    )
