"""Settings for reviewqueue, read from the environment (see `.env.example`).

With no variables set the product runs embedded: a SQLite file and a file-system Celery broker
under `var/`, so one command on a fresh machine brings up web, worker and timers.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

import scoring
from reviewqueue.env import (
    check_broker_url,
    database_from_url,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("REVIEWQUEUE_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

DATABASE_URL = env_str("DATABASE_URL") or None  # empty counts as unset: the embedded default
EMBEDDED = DATABASE_URL is None
DEBUG = env_bool("DEBUG", default=False)


def _dev_secret_key() -> str:
    # The embedded default keeps a random key on disk so sessions survive restarts without
    # the operator having to invent one; production must pass SECRET_KEY explicitly.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


_secret = env_str("SECRET_KEY")
if _secret:
    if len(_secret) < 32:
        raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
    SECRET_KEY = _secret
elif EMBEDDED or DEBUG:
    SECRET_KEY = _dev_secret_key()
else:
    raise ImproperlyConfigured(
        "SECRET_KEY is required when DATABASE_URL is set and DEBUG is off "
        "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "csp",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc as static files: the API docs work offline
    "django_htmx",
    "template_partials",
    "reviewqueue.tenancy",
    "reviewqueue.review",
    "reviewqueue.intake",
    "reviewqueue.audit",
    "reviewqueue.calibration",
    "reviewqueue.policy",
    "reviewqueue.api",
    "reviewqueue.web",
    "reviewqueue.ops",
    "reviewqueue.alerts",
    "reviewqueue.llm",
    "reviewqueue.agreement",
    "reviewqueue.golden",
    "reviewqueue.demo",
]

MIDDLEWARE = [
    # First, so every log line of the request (other middleware's included) carries its id.
    "reviewqueue.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "reviewqueue.api.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "reviewqueue.urls"
WSGI_APPLICATION = "reviewqueue.wsgi.application"

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
            ],
        },
    }
]

DATABASES = {
    "default": database_from_url(DATABASE_URL or f"sqlite:///{VAR_DIR / 'reviewqueue.sqlite3'}", base_dir=BASE_DIR)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the finders when collectstatic has not been run (embedded default, tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
# Django's own database sessions and ModelBackend (both Django's defaults, named to be found).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=SESSION_COOKIE_SECURE)
# Django's failure page has an inline <style> the Content-Security-Policy would refuse.
CSRF_FAILURE_VIEW = "reviewqueue.web.csrf.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Served over HTTPS (README, Production settings; `manage.py check --deploy` is clean with them).
# All off by default: the embedded default and a plain-HTTP development server must keep working.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
# A load balancer's health probe speaks plain HTTP to the web process; it must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# Behind a TLS-terminating proxy: "HTTP_X_FORWARDED_PROTO,https" trusts that header to mean the
# request came over HTTPS. Set it only when the proxy always sets (and strips) that header.
_proxy_header = env_str("SECURE_PROXY_SSL_HEADER") or ""
if _proxy_header:
    _name, _, _value = (part.strip() for part in _proxy_header.partition(","))
    if not _name.startswith("HTTP_") or not _value:
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER={_proxy_header!r}: use META_NAME,value such as HTTP_X_FORWARDED_PROTO,https."
        )
    SECURE_PROXY_SSL_HEADER = (_name, _value)

# Content-Security-Policy on every response (django-csp). No inline scripts, handlers or style
# attributes anywhere: scripts and styles are files under static/, the claim bars are SVG. htmx
# loads with includeIndicatorStyles off (base.html), so it injects no <style> of its own.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The OpenAPI schema and Swagger UI (/api/v1/schema, /api/v1/docs): off answers 404. Swagger UI
# loads from its CDN, so only that page's policy adds these origins (reviewqueue/api/docs.py).
REVIEWQUEUE_API_DOCS = env_bool("REVIEWQUEUE_API_DOCS", default=True)
# Swagger UI and ReDoc come from drf-spectacular-sidecar (our own static files): no origin needed.
REVIEWQUEUE_API_DOCS_CSP_SOURCES = env_list("REVIEWQUEUE_API_DOCS_CSP_SOURCES", [])

# Requests larger than this are refused with 413 before any view parses them.
REVIEWQUEUE_MAX_BODY_BYTES = env_int("REVIEWQUEUE_MAX_BODY_BYTES", 1_000_000, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REVIEWQUEUE_MAX_BODY_BYTES
# Fraction of a queue's SLA after which the SLA sweep records a warning.
REVIEWQUEUE_SLA_WARNING_FRACTION = env_float("REVIEWQUEUE_SLA_WARNING_FRACTION", 0.8, low=0.05, high=0.99)
# Drafts still `received` after this many seconds are re-dispatched to the scoring queue.
REVIEWQUEUE_REDISPATCH_AFTER_SECONDS = env_int("REVIEWQUEUE_REDISPATCH_AFTER_SECONDS", 60, minimum=1)
# A scoring message not taken by a worker within this many seconds expires (the worker drops it
# unrun), and only then is its draft re-dispatched: an outage shorter than this leaves exactly one
# message per draft. Longer than any backlog the workers need to drain, shorter than the broker's
# visibility timeout (3600 s), so a message a dead worker held comes back already expired.
REVIEWQUEUE_DISPATCH_EXPIRES_SECONDS = env_int("REVIEWQUEUE_DISPATCH_EXPIRES_SECONDS", 900, minimum=10)
if REVIEWQUEUE_DISPATCH_EXPIRES_SECONDS >= 3600:
    raise ImproperlyConfigured(
        "REVIEWQUEUE_DISPATCH_EXPIRES_SECONDS must be below the broker's visibility timeout (3600)."
    )
# Days after a draft is decided before its content (text, question, passages, log-probs) is
# purged, for tenants that set none of their own (Tenant.retention_days); 0 keeps it for ever.
REVIEWQUEUE_RETENTION_DAYS = env_int("REVIEWQUEUE_RETENTION_DAYS", 0, minimum=0)
# Bearer token for /metrics (Prometheus). Unset: /metrics answers 403 to everyone.
REVIEWQUEUE_METRICS_TOKEN = env_str("REVIEWQUEUE_METRICS_TOKEN", "") or ""
# The review page: after this long with no input it asks "still working on this?"; with no answer
# within the second figure it releases the item. A tab hidden for longer than the third stops
# renewing its lease (it lapses and the item is free again).
REVIEWQUEUE_REVIEW_IDLE_SECONDS = env_int("REVIEWQUEUE_REVIEW_IDLE_SECONDS", 300, minimum=1)
REVIEWQUEUE_REVIEW_IDLE_ANSWER_SECONDS = env_int("REVIEWQUEUE_REVIEW_IDLE_ANSWER_SECONDS", 60, minimum=1)
REVIEWQUEUE_REVIEW_HIDDEN_SECONDS = env_int("REVIEWQUEUE_REVIEW_HIDDEN_SECONDS", 300, minimum=1)
# Share (0-1) of each queue's resolved items sampled for a blind second review, for queues a lead
# has set none for on /ops/agreement/.
REVIEWQUEUE_SECOND_REVIEW_SHARE = env_float("REVIEWQUEUE_SECOND_REVIEW_SHARE", 0.0, low=0.0, high=1.0)
# Golden-set regression: the drop in AUROC and the rise in escape rate (share of bad drafts among
# the auto-sent) that raise an alert and block promotion, for tenants that set none of their own.
REVIEWQUEUE_GOLDEN_MAX_AUROC_DROP = env_float("REVIEWQUEUE_GOLDEN_MAX_AUROC_DROP", 0.02, low=0.0, high=1.0)
REVIEWQUEUE_GOLDEN_MAX_ESCAPE_RISE = env_float("REVIEWQUEUE_GOLDEN_MAX_ESCAPE_RISE", 0.02, low=0.0, high=1.0)
# Golden-set JSONL upload and import: at most this many records per file.
REVIEWQUEUE_GOLDEN_MAX_RECORDS = env_int("REVIEWQUEUE_GOLDEN_MAX_RECORDS", 5000, minimum=1)
REVIEWQUEUE_SWEEP_BATCH = env_int("REVIEWQUEUE_SWEEP_BATCH", 500, minimum=1)
REVIEWQUEUE_WEBHOOK_TIMEOUT_SECONDS = env_int("REVIEWQUEUE_WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
# API keys' last-used time is written at most this often, keeping auth off the write path.
REVIEWQUEUE_KEY_TOUCH_SECONDS = env_int("REVIEWQUEUE_KEY_TOUCH_SECONDS", 60, minimum=0)

# --- Celery -------------------------------------------------------------------------------
# Connect and reply timeout for publishing from the web and for /healthz's broker probe (Redis).
REVIEWQUEUE_BROKER_TIMEOUT_SECONDS = env_float("REVIEWQUEUE_BROKER_TIMEOUT_SECONDS", 0.5, low=0.05, high=30)
REVIEWQUEUE_BROKER_WORKER_SOCKET_TIMEOUT_SECONDS = env_float(
    "REVIEWQUEUE_BROKER_WORKER_SOCKET_TIMEOUT_SECONDS", 5.0, low=1, high=300
)
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = check_broker_url(env_str("CELERY_BROKER_URL") or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # Publishing (apply_async) must not hang on a dead or silent broker: the enqueue request
        # is waiting, and the re-dispatch sweep sends the draft later. A broker that accepts the
        # connection and never answers held each enqueue for the whole reply timeout (5 s), so
        # web processes connect and wait for replies at most REVIEWQUEUE_BROKER_TIMEOUT_SECONDS,
        # and make no retry loop when the connection cannot be made (kombu would sleep and try
        # again within CELERY_BROKER_CONNECTION_TIMEOUT). A worker raises the reply timeout to
        # REVIEWQUEUE_BROKER_WORKER_SOCKET_TIMEOUT_SECONDS at start (reviewqueue/celery.py): its
        # consumer's connection lives long and must not be cut by a slow moment. Beat's
        # publishes keep Celery's publish retry policy.
        "socket_connect_timeout": REVIEWQUEUE_BROKER_TIMEOUT_SECONDS,
        "socket_timeout": REVIEWQUEUE_BROKER_TIMEOUT_SECONDS,
        "max_retries": 0,
    }
CELERY_TASK_IGNORE_RESULT = True
# Beat writes its schedule file after every message it sends: the file's age is its health check
# (docker-compose.yml), and a restart never repeats a timer it already sent.
CELERY_BEAT_SYNC_EVERY = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Pool processes load the verifier model at start (worker_process_init); the default 4 s
# before Celery declares a new process dead is too short for that on a busy machine.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 120
CELERY_TASK_DEFAULT_QUEUE = "default"
# The golden-set check scores drafts too: it runs where the model is loaded.
CELERY_TASK_ROUTES = {
    "reviewqueue.review.tasks.score_draft": {"queue": "scoring"},
    "reviewqueue.golden.tasks.golden_check": {"queue": "scoring"},
    "reviewqueue.golden.tasks.golden_eval": {"queue": "scoring"},
}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Celery's defaults, named: apply_async reads these on every publish, and Celery looks a setting
# up in Django's settings under four names before it falls back to its default, each miss an
# AttributeError (about 20 us per read; with these named, an enqueue runs ~5% fewer instructions).
CELERY_TASK_SEND_SENT_EVENT = False
CELERY_TASK_REPR_MAXLEVELS = 3
CELERY_BROKER_POOL_ACQUIRE_TIMEOUT = None
# Enqueue must not hang when the broker is down: fail fast, the re-dispatch sweep catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMER_SECONDS = {
    "lease_sweep": env_int("REVIEWQUEUE_LEASE_SWEEP_SECONDS", 15, minimum=1),
    "sla_sweep": env_int("REVIEWQUEUE_SLA_SWEEP_SECONDS", 30, minimum=1),
    "redispatch_sweep": env_int("REVIEWQUEUE_REDISPATCH_SWEEP_SECONDS", 60, minimum=1),
    "outbox_sweep": env_int("REVIEWQUEUE_OUTBOX_SWEEP_SECONDS", 10, minimum=1),
    "retention_sweep": env_int("REVIEWQUEUE_RETENTION_SWEEP_SECONDS", 3600, minimum=1),
    # Notices a new model or fusion version on the workers (policy and calibrator changes
    # queue the check themselves).
    "golden_check": env_int("REVIEWQUEUE_GOLDEN_CHECK_SECONDS", 3600, minimum=1),
    "alert_evaluate": env_int("REVIEWQUEUE_ALERT_EVALUATE_SECONDS", 60, minimum=1),
    # The ops pages' hourly tallies (reviewqueue.ops.rollups); a page is exact whatever this is,
    # it only decides how many hours a page computes directly instead of reading stored tallies.
    "ops_rollup": env_int("REVIEWQUEUE_OPS_ROLLUP_SECONDS", 300, minimum=1),
}

# --- Scoring --------------------------------------------------------------------------------
REVIEWQUEUE_SCORING_MODEL = env_str("REVIEWQUEUE_SCORING_MODEL", "") or ""
# Dynamic int8 verifier (default): 1.5x faster for 0.6 points of accuracy; off runs fp32.
REVIEWQUEUE_SCORING_INT8 = env_bool("REVIEWQUEUE_SCORING_INT8", default=True)
# One default for the library and the worker (scoring/__init__.py imports nothing heavy).
REVIEWQUEUE_SCORING_TIME_BUDGET_MS = env_int(
    "REVIEWQUEUE_SCORING_TIME_BUDGET_MS", int(scoring.DEFAULT_TIME_BUDGET_MS), minimum=10
)

# --- LLM endpoint (optional; reviewqueue/llm/config.py reads REVIEWQUEUE_LLM_*) --------------
from reviewqueue.llm.config import llm_settings_from_env  # noqa: E402  (kept with the block it serves)

REVIEWQUEUE_LLM = llm_settings_from_env()

# --- REST -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "reviewqueue.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "reviewqueue.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "reviewqueue.api.schema.ReviewqueueAutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "reviewqueue API",
    "DESCRIPTION": "Enqueue LLM drafts for scoring and routing; work the human review queues.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files (drf-spectacular-sidecar), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Named enums for the domain's choice sets (a generated client gets one type per set).
    "ENUM_NAME_OVERRIDES": {
        "DispositionEnum": "reviewqueue.review.models.Disposition",
        "SubmitDispositionEnum": ["approved", "edited", "rejected"],
        "DecisionEnum": "reviewqueue.review.models.Decision",
        "OutcomeEnum": "reviewqueue.review.models.Outcome",
        "DraftStatusEnum": "reviewqueue.review.models.DraftStatus",
        "ItemStateEnum": "reviewqueue.review.models.ItemState",
        "FeedbackKindEnum": "reviewqueue.calibration.models.FeedbackKind",
    },
}

LOG_LEVEL = (env_str("LOG_LEVEL", "INFO") or "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One JSON object per line, with the `extra=` fields and the request id (reviewqueue.logs).
    "formatters": {"json": {"()": "reviewqueue.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# --- Limits and throttling ------------------------------------------------------------------
from reviewqueue.env import env_rate  # noqa: E402  (kept with the block it serves)

# Standard JSON only: NaN/Infinity/1e400 and bodies nested deeper than 32 levels are a 400.
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = ["reviewqueue.api.parsers.StrictJSONParser"]
# Per API key (or signed-in reviewer) and per tenant; rates are read per request (settings).
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["reviewqueue.api.throttling.ApiRateThrottle"]
REVIEWQUEUE_API_RATE_PER_CLIENT = env_rate("REVIEWQUEUE_API_RATE_PER_CLIENT", "1200/min")
REVIEWQUEUE_API_RATE_PER_TENANT = env_rate("REVIEWQUEUE_API_RATE_PER_TENANT", "3000/min")
# Failed API authentications per key prefix and per client address before 429 (a fixed window).
REVIEWQUEUE_API_AUTH_FAILURES = env_int("REVIEWQUEUE_API_AUTH_FAILURES", 20, minimum=1)
REVIEWQUEUE_API_AUTH_FAILURE_WINDOW_SECONDS = env_int("REVIEWQUEUE_API_AUTH_FAILURE_WINDOW_SECONDS", 300, minimum=1)
# Sign-in lockout: failures per account and per client address within the window lock that
# account (or address) until the window ends.
REVIEWQUEUE_LOGIN_FAILURES_PER_ACCOUNT = env_int("REVIEWQUEUE_LOGIN_FAILURES_PER_ACCOUNT", 5, minimum=1)
REVIEWQUEUE_LOGIN_FAILURES_PER_ADDRESS = env_int("REVIEWQUEUE_LOGIN_FAILURES_PER_ADDRESS", 20, minimum=1)
REVIEWQUEUE_LOGIN_LOCKOUT_SECONDS = env_int("REVIEWQUEUE_LOGIN_LOCKOUT_SECONDS", 900, minimum=1)
# Webhook targets must resolve to public addresses only (SSRF); true allows private, loopback
# and link-local ones (a receiver on the same network, tests).
REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE = env_bool("REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE", default=False)
REVIEWQUEUE_WEBHOOK_MAX_RESPONSE_BYTES = env_int("REVIEWQUEUE_WEBHOOK_MAX_RESPONSE_BYTES", 65_536, minimum=0)

# --- E-mail (alert rules' e-mail channel, through Django's mail backend) ---------------------
# With no EMAIL_HOST the embedded default writes mails to the worker's log (console backend)
# rather than failing against a mail server that is not there.
EMAIL_HOST = env_str("EMAIL_HOST", "") or ""
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive; set one.")
# A mail server that does not answer must not hold the outbox sweep.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
# Where people reach this install (https://review.example.com): alert messages link to the alert
# history there. Empty: messages carry no link.
REVIEWQUEUE_PUBLIC_URL = (env_str("REVIEWQUEUE_PUBLIC_URL", "") or "").rstrip("/")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "reviewqueue@localhost") or "reviewqueue@localhost"

# The counters above live in the cache, which must be shared by every web process: Redis
# (REVIEWQUEUE_CACHE_URL, else the broker's Redis); without Redis, files under var/cache, shared
# by the processes of one host (the embedded default).
_cache_url = env_str("REVIEWQUEUE_CACHE_URL") or (CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": "rq",
            # A down cache must not hang requests: fail fast (the limits then fail open).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
elif _cache_url in {"", "file://"}:
    _cache_dir = str(VAR_DIR / "cache")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": _cache_dir}}
elif _cache_url == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(f"REVIEWQUEUE_CACHE_URL={_cache_url!r}: use redis://, rediss://, file:// or locmem://.")
MIDDLEWARE.insert(
    MIDDLEWARE.index("reviewqueue.api.middleware.BodySizeLimitMiddleware") + 1,
    "reviewqueue.api.middleware.ApiAuthFailureThrottleMiddleware",
)
