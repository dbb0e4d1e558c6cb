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
# Nothing in the tests may reach the internet: by default the geocoder points at a closed port.
GEOCODING = {**GEOCODING, "BAN_DOMAIN": "127.0.0.1:9", "BAN_SCHEME": "http", "TIMEOUT": 1.0}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
