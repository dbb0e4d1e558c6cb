"""``/sante/``: whether this worker can serve, for a load balancer or a monitoring probe.

A 200 when the primary database answers, a 503 when it does not. The replicas and the cache are
reported but never make the answer fail: the site works without its cache, only slower (a replica
that does not answer fails the reads sent to it, which the report names). Never cached, never redirected to
HTTPS (``SECURE_REDIRECT_EXEMPT``), and it reads no table, so a probe every second costs nothing.
"""

import logging
import time
import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .replicas import replica_aliases, routing_to_replicas

logger = logging.getLogger(__name__)


def database_answers(alias):
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("The database %r does not answer", alias, exc_info=True)
        # A connection that failed must not be reused by the next request of this worker.
        connections[alias].close_if_unusable_or_obsolete()
        return False


def cache_answers():
    key = f"health:{uuid.uuid4().hex}"
    try:
        cache.set(key, 1, timeout=5)
        answered = cache.get(key) == 1
        cache.delete(key)
        return answered
    except Exception:  # a cache backend that raises (rather than ignores) its server's failure
        logger.warning("The cache does not answer", exc_info=True)
        return False


@never_cache
def health(request):
    started = time.perf_counter()
    aliases = [DEFAULT_DB_ALIAS, *(replica_aliases() if routing_to_replicas() else [])]
    databases = {alias: database_answers(alias) for alias in aliases}
    healthy = databases[DEFAULT_DB_ALIAS]
    body = {
        "status": "ok" if healthy else "unavailable",
        "databases": {alias: "ok" if up else "unavailable" for alias, up in databases.items()},
        "cache": "ok" if cache_answers() else "unavailable",
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if healthy else 503)
