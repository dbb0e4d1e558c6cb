"""What keeps robots out of the public forms without bothering people: a signed timestamp that says
how long the form was open, and a limit on the number of submissions per client address.

The honeypot field is the form's own (``forms.SuggestionForm``); these are the parts that need
settings, signatures and the cache.
"""

import logging
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache

logger = logging.getLogger(__name__)

_SALT = "contributions.form-opened"
# A form left open longer than this is stale: the person is asked to send it again.
MAX_FORM_AGE = 24 * 3600
RATE_PERIOD = 3600  # SUGGESTIONS_RATE_LIMIT counts submissions per hour


def min_seconds():
    return getattr(settings, "SUGGESTIONS_MIN_SECONDS", 3)


def rate_limit():
    return getattr(settings, "SUGGESTIONS_RATE_LIMIT", 5)


def opened_token(now=None):
    """The signed time at which a form is shown, for its hidden field."""
    return signing.dumps(time.time() if now is None else now, salt=_SALT)


def token_is_acceptable(token, now=None):
    """Whether a form with this token was open long enough, and not too long, to be a person's.
    A token that was tampered with, or is missing, is not."""
    now = time.time() if now is None else now
    try:
        opened = float(signing.loads(token or "", salt=_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return False
    return min_seconds() <= now - opened <= MAX_FORM_AGE


def client_address(request):
    """The address the rate limit counts by. REMOTE_ADDR only: a header such as X-Forwarded-For is
    whatever the client writes, unless a trusted proxy sets REMOTE_ADDR from it."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def _counter_key(request):
    window = int(time.time() // RATE_PERIOD)
    return f"contributions:submissions:{client_address(request)}:{window}"


def over_rate_limit(request):
    """Count this submission and say whether the client has sent more than the limit this hour.

    A cache that fails lets the submission through (and logs it): robots are also held back by the
    other guards, and a person must never get an error page because of the cache.
    """
    key = _counter_key(request)
    try:
        cache.add(key, 0, timeout=RATE_PERIOD)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=RATE_PERIOD)
            count = 1
    except Exception:  # any cache backend's failure
        logger.exception("The rate limit of the suggestions could not read the cache")
        return False
    return count > rate_limit()
