"""The site's own page when a request fails on the server: a 503 that asks to try again in a few
seconds when the database does not answer (a restart, a failover), the 500 page otherwise. The
400, 403 and 404 pages are Django's views with the site's templates (templates/400.html…).

Django calls ``server_error`` while it handles the exception, so ``sys.exc_info()`` names it. The
page is rendered without the request's context: nothing on it may need the database.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

RETRY_AFTER_SECONDS = 5


def database_failed():
    """Whether the exception being handled comes from a database that does not answer (a refused or
    lost connection, a server shutting down), rather than from a bug (a wrong query, a broken
    constraint), which stays a 500."""
    error = sys.exc_info()[1]
    while error is not None:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error = error.__cause__ or error.__context__
    return False


def server_error(request, template_name="500.html"):
    if database_failed():
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseServerError(loader.render_to_string(template_name))
