"""Settings read from the environment, and from a local ``.env`` file when there is one.

Safe by default: ``DEBUG`` is off unless asked for, and then ``SECRET_KEY`` must be given. The
quick start (``scripts/demo.sh``) writes a ``.env`` with ``DEBUG=on`` (never committed): the site
then runs on its embedded default, a SpatiaLite file under ``var/``, with a local-only key.
Production sets ``DATABASE_URL`` to a PostGIS database (``postgis://user@host:5432/name``),
``SECRET_KEY`` and ``ALLOWED_HOSTS``; real environment variables win over ``.env``.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# The default key only exists so that the quick start needs no configuration; it is refused
# when DEBUG is off, so that no production site can run with it.
_LOCAL_SECRET_KEY = "percolateur-local-development-only"
SECRET_KEY = env.str("SECRET_KEY", default=_LOCAL_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off. For local development, run scripts/demo.sh once "
        "(it writes a .env file with DEBUG=on) or put DEBUG=on in .env yourself."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin, on the curators' site (config.admin_site): their desk on its home page.
    "config.apps.CuratorsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.sitemaps",
    # Only for django-csp's system checks, which catch a misconfigured policy (old-style
    # CSP_* settings, EXCLUDE_URL_PREFIXES given as a string); the header is the middleware's.
    "csp",
    "django_filters",
    "leaflet",
    "simple_history",
    # Login throttling (see "Logging in" below).
    "axes",
    # The public API (api/): Django REST framework, its GeoJSON serializers, its OpenAPI
    # description with Swagger UI served from this site's static files, CORS for GET.
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "territories",
    "accounts",
    # Before the catalogue although it depends on it (the import contract says so, not this list):
    # the curators' group is brought up to date after the catalogue's post-migrate signal
    # (accounts.apps), and asks for the suggestions' permissions too, which Django creates at this
    # app's own signal; after every migrate and every flush of the test database, this one must
    # come first.
    "contributions",
    "catalogue",
    "api",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The static files, compressed and with far-future cache headers (their names carry their hash),
    # served by the application server itself: no separate web server to configure.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # One structured line per request (method, path, status, duration), see LOGGING.
    "operations.request_log.RequestLogMiddleware",
    # Sends the Content-Security-Policy header and gives each request its nonce
    # (request.csp_nonce), which the pages and django-leaflet's map scripts print.
    "csp.middleware.CSPMiddleware",
    "operations.replicas.PrimaryAfterWriteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks: the API answers other sites' GETs.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

# SpatiaLite by default (no server needed), PostGIS when DATABASE_URL says so.
# Reads can go to PostgreSQL replicas that DATABASE_REPLICA_URLS names, comma-separated
# (postgis://reader@replica-1:5432/percolateur,postgis://…): they become the databases replica_1,
# replica_2…, and operations.replicas sends to one of them the reads of requests that need not see
# the latest data. Writes, the admin and staff, transactions, code outside requests (commands, tasks)
# and a client's requests for DATABASE_REPLICA_STICKY_SECONDS after it wrote (more than the replicas'
# lag) use the primary, "default". Its middleware comes before SessionMiddleware, so that a session's
# own writes count. No replica named: no router, everything on "default" as before.


def database_settings(env):
    """DATABASES, and the DATABASE_ROUTERS that replicas need (none without), from ``env``."""
    databases = {
        "default": env.db_url(
            "DATABASE_URL",
            default=f"spatialite:///{VAR_DIR / 'percolateur.sqlite3'}",
        )
    }
    replica_urls = [url.strip() for url in env.str("DATABASE_REPLICA_URLS", default="").split(",")]
    for number, url in enumerate(filter(None, replica_urls), start=1):
        databases[f"replica_{number}"] = env.db_url_config(url)
    for database in databases.values():
        # A connection kept for a minute saves its opening (several milliseconds on PostgreSQL) on
        # every request; checked before reuse, so a restarted database server is no trouble.
        database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        database["CONN_HEALTH_CHECKS"] = True
    routers = ["operations.replicas.ReplicaRouter"] if len(databases) > 1 else []
    return databases, routers


DATABASES, _routers = database_settings(env)
if _routers:
    DATABASE_ROUTERS = _routers
DATABASE_REPLICA_STICKY_SECONDS = env.float("DATABASE_REPLICA_STICKY_SECONDS", default=10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SPATIALITE_LIBRARY_PATH = env.str("SPATIALITE_LIBRARY_PATH", default="mod_spatialite")

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Logging in ------------------------------------------------------------------------------------
# django-axes counts failed logins and refuses more for a while; its backend comes first, so that a
# locked-out login is refused before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# Never a permanent lock (a curator locked out for good would need an administrator): the wait
# always ends, AXES_COOLOFF_MINUTES after the failure that started it.
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
# Locked per address *and* client IP together: locking per IP alone would lock out a whole town
# hall behind one NAT for one person's typos, and locking per address alone would let anyone,
# from anywhere, lock a curator out of their own account by typing wrong passwords for it.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during the lock are refused without starting the wait again, so that the lockout page
# can say when to come back, and that time holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The admin's login form calls the e-mail field "username"; the address is compared without case,
# as logins are (accounts.throttling.username_of).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.throttling.username_of"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.locked_out"
# Who is the client? Without a proxy, the address of the connection (REMOTE_ADDR): forwarded
# headers are then written by the client and prove nothing. Behind N reverse proxies of our own,
# set AXES_PROXY_COUNT=N and AXES_META_PRECEDENCE_ORDER=HTTP_X_FORWARDED_FOR,REMOTE_ADDR (or the
# header the proxy sets, such as HTTP_X_REAL_IP): the client is the address the outermost proxy
# saw, the N-th from the right of the header; what the client put to its left is ignored. Read by
# accounts.throttling.client_ip (django-ipware, which axes would use for these, is not installed).
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(env.list("AXES_META_PRECEDENCE_ORDER", default=["REMOTE_ADDR"]))
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
# Collected by scripts/serve.sh (manage.py collectstatic): each file under a name that carries its
# hash, with its gzip and Brotli versions, so that WhiteNoise can serve them for a year.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Where manage.py backup writes, unless told (operations.backups).
BACKUP_DIR = env.path("BACKUP_DIR", default=VAR_DIR / "backups")

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Maps. Tiles are configurable: the IGN Plan suits French users well
# (https://data.geopf.fr/wmts?...); the pages stay usable when tiles cannot load.
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (46.6, 2.4),
    "DEFAULT_ZOOM": 6,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 18,
    "RESET_VIEW": False,
    "TILES": [
        (
            _("Map"),
            env.str("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
            {
                "attribution": env.str(
                    "MAP_TILES_ATTRIBUTION",
                    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
                ),
                "maxZoom": 19,
            },
        )
    ],
    "ATTRIBUTION_PREFIX": "Leaflet",
}

# Content-Security-Policy (django-csp 4). Only this site's own files may run, plus the inline
# scripts that carry the request's nonce: django-leaflet's map and widget scripts print
# nonce="{{ csp_nonce }}" and our templates give them request.csp_nonce; the admin's leaflet
# widget gets it from LeafletGeoAdmin. Injected markup therefore cannot run scripts.


def _tile_origin(url):
    """The scheme and host a tile URL template is served from ("https://tile.openstreetmap.org"),
    or None for a URL on this site, which 'self' already allows. A "{s}" subdomain placeholder
    ("https://{s}.tile.openstreetmap.org/...") becomes the "*." wildcard that CSP understands."""
    parts = urlsplit(str(url))
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc.rpartition("@")[2].lower()  # never copy credentials into a header
    first_label, dot, rest = host.partition(".")
    if "{" in first_label and rest:
        host = f"*{dot}{rest}"
    return f"{parts.scheme.lower()}://{host}"


# Derived from the tiles configured above (MAP_TILES_URL), so that changing the tile server keeps
# its tiles allowed without touching the policy.
_TILE_ORIGINS = sorted(
    {origin for _label, url, _options in LEAFLET_CONFIG["TILES"] if (origin := _tile_origin(url))}
)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # No 'unsafe-inline': an inline script runs only with the nonce of its response.
        "script-src": [SELF, NONCE],
        # 'unsafe-inline' is needed for styles: Leaflet positions its tiles, markers and popups
        # with style attributes, and the admin's templates (and ours) use some style attributes
        # too. Inline styles cannot run scripts, so script-src stays as strict as above.
        "style-src": [SELF, "'unsafe-inline'"],
        # data: for the small images that Leaflet's and the admin's stylesheets embed.
        "img-src": [SELF, "data:", *_TILE_ORIGINS],
        # The home map fetches its GeoJSON from this site; geocoding is done by the server.
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": ["'none'"],
        "base-uri": [SELF],
        # The site is never framed (XFrameOptionsMiddleware already says so to older browsers).
        "frame-ancestors": ["'none'"],
        "form-action": [SELF],
    },
}

# The public API (api/): read-only JSON and GeoJSON, open to every site for GET (CORS), within a rate
# limit per address (API_RATE_LIMIT, as DRF writes rates: "600/min", "10000/day"), cached by clients
# and proxies for API_CACHE_SECONDS, revalidated by ETag.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="600/min")
API_CACHE_SECONDS = env.int("API_CACHE_SECONDS", default=300)
REST_FRAMEWORK = {
    # JSON only: the readable documentation is Swagger UI (/api/v1/documentation/), not DRF's
    # browsable pages, whose inline scripts and forms a public read-only API does not need.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerAddressThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Percolateur",
    "DESCRIPTION": _(
        "The public catalogue of French tiers-lieux and citizen initiatives and of how local "
        "authorities worked with them: the published initiatives, their comparable projects, the "
        "territories and the vocabularies of the filters. Read-only, open to every site. The lists "
        "take the same filters as the catalogue's page."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The sections of the documentation page: their names are the operations' ids in its URLs,
    # their descriptions are in the reader's language.
    "TAGS": [
        {
            "name": "initiatives",
            "description": _("The published initiatives, their facts and their comparables."),
        },
        {"name": "territories", "description": _("Communes, intercommunalities, départements and régions.")},
        {"name": "vocabularies", "description": _("The values that the filters take.")},
    ],
}
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]

# Geocoding (the geocoding package): the Base Adresse Nationale, then Nominatim (OpenStreetMap) when
# the BAN fails or finds nothing. Domains and schemes are settings so that tests can point them at
# local servers on 127.0.0.1 and a site can use its own Nominatim. Nominatim's usage policy asks for a
# user agent that names the application (give a contact in production) and at most one request per
# second: the delay can be raised, never lowered under 1 s on the public server. Answers are cached
# (see CACHES): what was found for CACHE_TIMEOUT seconds, "nothing found" for CACHE_NOT_FOUND_TIMEOUT.
GEOCODING = {
    "BAN_DOMAIN": env.str("GEOCODING_BAN_DOMAIN", default="api-adresse.data.gouv.fr"),
    "BAN_SCHEME": env.str("GEOCODING_BAN_SCHEME", default="https"),
    "NOMINATIM_DOMAIN": env.str("GEOCODING_NOMINATIM_DOMAIN", default="nominatim.openstreetmap.org"),
    "NOMINATIM_SCHEME": env.str("GEOCODING_NOMINATIM_SCHEME", default="https"),
    "NOMINATIM_MIN_DELAY": env.float("GEOCODING_NOMINATIM_MIN_DELAY", default=1.0),
    "TIMEOUT": env.float("GEOCODING_TIMEOUT", default=3.0),
    "USER_AGENT": env.str("GEOCODING_USER_AGENT", default="Percolateur/0.1 (catalogue des tiers-lieux)"),
    "CACHE_TIMEOUT": env.int("GEOCODING_CACHE_TIMEOUT", default=30 * 24 * 3600),
    "CACHE_NOT_FOUND_TIMEOUT": env.int("GEOCODING_CACHE_NOT_FOUND_TIMEOUT", default=24 * 3600),
}

# How the site sends mail (password resets, invitations, answers to citizens' suggestions): printed
# on the console by default, so that the quick start needs no mail server; in production
# EMAIL_URL=smtp+tls://user:pass@host:587.
_EMAIL = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = _EMAIL["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _EMAIL["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _EMAIL["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _EMAIL["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _EMAIL.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# The sender of the site's messages, and of the error reports sent to the ADMINS.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Percolateur <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Citizens' suggestions (the contributions app). A form sent less than SUGGESTIONS_MIN_SECONDS after
# it was shown is a robot's; one client address may send SUGGESTIONS_RATE_LIMIT suggestions an hour.
# The count is kept in the cache (CACHES below): with several worker processes it must be a shared
# cache (CACHE_URL), or each process counts on its own.
SUGGESTIONS_MIN_SECONDS = env.float("SUGGESTIONS_MIN_SECONDS", default=3)
SUGGESTIONS_RATE_LIMIT = env.int("SUGGESTIONS_RATE_LIMIT", default=5)


# Local memory by default, one per process. A site with several worker processes shares one with
# CACHE_URL (redis://host:6379/0, or dbcache://table after manage.py createcachetable). Redis goes
# through django-redis, told to ignore a cache server that does not answer within a tenth of a
# second: the site then works without its cache (slower), never fails because of it.
def cache_from_url(url):
    """The cache that ``url`` names, Redis through django-redis, which survives its server's absence."""
    cache = environ.Env.cache_url_config(url)
    if "redis" in cache["BACKEND"].lower():
        cache["BACKEND"] = "django_redis.cache.RedisCache"
        cache.setdefault("OPTIONS", {}).update(
            {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": env.float("CACHE_CONNECT_TIMEOUT", default=0.1),
                "SOCKET_TIMEOUT": env.float("CACHE_TIMEOUT", default=0.2),
            }
        )
    return cache


CACHES = {"default": cache_from_url(env.str("CACHE_URL", default="locmemcache://"))}
# What django-redis ignores is logged (logger django_redis.cache), at most once a minute (LOGGING).
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# The cached map data and facet counts are kept for this long at most, and never outlive a change of
# the catalogue (their keys carry its version, catalogue.cached_pages).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)

SIMPLE_HISTORY_REVERT_DISABLED = False

# Debian 12 ships GDAL 3.6, which cannot block file and network access from spatial reference
# definitions (GDAL 3.9 can). Geometries only come from staff and from our own fixtures here;
# lift this once the distribution ships GDAL 3.9.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Logs go to the standard error, as text by default, or as one JSON object per line with
# LOG_FORMAT=json (scripts/serve.sh sets it), which a log collector reads without parsing rules. The
# requests' lines (logger percolateur.requests: method, path, status, duration_ms) are written at
# INFO, so LOG_LEVEL=INFO shows them.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            # The time in UTC, as ISO 8601 (whatever TIME_ZONE says): log collectors compare them.
            "timestamp": "time",
        },
    },
    "filters": {"once_a_minute": {"()": "operations.log_filters.AtMostEvery", "seconds": 60}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json" if LOG_FORMAT == "json" else "text"}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    # A stopped cache server fails every call to it: said once a minute, with how many since.
    "loggers": {"django_redis.cache": {"filters": ["once_a_minute"]}},
}

if not DEBUG:
    # Production is served over HTTPS, usually behind a proxy that says so in X-Forwarded-Proto.
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    if not SECURE_SSL_REDIRECT:
        # Turned off on purpose: the proxy in front redirects to HTTPS, or the site is served on
        # 127.0.0.1 only (the load benchmark); check --deploy's warning about it is then accepted.
        SILENCED_SYSTEM_CHECKS.append("security.W008")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=3600)
    # HSTS for the site's own host only, and not on the browsers' preload list, unless asked: the
    # site usually lives on a network's or a région's domain, whose other hosts it cannot vouch for,
    # and a preload is a decision of the domain's owner that takes months to undo. So check
    # --deploy's warnings about them (security.W005, W021) are accepted until they are turned on.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_INCLUDE_SUBDOMAINS:
        SILENCED_SYSTEM_CHECKS.append("security.W005")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    # A load balancer asks for the health page over plain HTTP, from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
