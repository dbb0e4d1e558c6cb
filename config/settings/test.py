"""Settings for the test suite: the same database choice as ``base`` (SpatiaLite unless
``DATABASE_URL`` names PostGIS), a fast password hasher, e-mail kept in memory, and a geocoder
that can only reach 127.0.0.1."""

from .base import *  # noqa: F403
from .base import GEOCODING

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Nothing in the tests may reach the internet: by default the geocoder points at a closed port.
GEOCODING = {**GEOCODING, "BAN_DOMAIN": "127.0.0.1:9", "BAN_SCHEME": "http", "TIMEOUT": 1.0}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
