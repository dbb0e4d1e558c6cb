"""What django-axes needs to know from us to throttle logins (see "Logging in" in the settings):
who is trying (the address, without case), from where (the client's IP, through our own proxies
only), and what a locked-out person reads."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def username_of(request, credentials=None):
    """The address being tried, in lower case: logins ignore case, so must the count of failures,
    or each way of capitalising an address would get its own tries."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        # The admin's form says "username"; authenticate(email=…) from code says the model's field.
        username = credentials.get(field) or credentials.get("email")
    else:
        username = getattr(request, "POST", {}).get(field)
    return username.strip().lower() if isinstance(username, str) else username


def client_ip(request):
    """The client's address: the connection's, or the one our trusted proxies report.

    With AXES_IPWARE_PROXY_COUNT = N proxies, each one appends the address it was reached from to
    X-Forwarded-For, so the N-th address from the right is the one the outermost proxy saw; anything
    further left was written by the client itself and is ignored."""
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    for header in settings.AXES_IPWARE_META_PRECEDENCE_ORDER:
        value = request.META.get(header, "")
        if header == "REMOTE_ADDR":
            return value or None
        addresses = [address.strip() for address in value.split(",") if address.strip()]
        if proxies and len(addresses) >= proxies:
            return addresses[-proxies]
    return request.META.get("REMOTE_ADDR")


def locked_out(request, original_response=None, credentials=None):
    """The lockout page (status 429): why, and at what time logging in works again."""
    cool_off = get_cool_off(request)
    attempts = AxesDatabaseHandler().get_user_attempts(request, credentials)
    last_failure = max(
        (attempt.attempt_time for queryset in attempts for attempt in queryset),
        default=timezone.now(),
    )
    context = {
        **admin.site.each_context(request),
        "title": _("Too many failed logins"),
        "retry_at": timezone.localtime(last_failure + cool_off),
        "cool_off_minutes": round(cool_off.total_seconds() / 60),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
