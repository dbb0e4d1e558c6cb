"""One log line per request, with its method, path, status and duration in milliseconds, as fields of
the record: with ``LOG_FORMAT=json`` (see the settings' LOGGING) each becomes a key of the JSON line."""

import logging
import time

logger = logging.getLogger("percolateur.requests")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if logger.isEnabledFor(logging.INFO):
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            logger.info(
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
        return response
