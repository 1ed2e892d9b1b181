"""UnionPlan settings: the one place that reads the environment.

Development defaults (SQLite file, DEBUG on) let a newcomer run the app with no server;
production hardens through environment variables only (see docs/deployment.md; the variables are in the README).
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(int(default))).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", default=True)
# Pins "today" for demos, training and tests (an ISO date); unset in production (unionplan/clock.py).
UNIONPLAN_TODAY = (
    datetime.date.fromisoformat(os.environ["UNIONPLAN_TODAY"]) if os.environ.get("UNIONPLAN_TODAY") else None
)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG=0")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "branches",
    "targets",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "unionplan.middleware.NoStoreDownloadsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "unionplan.uploads.UploadSizeLimitMiddleware",
    "unionplan.db_router.PinToPrimaryAfterWriteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "unionplan.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Uploads: a body declaring more than this (plus a small margin for the form's other fields)
# is refused with a 413 page before it is read (unionplan.uploads.UploadSizeLimitMiddleware).
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(5 * 1024 * 1024)))
# Whatever passes that check is kept in memory, never written to a temporary file on disk.
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 64 * 1024
# Form fields other than files (Django's default, stated): a larger form is refused with 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

ROOT_URLCONF = "unionplan.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "unionplan.wsgi.application"

DATABASES = {
    # An empty DATABASE_URL (``DATABASE_URL= make run``) means the default, as an unset one.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must hold a crowd of officers saving at once (`make run`):
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock when a
    # transaction begins, so two writers never deadlock upgrading read locks (which SQLite
    # answers with "database is locked" at once); the others wait up to the busy timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,  # seconds
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # The covering index on each month's reports (``report_month_units``) carries extra
    # columns for PostgreSQL only; SQLite builds it on its key columns, which is all it needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# Optional read replica for dashboard reads (see docs/deployment.md, "Running past one machine").
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=DATABASES["default"].get("CONN_MAX_AGE", 0)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["unionplan.db_router.PrimaryReplicaRouter"]
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "30"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id with OWASP's parameters (unionplan/hashers.py) makes new hashes; the others only
# verify older hashes, which Django rehashes with Argon2id at the user's next log-in.
PASSWORD_HASHERS = [
    "unionplan.hashers.OwaspArgon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Log-in throttling (django-axes): after 5 wrong passwords for one user name from one
# address, that pair is refused for 15 minutes; a right password resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0")) or None

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"  # dispatches to the user's own union
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))

# Vietnamese by default, English available. Numbers the Vietnamese way: 5.821 and 120,44.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["unionplan.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Bootstrap comes from the bootstrap-wrapper package (PyPI); served under /static/bootstrap/.
try:
    import bootstrap as _bootstrap_pkg

    STATICFILES_DIRS.append(("bootstrap", Path(_bootstrap_pkg.__path__[0])))
except ImportError:  # pragma: no cover - the package is a declared dependency
    pass

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
# A filter's empty choice says what it means, in the interface's language, not "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("All")

# Production hardening, switched on by DEBUG=0.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy (django-csp): only the app's own scripts, styles and images
# (Bootstrap is served from here too), no inline script or style, no framing. A page that
# needs behaviour loads a file from static/js; a look goes into static/css/unionplan.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap's CSS draws a few icons (menu button, select arrow) as data: images.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The JSON API (targets/api, /api/v1/): personal tokens (``Authorization: Bearer up_…``) or
# the page's session (its CSRF token then required for writes); JSON only (no browsable
# API: it needs inline scripts the CSP forbids); every error an RFC 9457 problem.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "targets.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "targets.api.permissions.WritesNeedAWriteToken",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["targets.api.throttling.PerTokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "targets.api.problems.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "targets.api.problems.problem_response",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
}
# Requests per token (per user for a session) and period: over it, 429 with Retry-After.
# Counted in the cache (per process without a shared CACHES backend).
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "1200/min")
# The bulk import: at most this many rows, and a body declaring more bytes is refused unread.
API_IMPORT_MAX_ROWS = int(os.environ.get("API_IMPORT_MAX_ROWS", "5000"))
API_IMPORT_MAX_BYTES = int(os.environ.get("API_IMPORT_MAX_BYTES", str(2 * 1024 * 1024)))
SPECTACULAR_SETTINGS = {
    "TITLE": "UnionPlan API",
    "DESCRIPTION": _("Resolutions, organisations, monthly reports and their progress, with the pages' rules."),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": ["rest_framework.authentication.SessionAuthentication"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "data:,",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "targets.reporting.models.MonthlyReport.Status",
        "TaskStatusEnum": "targets.reporting.models.TaskProgress.Status",
        # A unit's level (an organisation's kind, a tree change line's level), a change line's kind.
        "OrganisationKindEnum": "branches.models.Organisation.Kind",
        "TreeChangeLineKindEnum": "branches.models.TreeChangeLine.Kind",
        "TreeChangeStatusEnum": "branches.models.TreeChange.Status",
    },
}

# E-mail (reminders, manage.py send_reminders): through SMTP when EMAIL_HOST is set, printed
# to the console otherwise (the default for `make run`).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "UnionPlan <unionplan@localhost>")
# Links in e-mails start with this address (no trailing slash).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Reminders: a reminder this many days before the due day; a late notice (and the upper
# level's digest) from the day after the due day for this many days (a missed cron run is
# caught up, an older month never); reviewers hear of reports waiting longer than this.
REMINDER_DAYS_BEFORE_DUE = int(os.environ.get("REMINDER_DAYS_BEFORE_DUE", "3"))
REMINDER_LATE_NOTICE_DAYS = int(os.environ.get("REMINDER_LATE_NOTICE_DAYS", "7"))
REMINDER_REVIEW_WAITING_DAYS = int(os.environ.get("REMINDER_REVIEW_WAITING_DAYS", "5"))

# Background work (docs/jobs.md): Django's Tasks through its backport, stored in the
# database (django-tasks-db), run by `manage.py run_worker` beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The scheduled work, first written to the admin's "scheduled jobs" (where the hours can be
# changed later): name -> (task, hour of the day, local time).
BACKGROUND_SCHEDULE = {
    "nightly-totals-check": ("targets.reporting.ledger.tasks.check_totals_task", 1),
    "prune-jobs": ("targets.dashboards.tasks.prune_jobs_task", 2),
    "reminders": ("targets.reminders.tasks.send_reminders_task", 8),
}
# A file export of more rows than this is built by the worker; up to it, in the request.
EXPORT_IN_REQUEST_ROWS = int(os.environ.get("EXPORT_IN_REQUEST_ROWS", "2000"))
# A draft report (docx) of a union with more units under it is made by the background worker.
DRAFT_IN_REQUEST_UNITS = int(os.environ.get("DRAFT_IN_REQUEST_UNITS", "5000"))
# Finished export files and import uploads are kept this many hours, then pruned.
JOB_FILES_KEPT_HOURS = int(os.environ.get("JOB_FILES_KEPT_HOURS", "24"))
# Finished jobs' rows (imports, task results) are kept this many days, then pruned.
JOB_ROWS_KEPT_DAYS = int(os.environ.get("JOB_ROWS_KEPT_DAYS", "14"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
AUTH_USER_MODEL = "branches.User"
# A reason kept in the history (a return comment, a reopen reason) is stored whole, never cut.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
