"""A tiny local stand-in for the Base Adresse Nationale, so that geocoding tests never leave 127.0.0.1.

It answers ``/search/`` in the BAN's format (a GeoJSON FeatureCollection whose features carry
``label``, ``score``, ``type``, ``citycode``…), records every request it receives, and can be told to
fail like the real service does: answer too slowly, answer 429 or 500, or find nothing.

    with serve_ban(settings) as ban:        # settings: pytest-django's fixture
        ban.answer(ban_feature(2.9, 50.4, "12 Rue de la Gare 62550 Pernes", citycode="62652"))
        ...
        assert ban.queries[-1]["q"] == "..."

``LocalGeocoder`` is the part shared with the stand-in for Nominatim (``tests/nominatim_server.py``).
"""

import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from django.core.cache import cache


def ban_feature(
    lon,
    lat,
    label,
    *,
    score=0.92,
    kind="housenumber",
    citycode="62652",
    postcode="62550",
    city="Pernes",
    housenumber="12",
    street="Rue de la Gare",
):
    """One feature as the BAN returns it (coordinates are [longitude, latitude])."""
    properties = {
        "label": label,
        "score": score,
        "type": kind,
        "citycode": citycode,
        "postcode": postcode,
        "city": city,
        "context": "62, Pas-de-Calais, Hauts-de-France",
        "importance": 0.5,
        "x": 0,
        "y": 0,
    }
    if kind == "housenumber":
        properties.update(housenumber=housenumber, street=street, name=f"{housenumber} {street}")
    elif kind == "street":
        properties.update(street=street, name=street)
    else:
        properties.update(name=city)
    properties["id"] = f"{citycode}_0001_{housenumber:0>5}" if kind == "housenumber" else f"{citycode}_0001"
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }


@dataclass(frozen=True)
class ReceivedRequest:
    """A request as the server saw it: when (``time.monotonic()``), the path, the query string's
    parameters and the headers."""

    received_at: float
    path: str
    query: dict
    headers: dict


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_GET(self):
        url = urlsplit(self.path)
        query = {name: values[-1] for name, values in parse_qs(url.query).items()}
        service = self.server.service
        service.requests.append(ReceivedRequest(time.monotonic(), url.path, query, dict(self.headers)))
        if url.path.rstrip("/") != "/search":
            return self._send(404, {"code": 404, "message": "Not found"})
        if service.delay:
            # Waits on an event rather than sleeping so that stopping the server is immediate.
            service.released.wait(service.delay)
        if service.status != 200:
            return self._send(service.status, {"code": service.status, "message": "Simulated failure"})
        self._send(200, service.body(query))

    def _send(self, status, payload):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if status == 429:
                self.send_header("Retry-After", "1")
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to answer to

    def log_message(self, format, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class LocalGeocoder:
    """A running server on 127.0.0.1 and the knobs that decide its next answers. Subclasses say
    what a successful answer looks like (``body``)."""

    def __init__(self):
        self.requests = []
        self.results = []
        self.status = 200
        self.delay = 0.0
        self.raw = None
        self.released = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.service = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def queries(self):
        """The query string parameters of every request received, oldest first."""
        return [request.query for request in self.requests]

    @property
    def domain(self):
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def answer(self, *results):
        """Answer with these results (none: an empty answer, as for an unknown address)."""
        self.results, self.status, self.delay, self.raw = list(results), 200, 0.0, None

    def answer_raw(self, body):
        """Answer 200 with these bytes as they are (a malformed answer)."""
        self.answer()
        self.raw = body

    def fail(self, status):
        """Answer every request with this HTTP status (429: rate limited, 500: server error)."""
        self.status = status

    def slow_down(self, seconds):
        """Wait this long before answering, to go past the client's timeout."""
        self.delay = seconds

    def body(self, query):
        raise NotImplementedError

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.released.set()
        self._server.shutdown()
        self._server.server_close()


class BanServer(LocalGeocoder):
    """Answers like the BAN: a GeoJSON FeatureCollection of at most ``limit`` features."""

    def body(self, query):
        if self.raw is not None:
            return self.raw
        limit = int(query.get("limit", 5))
        return {
            "type": "FeatureCollection",
            "version": "draft",
            "features": self.results[:limit],
            "attribution": "BAN",
            "licence": "ETALAB-2.0",
            "query": query.get("q", ""),
            "limit": limit,
        }


@contextmanager
def serving(service, settings, **geocoding):
    """Run a local geocoder with ``settings.GEOCODING`` updated for the duration.

    The geocoding cache is emptied on the way in and out: answers of this server must neither
    come from nor leak into another test (the key does not say which server answered).
    """
    service.start()
    settings.GEOCODING = {**settings.GEOCODING, **geocoding}
    cache.clear()
    try:
        yield service
    finally:
        service.stop()
        cache.clear()


def serve_ban(settings, timeout=1.0):
    """Run a BanServer and point ``settings.GEOCODING`` at it for the duration."""
    ban = BanServer()
    return serving(ban, settings, BAN_DOMAIN=ban.domain, BAN_SCHEME="http", TIMEOUT=timeout)
