"""Settings for the test suite: the same database choice as ``base`` (SpatiaLite unless
``DATABASE_URL`` names PostGIS), a fast password hasher, e-mail kept in memory, and a geocoder
that can only reach 127.0.0.1."""

import os

# The tests run as production does (DEBUG off), with a key of their own.
os.environ.setdefault("SECRET_KEY", "percolateur-tests-only")

from .base import *  # noqa: E402, F403
from .base import GEOCODING  # noqa: E402

# The test servers speak plain HTTP on 127.0.0.1.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Nothing in the tests may reach the internet: by default both geocoders point at a closed port.
# Without a rate limit, the tests that fall back to Nominatim do not wait (tests/test_geocoding.py
# checks the limit with a delay of its own).
GEOCODING = {
    **GEOCODING,
    "BAN_DOMAIN": "127.0.0.1:9",
    "BAN_SCHEME": "http",
    "NOMINATIM_DOMAIN": "127.0.0.1:9",
    "NOMINATIM_SCHEME": "http",
    "NOMINATIM_MIN_DELAY": 0.0,
    "TIMEOUT": 1.0,
}
# The geocoding tests empty the cache: never a shared one that CACHE_URL may name.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# SpatiaLite tests run in memory (Django's default for SQLite). Said outright, because pytest-xdist
# otherwise names one file per worker after the database's path, for an engine it does not know.
if DATABASES["default"]["ENGINE"].endswith("spatialite"):  # noqa: F405
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ":memory:"  # noqa: F405
# The replica router's tests (tests/operations/test_replicas.py) read from a second database that
# stands for a replica: on PostgreSQL a database of its own on the same server, on SpatiaLite a second
# in-memory one. pytest-django creates it only for the tests that ask for it; no router sends the rest
# of the suite there (nor to replicas that the environment may name): those tests turn it on. Its
# tables are made from the models, not by the migrations, as a replica gets its schema from the
# primary (and two data migrations read and write "default" whatever database they migrate).
DATABASES = {  # noqa: F405
    "default": DATABASES["default"],  # noqa: F405
    "replica": {
        **DATABASES["default"],  # noqa: F405
        "TEST": {**DATABASES["default"].get("TEST", {}), "MIGRATE": False},  # noqa: F405
    },
}
if not DATABASES["default"]["ENGINE"].endswith("spatialite"):
    DATABASES["replica"]["NAME"] = f"{DATABASES['default']['NAME']}_replica"
DATABASE_ROUTERS = []
