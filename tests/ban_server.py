"""A tiny local stand-in for the Base Adresse Nationale, so that geocoding tests never leave 127.0.0.1.

It answers ``/search/`` in the BAN's format (a GeoJSON FeatureCollection whose features carry
``label``, ``score``, ``type``, ``citycode``…), records every query it receives, and can be told to
fail like the real service does: answer too slowly, answer 429 or 500, or find nothing.

    with serve_ban(settings) as ban:        # settings: pytest-django's fixture
        ban.answer(ban_feature(2.9, 50.4, "12 Rue de la Gare 62550 Pernes", citycode="62651"))
        ...
        assert ban.queries[-1]["q"] == "..."
"""

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def ban_feature(
    lon,
    lat,
    label,
    *,
    score=0.92,
    kind="housenumber",
    citycode="62651",
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


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_GET(self):
        url = urlsplit(self.path)
        query = {name: values[-1] for name, values in parse_qs(url.query).items()}
        ban = self.server.ban
        ban.queries.append(query)
        if url.path.rstrip("/") != "/search":
            return self._send(404, {"code": 404, "message": "Not found"})
        if ban.delay:
            # Waits on an event rather than sleeping so that stopping the server is immediate.
            ban.released.wait(ban.delay)
        if ban.status != 200:
            return self._send(ban.status, {"code": ban.status, "message": "Simulated failure"})
        limit = int(query.get("limit", 5))
        self._send(
            200,
            {
                "type": "FeatureCollection",
                "version": "draft",
                "features": ban.features[:limit],
                "attribution": "BAN",
                "licence": "ETALAB-2.0",
                "query": query.get("q", ""),
                "limit": limit,
            },
        )

    def _send(self, status, payload):
        body = json.dumps(payload).encode()
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


class BanServer:
    """The running server and the knobs that decide its next answers."""

    def __init__(self):
        self.queries = []
        self.features = []
        self.status = 200
        self.delay = 0.0
        self.released = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.ban = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def domain(self):
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def answer(self, *features):
        """Answer with these features (none: an empty FeatureCollection, as for an unknown address)."""
        self.features, self.status, self.delay = list(features), 200, 0.0

    def fail(self, status):
        """Answer every request with this HTTP status (429: rate limited, 500: server error)."""
        self.status = status

    def slow_down(self, seconds):
        """Wait this long before answering, to go past the client's timeout."""
        self.delay = seconds

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.released.set()
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def serve_ban(settings, timeout=1.0):
    """Run a BanServer and point ``settings.GEOCODING`` at it for the duration."""
    ban = BanServer().start()
    settings.GEOCODING = {
        **settings.GEOCODING,
        "BAN_DOMAIN": ban.domain,
        "BAN_SCHEME": "http",
        "TIMEOUT": timeout,
    }
    try:
        yield ban
    finally:
        ban.stop()
