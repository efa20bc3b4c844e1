"""All settings live here; the environment (vpr_portal.env) switches them."""

from __future__ import annotations

import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

from vpr_portal import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = (
    env.SECRET_KEY or "dev-only-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"
)
DEBUG = env.DEBUG
ALLOWED_HOSTS = env.ALLOWED_HOSTS
CSRF_TRUSTED_ORIGINS = env.CSRF_TRUSTED_ORIGINS

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, not a CDN
    "guardian",
    "axes",
    "apps.core",
    "apps.registration",
    "apps.campaigns",
    "apps.classes",
    "apps.schoolday",
    "apps.applications",
    "apps.materials",
    "apps.results",
    "apps.analytics",
    "apps.objectivity",
    "apps.notices",
    "apps.cabinet",
    "apps.families",
    "apps.audit",  # no models: its action, audit action and menu item (AppConfig.ready)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "apps.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.registration.access.ActorMiddleware",
    "apps.registration.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The one HTML hook for domain errors (ADR 0018): after MessageMiddleware, so it can flash.
    "apps.core.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must be last: it turns a lockout into the Russian lockout page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (apps/core/csp.py): the portal's own scripts, styles, fonts and images
# only; no inline code or style attributes, no third-party origins (docs/security.md § XSS).
# Swagger UI's icons are data: URIs in its stylesheet.
VPR_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

ROOT_URLCONF = "vpr_portal.urls"
WSGI_APPLICATION = "vpr_portal.wsgi.application"
ASGI_APPLICATION = "vpr_portal.asgi.application"

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
                "apps.registration.context_processors.cabinet",
                "apps.notices.context_processors.notices",
            ],
        },
    },
]

if env.DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(env.DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # SSD storage: without this the planner prefers sequential scans over the trigram
        # search indexes (docs/adr/0005-trigram-search.md).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c random_page_cost=1.1"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE_DIR / "db.sqlite3"),
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "registration.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cabinet"
LOGOUT_REDIRECT_URL = "login"

# guardian: no anonymous user row; grants are direct-FK object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# axes: throttle repeated failures per (username, IP).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False
# The client address behind the TLS proxy (apps/core/client_ip.py), so that a lock is per
# (login, real client) and not per (login, proxy): otherwise anyone could lock any school out.
AXES_CLIENT_IP_CALLABLE = "apps.core.client_ip.client_ip"
# Never log one-time codes sent with a failed login (axes masks the password itself).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# Reverse proxies trusted to append the client address to VPR_TRUSTED_PROXY_HEADER: none unless
# DJANGO_TRUSTED_PROXY_COUNT says so (a header no trusted proxy wrote must not spread failures
# over made-up addresses); production.py trusts one behind the TLS proxy.
VPR_TRUSTED_PROXY_COUNT = env.TRUSTED_PROXY_COUNT or 0
VPR_TRUSTED_PROXY_HEADER = env.TRUSTED_PROXY_HEADER

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.STATIC_ROOT or str(BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.MEDIA_ROOT or str(BASE_DIR / "media")
# A backend's OPTIONS hold more than strings (production's S3 options), hence ``Any``.
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Outside production static files come from the finders; no collected directory is expected.
warnings.filterwarnings("ignore", message="No directory at")

# Uploads: a 50 MB file must reach validation (and be refused there with a clear message).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Scans of paper works (apps/objectivity/scans): the largest upload accepted.
SCANS_MAX_UPLOAD_BYTES = 200 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API call then answers 401 with WWW-Authenticate.
        # Knox tokens: stored as hashes, expiring, one per device (docs/adr/0013-api-tokens.md).
        "apps.registration.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON nested past a bound and malformed query ids answer 400 in Russian, never 500.
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.drf.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "apps.core.drf.exception_handler",
}
# API tokens (knox): one per login, valid for a working day, never extended by use; revoked by
# every change of the credentials behind them (apps/registration/services_tokens.py).
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=12),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ВПР-портал API",
    "DESCRIPTION": "REST API портала ВПР. Все списки и объекты ограничены областью "
    "видимости пользователя; объекты вне её отвечают 404.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI from the portal (drf-spectacular-sidecar): no CDN, works on closed networks.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two choice sets are both called "status": name them, so the schema has no collision.
    "ENUM_NAME_OVERRIDES": {
        "ImportBatchStatusEnum": "apps.core.models.ImportBatch.Status",
        "SchoolStatusEnum": "apps.registration.constants.SchoolStatus",
        "ScanBatchStatusEnum": "apps.objectivity.models.ScanBatch.Status",
        "BookletStatusEnum": "apps.objectivity.models.Booklet.Status",
        "ScanPageStatusEnum": "apps.objectivity.models.ScanPage.Status",
        "ReviewStatusEnum": "apps.objectivity.models.Review.Status",
        "JobStatusEnum": "apps.core.models.Job.Status",
        "MaterialBuildStatusEnum": "apps.materials.selectors.BUILD_STATUSES",
        "MaterialBankStatusEnum": "apps.materials.selectors.BANK_STATUSES",
    },
    # The one error shape (ADR 0018): the Error component on every error response.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.api_errors.error_responses_hook",
    ],
}

# Celery: with no REDIS_URL tasks run eagerly in-process (the embedded default of `make run`).
CELERY_BROKER_URL = env.REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not env.REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Secrets at rest (TOTP secrets, one-time credentials files) are Fernet-encrypted with these keys,
# newest first (MultiFernet: decrypt with any, encrypt with the first). Without VPR_FERNET_KEYS a
# key is derived from SECRET_KEY (development only; production.py requires the variable).
VPR_FERNET_KEYS = env.FERNET_KEYS
# How long an issued credentials file waits for its single download before it must be re-issued.
VPR_CREDENTIALS_TTL = timedelta(days=14)
# TOTP (RFC 6238) two-factor login: issuer shown by authenticator apps.
VPR_TOTP_ISSUER = "ВПР-портал"
# The federal operator's contacts in the regional coordinators' cabinets (apps.notices).
FEDERAL_OPERATOR_CONTACT: dict[str, str] = {
    "name": env.FEDERAL_CONTACT_NAME or "Служба поддержки федерального оператора ВПР",
    "phone": env.FEDERAL_CONTACT_PHONE,
    "email": env.FEDERAL_CONTACT_EMAIL,
}

# Materials (apps.materials): the Ed25519 key signing archive manifests (derived from SECRET_KEY
# when unset: set it in production) and optional extra directories with DejaVu fonts for PDFs.
VPR_MANIFEST_SIGNING_KEY = env.MANIFEST_SIGNING_KEY
VPR_PDF_FONT_DIRS: list[str] = []
# Builds start by themselves this many days before a work's first publication instant (the
# beat task materials.builds_auto_start).
MATERIALS_AUTO_BUILD_LEAD_DAYS = 3

# Uploaded files are parsed in memory-capped children forked by a small per-process fork server
# (apps/core/forkserver.py, ADR 0029); False forks them from the host process itself.
PARSE_FORK_SERVER = True

# Analytics (apps.analytics): a full rebuild of several works on PostgreSQL computes this many
# works at once, each on its own connection (apps/analytics/rebuild.py: rebuild_parallel); 1
# computes them one after the other (VPR_ANALYTICS_REBUILD_CONNECTIONS; about the database
# server's cores, docs/capacity.md).
ANALYTICS_REBUILD_CONNECTIONS = env.ANALYTICS_REBUILD_CONNECTIONS or 4

# Results (apps.results): with a Redis broker, an accepted upload's statistics job is run by a
# drain that takes every job queued by then (ADR 0032), this many seconds after the first
# upload that asked for it: the statistics lag an upload by about this much, and the parents'
# sums are made once for all the uploads of the interval.
RESULTS_STATS_DRAIN_DELAY = 0.5

# Demo accounts created by `seed_demo` (demo only; production never runs it).
DEMO_PASSWORD = "Demo-VPR-2026"
