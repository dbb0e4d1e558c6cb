"""Reads from PostgreSQL replicas, writes to the primary (``DATABASE_REPLICA_URLS``, see the settings).

The replicas are the databases whose alias starts with "replica" (``replica_1``, ``replica_2``… in
the settings); a request that may read one draws one at random and keeps it for all its reads, so
that a page is read from one consistent copy. Everything else reads the primary, "default":

- code outside a request (management commands, tasks, the shell), so that a command that writes
  then reads never reads stale data;
- a request with an unsafe method (POST, PUT, PATCH, DELETE), and a request of a logged-in staff
  member (the admin, and the public pages as curators check what they have just changed);
- a request from its first write on (its own session's included), and inside a transaction;
- the requests of a client within ``DATABASE_REPLICA_STICKY_SECONDS`` of one of its requests that
  wrote, longer than the replicas' lag: the response to such a request carries a small signed cookie
  with the time of the write. Nothing else marks a client, so citizens who only browse get neither a
  cookie nor a session.

Writes always go to "default", and migrations run there only: the replicas copy the schema along
with the data. Without replicas in the settings there is no router, and the middleware does nothing.
"""

import math
import random
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router

REPLICA_PREFIX = "replica"
# When a request wrote, the time of its write, signed.
COOKIE_NAME = "recent_write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Django's database cache (CACHE_URL=dbcache://…) is read and written on the primary only: read from
# a replica it would lag behind its own writes, and its writes (the API's rate counts, on every
# request) are no writes of the client's that later reads should see.
PRIMARY_ONLY_APPS = frozenset({"django_cache"})


@dataclass
class Reads:
    """Where the current request reads: the primary, or the replica it drew; and whether it wrote."""

    primary: bool = False
    wrote: bool = False
    replica: str = ""


# None outside a request: the primary then, always.
_reads: ContextVar[Reads | None] = ContextVar("percolateur_replica_reads", default=None)


@contextmanager
def replica_reads(primary=False):
    """Within the block, reads may go to a replica as a request's do (unless ``primary``, or until a
    write or inside a transaction). The middleware's, and a task's that is content with data a few
    seconds old."""
    state = Reads(primary=primary)
    token = _reads.set(state)
    try:
        yield state
    finally:
        _reads.reset(token)


def replica_aliases():
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


class ReplicaRouter:
    """Reads to a replica when the current request allows it, everything else to "default"."""

    def db_for_read(self, model, **hints):
        state = _reads.get()
        if (
            state is None
            or state.primary
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        if not state.replica:
            state.replica = random.choice(replica_aliases() or [DEFAULT_DB_ALIAS])
        return state.replica

    def db_for_write(self, model, **hints):
        state = _reads.get()
        if state is not None and model._meta.app_label not in PRIMARY_ONLY_APPS:
            # The rest of the request reads what it has just written.
            state.wrote = state.primary = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        """The replicas hold the primary's rows: an object read from one may be linked to one of
        the primary."""
        ours = {DEFAULT_DB_ALIAS, *replica_aliases()}
        if obj1._state.db in ours and obj2._state.db in ours:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db.startswith(REPLICA_PREFIX):
            return False
        return None


def routing_to_replicas():
    return any(isinstance(each, ReplicaRouter) for each in router.routers)


def _wrote_lately(request):
    written = request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_NAME)
    try:
        return time.time() - float(written) < settings.DATABASE_REPLICA_STICKY_SECONDS
    except (TypeError, ValueError):
        return False


class PrimaryAfterWriteMiddleware:
    """Lets the request's reads go to a replica unless they must read the primary (see the module).

    Placed before SessionMiddleware, so that the session's own writes count as the request's: a
    password-reset link stores its token in a new session, and the page it leads to must find it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not routing_to_replicas():
            return self.get_response(request)
        unsafe = request.method not in SAFE_METHODS
        with replica_reads(primary=unsafe or _wrote_lately(request)) as state:
            response = self.get_response(request)
        if unsafe or state.wrote:
            response.set_signed_cookie(
                COOKIE_NAME,
                repr(time.time()),
                salt=COOKIE_NAME,
                max_age=math.ceil(settings.DATABASE_REPLICA_STICKY_SECONDS),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Staff read the primary. Known only now, once AuthenticationMiddleware has run; the
        session and the user are read from the replica (a login is a write: a curator who has just
        logged in reads the primary for a while anyway)."""
        state = _reads.get()
        user = getattr(request, "user", None)
        if state is not None and not state.primary and user is not None and user.is_staff:
            state.primary = True
        return None
