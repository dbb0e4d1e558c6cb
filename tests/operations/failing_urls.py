"""The site's URLs and two views that fail, for the error pages' tests: one as a bug does, one as a
database that stopped answering does."""

from django.db import OperationalError
from django.urls import path

from config.urls import handler500
from config.urls import urlpatterns as site_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def broken(request):
    raise ValueError("a bug")


def database_gone(request):
    try:
        raise ConnectionRefusedError("connection refused")
    except ConnectionRefusedError as error:
        raise OperationalError("server closed the connection unexpectedly") from error


urlpatterns = [
    path("en-panne/", broken),
    path("base-absente/", database_gone),
    *site_urlpatterns,
]
