"""Template filters and tags of the public pages: sanitised Markdown, numbers written the local way,
and what makes a fiche forwardable (absolute links, structured data)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe

from ..rendering import render_markdown
from ..structured_data import initiative_json_ld as build_json_ld
from ..structured_data import json_ld_script

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """The curator's Markdown as sanitised HTML."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 in render_markdown


@register.filter
def grouped(value):
    """A number with the active language's thousands separator (``4 500`` in French, ``4,500``
    in English) and, for a decimal, one decimal place only when it is not a whole number."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        value = Decimal(str(value))
    decimal_pos = None
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            value, decimal_pos = int(value), None
        else:
            decimal_pos = 1
    return number_format(value, decimal_pos=decimal_pos, force_grouping=True)


@register.filter
def phone_href(phone):
    """A ``tel:`` link target for a phone number written with spaces or dots."""
    digits = "".join(ch for ch in str(phone) if ch.isdigit() or ch == "+")
    return f"tel:{digits}"


# Units are symbols shared by both languages; the non-breaking space keeps them on the number's line.
@register.filter
def euros(value):
    """An amount in euros: ``5 000 000 €``."""
    return "" if value is None else f"{grouped(value)}\u00a0€"


@register.filter
def square_metres(value):
    """A surface: ``4 500 m²``."""
    return "" if value is None else f"{grouped(value)}\u00a0m²"


# --- Forwarding a fiche -------------------------------------------------------------------------


def _absolute_uri(context, path):
    """``path`` as a full URL when the template has the request (it always has on a page)."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """A path of this site as a full URL, for what is read away from the site (paper, e-mail)."""
    return _absolute_uri(context, path)


@register.simple_tag(takes_context=True)
def initiative_json_ld(context, initiative):
    """The initiative's schema.org description, in a ``<script type="application/ld+json">`` that
    carries the request's CSP nonce. Nothing for a demonstration entry: search engines must not
    index a made-up place as a real one."""
    if initiative.is_demo:
        return ""
    # django-csp's nonce is lazy and false until read: str() reads it, which also puts it in the header.
    nonce = getattr(context.get("request"), "csp_nonce", None)
    data = build_json_ld(initiative, lambda path: _absolute_uri(context, path))
    return json_ld_script(data, nonce="" if nonce is None else str(nonce))
