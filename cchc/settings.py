"""cchc settings: every value comes from the environment, with safe production defaults.

The embedded default (no DATABASE_URL) is one SQLite file under var/, which is what `make run` uses.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or env_bool("CCHC_TESTING"):
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured("SECRET_KEY phải được đặt khi DEBUG tắt (production).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "cchc.core",
    "cchc.org",
    "cchc.plans",
    "cchc.reporting",
    "cchc.docimport",
    "cchc.delivery",
    "cchc.surveys",
    "cchc.initiatives",
    "cchc.scoring",
    "cchc.demo",
    "cchc.api",
    "ninja",  # api: serves Swagger UI from its own static files (no CDN) when installed as an app
    "cchc.dashboard",
    "django_tasks",
    "django_tasks_db",
    "cchc.jobs",
    "cchc.notices",
    "cchc.portal",
]

MIDDLEWARE = [
    # First, so the session and user of a page are read where its other reads are (cchc/core/replica.py).
    "cchc.core.replica.ReplicaReadsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cchc.core.middleware.VietnameseLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Content-Security-Policy on every answer (cchc.core.middleware; the policy is CSP_DIRECTIVES below).
    "cchc.core.middleware.ContentSecurityPolicyMiddleware",
    # Inside the CSP: NUL bytes refused with 400, a locked SQLite answered 503, under the same policy.
    "cchc.core.middleware.RequestGuardMiddleware",
    # django-axes last, so it can turn a locked-out login into the Vietnamese lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cchc.urls"
WSGI_APPLICATION = "cchc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cchc" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cchc.core.context_processors.cchc",
                "cchc.dashboard.context_processors.todo",  # dashboard: menu to-do counts
                "cchc.notices.context_processors.unread",  # notices: header unread badge
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'cchc.sqlite3'}",
        # Tests open connections from the live-server thread too; persistent ones would outlive the test DB.
        conn_max_age=0 if env_bool("CCHC_TESTING") else env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the page reads continue while a write is in progress in the embedded deployment.
    # IMMEDIATE transactions take the write lock when a transaction starts, so two parallel saves queue
    # on the busy timeout instead of one failing on a lock upgrade ("database is locked" at once).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", 20),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# A PostgreSQL streaming replica for the reads of pages (cchc/core/replica.py, docs/scaling.md):
# only with PostgreSQL as the primary; a browser that just wrote reads the primary for
# REPLICA_PIN_SECONDS, which must exceed the replica's usual lag.
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10)
if os.environ.get("DATABASE_REPLICA_URL") and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["cchc.core.replica.ReplicaRouter"]

AUTH_USER_MODEL = "org.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "cchc" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or env_bool("CCHC_TESTING")
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Login security: throttling and lockout with django-axes -------------------------------------------
# The lockout check runs first; accounts are then checked by Django's own backend.
AUTHENTICATION_BACKENDS = [
    "cchc.core.security.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# AXES_FAILURE_LIMIT wrong passwords lock the account, and (separately) the address they came from, for
# LOGIN_COOLOFF_MINUTES. An office behind one NAT address shares the address count: raise the limit or
# key by username only (LOGIN_LOCKOUT_BY=username) if that bites.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = env_list("LOGIN_LOCKOUT_BY", "username,ip_address")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cchc.core.security.lockout_response"
AXES_HANDLER = "cchc.core.security.AuditedAxesHandler"
AXES_CLIENT_IP_CALLABLE = "cchc.core.security.client_ip"
# Behind a reverse proxy every request comes from the proxy's address: name the header the proxy sets
# to the client's address, as a request.META key (nginx `proxy_set_header X-Real-IP $remote_addr;` →
# CLIENT_IP_HEADER=HTTP_X_REAL_IP). With X-Forwarded-For the right-most entry is used, the one our own
# proxy appended. Unset: REMOTE_ADDR (direct connections, `make run`).
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
# --- end login security ---------------------------------------------------------------------------------

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Evidence files: what a unit may attach to prove a task done.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 20) * 1024 * 1024
EVIDENCE_EXTENSIONS = env_list("EVIDENCE_EXTENSIONS", "pdf,doc,docx,xls,xlsx,odt,ods,jpg,jpeg,png,zip")
# One-stop dossiers: Parquet snapshots read by DuckDB (cchc.delivery.store).
DOSSIER_STORE_DIR = Path(os.environ.get("DOSSIER_STORE_DIR", BASE_DIR / "var" / "dossiers"))
DOSSIER_UPLOAD_MAX_BYTES = env_int("DOSSIER_UPLOAD_MAX_MB", 200) * 1024 * 1024
# A running import silent this long (or whose process is gone) is marked failed.
DOSSIER_IMPORT_STALE_MINUTES = env_int("DOSSIER_IMPORT_STALE_MINUTES", 10)

# Bounded uploads (cchc.core.uploads): checked before any parsing, on every upload path.
# The table in docs/operator-guide.md explains each one.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 30) * 1024 * 1024  # plan documents, Excel and CSV imports
UPLOAD_UNZIPPED_MAX_BYTES = env_int("UPLOAD_UNZIPPED_MAX_MB", 100) * 1024 * 1024  # .docx/.xlsx/.odt/.zip
UPLOAD_ZIP_MAX_ENTRIES = env_int("UPLOAD_ZIP_MAX_ENTRIES", 2000)
UPLOAD_ZIP_MAX_RATIO = env_int("UPLOAD_ZIP_MAX_RATIO", 100)  # per entry over 1 MB unzipped
UPLOAD_PDF_MAX_PAGES = env_int("UPLOAD_PDF_MAX_PAGES", 300)
UPLOAD_IMAGE_MAX_PIXELS = env_int("UPLOAD_IMAGE_MAX_PIXELS", 50_000_000)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000)  # data rows per sheet of a plan/unit/user import
IMPORT_ERRORS_SHOWN = env_int("IMPORT_ERRORS_SHOWN", 50)  # then "và 1.999.950 lỗi khác"
UPLOAD_PROCESS_SECONDS = env_int("UPLOAD_PROCESS_SECONDS", 120)  # wall clock of one extraction (OCR included)
UPLOAD_PROCESS_MEMORY_MB = env_int("UPLOAD_PROCESS_MEMORY_MB", 1536)  # address space of that child
UPLOAD_PROCESS_CONCURRENCY = env_int("UPLOAD_PROCESS_CONCURRENCY", 2)  # children at once, site-wide
UPLOAD_PROCESS_WAIT_SECONDS = env_int("UPLOAD_PROCESS_WAIT_SECONDS", 5)  # then "thử lại sau ít phút"
DOSSIER_UPLOAD_MAX_UNZIPPED_BYTES = env_int("DOSSIER_UPLOAD_MAX_UNZIPPED_MB", 2048) * 1024 * 1024
# A request body past this is not written to disk at all (the largest upload is a dossier file).
UPLOAD_REQUEST_MAX_BYTES = (
    max(DOSSIER_UPLOAD_MAX_BYTES, UPLOAD_MAX_BYTES, EVIDENCE_MAX_BYTES) + 10 * 1024 * 1024
)
FILE_UPLOAD_HANDLERS = [
    "cchc.core.uploads.UploadCapHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cchc@localhost")

# Behind HTTPS in production: secure cookies and HSTS unless told otherwise.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# --- HSTS: an hour by default; raise SECURE_HSTS_SECONDS up to a year (31536000) once HTTPS is settled.
# Subdomains and the browsers' preload list are commitments for the whole domain, so they are opt-in.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 3600)
if not 0 <= SECURE_HSTS_SECONDS <= 2 * 365 * 24 * 3600:
    raise ImproperlyConfigured("SECURE_HSTS_SECONDS phải từ 0 đến 63072000 giây (hai năm).")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# --- end HSTS

# --- Content-Security-Policy (cchc.core.middleware): scripts, styles, fonts and requests only from this
# site; no inline script, no eval, no style="" attributes; no framing, no foreign form targets.
CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
}
# The admin (/quan-tri/) gets the same policy: Django 5.2's admin templates have no inline script or
# handler; their one inline <style> (change lists without actions) does not occur here (see the tests).
# Report-only mode to try a policy change on a running site without breaking pages.
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
# --- end Content-Security-Policy
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Background jobs and production shape (cchc.jobs) ----------------------------------------------------
# The queue is django-tasks' database backend: jobs wait in the same database (PostgreSQL in production),
# `manage.py jobs_worker` runs them, `manage.py jobs_scheduler` queues the periodic ones. Tests (and
# JOBS_INLINE=1) run every job inside the request that asks for it.
JOBS_INLINE = env_bool("JOBS_INLINE", env_bool("CCHC_TESTING"))
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if JOBS_INLINE
        else "django_tasks_db.DatabaseBackend"
    }
}
JOBS_HEARTBEAT_SECONDS = env_int("JOBS_HEARTBEAT_SECONDS", 15)  # a running job stamps its row this often
JOBS_STALE_MINUTES = env_int("JOBS_STALE_MINUTES", 5)  # no stamp for this long (any host): worker gone
JOBS_MAX_ATTEMPTS = env_int("JOBS_MAX_ATTEMPTS", 2)  # runs of a retry-safe job before it is failed
# Uploaded files waiting for their job; empty: MEDIA_ROOT/jobs/uploads.
JOBS_UPLOAD_DIR = os.environ.get("JOBS_UPLOAD_DIR", "")
# /healthz answers 503 when the oldest queued job has waited longer than this (the worker is down).
HEALTH_QUEUE_MAX_AGE_SECONDS = env_int("HEALTH_QUEUE_MAX_AGE_SECONDS", 300)
# LOG_FORMAT=json: one JSON object a line (time, level, logger, message, exception) for journald/Loki.
if os.environ.get("LOG_FORMAT", "").lower() == "json":
    LOGGING["formatters"] = {"json": {"()": "cchc.jobs.logjson.JsonFormatter"}}
    LOGGING["handlers"]["console"]["formatter"] = "json"
# The local health probe speaks plain HTTP to gunicorn: not redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# --- end background jobs

# The menu's to-do counts are kept per person under a version of the data (cchc.dashboard.todo); the
# tests' query-count guards measure the uncached path, and the cache's own tests switch it on.
TODO_COUNTS_CACHED = env_bool("TODO_COUNTS_CACHED", not env_bool("CCHC_TESTING"))

if env_bool("CCHC_TESTING"):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
