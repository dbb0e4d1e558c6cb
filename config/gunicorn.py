"""gunicorn's settings for scripts/serve.sh (``--config python:config.gunicorn``); the bind address and
the number of workers come from its command line.

Sync workers, each serving one request at a time: the pages are short database reads, and a worker
per core and a half keeps both cores busy while others wait on PostgreSQL. A request that takes more
than ``timeout`` seconds (a stuck query) has its worker replaced rather than holding it forever.
The access log is left to Django (operations.request_log), which writes it as JSON with the
duration; gunicorn's own messages are JSON lines too.
"""

import os

timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests (with some spread), so that no slow leak of memory
# grows without end.
max_requests = 5000
max_requests_jitter = 500
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            # The time in UTC, as ISO 8601 (whatever TIME_ZONE says): log collectors compare them.
            "timestamp": "time",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False}},
}
